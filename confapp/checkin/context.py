"""What a scan needs to know, in one query: the badge's holder at the checkpoint (their
registration as a plain row, their seat), the caller's role and the event, from
statements built once per kind of checkpoint."""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

import sqlalchemy as sa

from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.checkin.checkpoints import ENTRANCE
from confapp.checkin.checkpoints import Checkpoint
from confapp.checkin.models import Attendance
from confapp.checkin.rules import claimed_registration_id
from confapp.events.models import Event
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationCategory
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup


class Holder(NamedTuple):
    """What a scan needs to know of the badge's registration (a plain row, not an ORM object)."""

    id: int
    event_id: int
    badge_serial: int
    status: RegistrationStatus
    full_name: str
    name_latin: str
    organisation: str
    country: str
    category: RegistrationCategory
    signed_up: bool
    # When they were first checked in at this checkpoint (None: not yet).
    checked_in_at: dt.datetime | None


def _holder_columns(reg: sa.Table, checkpoint_kind: str, session_pool) -> list:
    """The columns of a Holder, with `signed_up` judged for the kind of checkpoint and
    `checked_in_at` for the checkpoint bound as `checkpoint`.

    `session_pool` is the session's capacity_pool_id column or value: sessions without a
    seat limit admit everyone; limited sessions and visits need a confirmed sign-up.
    """
    if checkpoint_kind == "session":
        signups = SessionSignup.__table__
        signed_up = sa.or_(
            session_pool.is_(None),
            sa.exists().where(
                signups.c.session_id == sa.bindparam("session_id"),
                signups.c.registration_id == reg.c.id,
                signups.c.status == SeatStatus.CONFIRMED,
            ),
        )
    elif checkpoint_kind == "visit":
        signups = VisitSignup.__table__
        signed_up = sa.exists().where(
            signups.c.visit_id == sa.bindparam("visit_id"),
            signups.c.registration_id == reg.c.id,
            signups.c.status == SeatStatus.CONFIRMED,
        )
    else:
        signed_up = sa.true()
    attendance = Attendance.__table__
    checked_in_at = (
        sa.select(attendance.c.first_scanned_at)
        .where(
            attendance.c.registration_id == reg.c.id,
            attendance.c.checkpoint == sa.bindparam("checkpoint"),
        )
        .scalar_subquery()
    )
    return [
        reg.c.id,
        reg.c.event_id,
        reg.c.badge_serial,
        reg.c.status,
        reg.c.full_name,
        reg.c.name_latin,
        reg.c.organisation,
        reg.c.country,
        reg.c.category,
        signed_up.label("signed_up"),
        checked_in_at.label("checked_in_at"),
    ]


def _kind(checkpoint_key: str) -> str:
    return checkpoint_key.partition(":")[0]


@functools.cache
def _holder_statement(checkpoint_kind: str) -> sa.Select:
    # Built once per kind: constructing a select costs more Python than running it.
    reg = Registration.__table__
    pool = sa.bindparam("session_pool", type_=sa.Integer)
    return sa.select(*_holder_columns(reg, checkpoint_kind, pool)).where(
        reg.c.id == sa.bindparam("registration_id"), reg.c.event_id == sa.bindparam("event_id")
    )


def load_holder(
    conn: sa.Connection, event_id: int, registration_id: int, checkpoint: Checkpoint
) -> Holder | None:
    """The registration a badge names, if it belongs to the event, with its sign-up state."""
    row = conn.execute(
        _holder_statement(_kind(checkpoint.key)),
        {
            "registration_id": registration_id,
            "event_id": event_id,
            "session_id": checkpoint.session_id,
            "visit_id": checkpoint.visit_id,
            "checkpoint": checkpoint.key,
            "session_pool": checkpoint.session.capacity_pool_id if checkpoint.session else None,
        },
    ).first()
    return Holder(*row) if row else None


