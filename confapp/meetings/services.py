"""Networking meetings: tags, slots, tables, availability, requests, booking, batch
scheduling, feedback and the linkage report. Flush only; views commit.

Race safety: request state changes are conditional UPDATEs (WHERE status = ...), so two
concurrent answers cannot both win; a booking inserts Meeting + two MeetingAttendee rows
inside a savepoint, and the unique constraints (slot, table) and (registration, slot)
refuse double bookings, after which the next table or slot is tried.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from confapp import mail
from confapp.agenda import feeds
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.meetings import scheduler
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingAttendee
from confapp.meetings.models import MeetingFeedback
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import NetworkingTag
from confapp.meetings.models import RequestStatus
from confapp.meetings.models import SlotUnavailability
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus

MAX_SLOTS = 500
MAX_TABLES = 2000
OPEN = (RequestStatus.PENDING, RequestStatus.ACCEPTED)
# Organisers' priority levels: the integer is the weight the batch scheduler gives the
# request (scheduler.Request.weight, as bench/meetings.py --priorities draws 1/2/3).
PRIORITY_LEVELS = {"normal": 1, "high": 2, "top": 3}
PRIORITY_LABELS = {weight: name for name, weight in PRIORITY_LEVELS.items()}
MAX_LISTED_REQUESTS = 500


# --- tags, slots, tables --------------------------------------------------------------


def list_tags(event: Event) -> list[NetworkingTag]:
    """The event's tags by name."""
    return list(
        db.session.scalars(
            sa.select(NetworkingTag)
            .where(NetworkingTag.event_id == event.id)
            .order_by(NetworkingTag.name)
        )
    )


def add_tag(event: Event, name: str) -> NetworkingTag:
    """Add a tag; names are unique per event (case-insensitive)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise ValidationFailed("A tag needs a name of at most 80 characters.", field="name")
    if any(t.name.lower() == name.lower() for t in list_tags(event)):
        raise ValidationFailed(f"There is already a tag “{name}”.", field="name")
    tag = NetworkingTag(event_id=event.id, name=name)
    db.session.add(tag)
    db.session.flush()
    return tag


def delete_tag(event: Event, tag_id: int) -> None:
    """Remove a tag (profiles lose it)."""
    tag = db.session.get(NetworkingTag, tag_id)
    if tag is None or tag.event_id != event.id:
        raise DomainError("No such tag.")
    db.session.delete(tag)
    db.session.flush()


def list_slots(event: Event) -> list[MeetingSlot]:
    """The event's slots in time order."""
    return list(
        db.session.scalars(
            sa.select(MeetingSlot)
            .where(MeetingSlot.event_id == event.id)
            .order_by(MeetingSlot.starts_at, MeetingSlot.id)
        )
    )


def list_tables(event: Event) -> list[MeetingTable]:
    """The event's tables in their order."""
    return list(
        db.session.scalars(
            sa.select(MeetingTable)
            .where(MeetingTable.event_id == event.id)
            .order_by(MeetingTable.position, MeetingTable.id)
        )
    )


def generate_slots(
    event: Event,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    minutes: int,
    gap: int = 0,
    table_limit: int | None = None,
) -> list[MeetingSlot]:
    """Cut [starts_at, ends_at) into `minutes` slots, `gap` minutes apart; skip overlaps."""
    if minutes < 5 or minutes > 240 or gap < 0 or gap > 120:
        raise ValidationFailed(
            "Slots last 5 to 240 minutes, with a gap of 0 to 120 minutes.", field="minutes"
        )
    if ends_at <= starts_at:
        raise ValidationFailed("The end must be after the start.", field="ends_at")
    if table_limit is not None and table_limit < 0:
        raise ValidationFailed("The table limit cannot be negative.", field="table_limit")
    existing = list_slots(event)
    step = dt.timedelta(minutes=minutes + gap)
    length = dt.timedelta(minutes=minutes)
    made: list[MeetingSlot] = []
    start = starts_at
    while start + length <= ends_at:
        end = start + length
        if not any(s.starts_at < end and start < s.ends_at for s in existing):
            made.append(
                MeetingSlot(
                    event_id=event.id, starts_at=start, ends_at=end, table_limit=table_limit
                )
            )
        start += step
    if len(existing) + len(made) > MAX_SLOTS:
        raise ValidationFailed(f"An event can have at most {MAX_SLOTS} slots.", field="minutes")
    db.session.add_all(made)
    db.session.flush()
    return made


