"""Meeting requests and their state machine, and what a delegate's leaving releases.

    pending --accept--> accepted --(instant mode: booked at once, or later by either)--> booked
    pending --decline--> declined
    pending | accepted (booked or not) --cancel (either side, or the delegate leaves)--> cancelled

Every change locks the request's row and reads it again before deciding (a no-op UPDATE:
a row lock on PostgreSQL, the write lock on SQLite), so an answer repeated at once (a
double click, two tabs) happens once; the repeat is refused with ``code="already_done"``
and sends no e-mail. Flush only; the caller commits.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from confapp.agenda.stars import delegate_registration
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.meetings import booking
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import RequestStatus
from confapp.meetings.notify import notify
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus

OPEN = (RequestStatus.PENDING, RequestStatus.ACCEPTED)
# Organisers' priority levels: the integer is the weight the batch scheduler gives the
# request (scheduler.Request.weight, as bench/meetings.py --priorities draws 1/2/3).
PRIORITY_LEVELS = {"normal": 1, "high": 2, "top": 3}
PRIORITY_LABELS = {weight: name for name, weight in PRIORITY_LEVELS.items()}
# What organisers read for each weight, in their language.
PRIORITY_NAMES = {1: _l("Normal"), 2: _l("High"), 3: _l("Top")}
MAX_MESSAGE = 1000


# --- locking --------------------------------------------------------------------------


def _lock_registrations(*registration_ids: int) -> None:
    """Lock the registrations' rows one by one in id order (no deadlock between two
    delegates asking each other at once); serialises the per-person checks."""
    table = Registration.__table__
    for reg_id in sorted(set(registration_ids)):
        db.session.execute(
            sa.update(table).where(table.c.id == reg_id).values(updated_at=table.c.updated_at)
        )


def lock_request(req: MeetingRequest) -> None:
    """Lock the request's row, then read it (and its meeting) again."""
    table = MeetingRequest.__table__
    db.session.execute(sa.update(table).where(table.c.id == req.id).values(status=table.c.status))
    db.session.refresh(req)


def _change_state(
    req: MeetingRequest, from_states: tuple[RequestStatus, ...], to: RequestStatus, **values
) -> None:
    lock_request(req)
    if req.status not in from_states:
        raise DomainError(
            _("This request is already %(status)s.", status=req.status.label.lower()),
            code="already_done",
        )
    req.status = to
    for name, value in values.items():
        setattr(req, name, value)
    db.session.flush()


# --- reading --------------------------------------------------------------------------


def pending_count(registration: Registration) -> int:
    """How many of the delegate's sent requests await an answer."""
    return db.session.scalar(
        sa.select(sa.func.count(MeetingRequest.id)).where(
            MeetingRequest.requester_id == registration.id,
            MeetingRequest.status == RequestStatus.PENDING,
        )
    )


def open_request_between(a: Registration, b: Registration) -> MeetingRequest | None:
    """A pending or accepted request between the two, either way round."""
    return db.session.scalar(
        sa.select(MeetingRequest).where(
            MeetingRequest.status.in_(OPEN),
            sa.or_(
                sa.and_(MeetingRequest.requester_id == a.id, MeetingRequest.invitee_id == b.id),
                sa.and_(MeetingRequest.requester_id == b.id, MeetingRequest.invitee_id == a.id),
            ),
        )
    )


def meeting_delegate(event: Event, user) -> Registration:
    """The user's confirmed registration; NotAllowed otherwise, as meetings are for
    confirmed delegates only."""
    me = delegate_registration(event, user)
    if me is None:
        raise NotAllowed(
            _(
                "Only delegates with a confirmed registration for %(event)s can book "
                "networking meetings.",
                event=tr(event, "title"),
            )
        )
    return me


def counterpart_of(req: MeetingRequest, registration: Registration) -> Registration:
    """The other delegate of a request."""
    other = req.invitee_id if req.requester_id == registration.id else req.requester_id
    return db.session.get(Registration, other)


_DOING = {
    "cancel": _l("Only the two delegates can cancel this meeting."),
    "book": _l("Only the two delegates can book this meeting."),
}


def _one_of_the_two(req: MeetingRequest, actor: Registration, doing: str) -> None:
    if actor.id not in (req.requester_id, req.invitee_id):
        raise NotAllowed(_DOING[doing])


# --- the delegates' actions -----------------------------------------------------------


def _check_can_ask(event: Event, requester: Registration, invitee: Registration) -> None:
    if requester.event_id != event.id or requester.status is not RegistrationStatus.CONFIRMED:
        raise NotAllowed(_("Only confirmed delegates can request meetings."))
    if invitee.event_id != event.id or invitee.status is not RegistrationStatus.CONFIRMED:
        raise DomainError(_("This delegate is not (or no longer) registered."))
    if invitee.id == requester.id:
        raise ValidationFailed(_("You cannot request a meeting with yourself."))
    if not invitee.directory_opt_in:
        raise DomainError(_("This delegate is not in the networking directory."))


