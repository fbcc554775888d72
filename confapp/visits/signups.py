"""Signing up for a visit: the window, per-day limits, clash checks, seats through the
shared capacity rule (seats in order, then a waiting list promoted on cancellation).
Flush only; views commit.

Locking: a sign-up first locks the delegate's registration row (so two tabs cannot both
pass the per-day limit), then the visit's capacity pool (capacity.lock_pool) before the
sign-up row is inserted. Holding the pool lock while the row gets its id means ids are
handed out in seat order, so the queue (ordered by id) is exactly first come, first served,
on every database and with any number of app processes."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

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
from confapp.i18n import format_local
from confapp.i18n import time_span
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.buses import seat_on_bus
from confapp.visits.mails import SUBJECTS
from confapp.visits.mails import mail_delegate
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus

GROUP_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$")
ACTIVE = (SeatStatus.CONFIRMED, SeatStatus.WAITLISTED)


class ClashWarning(DomainError):
    """The visit overlaps the delegate's agenda and the event only warns: ask to confirm."""

    def __init__(self, message: str, clashes: list[str]) -> None:
        super().__init__(message, field="confirm_clash")
        self.clashes = clashes


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
    return f"({time_span(starts, ends, event, '%a %d %b', ' ')})"


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


def clean_group(code: str | None) -> str:
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


def join_visit(
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
    group_code = clean_group(group_code)
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
    holder = join_visit(visit, registration, group_code=group_code, id_number=id_number, now=now)
    if holder.status is SeatStatus.CONFIRMED:
        mail_delegate(event, visit, registration, "visit_confirmed", SUBJECTS["confirmed"])
    else:
        mail_delegate(event, visit, registration, "visit_waitlisted", SUBJECTS["waitlisted"])
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


def leave_visit(
    event: Event, visit: Visit, holder: VisitSignup, now: dt.datetime
) -> list[VisitSignup]:
    # Read under the pool's lock first: a repeat of a cancel that has just committed must
    # change nothing (not even the bus, which would be logged once per repeat).
    capacity.lock_and_reread(visit.pool, holder)
    if holder.status is SeatStatus.CANCELLED:
        return []
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
    return leave_visit(event, visit, holder, now)


def describe_seats_of(registration: Registration, *, now: dt.datetime) -> list[str]:
    """The visit seats a registration would give up, in a sentence (or none)."""
    titles = [tr(visit, "title") for _holder, visit in _held_seats(registration, now)]
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
        leave_visit(event, visit, holder, now)
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
    mail_delegate(event, visit, registration, "visit_promoted", SUBJECTS["promoted"])