def delete_slot(event: Event, slot_id: int) -> None:
    """Delete a slot without meetings (booked slots are refused, never silently emptied)."""
    slot = db.session.get(MeetingSlot, slot_id)
    if slot is None or slot.event_id != event.id:
        raise DomainError("No such slot.")
    booked = db.session.scalar(
        sa.select(sa.func.count(Meeting.id)).where(Meeting.slot_id == slot.id)
    )
    if booked:
        raise DomainError(f"This slot has {booked} booked meeting(s); cancel them first.")
    db.session.delete(slot)
    db.session.flush()


def add_tables(
    event: Event, count: int, prefix: str = "Table", location: str = ""
) -> list[MeetingTable]:
    """Add `count` numbered tables after the existing ones."""
    existing = list_tables(event)
    if count < 1 or len(existing) + count > MAX_TABLES:
        raise ValidationFailed(f"Add 1 or more tables, at most {MAX_TABLES} in all.", field="count")
    names = {t.name for t in existing}
    position = max((t.position for t in existing), default=0)
    made = []
    number = 1
    while len(made) < count:
        name = f"{prefix} {number}"[:50]
        number += 1
        if name in names:
            continue
        position += 1
        made.append(
            MeetingTable(event_id=event.id, name=name, location=location[:200], position=position)
        )
    db.session.add_all(made)
    db.session.flush()
    return made


def slot_tables(slot: MeetingSlot, tables: list[MeetingTable]) -> list[MeetingTable]:
    """The tables in use in a slot: the first `table_limit` of the event's tables."""
    return tables if slot.table_limit is None else tables[: slot.table_limit]


# --- registrations and availability ---------------------------------------------------


