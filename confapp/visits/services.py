"""Cluster visits: create and edit visits with buses, sign-ups through the shared capacity
rule (seats in order, then a waiting list promoted on cancellation), per-day limits, clash
checks, organiser moves, bus assignment and manifests. Flush only; views commit.

Locking: a sign-up first locks the delegate's registration row (so two tabs cannot both
pass the per-day limit), then the visit's capacity pool (capacity.lock_pool) before the
sign-up row is inserted. Holding the pool lock while the row gets its id means ids are
handed out in seat order, so the queue (ordered by id) is exactly first come, first served,
on every database and with any number of app processes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from confapp import jobs
from confapp import mail
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStatus
from confapp.capacity import services as capacity
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import ClashPolicy
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import format_local
from confapp.i18n import language_of
from confapp.multilingual import save_translations
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus
from confapp.web.params import parse_int

GROUP_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$")
MAX_BUSES = 30
MAX_SEATS = 1000
ACTIVE = (SeatStatus.CONFIRMED, SeatStatus.WAITLISTED)


class ClashWarning(DomainError):
    """The visit overlaps the delegate's agenda and the event only warns: ask to confirm."""

    def __init__(self, message: str, clashes: list[str]) -> None:
        super().__init__(message, field="confirm_clash")
        self.clashes = clashes


