"""Visits and their buses: validate, create and edit a visit, list an event's visits and
their seat counts. Flush only; views commit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.agenda.models import SeatStatus
from confapp.capacity import services as capacity
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import save_translations
from confapp.registration.models import Registration
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus
from confapp.visits.notify import notify_change
from confapp.visits.signups import promote_waiting

MAX_BUSES = 30
MAX_SEATS = 1000


@dataclasses.dataclass
class BusData:
    """One bus as entered; `id` is set for an existing bus."""

    name: str
    seats: int | None
    id: int | None = None


@dataclasses.dataclass
class VisitData:
    """Input for a visit; times are aware UTC datetimes."""

    title: str
    departs_at: dt.datetime
    returns_at: dt.datetime
    cluster_name: str = ""
    cluster_sector: str = ""
    cluster_location: str = ""
    description: str = ""
    meeting_point: str = ""
    capacity_cap: int | None = None
    signup_opens_at: dt.datetime | None = None
    signup_closes_at: dt.datetime | None = None
    requirements: str = ""
    requires_id_number: bool = False
    status: VisitStatus = VisitStatus.OPEN
    buses: list[BusData] = dataclasses.field(default_factory=list)
    # Title, description and requirements in the event's other languages: {field: {lang: text}}.
    translations: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


def _clean(text: str | None, limit: int, field: str, label: str) -> str:
    value = (text or "").strip()
    if len(value) > limit:
        raise ValidationFailed(
            _("%(label)s: %(limit)s characters at most.", label=label, limit=limit), field=field
        )
    return value


def validate_visit(
    event: Event, data: VisitData, *, now: dt.datetime, visit: Visit | None = None
) -> None:
    """Check a visit against the rules; raise ValidationFailed naming the field.

    Texts and bus names are trimmed on `data` (the form's cleaning, kept with the rules).
    """
    _check_texts(data)
    _check_times(data, now=now, visit=visit)
    if data.capacity_cap is not None and not 0 <= data.capacity_cap <= MAX_SEATS * MAX_BUSES:
        raise ValidationFailed(_("The seat limit cannot be negative."), field="capacity_cap")
    _check_buses(data, visit)


def _check_texts(data: VisitData) -> None:
    data.title = _clean(data.title, 200, "title", _("Title"))
    if not data.title:
        raise ValidationFailed(_("Give the visit a title."), field="title")
    data.cluster_name = _clean(data.cluster_name, 200, "cluster_name", _("Cluster"))
    data.cluster_sector = _clean(data.cluster_sector, 100, "cluster_sector", _("Sector"))
    data.cluster_location = _clean(
        data.cluster_location, 200, "cluster_location", _("Location of the cluster")
    )
    data.meeting_point = _clean(data.meeting_point, 200, "meeting_point", _("Meeting point"))
    data.description = _clean(data.description, 20000, "description", _("What delegates will see"))
    data.requirements = _clean(
        data.requirements, 5000, "requirements", _("Requirements shown to delegates")
    )


def _check_times(data: VisitData, *, now: dt.datetime, visit: Visit | None) -> None:
    for moment in (data.departs_at, data.returns_at, data.signup_opens_at, data.signup_closes_at):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("visit times must be aware")
    retimed = visit is None or (visit.departs_at, visit.returns_at) != (
        data.departs_at,
        data.returns_at,
    )
    # Old visits keep their times when edited later (e.g. to fix a typo after the trip).
    if retimed and data.departs_at <= now:
        raise ValidationFailed(_("The departure time is in the past."), field="departs_at")
    if data.returns_at <= data.departs_at:
        raise ValidationFailed(_("The return must be after the departure."), field="returns_at")
    if data.returns_at - data.departs_at > dt.timedelta(hours=48):
        raise ValidationFailed(_("A visit cannot last more than 48 hours."), field="returns_at")
    _check_signup_window(data)


def _check_signup_window(data: VisitData) -> None:
    if (
        data.signup_opens_at
        and data.signup_closes_at
        and data.signup_closes_at <= data.signup_opens_at
    ):
        raise ValidationFailed(_("Sign-up must close after it opens."), field="signup_closes_at")
    if data.signup_closes_at and data.signup_closes_at > data.departs_at:
        raise ValidationFailed(
            _("Sign-up must close before the departure."), field="signup_closes_at"
        )
    if data.signup_opens_at and data.signup_opens_at >= data.departs_at:
        raise ValidationFailed(
            _("Sign-up must open before the departure."), field="signup_opens_at"
        )


def _check_buses(data: VisitData, visit: Visit | None) -> None:
    if len(data.buses) > MAX_BUSES:
        raise ValidationFailed(
            _("At most %(count)s buses per visit.", count=MAX_BUSES), field="buses"
        )
    names = set()
    own = {b.id for b in visit.buses} if visit is not None else set()
    for bus in data.buses:
        _check_bus(bus, names, own)
        names.add(bus.name.casefold())
    bus_seats = sum(b.seats for b in data.buses)
    if data.buses and data.capacity_cap is not None and data.capacity_cap > bus_seats:
        raise ValidationFailed(
            _(
                "The seat limit (%(limit)s) is more than the buses carry (%(seats)s).",
                limit=data.capacity_cap,
                seats=bus_seats,
            ),
            field="capacity_cap",
        )


def _check_bus(bus: BusData, names: set[str], own: set[int]) -> None:
    bus.name = (bus.name or "").strip()
    if not bus.name or len(bus.name) > 50:
        raise ValidationFailed(
            _("Each bus needs a name or number (50 characters at most)."), field="buses"
        )
    if bus.seats is None or not 1 <= bus.seats <= MAX_SEATS:
        raise ValidationFailed(
            _(
                "Bus %(name)s needs between 1 and %(most)s seats.",
                name=bus.name,
                most=MAX_SEATS,
            ),
            field="buses",
        )
    if bus.name.casefold() in names:
        raise ValidationFailed(_("Two buses are called %(name)s.", name=bus.name), field="buses")
    if bus.id is not None and bus.id not in own:
        raise ValidationFailed(_("Unknown bus."), field="buses")


def visit_capacity(data: VisitData) -> int:
    """The hand-set cap, else the sum of the buses' seats."""
    if data.capacity_cap is not None:
        return data.capacity_cap
    return sum(b.seats or 0 for b in data.buses)


def _apply(visit: Visit, data: VisitData) -> None:
    for name in (
        "title",
        "cluster_name",
        "cluster_sector",
        "cluster_location",
        "description",
        "departs_at",
        "returns_at",
        "meeting_point",
        "capacity_cap",
        "signup_opens_at",
        "signup_closes_at",
        "requirements",
        "requires_id_number",
        "status",
    ):
        setattr(visit, name, getattr(data, name))
    save_translations(visit, data.translations)


def create_visit(event: Event, data: VisitData, *, now: dt.datetime) -> Visit:
    """Add a visit with its buses; its pool holds the cap or the buses' seats."""
    validate_visit(event, data, now=now)
    pool = capacity.new_pool(visit_capacity(data))
    db.session.flush()
    visit = Visit(event_id=event.id, capacity_pool_id=pool.id, created_at=now, updated_at=now)
    _apply(visit, data)
    visit.pool = pool
    for position, bus in enumerate(data.buses):
        visit.buses.append(Bus(name=bus.name, seats=bus.seats, position=position))
    db.session.add(visit)
    db.session.flush()
    return visit


_CALENDAR_FIELDS = (
    "title",
    "departs_at",
    "returns_at",
    "meeting_point",
    "cluster_location",
    "status",
    "description",
)


def update_visit(
    event: Event, visit: Visit, data: VisitData, *, now: dt.datetime
) -> list[Registration]:
    """Change a visit and its buses; return delegates promoted when seats were added.

    Capacity goes through capacity.set_capacity (which refuses to go below the seats
    taken); a rise promotes the waiting list at once, with e-mails.
    """
    validate_visit(event, data, now=now, visit=visit)
    before = {name: getattr(visit, name) for name in _CALENDAR_FIELDS}
    was_cancelled = visit.status is VisitStatus.CANCELLED
    try:
        capacity.set_capacity(visit.pool, visit_capacity(data))
    except ValidationFailed as exc:
        raise ValidationFailed(
            _("%(reason)s Move or remove delegates first.", reason=exc.message),
            field="capacity_cap",
        ) from exc
    _apply(visit, data)
    kept = {b.id for b in data.buses if b.id is not None}
    for bus in list(visit.buses):
        if bus.id not in kept:
            db.session.execute(
                sa.update(VisitSignup).where(VisitSignup.bus_id == bus.id).values(bus_id=None)
            )
            visit.buses.remove(bus)
    existing = {b.id: b for b in visit.buses}
    for position, bus_data in enumerate(data.buses):
        bus = existing.get(bus_data.id) if bus_data.id is not None else None
        if bus is None:
            bus = Bus(name=bus_data.name, seats=bus_data.seats)
            visit.buses.append(bus)
        bus.name, bus.seats, bus.position = bus_data.name, bus_data.seats, position
    if any(before[name] != getattr(visit, name) for name in _CALENDAR_FIELDS):
        visit.sequence += 1
    visit.updated_at = now
    db.session.flush()
    notify_change(
        event,
        visit,
        was_cancelled=was_cancelled,
        old_departs=before["departs_at"],
        old_returns=before["returns_at"],
        old_meeting_point=before["meeting_point"],
    )
    promoted = promote_waiting(event, visit, now=now)
    return [db.session.get(Registration, s.registration_id) for s in promoted]


def list_visits(event: Event) -> list[Visit]:
    """The event's visits by departure, with pools and buses loaded."""
    from sqlalchemy.orm import joinedload
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            sa.select(Visit)
            .where(Visit.event_id == event.id)
            .options(joinedload(Visit.pool), selectinload(Visit.buses))
            .order_by(Visit.departs_at, Visit.id)
        )
    )


def get_visit(event: Event, visit_id: int) -> Visit | None:
    """A visit of this event (None if it belongs elsewhere)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.event_id != event.id:
        return None
    return visit


def counts(event: Event) -> dict[int, dict[SeatStatus, int]]:
    """Sign-ups per visit and status, in one query."""
    rows = db.session.execute(
        sa.select(VisitSignup.visit_id, VisitSignup.status, sa.func.count())
        .join(Visit, Visit.id == VisitSignup.visit_id)
        .where(Visit.event_id == event.id)
        .group_by(VisitSignup.visit_id, VisitSignup.status)
    )
    result: dict[int, dict[SeatStatus, int]] = defaultdict(dict)
    for visit_id, status, count in rows:
        result[visit_id][status] = count
    return result
