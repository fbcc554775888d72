"""The one capacity + waiting-list rule, shared by registrations, workshops and visits.

Seats are counted in `capacity_pool.taken` and only changed by conditional UPDATE
statements. On PostgreSQL the UPDATE takes the pool's row lock, so concurrent
transactions queue up on it and re-check the condition after the winner commits; on
SQLite writes are serialised by the database lock. Either way a pool never goes past
its capacity, and the CHECK constraint on the table refuses it if anything tried.

A holder (Registration, SessionSignup, VisitSignup) is any model with a `status` and an
`id`; its waiting list is the holders with the waitlisted status, in id order. Callers
pass the select() that scopes their queue, so one function serves every feature.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.capacity.models import CapacityPool
from confapp.errors import ValidationFailed
from confapp.extensions import db


def new_pool(capacity: int | None) -> CapacityPool:
    """Create (and add) a pool with the given capacity (None: unlimited)."""
    if capacity is not None and capacity < 0:
        raise ValidationFailed(_("Capacity cannot be negative."), field="capacity")
    pool = CapacityPool(capacity=capacity, taken=0)
    db.session.add(pool)
    return pool


def try_take(pool: CapacityPool, seats: int = 1) -> bool:
    """Take seats if they are free, atomically; tell whether it worked."""
    table = CapacityPool.__table__
    result = db.session.execute(
        sa.update(table)
        .where(table.c.id == pool.id)
        .where(sa.or_(table.c.capacity.is_(None), table.c.taken + seats <= table.c.capacity))
        .values(taken=table.c.taken + seats)
    )
    taken = result.rowcount == 1
    db.session.refresh(pool)
    return taken


def take_up_to(pool: CapacityPool, wanted: int) -> int:
    """Take as many of `wanted` seats as are free, atomically (the pool is locked until the
    transaction ends); return how many were taken."""
    lock_pool(pool)
    db.session.refresh(pool)
    free = wanted if pool.capacity is None else max(0, pool.capacity - pool.taken)
    taken = min(wanted, free)
    if taken:
        table = CapacityPool.__table__
        db.session.execute(
            sa.update(table).where(table.c.id == pool.id).values(taken=table.c.taken + taken)
        )
        db.session.refresh(pool)
    return taken


def release(pool: CapacityPool, seats: int = 1) -> None:
    """Give seats back (never below zero)."""
    table = CapacityPool.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == pool.id)
        .values(taken=sa.case((table.c.taken >= seats, table.c.taken - seats), else_=0))
    )
    db.session.refresh(pool)


def lock_pool(pool: CapacityPool) -> None:
    """Serialise queue changes on this pool until the transaction ends.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so
    two cancellations cannot promote the same waiting delegate.
    """
    table = CapacityPool.__table__
    db.session.execute(sa.update(table).where(table.c.id == pool.id).values(taken=table.c.taken))


def set_capacity(pool: CapacityPool, capacity: int | None) -> None:
    """Change the capacity; refuses to go below the seats already taken."""
    if capacity is not None and capacity < 0:
        raise ValidationFailed(_("Capacity cannot be negative."), field="capacity")
    lock_pool(pool)
    db.session.refresh(pool)
    if capacity is not None and capacity < pool.taken:
        raise ValidationFailed(
            ngettext(
                "%(num)s place is already taken; capacity cannot be lower than that.",
                "%(num)s places are already taken; capacity cannot be lower than that.",
                pool.taken,
            ),
            field="capacity",
        )
    pool.capacity = capacity
    db.session.flush()


def admit(
    pool: CapacityPool,
    holder: Any,
    *,
    confirmed: Any,
    waitlisted: Any,
    now: dt.datetime,
) -> bool:
    """Give the holder a seat if one is free, else put it on the waiting list.

    Returns True when confirmed. Freed seats are handed to the queue in the same
    transaction that frees them (`leave`, `promote` after a capacity rise), so a free
    seat here never belongs to someone already waiting.
    """
    if try_take(pool):
        holder.status = confirmed
        holder.status_changed_at = now
        return True
    holder.status = waitlisted
    holder.status_changed_at = now
    return False


def promote(
    pool: CapacityPool,
    queue: sa.Select,
    *,
    confirmed: Any,
    now: dt.datetime,
    on_promoted: Callable[[Any], None] | None = None,
) -> list[Any]:
    """Fill free seats from the waiting list in order; return who was promoted.

    `queue` selects the waiting holders of this pool ordered first in line first.
    The pool is locked first so that concurrent calls promote each person once.
    """
    lock_pool(pool)
    db.session.refresh(pool)
    promoted: list[Any] = []
    free = pool.seats_left
    if free == 0:
        return promoted
    limited = queue if free is None else queue.limit(free)
    for holder in db.session.scalars(limited).all():
        if not try_take(pool):
            break
        holder.status = confirmed
        holder.status_changed_at = now
        promoted.append(holder)
        if on_promoted is not None:
            on_promoted(holder)
    db.session.flush()
    return promoted


def lock_and_reread(pool: CapacityPool, holder: Any) -> None:
    """Lock the pool, then read the holder again: a state change decided on a value read
    before the lock could be a repeat of one that has just committed (a double-clicked
    cancel would free one seat twice)."""
    lock_pool(pool)
    db.session.refresh(holder)


def leave(
    pool: CapacityPool,
    holder: Any,
    *,
    confirmed: Any,
    cancelled: Any,
    queue: sa.Select,
    now: dt.datetime,
    on_promoted: Callable[[Any], None] | None = None,
) -> list[Any]:
    """Cancel the holder; if it held a seat, give it to the first in line.

    The holder is read again under the pool's lock, so a repeat (two requests cancelling
    the same seat at once) finds it cancelled and changes nothing.
    """
    lock_and_reread(pool, holder)
    if holder.status == cancelled:
        return []
    held = holder.status == confirmed
    holder.status = cancelled
    holder.status_changed_at = now
    db.session.flush()
    if not held:
        return []
    release(pool)
    return promote(pool, queue, confirmed=confirmed, now=now, on_promoted=on_promoted)