# --- visits and buses ---------------------------------------------------------------------


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
    _notify_change(
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


# --- sign-up rules --------------------------------------------------------------------------


def signup_window(visit: Visit) -> tuple[dt.datetime | None, dt.datetime]:
    """When sign-up opens (None: already) and closes (default: at departure)."""
    return visit.signup_opens_at, visit.signup_closes_at or visit.departs_at


def signup_state(visit: Visit, now: dt.datetime) -> str:
    """'open', 'not_yet', 'closed' or 'cancelled' for the delegate's card."""
    if visit.status is VisitStatus.CANCELLED:
        return "cancelled"
    opens, closes = signup_window(visit)
    if visit.status is VisitStatus.CLOSED or now >= closes:
        return "closed"
    if opens is not None and now < opens:
        return "not_yet"
    return "open"


def _check_open(event: Event, visit: Visit, now: dt.datetime) -> None:
    state = signup_state(visit, now)
    if state == "cancelled":
        raise DomainError(_("This visit is cancelled."))
    if state == "closed":
        raise DomainError(_("Sign-up for this visit is closed."))
    if state == "not_yet":
        raise DomainError(
            _(
                "Sign-up opens on %(when)s (%(zone)s).",
                when=format_local(visit.signup_opens_at, event, "%a %d %b, %H:%M"),
                zone=event.timezone,
            )
        )


def _local_day(event: Event, moment: dt.datetime) -> dt.date:
    return event.local(moment).date()


def _check_day_limit(event: Event, visit: Visit, registration: Registration) -> None:
    limit = event.visits_per_day_limit
    if not limit:
        return
    day = _local_day(event, visit.departs_at)
    rows = db.session.execute(
        sa.select(Visit.title, Visit.departs_at)
        .join(VisitSignup, VisitSignup.visit_id == Visit.id)
        .where(
            VisitSignup.registration_id == registration.id,
            VisitSignup.status.in_(ACTIVE),
            Visit.id != visit.id,
            Visit.status != VisitStatus.CANCELLED,
        )
    ).all()
    same_day = [title for title, departs in rows if _local_day(event, departs) == day]
    if len(same_day) >= limit:
        raise DomainError(
            ngettext(
                "You can join %(num)d visit per day; on %(day)s you are already down for "
                "%(visits)s. Leave it first to choose this one.",
                "You can join %(num)d visits per day; on %(day)s you are already down for "
                "%(visits)s. Leave it first to choose this one.",
                limit,
                day=format_local(visit.departs_at, event, "%a %d %b"),
                visits=", ".join(f"“{t}”" for t in same_day),
            )
        )


def clashes_for(event: Event, visit: Visit, registration: Registration) -> list[str]:
    """What in the delegate's agenda overlaps the visit: meetings, sessions, other visits."""
    from confapp.meetings.models import Meeting
    from confapp.meetings.models import MeetingAttendee
    from confapp.meetings.models import MeetingRequest
    from confapp.meetings.models import MeetingSlot
    from confapp.meetings.models import RequestStatus

    start, end = visit.departs_at, visit.returns_at
    found: list[tuple[dt.datetime, str]] = []
    meetings = db.session.execute(
        sa.select(MeetingSlot.starts_at, MeetingSlot.ends_at)
        .join(MeetingAttendee, MeetingAttendee.slot_id == MeetingSlot.id)
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(
            MeetingAttendee.registration_id == registration.id,
            MeetingRequest.status == RequestStatus.ACCEPTED,
            MeetingSlot.starts_at < end,
            MeetingSlot.ends_at > start,
        )
    ).all()
    for starts, ends in meetings:
        found.append((starts, _("a networking meeting %(when)s", when=_span(event, starts, ends))))
    sessions = db.session.execute(
        sa.select(ProgrammeSession.title, ProgrammeSession.starts_at, ProgrammeSession.ends_at)
        .join(SessionSignup, SessionSignup.session_id == ProgrammeSession.id)
        .where(
            SessionSignup.registration_id == registration.id,
            SessionSignup.status == SeatStatus.CONFIRMED,
            ProgrammeSession.status == SessionStatus.SCHEDULED,
            ProgrammeSession.starts_at < end,
            ProgrammeSession.ends_at > start,
        )
    ).all()
    for title, starts, ends in sessions:
        found.append(
            (
                starts,
                _("the session “%(title)s” %(when)s", title=title, when=_span(event, starts, ends)),
            )
        )
    visits = db.session.execute(
        sa.select(Visit.title, Visit.departs_at, Visit.returns_at)
        .join(VisitSignup, VisitSignup.visit_id == Visit.id)
        .where(
            VisitSignup.registration_id == registration.id,
            VisitSignup.status.in_(ACTIVE),
            Visit.id != visit.id,
            Visit.status != VisitStatus.CANCELLED,
            Visit.departs_at < end,
            Visit.returns_at > start,
        )
    ).all()
    for title, starts, ends in visits:
        found.append(
            (
                starts,
                _("the visit “%(title)s” %(when)s", title=title, when=_span(event, starts, ends)),
            )
        )
    return [text for _, text in sorted(found)]


def _span(event: Event, starts: dt.datetime, ends: dt.datetime) -> str:
    return f"({format_local(starts, event, '%a %d %b %H:%M')}–{format_local(ends, event, '%H:%M')})"


def _lock_registration(registration: Registration) -> None:
    # FOR UPDATE on PostgreSQL; SQLite serialises writers anyway and ignores it.
    db.session.execute(
        sa.select(Registration.id).where(Registration.id == registration.id).with_for_update()
    )


def _queue(visit: Visit) -> sa.Select:
    return (
        sa.select(VisitSignup)
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status == SeatStatus.WAITLISTED)
        .order_by(VisitSignup.id)
    )


def get_signup(visit: Visit, registration: Registration) -> VisitSignup | None:
    """The registration's sign-up row for the visit (any status)."""
    return db.session.scalar(
        sa.select(VisitSignup).where(
            VisitSignup.visit_id == visit.id, VisitSignup.registration_id == registration.id
        )
    )


def _clean_group(code: str | None) -> str:
    code = " ".join((code or "").split())
    if code and not GROUP_CODE_RE.match(code):
        raise ValidationFailed(
            _("A group code has up to 40 letters, digits, spaces, dots, dashes or underscores."),
            field="group_code",
        )
    return code.upper()


def _clean_id_number(visit: Visit, value: str | None) -> str:
    value = " ".join((value or "").split())
    if len(value) > 60:
        raise ValidationFailed(
            _("The ID number is too long (60 characters at most)."), field="id_number"
        )
    if visit.requires_id_number and not value:
        raise ValidationFailed(
            _("This visit needs the number of the ID document you will show at the gate."),
            field="id_number",
        )
    return value