def send_request(
    event: Event, requester: Registration, invitee: Registration, message: str, now: dt.datetime
) -> MeetingRequest:
    """Ask a delegate in the directory for a meeting (capped pending requests)."""
    _check_can_ask(event, requester, invitee)
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise ValidationFailed(_("The message can be at most 1,000 characters."), field="message")
    _lock_registrations(requester.id, invitee.id)
    if open_request_between(requester, invitee) is not None:
        raise DomainError(
            _("You already have an open request with %(name)s.", name=invitee.full_name),
            code="already_done",
        )
    if pending_count(requester) >= event.max_pending_requests:
        raise DomainError(
            _(
                "You have %(count)d requests awaiting an answer, the most allowed; "
                "wait for answers or cancel one.",
                count=event.max_pending_requests,
            )
        )
    req = MeetingRequest(
        event_id=event.id,
        requester_id=requester.id,
        invitee_id=invitee.id,
        message=message,
        created_at=now,
    )
    db.session.add(req)
    db.session.flush()
    notify(
        event,
        req,
        invitee,
        "meeting_request",
        _l("Meeting request from %(name)s"),
        subject_args={"name": requester.full_name},
        requester=requester,
    )
    return req


def accept_request(
    event: Event,
    req: MeetingRequest,
    actor: Registration,
    now: dt.datetime,
    slot_id: int | None = None,
) -> Meeting | None:
    """The invitee accepts; in instant mode a slot and a table are booked at once."""
    if req.invitee_id != actor.id:
        raise NotAllowed(_("Only the invited delegate can accept."))
    _change_state(req, (RequestStatus.PENDING,), RequestStatus.ACCEPTED, responded_at=now)
    meeting = None
    if event.meeting_booking_mode is MeetingBookingMode.INSTANT:
        meeting = booking.book(event, req, now, preferred_slot_id=slot_id)
    notify(
        event,
        req,
        counterpart_of(req, actor),
        "meeting_accepted",
        _l("%(name)s accepted your meeting request"),
        subject_args={"name": actor.full_name},
        meeting=meeting,
    )
    if meeting is not None:
        notify(event, req, actor, "meeting_accepted", _l("Your meeting is booked"), meeting=meeting)
    return meeting


def decline_request(
    event: Event, req: MeetingRequest, actor: Registration, now: dt.datetime
) -> None:
    """The invitee declines a pending request."""
    if req.invitee_id != actor.id:
        raise NotAllowed(_("Only the invited delegate can decline."))
    _change_state(req, (RequestStatus.PENDING,), RequestStatus.DECLINED, responded_at=now)
    notify(
        event,
        req,
        counterpart_of(req, actor),
        "meeting_declined",
        _l("%(name)s declined your meeting request"),
        subject_args={"name": actor.full_name},
    )


def cancel_request(
    event: Event, req: MeetingRequest, actor: Registration, now: dt.datetime
) -> bool:
    """Either side cancels a pending or accepted request; a booked meeting is freed.
    Returns whether a booked meeting was freed."""
    _one_of_the_two(req, actor, "cancel")
    _change_state(req, OPEN, RequestStatus.CANCELLED, cancelled_by_id=actor.id)
    meeting = req.meeting
    slot = db.session.get(MeetingSlot, meeting.slot_id) if meeting is not None else None
    # Read under the lock: a booking committed meanwhile is freed too.
    freed = booking.free_meeting(req)
    notify(
        event,
        req,
        counterpart_of(req, actor),
        "meeting_cancelled",
        _l("%(name)s cancelled your meeting"),
        subject_args={"name": actor.full_name},
        actor=actor,
        cancelled_slot=slot,
    )
    return freed


def cancel_consequences(
    event: Event, req: MeetingRequest, actor: Registration, now: dt.datetime
) -> list[str]:
    """What cancelling a request would do, in sentences, for the confirmation page."""
    other = counterpart_of(req, actor)
    lines = []
    meeting = req.meeting
    if meeting is not None:
        slot = db.session.get(MeetingSlot, meeting.slot_id)
        lines.append(
            _(
                "Your meeting with %(name)s at %(when)s is cancelled; the time and the table "
                "are free again.",
                name=other.full_name,
                when=booking.slot_label(event, slot),
            )
        )
    else:
        lines.append(_("Your request with %(name)s is withdrawn.", name=other.full_name))
    lines.append(_("%(name)s is told by e-mail.", name=other.full_name))
    return lines