def confirmed(event: Event, registration_id: int) -> Registration:
    """A confirmed registration of the event, or a DomainError."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.event_id != event.id or reg.status is not RegistrationStatus.CONFIRMED:
        raise DomainError("This delegate is not (or no longer) registered.")
    return reg


def unavailable_slot_ids(registration: Registration) -> set[int]:
    """Slots the delegate said they cannot make."""
    return set(
        db.session.scalars(
            sa.select(SlotUnavailability.slot_id).where(
                SlotUnavailability.registration_id == registration.id
            )
        )
    )


def set_availability(
    event: Event, registration: Registration, available_ids: Iterable[int]
) -> None:
    """Mark the delegate available for exactly these slots; slots with a meeting stay."""
    slots = {s.id: s for s in list_slots(event)}
    wanted = {int(i) for i in available_ids if int(i) in slots}
    booked = set(
        db.session.scalars(
            sa.select(MeetingAttendee.slot_id).where(
                MeetingAttendee.registration_id == registration.id
            )
        )
    )
    clash = sorted(booked - wanted)
    if clash:
        slot = slots[clash[0]]
        raise DomainError(
            f"You have a meeting at {event.local(slot.starts_at):%a %d %b %H:%M}; "
            "cancel it before marking that slot unavailable."
        )
    current = unavailable_slot_ids(registration)
    target = set(slots) - wanted
    for slot_id in target - current:
        db.session.add(SlotUnavailability(registration_id=registration.id, slot_id=slot_id))
    if current - target:
        db.session.execute(
            sa.delete(SlotUnavailability).where(
                SlotUnavailability.registration_id == registration.id,
                SlotUnavailability.slot_id.in_(current - target),
            )
        )
    db.session.flush()


# --- requests -------------------------------------------------------------------------


def _lock(*registration_ids: int) -> None:
    """Row-lock registrations in id order (serialises per-person checks on PostgreSQL)."""
    db.session.execute(
        sa.select(Registration.id)
        .where(Registration.id.in_(sorted(registration_ids)))
        .order_by(Registration.id)
        .with_for_update()
    )


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


def send_request(
    event: Event, requester: Registration, invitee_id: int, message: str, now: dt.datetime
) -> MeetingRequest:
    """Ask a delegate in the directory for a meeting (capped pending requests)."""
    if requester.event_id != event.id or requester.status is not RegistrationStatus.CONFIRMED:
        raise NotAllowed("Only confirmed delegates can request meetings.")
    invitee = confirmed(event, invitee_id)
    if invitee.id == requester.id:
        raise ValidationFailed("You cannot request a meeting with yourself.")
    if not invitee.directory_opt_in:
        raise DomainError("This delegate is not in the networking directory.")
    message = (message or "").strip()
    if len(message) > 1000:
        raise ValidationFailed("The message can be at most 1,000 characters.", field="message")
    _lock(requester.id, invitee.id)
    if open_request_between(requester, invitee) is not None:
        raise DomainError(f"You already have an open request with {invitee.full_name}.")
    if pending_count(requester) >= event.max_pending_requests:
        raise DomainError(
            f"You have {event.max_pending_requests} requests awaiting an answer, the most allowed; "
            "wait for answers or cancel one."
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
    _notify(
        event,
        req,
        invitee,
        "meeting_request",
        f"Meeting request from {requester.full_name}",
        requester=requester,
    )
    return req


def _request_for(event: Event, request_id: int) -> MeetingRequest:
    req = db.session.get(MeetingRequest, request_id)
    if req is None or req.event_id != event.id:
        raise DomainError("No such meeting request.")
    return req


def _transition(
    req: MeetingRequest,
    from_states: tuple[RequestStatus, ...],
    to: RequestStatus,
    now: dt.datetime,
    **values,
) -> None:
    """Conditional UPDATE: only one of two racing answers changes the state."""
    result = db.session.execute(
        sa.update(MeetingRequest)
        .where(MeetingRequest.id == req.id, MeetingRequest.status.in_(from_states))
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(req)
        raise DomainError(f"This request is already {req.status.value}.")
    db.session.refresh(req)


def accept_request(
    event: Event, request_id: int, actor: Registration, now: dt.datetime, slot_id: int | None = None
) -> Meeting | None:
    """The invitee accepts; in instant mode a slot and a table are booked at once."""
    req = _request_for(event, request_id)
    if req.invitee_id != actor.id:
        raise NotAllowed("Only the invited delegate can accept.")
    _transition(req, (RequestStatus.PENDING,), RequestStatus.ACCEPTED, now, responded_at=now)
    meeting = None
    if event.meeting_booking_mode is MeetingBookingMode.INSTANT:
        meeting = book(event, req, now, preferred_slot_id=slot_id)
    requester = db.session.get(Registration, req.requester_id)
    _notify(
        event,
        req,
        requester,
        "meeting_accepted",
        f"{actor.full_name} accepted your meeting request",
        meeting=meeting,
    )
    if meeting is not None:
        _notify(event, req, actor, "meeting_accepted", "Your meeting is booked", meeting=meeting)
    return meeting


def decline_request(event: Event, request_id: int, actor: Registration, now: dt.datetime) -> None:
    """The invitee declines a pending request."""
    req = _request_for(event, request_id)
    if req.invitee_id != actor.id:
        raise NotAllowed("Only the invited delegate can decline.")
    _transition(req, (RequestStatus.PENDING,), RequestStatus.DECLINED, now, responded_at=now)
    requester = db.session.get(Registration, req.requester_id)
    _notify(
        event,
        req,
        requester,
        "meeting_declined",
        f"{actor.full_name} declined your meeting request",
    )


def cancel_request(event: Event, request_id: int, actor: Registration, now: dt.datetime) -> None:
    """Either side cancels a pending or accepted request; a booked meeting is freed."""
    req = _request_for(event, request_id)
    if actor.id not in (req.requester_id, req.invitee_id):
        raise NotAllowed("Only the two delegates can cancel this request.")
    _transition(req, OPEN, RequestStatus.CANCELLED, now, cancelled_by_id=actor.id)
    # Looked up after the state change: a booking committed meanwhile is freed too.
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.request_id == req.id))
    if meeting is not None:
        db.session.delete(meeting)
        db.session.flush()
    other = db.session.get(
        Registration, req.invitee_id if actor.id == req.requester_id else req.requester_id
    )
    _notify(
        event,
        req,
        other,
        "meeting_cancelled",
        f"{actor.full_name} cancelled your meeting",
        actor=actor,
    )


def common_free_slots(
    event: Event, req: MeetingRequest, now: dt.datetime | None = None
) -> list[MeetingSlot]:
    """Future slots both delegates are available and free in, with a table left."""
    people = (req.requester_id, req.invitee_id)
    blocked = set(
        db.session.scalars(
            sa.select(SlotUnavailability.slot_id).where(
                SlotUnavailability.registration_id.in_(people)
            )
        )
    ) | set(
        db.session.scalars(
            sa.select(MeetingAttendee.slot_id).where(MeetingAttendee.registration_id.in_(people))
        )
    )
    used = Counter(
        db.session.scalars(sa.select(Meeting.slot_id).where(Meeting.event_id == event.id))
    )
    tables = list_tables(event)
    out = []
    for slot in list_slots(event):
        if slot.id in blocked or (now is not None and slot.starts_at <= now):
            continue
        if used[slot.id] < len(slot_tables(slot, tables)):
            out.append(slot)
    return out


def book(
    event: Event, req: MeetingRequest, now: dt.datetime, preferred_slot_id: int | None = None
) -> Meeting | None:
    """Book an accepted request into a common free slot and free table; None if none is left.

    Each attempt runs in a savepoint; a unique-constraint violation (someone else took the
    table, or one of the two got booked in that slot meanwhile) moves on to the next table
    or slot.
    """
    if req.status is not RequestStatus.ACCEPTED:
        raise DomainError("Only accepted requests can be booked.")
    if req.meeting is not None:
        return req.meeting
    slots = common_free_slots(event, req, now)
    slots.sort(key=lambda s: (s.id != preferred_slot_id, s.starts_at))
    tables = list_tables(event)
    for slot in slots:
        taken = set(
            db.session.scalars(sa.select(Meeting.table_id).where(Meeting.slot_id == slot.id))
        )
        for table in slot_tables(slot, tables):
            if table.id in taken:
                continue
            outcome = _try_insert(event, req, slot, table, fixed=True)
            if outcome == "ok":
                return req.meeting
            if outcome == "person":
                break  # one of the two is now busy in this slot
    return None


def _try_insert(
    event: Event, req: MeetingRequest, slot: MeetingSlot, table: MeetingTable, fixed: bool
) -> str:
    """Insert a meeting in a savepoint: 'ok', 'table' (taken) or 'person' (someone busy)."""
    try:
        with db.session.begin_nested():
            meeting = Meeting(
                event_id=event.id,
                request_id=req.id,
                slot_id=slot.id,
                table_id=table.id,
                fixed=fixed,
            )
            meeting.attendees = [
                MeetingAttendee(registration_id=req.requester_id, slot_id=slot.id),
                MeetingAttendee(registration_id=req.invitee_id, slot_id=slot.id),
            ]
            db.session.add(meeting)
            db.session.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "meeting_attendee" in text or "registration_id" in text:
            return "person"
        if "request_id" in text:
            db.session.refresh(req)
            return "ok"
        return "table"
    db.session.refresh(req)
    return "ok"


def book_slot(
    event: Event, request_id: int, actor: Registration, now: dt.datetime, slot_id: int | None
) -> Meeting:
    """One of the pair books an accepted, unbooked request (instant mode)."""
    req = _request_for(event, request_id)
    if actor.id not in (req.requester_id, req.invitee_id):
        raise NotAllowed("Only the two delegates can book this meeting.")
    if event.meeting_booking_mode is not MeetingBookingMode.INSTANT:
        raise DomainError("The organisers schedule meetings for this event.")
    # Lock the request so a cancellation cannot slip in between the check and the booking.
    db.session.execute(
        sa.select(MeetingRequest.id).where(MeetingRequest.id == req.id).with_for_update()
    )
    db.session.refresh(req)
    meeting = book(event, req, now, preferred_slot_id=slot_id)
    if meeting is None:
        raise DomainError(
            "There is no slot left that both of you have free with a table available."
        )
    for reg_id in (req.requester_id, req.invitee_id):
        _notify(
            event,
            req,
            db.session.get(Registration, reg_id),
            "meeting_accepted",
            "Your meeting is booked",
            meeting=meeting,
        )
    return meeting


# --- batch scheduling -----------------------------------------------------------------


@dataclasses.dataclass
class BatchReport:
    """What a batch run did."""

    scheduled: int
    total_scheduled: int
    bound: int
    unscheduled: list[tuple[MeetingRequest, str]]
    seconds: float


def schedule_all(
    event: Event,
    now: dt.datetime,
    *,
    reschedule: bool = False,
    time_limit: float = 4.0,
    progress: Callable[[int, int], None] | None = None,
    notify: bool = True,
) -> BatchReport:
    """Place every accepted, unbooked request; existing meetings are kept (non-fixed ones
    may move when `reschedule`). Future slots only."""
    slots = [s for s in list_slots(event) if s.starts_at > now]
    tables = list_tables(event)
    requests = list(
        db.session.scalars(
            sa.select(MeetingRequest).where(
                MeetingRequest.event_id == event.id, MeetingRequest.status == RequestStatus.ACCEPTED
            )
        )
    )
    meetings = {
        m.request_id: m
        for m in db.session.scalars(sa.select(Meeting).where(Meeting.event_id == event.id))
    }
    slot_ids = {s.id for s in slots}
    if reschedule:
        for rid, m in list(meetings.items()):
            if not m.fixed and m.slot_id in slot_ids:
                db.session.delete(m)
                del meetings[rid]
        db.session.flush()
    people = {r.requester_id for r in requests} | {r.invitee_id for r in requests}
    unavailable: dict[int, set] = defaultdict(set)
    for reg_id, slot_id in db.session.execute(
        sa.select(SlotUnavailability.registration_id, SlotUnavailability.slot_id).where(
            SlotUnavailability.registration_id.in_(people)
        )
    ):
        unavailable[reg_id].add(slot_id)
    # Meetings in past slots still block their people nowhere we schedule; meetings
    # in future slots are fixed inputs.
    fixed = {rid: m.slot_id for rid, m in meetings.items() if m.slot_id in slot_ids}
    problem = scheduler.Problem(
        slots=[s.id for s in slots],
        tables={s.id: len(slot_tables(s, tables)) for s in slots},
        requests=[
            scheduler.Request(id=r.id, a=r.requester_id, b=r.invitee_id, weight=max(1, r.priority))
            for r in requests
            if r.id not in meetings or r.id in fixed
        ],
        unavailable=unavailable,
        fixed=fixed,
    )
    result = scheduler.schedule(problem, time_limit=time_limit, progress=progress)
    by_id = {r.id: r for r in requests}
    taken: dict[int, set[int]] = defaultdict(set)
    for m in meetings.values():
        taken[m.slot_id].add(m.table_id)
    slot_by_id = {s.id: s for s in slots}
    new_count = 0
    touched: dict[int, list[Meeting]] = defaultdict(list)
    for rid, slot_id in sorted(result.assignment.items(), key=lambda kv: kv[0]):
        if rid in meetings:
            continue
        req = by_id[rid]
        slot = slot_by_id[slot_id]
        table = next(t for t in slot_tables(slot, tables) if t.id not in taken[slot_id])
        taken[slot_id].add(table.id)
        meeting = Meeting(
            event_id=event.id, request_id=rid, slot_id=slot_id, table_id=table.id, fixed=False
        )
        meeting.attendees = [
            MeetingAttendee(registration_id=req.requester_id, slot_id=slot_id),
            MeetingAttendee(registration_id=req.invitee_id, slot_id=slot_id),
        ]
        db.session.add(meeting)
        new_count += 1
        touched[req.requester_id].append(meeting)
        touched[req.invitee_id].append(meeting)
    db.session.flush()
    for reg_id, items in touched.items() if notify else ():
        reg = db.session.get(Registration, reg_id)
        mail.send_mail(
            reg.email,
            f"{event.title}: your meeting schedule",
            "meeting_scheduled",
            event=event,
            registration=reg,
            count=len(items),
            url=feeds.absolute_url("meetings.mine", slug=event.slug),
        )
    unscheduled = [(by_id[rid], reason) for rid, reason in result.reasons.items()]
    return BatchReport(
        scheduled=new_count,
        total_scheduled=result.scheduled,
        bound=result.bound,
        unscheduled=unscheduled,
        seconds=result.seconds,
    )


# --- listing --------------------------------------------------------------------------


@dataclasses.dataclass
class MeetingRow:
    """A delegate's view of one request and its meeting."""

    request: MeetingRequest
    counterpart: Registration
    incoming: bool
    slot: MeetingSlot | None
    table: MeetingTable | None
    feedback: MeetingFeedback | None