def _join(
    visit: Visit, registration: Registration, *, group_code: str, id_number: str, now: dt.datetime
) -> VisitSignup:
    """Lock the pool, insert the holder (fresh id: back of the queue) and admit it."""
    capacity.lock_pool(visit.pool)
    existing = get_signup(visit, registration)
    if existing is not None:
        if existing.status is not SeatStatus.CANCELLED:
            raise DomainError(
                _("You are already signed up for this visit.")
                if existing.status is SeatStatus.CONFIRMED
                else _("You are already on the waiting list for this visit.")
            )
        db.session.delete(existing)
        db.session.flush()
    holder = VisitSignup(
        visit_id=visit.id,
        registration_id=registration.id,
        status=SeatStatus.WAITLISTED,
        group_code=group_code,
        id_number=id_number,
        created_at=now,
        status_changed_at=now,
    )
    db.session.add(holder)
    db.session.flush()
    capacity.admit(
        visit.pool,
        holder,
        confirmed=SeatStatus.CONFIRMED,
        waitlisted=SeatStatus.WAITLISTED,
        now=now,
    )
    seat_on_bus(visit, holder)
    db.session.flush()
    return holder


def signup(
    event: Event,
    visit: Visit,
    registration: Registration,
    *,
    now: dt.datetime,
    group_code: str = "",
    id_number: str = "",
    confirm_clash: bool = False,
) -> VisitSignup:
    """Take a seat on the visit or join its waiting list, after every rule is checked.

    Raises ClashWarning (warn policy, not yet confirmed) or DomainError (refusals).
    """
    if visit.event_id != event.id:
        raise DomainError(_("This visit belongs to another event."))
    if registration.event_id != event.id or registration.status is not RegistrationStatus.CONFIRMED:
        raise DomainError(_("Only delegates with a confirmed registration can sign up for visits."))
    _check_open(event, visit, now)
    group_code = _clean_group(group_code)
    id_number = _clean_id_number(visit, id_number)
    _lock_registration(registration)
    _check_day_limit(event, visit, registration)
    clashes = clashes_for(event, visit, registration)
    if clashes:
        text = _("This visit overlaps %(clashes)s.", clashes="; ".join(clashes))
        if event.visit_clash_policy is ClashPolicy.REFUSE:
            raise DomainError(
                _(
                    "This visit overlaps %(clashes)s. The organisers do not allow overlapping "
                    "sign-ups.",
                    clashes="; ".join(clashes),
                )
            )
        if not confirm_clash:
            raise ClashWarning(text, clashes)
    holder = _join(visit, registration, group_code=group_code, id_number=id_number, now=now)
    if holder.status is SeatStatus.CONFIRMED:
        _mail(event, visit, registration, "visit_confirmed", _SUBJECTS["confirmed"])
    else:
        _mail(event, visit, registration, "visit_waitlisted", _SUBJECTS["waitlisted"])
    return holder


def my_signups(
    event: Event, registration: Registration, visits: list[Visit]
) -> list[tuple[Visit, VisitSignup]]:
    """The delegate's active sign-ups among these visits, in one query."""
    by_id = {v.id: v for v in visits}
    holders = db.session.scalars(
        sa.select(VisitSignup).where(
            VisitSignup.registration_id == registration.id,
            VisitSignup.status != SeatStatus.CANCELLED,
            VisitSignup.visit_id.in_(list(by_id) or [0]),
        )
    )
    return [(by_id[h.visit_id], h) for h in holders]


def waitlist_position(visit: Visit, holder: VisitSignup) -> int | None:
    """1 for the first in line; None unless waitlisted."""
    if holder.status is not SeatStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count()).where(
            VisitSignup.visit_id == visit.id,
            VisitSignup.status == SeatStatus.WAITLISTED,
            VisitSignup.id < holder.id,
        )
    )
    return (ahead or 0) + 1


def _leave(event: Event, visit: Visit, holder: VisitSignup, now: dt.datetime) -> list[VisitSignup]:
    holder.bus_id = None
    return capacity.leave(
        visit.pool,
        holder,
        confirmed=SeatStatus.CONFIRMED,
        cancelled=SeatStatus.CANCELLED,
        queue=_queue(visit),
        now=now,
        on_promoted=lambda promoted: _on_promoted(event, visit, promoted),
    )