class ScanContext(NamedTuple):
    """Everything a scan request needs from the database, read in one query."""

    user_id: int
    user_active: bool
    is_admin: bool
    has_role: bool
    token_id: int | None
    token_last_used_at: dt.datetime | None
    event_id: int | None
    point_id: int | None
    event_starts_on: dt.date | None
    event_ends_on: dt.date | None
    event_timezone: str | None
    holder: Holder | None

    def may_scan(self) -> bool:
        """Staff, organisers and administrators may scan for the event."""
        return self.is_admin or self.has_role


@functools.cache
def _context_statement(via_token: bool, checkpoint_kind: str) -> sa.Select:
    # The check-in hot path: caller, role, event, checkpoint and the badge's registration
    # in one round trip instead of five. Built once per shape, then only bound.
    from confapp.accounts.models import ApiToken
    from confapp.accounts.models import EventRole
    from confapp.accounts.models import User

    users, roles, events = User.__table__, EventRole.__table__, Event.__table__
    reg, api_tokens = Registration.__table__, ApiToken.__table__
    if via_token:
        source = api_tokens.join(users, users.c.id == api_tokens.c.user_id)
        caller = [
            api_tokens.c.token_hash == sa.bindparam("token_hash"),
            api_tokens.c.revoked_at.is_(None),
        ]
        token_columns = [api_tokens.c.id, api_tokens.c.last_used_at]
    else:
        source = users
        caller = [users.c.id == sa.bindparam("user_id")]
        token_columns = [sa.null(), sa.null()]
    source = source.outerjoin(events, events.c.slug == sa.bindparam("slug"))
    pool = None
    if checkpoint_kind == "session":
        point = ProgrammeSession.__table__
        pool = point.c.capacity_pool_id
    elif checkpoint_kind == "visit":
        point = Visit.__table__
    if pool is not None or checkpoint_kind == "visit":
        source = source.outerjoin(
            point,
            sa.and_(
                point.c.id == sa.bindparam(f"{checkpoint_kind}_id"), point.c.event_id == events.c.id
            ),
        )
        point_id = point.c.id
    else:
        point_id = sa.null()
    source = source.outerjoin(
        reg, sa.and_(reg.c.id == sa.bindparam("registration_id"), reg.c.event_id == events.c.id)
    )
    has_role = sa.exists().where(roles.c.user_id == users.c.id, roles.c.event_id == events.c.id)
    return (
        sa.select(
            users.c.id,
            users.c.is_active_account,
            users.c.is_admin,
            has_role,
            *token_columns,
            events.c.id,
            point_id,
            events.c.starts_on,
            events.c.ends_on,
            events.c.timezone,
            *_holder_columns(reg, checkpoint_kind, pool),
        )
        .select_from(source)
        .where(*caller)
    )


def scan_context(
    conn: sa.Connection,
    slug: str,
    *,
    token_hash: str | None = None,
    user_id: int | None = None,
    token: str,
    session_id: int | None,
    visit_id: int | None,
    area: str | None = None,
) -> ScanContext | None:
    """The caller (by API token hash or user id) and what they scan, or None for no such caller.

    An area (the meetings area) is judged like the entrance: the same statement, bound to
    the area's checkpoint key."""
    kind = "session" if session_id is not None else "visit" if visit_id is not None else ENTRANCE
    row = conn.execute(
        _context_statement(token_hash is not None, kind),
        {
            "token_hash": token_hash,
            "user_id": user_id,
            "slug": slug,
            "session_id": session_id,
            "visit_id": visit_id,
            "checkpoint": Checkpoint.for_ids(session_id, visit_id, area).key,
            "registration_id": claimed_registration_id(token),
        },
    ).first()
    if row is None:
        return None
    # The row is the context's own columns followed by the holder's (see _context_statement).
    split = len(ScanContext._fields) - 1
    holder = Holder(*row[split:]) if row[split] is not None else None
    return ScanContext(*row[:split], holder)