def my_requests(event: Event, registration: Registration) -> list[MeetingRow]:
    """Every request the delegate sent or received, booked ones in time order first."""
    reqs = list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event.id,
                sa.or_(
                    MeetingRequest.requester_id == registration.id,
                    MeetingRequest.invitee_id == registration.id,
                ),
            )
            .order_by(MeetingRequest.created_at.desc())
        )
    )
    feedback = {
        f.request_id: f
        for f in db.session.scalars(
            sa.select(MeetingFeedback).where(MeetingFeedback.registration_id == registration.id)
        )
    }
    rows = []
    for r in reqs:
        incoming = r.invitee_id == registration.id
        other = db.session.get(Registration, r.requester_id if incoming else r.invitee_id)
        m = r.meeting
        rows.append(
            MeetingRow(
                request=r,
                counterpart=other,
                incoming=incoming,
                slot=db.session.get(MeetingSlot, m.slot_id) if m else None,
                table=db.session.get(MeetingTable, m.table_id) if m else None,
                feedback=feedback.get(r.id),
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda row: (row.slot is None, row.slot.starts_at if row.slot else far))
    return rows


def open_requests(
    event: Event, limit: int = MAX_LISTED_REQUESTS
) -> tuple[list[MeetingRequest], int]:
    """Pending and accepted requests for organisers (highest priority first), and their total."""
    where = (MeetingRequest.event_id == event.id, MeetingRequest.status.in_(OPEN))
    total = db.session.scalar(sa.select(sa.func.count(MeetingRequest.id)).where(*where))
    rows = db.session.scalars(
        sa.select(MeetingRequest)
        .where(*where)
        .order_by(MeetingRequest.priority.desc(), MeetingRequest.created_at, MeetingRequest.id)
        .limit(limit)
    ).all()
    return list(rows), total or 0


def update_settings(
    event: Event, *, booking_mode: MeetingBookingMode, max_pending_requests: int
) -> None:
    """How meetings are booked (instant or batch) and how many requests one may leave pending."""
    if not 1 <= max_pending_requests <= 500:
        raise ValidationFailed(
            "The pending-request cap must be between 1 and 500.", field="max_pending_requests"
        )
    event.meeting_booking_mode = booking_mode
    event.max_pending_requests = max_pending_requests
    db.session.flush()


def set_request_priority(event: Event, request_id: int, priority: int) -> MeetingRequest:
    """An organiser sets how much the batch scheduler should favour an open request."""
    if isinstance(priority, bool) or priority not in PRIORITY_LABELS:
        allowed = ", ".join(f"{name} ({weight})" for name, weight in PRIORITY_LEVELS.items())
        raise ValidationFailed(f"Choose a priority: {allowed}.", field="priority")
    req = _request_for(event, request_id)
    if req.status not in OPEN:
        # Declined and cancelled requests are never scheduled: a priority would mean nothing.
        raise DomainError(
            f"This request is {req.status.value}; "
            "only pending or accepted requests have a priority."
        )
    req.priority = priority
    db.session.flush()
    return req


def event_meetings(event: Event) -> list[tuple[Meeting, MeetingSlot, MeetingTable, MeetingRequest]]:
    """All booked meetings of the event by slot and table."""
    return list(
        db.session.execute(
            sa.select(Meeting, MeetingSlot, MeetingTable, MeetingRequest)
            .join(MeetingSlot, Meeting.slot_id == MeetingSlot.id)
            .join(MeetingTable, Meeting.table_id == MeetingTable.id)
            .join(MeetingRequest, Meeting.request_id == MeetingRequest.id)
            .where(Meeting.event_id == event.id)
            .order_by(MeetingSlot.starts_at, MeetingTable.position, MeetingTable.id)
        ).all()
    )


# --- feedback and report --------------------------------------------------------------


def submit_feedback(
    event: Event,
    request_id: int,
    actor: Registration,
    now: dt.datetime,
    *,
    took_place: bool,
    rating: int | None,
    cooperation_likely: bool | None,
    comment: str = "",
) -> MeetingFeedback:
    """After a booked meeting's start, one of the two says whether it happened and how it went."""
    req = _request_for(event, request_id)
    if actor.id not in (req.requester_id, req.invitee_id):
        raise NotAllowed("Only the two delegates can give feedback on this meeting.")
    if req.meeting is None:
        raise DomainError("This meeting was never booked.")
    slot = db.session.get(MeetingSlot, req.meeting.slot_id)
    if now < slot.starts_at:
        raise DomainError("Feedback opens when the meeting starts.")
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationFailed("The rating goes from 1 to 5.", field="rating")
    if not took_place:
        rating = None
        cooperation_likely = None
    feedback = db.session.scalar(
        sa.select(MeetingFeedback).where(
            MeetingFeedback.request_id == req.id, MeetingFeedback.registration_id == actor.id
        )
    )
    if feedback is None:
        feedback = MeetingFeedback(
            request_id=req.id, registration_id=actor.id, created_at=now, took_place=took_place
        )
        db.session.add(feedback)
    feedback.took_place = took_place
    feedback.rating = rating
    feedback.cooperation_likely = cooperation_likely
    feedback.comment = (comment or "").strip()[:1000]
    db.session.flush()
    return feedback


@dataclasses.dataclass
class LinkageReport:
    """Funnel figures and who met whom among the meetings held."""

    requested: int
    accepted: int
    scheduled: int
    held: int
    cooperation_likely: int
    average_rating: float | None
    countries: list[str]
    country_pairs: dict[tuple[str, str], int]
    sector_pairs: dict[tuple[str, str], int]
    held_rows: list[tuple[Registration, Registration]]


def linkage_report(event: Event) -> LinkageReport:
    """Requested, accepted, scheduled, held; country-pair and sector-pair counts of held meetings.

    A meeting counts as held when at least one of the two said it took place and neither
    said it did not.
    """
    reqs = list(
        db.session.scalars(sa.select(MeetingRequest).where(MeetingRequest.event_id == event.id))
    )
    accepted_ids = {r.id for r in reqs if r.status is RequestStatus.ACCEPTED}
    booked = set(
        db.session.scalars(sa.select(Meeting.request_id).where(Meeting.event_id == event.id))
    )
    feedback: dict[int, list[MeetingFeedback]] = defaultdict(list)
    if reqs:
        for f in db.session.scalars(
            sa.select(MeetingFeedback)
            .join(MeetingRequest)
            .where(MeetingRequest.event_id == event.id)
        ):
            feedback[f.request_id].append(f)
    held_ids = [rid for rid in booked if feedback[rid] and all(f.took_place for f in feedback[rid])]
    by_id = {r.id: r for r in reqs}
    regs = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id)
        )
    }
    country_pairs: Counter = Counter()
    sector_pairs: Counter = Counter()
    held_rows = []
    for rid in sorted(held_ids):
        a, b = regs[by_id[rid].requester_id], regs[by_id[rid].invitee_id]
        country_pairs[tuple(sorted((a.country, b.country)))] += 1
        sector_pairs[tuple(sorted((a.sector.value, b.sector.value)))] += 1
        held_rows.append((a, b))
    ratings = [f.rating for rid in held_ids for f in feedback[rid] if f.rating]
    coop = sum(1 for rid in held_ids if any(f.cooperation_likely for f in feedback[rid]))
    countries = sorted({c for pair in country_pairs for c in pair})
    return LinkageReport(
        requested=len(reqs),
        accepted=len(accepted_ids),
        scheduled=len(booked & accepted_ids),
        held=len(held_ids),
        cooperation_likely=coop,
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        countries=countries,
        country_pairs=dict(country_pairs),
        sector_pairs=dict(sector_pairs),
        held_rows=held_rows,
    )