def cancel(
    event: Event, visit: Visit, registration: Registration, *, now: dt.datetime
) -> list[VisitSignup]:
    """Give up a seat or a waiting-list place; the first in line gets the seat and an e-mail."""
    holder = get_signup(visit, registration)
    if holder is None or holder.status is SeatStatus.CANCELLED:
        raise DomainError(_("You are not signed up for this visit."))
    if now >= visit.departs_at:
        raise DomainError(_("The visit has already left; please tell the organisers instead."))
    return _leave(event, visit, holder, now)


def describe_seats_of(registration: Registration, *, now: dt.datetime) -> list[str]:
    """The visit seats a registration would give up, in a sentence (or none)."""
    titles = [visit.title for _holder, visit in _held_seats(registration, now)]
    if not titles:
        return []
    return [
        _(
            "Cluster visit seats given up (the next in line get them): %(visits)s.",
            visits=", ".join(titles),
        )
    ]


def release_seats_of(registration: Registration, *, now: dt.datetime) -> int:
    """Give up the seats and waiting-list places a cancelled or rejected registration
    holds on visits still to leave; the next in line get them. Returns how many."""
    rows = _held_seats(registration, now)
    event = db.session.get(Event, registration.event_id)
    for holder, visit in rows:
        _leave(event, visit, holder, now)
    return len(rows)


def _held_seats(registration: Registration, now: dt.datetime) -> list:
    return db.session.execute(
        sa.select(VisitSignup, Visit)
        .join(Visit, Visit.id == VisitSignup.visit_id)
        .where(
            VisitSignup.registration_id == registration.id,
            VisitSignup.status != SeatStatus.CANCELLED,
            Visit.departs_at > now,
            Visit.status != VisitStatus.CANCELLED,
        )
        .order_by(Visit.departs_at)
    ).all()


def promote_waiting(event: Event, visit: Visit, *, now: dt.datetime) -> list[VisitSignup]:
    """Fill free seats from the waiting list (after the capacity rose)."""
    if visit.status is VisitStatus.CANCELLED:
        return []
    return capacity.promote(
        visit.pool,
        _queue(visit),
        confirmed=SeatStatus.CONFIRMED,
        now=now,
        on_promoted=lambda promoted: _on_promoted(event, visit, promoted),
    )


def _on_promoted(event: Event, visit: Visit, holder: VisitSignup) -> None:
    seat_on_bus(visit, holder)
    registration = db.session.get(Registration, holder.registration_id)
    _mail(event, visit, registration, "visit_promoted", _SUBJECTS["promoted"])


# --- organisers -------------------------------------------------------------------------------


def signups_for(
    visit: Visit, *, include_cancelled: bool = True
) -> list[tuple[VisitSignup, Registration]]:
    """Sign-ups with registrations: confirmed, then the waiting list in order, then cancelled."""
    order = sa.case(
        (VisitSignup.status == SeatStatus.CONFIRMED, 0),
        (VisitSignup.status == SeatStatus.WAITLISTED, 1),
        else_=2,
    )
    query = (
        sa.select(VisitSignup, Registration)
        .join(Registration, Registration.id == VisitSignup.registration_id)
        .where(VisitSignup.visit_id == visit.id)
        .order_by(order, VisitSignup.id)
    )
    if not include_cancelled:
        query = query.where(VisitSignup.status != SeatStatus.CANCELLED)
    return [(s, r) for s, r in db.session.execute(query).all()]


def get_signup_by_id(visit: Visit, signup_id: int) -> VisitSignup | None:
    """A sign-up of this visit."""
    holder = db.session.get(VisitSignup, signup_id)
    if holder is None or holder.visit_id != visit.id:
        return None
    return holder


