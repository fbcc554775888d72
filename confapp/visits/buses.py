"""Buses of a visit: seat delegates on them by hand, as a balanced plan (groups travel
together), or one late sign-up at a time. Flush only; views commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.agenda.models import SeatStatus
from confapp.capacity import services as capacity
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup


def set_bus(visit: Visit, holder: VisitSignup, bus_id: int | None) -> None:
    """Put a confirmed delegate on a bus of the visit (None: no bus), within its seats."""
    if bus_id is None:
        holder.bus_id = None
        db.session.flush()
        return
    bus = db.session.get(Bus, bus_id)
    if bus is None or bus.visit_id != visit.id:
        raise ValidationFailed(_("Unknown bus."), field="bus_id")
    if holder.status is not SeatStatus.CONFIRMED:
        raise DomainError(_("Only delegates with a confirmed seat ride a bus."))
    if holder.bus_id == bus.id:
        return
    capacity.lock_pool(visit.pool)
    aboard = db.session.scalar(
        sa.select(sa.func.count()).where(
            VisitSignup.bus_id == bus.id, VisitSignup.status == SeatStatus.CONFIRMED
        )
    )
    if aboard >= bus.seats:
        raise DomainError(_("%(bus)s is full (%(seats)s seats).", bus=bus.name, seats=bus.seats))
    holder.bus_id = bus.id
    db.session.flush()


def plan_buses(
    buses: list[tuple[int, int]], people: list[tuple[int, str]]
) -> tuple[dict[int, int | None], list[str]]:
    """Pure bus plan: (bus id, seats) and (sign-up id, group code) in, sign-up → bus out.

    People sharing a group code travel as one unit. Units are placed largest first on the
    bus that stays least full (by share of seats), which balances the load; a unit larger
    than any bus's free seats is split over the emptiest buses, with a note.
    """
    load = {bus_id: 0 for bus_id, _ in buses}
    seats = dict(buses)
    order = {bus_id: i for i, (bus_id, _) in enumerate(buses)}
    units: dict[str, list[int]] = {}
    for signup_id, code in people:
        units.setdefault(code or f"#{signup_id}", []).append(signup_id)
    plan: dict[int, int | None] = {}
    notes: list[str] = []
    for key, members in sorted(units.items(), key=lambda kv: (-len(kv[1]), min(kv[1]))):
        fitting = [b for b in load if seats[b] - load[b] >= len(members)]
        if fitting:
            best = min(fitting, key=lambda b: ((load[b] + len(members)) / seats[b], order[b]))
            for member in members:
                plan[member] = best
            load[best] += len(members)
            continue
        if len(members) > 1:
            notes.append(
                _(
                    "Group %(group)s (%(count)s people) does not fit on one bus; it is split.",
                    group=key,
                    count=len(members),
                )
            )
        for member in members:
            free = [b for b in load if load[b] < seats[b]]
            if not free:
                plan[member] = None
                continue
            best = min(free, key=lambda b: (load[b] / seats[b], order[b]))
            plan[member] = best
            load[best] += 1
    unseated = sum(1 for v in plan.values() if v is None)
    if unseated:
        notes.append(
            ngettext(
                "%(num)d confirmed delegate has no bus seat: add a bus or seats.",
                "%(num)d confirmed delegates have no bus seat: add a bus or seats.",
                unseated,
            )
        )
    return plan, notes


def assign_buses(visit: Visit) -> list[str]:
    """Seat every confirmed delegate on a bus (balanced, groups together); return notes."""
    if not visit.buses:
        raise DomainError(_("Add a bus to the visit first."))
    capacity.lock_pool(visit.pool)
    holders = list(
        db.session.scalars(
            sa.select(VisitSignup)
            .where(VisitSignup.visit_id == visit.id, VisitSignup.status == SeatStatus.CONFIRMED)
            .order_by(VisitSignup.id)
        )
    )
    plan, notes = plan_buses(
        [(b.id, b.seats) for b in visit.buses], [(h.id, h.group_code) for h in holders]
    )
    for holder in holders:
        holder.bus_id = plan.get(holder.id)
    db.session.flush()
    return notes


def seat_on_bus(visit: Visit, holder: VisitSignup) -> Bus | None:
    """Seat a delegate confirmed after the buses were assigned, as assign_buses would: on
    their group's bus if it has room, else on the bus left least full by share of seats.

    None (no bus) before any assignment (the organiser's assignment seats everyone) and
    when every bus is full: the sign-ups page and the manifest flag that person. Callers
    hold the visit's pool lock, so two late sign-ups cannot both take a bus's last seat.
    """
    if holder.status is not SeatStatus.CONFIRMED or holder.bus_id is not None or not visit.buses:
        return None
    aboard = db.session.execute(
        sa.select(VisitSignup.bus_id, VisitSignup.group_code, sa.func.count())
        .where(
            VisitSignup.visit_id == visit.id,
            VisitSignup.status == SeatStatus.CONFIRMED,
            VisitSignup.bus_id.is_not(None),
            VisitSignup.id != holder.id,
        )
        .group_by(VisitSignup.bus_id, VisitSignup.group_code)
    ).all()
    if not aboard:
        return None
    load = {bus.id: 0 for bus in visit.buses}
    mates = {bus.id: 0 for bus in visit.buses}
    for bus_id, code, count in aboard:
        if bus_id in load:
            load[bus_id] += count
            if holder.group_code and code == holder.group_code:
                mates[bus_id] += count
    free = [bus for bus in visit.buses if load[bus.id] < bus.seats]
    if not free:
        return None
    with_group = [bus for bus in free if mates[bus.id]]
    if with_group:
        best = max(with_group, key=lambda bus: (mates[bus.id], -bus.position))
    else:
        best = min(free, key=lambda bus: ((load[bus.id] + 1) / bus.seats, bus.position))
    holder.bus_id = best.id
    return best


def unseated_count(visit: Visit) -> int:
    """Confirmed delegates of a visit with buses who have no bus (0 when it has no buses)."""
    if not visit.buses:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                VisitSignup.visit_id == visit.id,
                VisitSignup.status == SeatStatus.CONFIRMED,
                VisitSignup.bus_id.is_(None),
            )
        )
        or 0
    )