# --- reminders ------------------------------------------------------------------------


@dataclasses.dataclass
class ReminderReport:
    """What remind_pending() sent: delegates e-mailed and the requests named."""

    delegates: int
    requests: int


def remind_pending(event: Event, now: dt.datetime, *, older_than: dt.timedelta) -> ReminderReport:
    """E-mail each invitee once about requests that have waited longer than `older_than`.

    One e-mail per invitee lists all their waiting requests; a request is named in at
    most one reminder (reminded_at). The requests are claimed with one conditional UPDATE,
    so two runs at once cannot remind anyone twice. Only requests between delegates who
    are still confirmed count, and none once the last meeting slot has begun: an answer
    could no longer lead to a meeting. Flushes only.
    """
    slots, last_start = db.session.execute(
        sa.select(sa.func.count(MeetingSlot.id), sa.func.max(MeetingSlot.starts_at)).where(
            MeetingSlot.event_id == event.id
        )
    ).one()
    if slots and last_start <= now:
        return ReminderReport(0, 0)
    requester, invitee = aliased(Registration), aliased(Registration)
    waiting = (
        sa.select(MeetingRequest.id)
        .join(requester, requester.id == MeetingRequest.requester_id)
        .join(invitee, invitee.id == MeetingRequest.invitee_id)
        .where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status == RequestStatus.PENDING,
            MeetingRequest.reminded_at.is_(None),
            MeetingRequest.created_at <= now - older_than,
            requester.status == RegistrationStatus.CONFIRMED,
            invitee.status == RegistrationStatus.CONFIRMED,
        )
    )
    claimed = db.session.scalars(
        sa.update(MeetingRequest)
        .where(
            MeetingRequest.id.in_(waiting.scalar_subquery()), MeetingRequest.reminded_at.is_(None)
        )
        .values(reminded_at=now)
        .returning(MeetingRequest.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return ReminderReport(0, 0)
    rows = db.session.execute(
        sa.select(MeetingRequest, requester)
        .join(requester, requester.id == MeetingRequest.requester_id)
        .where(MeetingRequest.id.in_(claimed))
        .order_by(MeetingRequest.invitee_id, MeetingRequest.created_at, MeetingRequest.id)
    ).all()
    by_invitee: dict[int, list[tuple[MeetingRequest, Registration]]] = {}
    for req, sender in rows:
        by_invitee.setdefault(req.invitee_id, []).append((req, sender))
    people = {
        r.id: r
        for r in db.session.scalars(sa.select(Registration).where(Registration.id.in_(by_invitee)))
    }
    for invitee_id, waiting_requests in by_invitee.items():
        count = len(waiting_requests)
        noun = "request awaits" if count == 1 else "requests await"
        _notify(
            event,
            waiting_requests[0][0],
            people[invitee_id],
            "meeting_reminder",
            f"{count} meeting {noun} your answer",
            waiting=waiting_requests,
        )
    return ReminderReport(len(by_invitee), len(claimed))


# --- notifications --------------------------------------------------------------------


def _notify(
    event: Event, req: MeetingRequest, to: Registration, template: str, subject: str, **context
) -> None:
    meeting = context.get("meeting")
    slot = table = None
    if meeting is not None:
        slot = db.session.get(MeetingSlot, meeting.slot_id)
        table = db.session.get(MeetingTable, meeting.table_id)
    mail.send_mail(
        to.email,
        f"{event.title}: {subject}",
        template,
        event=event,
        req=req,
        registration=to,
        slot=slot,
        table=table,
        url=feeds.absolute_url("meetings.mine", slug=event.slug),
        **context,
    )