def add_by_hand(
    event: Event,
    visit: Visit,
    registration: Registration,
    *,
    now: dt.datetime,
    group_code: str = "",
    id_number: str = "",
    notify: bool = True,
) -> VisitSignup:
    """An organiser adds a delegate: no sign-up window, limits or clash checks, but the
    same seats-then-waiting-list rule (a visit is never overbooked)."""
    if visit.status is VisitStatus.CANCELLED:
        raise DomainError(_("This visit is cancelled."))
    if registration.event_id != event.id or registration.status is not RegistrationStatus.CONFIRMED:
        raise ValidationFailed(
            _("Only delegates with a confirmed registration can be added."), field="email"
        )
    group_code = _clean_group(group_code)
    id_number = " ".join((id_number or "").split())[:60]
    holder = _join(visit, registration, group_code=group_code, id_number=id_number, now=now)
    if notify:
        confirmed = holder.status is SeatStatus.CONFIRMED
        template = "visit_confirmed" if confirmed else "visit_waitlisted"
        subject = _SUBJECTS["confirmed" if confirmed else "waitlisted"]
        _mail(event, visit, registration, template, subject)
    return holder


def remove(
    event: Event, visit: Visit, holder: VisitSignup, *, now: dt.datetime
) -> list[VisitSignup]:
    """An organiser cancels someone's sign-up; the waiting list moves up."""
    if holder.status is SeatStatus.CANCELLED:
        raise DomainError(_("This sign-up is already cancelled."))
    return _leave(event, visit, holder, now)


def move(event: Event, holder: VisitSignup, target: Visit, *, now: dt.datetime) -> VisitSignup:
    """Move a delegate to another visit: a seat there if one is free, else its waiting list."""
    source = db.session.get(Visit, holder.visit_id)
    if target.event_id != event.id or source.event_id != event.id:
        raise ValidationFailed(_("Unknown visit."), field="visit_id")
    if target.id == source.id:
        raise ValidationFailed(_("Choose another visit."), field="visit_id")
    if target.status is VisitStatus.CANCELLED:
        raise ValidationFailed(_("That visit is cancelled."), field="visit_id")
    if holder.status is SeatStatus.CANCELLED:
        raise DomainError(_("This sign-up is cancelled."))
    registration = db.session.get(Registration, holder.registration_id)
    # Lock both pools in id order so two opposite moves cannot deadlock.
    for pool in sorted((source.pool, target.pool), key=lambda p: p.id):
        capacity.lock_pool(pool)
    group_code, id_number = holder.group_code, holder.id_number
    moved = _join(target, registration, group_code=group_code, id_number=id_number, now=now)
    _leave(event, source, holder, now)
    template = "visit_confirmed" if moved.status is SeatStatus.CONFIRMED else "visit_waitlisted"
    _mail(event, target, registration, template, _SUBJECTS["moved"])
    return moved


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


def find_registration(event: Event, text: str) -> Registration | None:
    """A confirmed registration of the event by e-mail address or registration number."""
    text = (text or "").strip()
    query = sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
    )
    number = parse_int(text)  # plain ASCII digits within an id's range, else None
    if number is not None:
        return db.session.scalar(query.where(Registration.id == number))
    return db.session.scalar(query.where(sa.func.lower(Registration.email) == text.lower()))


# --- manifests ----------------------------------------------------------------------------


NO_BUS = "NO BUS"


@dataclasses.dataclass(frozen=True)
class ManifestRow:
    """One passenger for the bus crew and the factory gate."""

    name: str
    organisation: str
    country: str
    phone: str
    id_number: str
    bus: str
    group_code: str


def manifest_rows(visit: Visit, bus: Bus | None = None) -> list[ManifestRow]:
    """Confirmed delegates of the visit (or of one bus), by bus then name."""
    from confapp.countries import country_name

    bus_names = {b.id: b.name for b in visit.buses}
    query = (
        sa.select(VisitSignup, Registration)
        .join(Registration, Registration.id == VisitSignup.registration_id)
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status == SeatStatus.CONFIRMED)
    )
    if bus is not None:
        query = query.where(VisitSignup.bus_id == bus.id)
    rows = [
        ManifestRow(
            name=reg.full_name,
            organisation=reg.organisation,
            country=country_name(reg.country),
            phone=reg.phone,
            id_number=holder.id_number,
            # A visit with buses: someone without a bus must stand out, never a blank cell.
            bus=bus_names.get(holder.bus_id, NO_BUS if visit.buses else ""),
            group_code=holder.group_code,
        )
        for holder, reg in db.session.execute(query).all()
    ]
    positions = {b.name: b.position for b in visit.buses}
    return sorted(
        rows,
        key=lambda r: (r.bus in ("", NO_BUS), positions.get(r.bus, 0), r.name.casefold()),
    )