def book_slot(
    event: Event, req: MeetingRequest, actor: Registration, now: dt.datetime, slot_id: int | None
) -> Meeting:
    """One of the pair books an accepted, unbooked request (instant mode)."""
    _one_of_the_two(req, actor, "book")
    if event.meeting_booking_mode is not MeetingBookingMode.INSTANT:
        raise DomainError(_("The organisers schedule meetings for this event."))
    # Under the request's lock: a cancellation or another booking cannot slip in between.
    lock_request(req)
    if req.status is not RequestStatus.ACCEPTED:
        raise DomainError(
            _("This request is %(status)s.", status=req.status.label.lower()), code="already_done"
        )
    if req.meeting is not None:
        raise DomainError(_("This meeting is already booked."), code="already_done")
    meeting = booking.book(event, req, now, preferred_slot_id=slot_id)
    if meeting is None:
        raise DomainError(
            _("There is no slot left that both of you have free with a table available.")
        )
    for reg_id in (req.requester_id, req.invitee_id):
        notify(
            event,
            req,
            db.session.get(Registration, reg_id),
            "meeting_accepted",
            _l("Your meeting is booked"),
            meeting=meeting,
        )
    return meeting


# --- organisers -----------------------------------------------------------------------


def set_request_priority(req: MeetingRequest, priority: int) -> MeetingRequest:
    """An organiser sets how much the batch scheduler should favour an open request."""
    if isinstance(priority, bool) or priority not in PRIORITY_LABELS:
        allowed = ", ".join(f"{PRIORITY_NAMES[weight]} ({weight})" for weight in PRIORITY_NAMES)
        raise ValidationFailed(
            _("Choose a priority: %(allowed)s.", allowed=allowed), field="priority"
        )
    if req.status not in OPEN:
        # Declined and cancelled requests are never scheduled: a priority would mean nothing.
        raise DomainError(
            _(
                "This request is %(status)s; only pending or accepted requests have a priority.",
                status=req.status.label.lower(),
            )
        )
    if req.priority != priority:
        req.priority = priority
        db.session.flush()
    return req


# --- when a delegate leaves the event -------------------------------------------------


def _releasable(registration: Registration, now: dt.datetime) -> list[MeetingRequest]:
    """Open requests of the delegate whose meeting, if any, has not begun."""
    mine = sa.or_(
        MeetingRequest.requester_id == registration.id,
        MeetingRequest.invitee_id == registration.id,
    )
    begun = (
        sa.select(Meeting.request_id)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .where(MeetingSlot.starts_at <= now)
    )
    return list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .where(
                MeetingRequest.status.in_(OPEN),
                mine,
                MeetingRequest.id.not_in(begun),
            )
            .order_by(MeetingRequest.id)
        )
    )


def describe_meetings_of(registration: Registration, *, now: dt.datetime) -> list[str]:
    """What leaving would release, in sentences, for the cancellation confirmation page."""
    held = _releasable(registration, now)
    if not held:
        return []
    booked = sum(1 for req in held if req.meeting is not None)
    waiting = len(held) - booked
    people = len({req.requester_id for req in held} | {req.invitee_id for req in held}) - 1
    parts = []
    if booked:
        parts.append(
            ngettext(
                "%(num)d booked meeting is cancelled (its slot and table freed)",
                "%(num)d booked meetings are cancelled (slots and tables freed)",
                booked,
            )
        )
    if waiting:
        parts.append(
            ngettext(
                "%(num)d open meeting request is withdrawn",
                "%(num)d open meeting requests are withdrawn",
                waiting,
            )
        )
    return [
        ngettext(
            "Networking: %(what)s; the other delegate is e-mailed.",
            "Networking: %(what)s; the %(num)d other delegates are e-mailed.",
            people,
            what=_(" and ").join(parts),
        )
    ]


def release_meetings_of(registration: Registration, *, now: dt.datetime) -> int:
    """Cancel the open requests and the meetings still to come of a delegate who leaves the
    event (cancelled or rejected), freeing their slots and tables; each counterpart is told.
    Returns how many requests were released."""
    event = db.session.get(Event, registration.event_id)
    released = 0
    for req in _releasable(registration, now):
        lock_request(req)
        if req.status not in OPEN:
            continue  # released meanwhile by a repeat of the same cancellation
        meeting = req.meeting
        slot = db.session.get(MeetingSlot, meeting.slot_id) if meeting is not None else None
        req.status = RequestStatus.CANCELLED
        req.cancelled_by_id = registration.id
        db.session.flush()
        booking.free_meeting(req)
        notify(
            event,
            req,
            counterpart_of(req, registration),
            "meeting_released",
            _l("%(name)s no longer attends: meeting cancelled"),
            subject_args={"name": registration.full_name},
            leaving=registration,
            cancelled_slot=slot,
        )
        released += 1
    return released