# --- e-mail --------------------------------------------------------------------------------


# Subjects as functions of the visit's title, called in the delegate's language.
_SUBJECTS = {
    "confirmed": lambda title: _("Your seat: %(title)s", title=title),
    "waitlisted": lambda title: _("Waiting list: %(title)s", title=title),
    "promoted": lambda title: _("A seat is yours: %(title)s", title=title),
    "moved": lambda title: _("Your visit changed: %(title)s", title=title),
    "cancelled": lambda title: _("Cancelled: %(title)s", title=title),
    "retimed": lambda title: _("New time: %(title)s", title=title),
    "moved_point": lambda title: _("New meeting point: %(title)s", title=title),
    "retimed_moved": lambda title: _("New time and meeting point: %(title)s", title=title),
}


def _mail(
    event: Event, visit: Visit, registration: Registration, template: str, subject, **context
) -> None:
    """E-mail one delegate about a visit, in their language (page, subject and calendar)."""
    from confapp.visits import ical  # late: ical builds URLs with this module's data

    language = language_of(registration, event)
    with force_language(language):
        attachments = None
        if template in ("visit_confirmed", "visit_promoted", "visit_changed", "visit_cancelled"):
            attachments = [("visit.ics", "text/calendar", ical.visit_ics_bytes(event, visit))]
        mail.send_mail(
            registration.email,
            subject(tr(visit, "title")),
            template,
            attachments=attachments,
            language=language,
            event=event,
            visit=visit,
            registration=registration,
            url=ical.visits_url(event),
            **context,
        )


def _notify_change(
    event: Event,
    visit: Visit,
    *,
    was_cancelled: bool,
    old_departs: dt.datetime,
    old_returns: dt.datetime,
    old_meeting_point: str,
) -> None:
    """E-mail everyone signed up (seat or waiting list) when the visit is cancelled, retimed
    or meets somewhere else: the things that decide whether a delegate catches the bus."""
    if visit.status is VisitStatus.CANCELLED:
        if was_cancelled:
            return
        template, subject, context = "visit_cancelled", _SUBJECTS["cancelled"], {}
    else:
        retimed = (old_departs, old_returns) != (visit.departs_at, visit.returns_at)
        moved = (old_meeting_point or "") != (visit.meeting_point or "")
        if not (retimed or moved):
            return
        what = "retimed_moved" if retimed and moved else "retimed" if retimed else "moved_point"
        template, subject = "visit_changed", _SUBJECTS[what]
        context = {
            "retimed": retimed,
            "moved": moved,
            "old_departs": old_departs,
            "old_returns": old_returns,
            "old_meeting_point": old_meeting_point,
        }
    ids = [
        registration.id
        for _holder, registration in signups_for(visit, include_cancelled=False)
        # A delegate who cancelled their registration is no longer coming.
        if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    ]
    if not ids:
        return
    # Who is told is decided now; the messages are written by a job this transaction
    # records, so the change answers at once and a rollback tells nobody.
    subject_key = next(key for key, value in _SUBJECTS.items() if value is subject)
    jobs.start(
        "visits.notify_change",
        event=event,
        user=None,
        visit_id=visit.id,
        template=template,
        subject_key=subject_key,
        registration_ids=ids,
        context={k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in context.items()},
    )


@jobs.job("visits.notify_change", title=_l("Visit change e-mails"))
def notify_change_job(
    run: jobs.Run,
    visit_id: int,
    template: str,
    subject_key: str,
    registration_ids: list[int],
    context: dict,
) -> None:
    """Write the e-mails about one change of a visit to the outbox."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        return  # deleted since: nothing left to announce
    values = {
        key: dt.datetime.fromisoformat(value) if key in ("old_departs", "old_returns") else value
        for key, value in context.items()
    }
    recipients = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(registration_ids))
        .order_by(Registration.id)
    ).all()
    run.progress(0, len(recipients))
    for done, registration in enumerate(recipients, start=1):
        _mail(visit.event, visit, registration, template, _SUBJECTS[subject_key], **values)
        run.progress(done)
