"""Booking: meeting slots and tables, delegates' availability, and placing one accepted
request at a table (instant booking). Flush only; the caller commits.

Race safety: a booking inserts Meeting + two MeetingAttendee rows inside a savepoint, and
the unique constraints (slot, table), (registration, slot) and (request) refuse double
bookings, after which the next table or slot is tried.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.i18n import time_span
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingAttendee
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import RequestStatus
from confapp.meetings.models import SlotUnavailability
from confapp.registration.models import Registration

MAX_SLOTS = 500
MAX_TABLES = 2000


# --- slots and tables -----------------------------------------------------------------


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


def slot_tables(slot: MeetingSlot, tables: list[MeetingTable]) -> list[MeetingTable]:
    """The tables in use in a slot: the first `table_limit` of the event's tables."""
    return tables if slot.table_limit is None else tables[: slot.table_limit]


def slot_label(event: Event, slot: MeetingSlot) -> str:
    """'Sat 20 Feb, 15:30–15:50' in the event's zone."""
    return time_span(slot.starts_at, slot.ends_at, event, "%a %d %b")


def _check_slot_range(
    starts_at: dt.datetime, ends_at: dt.datetime, minutes: int, gap: int, table_limit: int | None
) -> None:
    if minutes < 5 or minutes > 240 or gap < 0 or gap > 120:
        raise ValidationFailed(
            _("Slots last 5 to 240 minutes, with a gap of 0 to 120 minutes."), field="minutes"
        )
    if ends_at <= starts_at:
        raise ValidationFailed(_("The end must be after the start."), field="ends_at")
    if table_limit is not None and table_limit < 0:
        raise ValidationFailed(_("The table limit cannot be negative."), field="table_limit")


def generate_slots(
    event: Event,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    minutes: int,
    gap: int = 0,
    table_limit: int | None = None,
) -> list[MeetingSlot]:
    """Cut [starts_at, ends_at) into `minutes` slots, `gap` minutes apart; skip overlaps."""
    _check_slot_range(starts_at, ends_at, minutes, gap, table_limit)
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
        raise ValidationFailed(
            _("An event can have at most %(count)d slots.", count=MAX_SLOTS), field="minutes"
        )
    db.session.add_all(made)
    db.session.flush()
    return made


def delete_slot_consequences(slot: MeetingSlot) -> list[str]:
    """What deleting a slot would do, for the confirmation page."""
    unavailable = db.session.scalar(
        sa.select(sa.func.count(SlotUnavailability.id)).where(SlotUnavailability.slot_id == slot.id)
    )
    lines = [_("No meeting can be booked at this time any more; no one is e-mailed.")]
    if unavailable:
        lines.append(
            ngettext(
                "%(num)d delegate had marked it as a time they cannot make.",
                "%(num)d delegates had marked it as a time they cannot make.",
                unavailable,
            )
        )
    return lines


def delete_slot(slot: MeetingSlot) -> None:
    """Delete a slot without meetings (booked slots are refused, never silently emptied)."""
    booked = db.session.scalar(
        sa.select(sa.func.count(Meeting.id)).where(Meeting.slot_id == slot.id)
    )
    if booked:
        raise DomainError(
            ngettext(
                "This slot has %(num)d booked meeting; cancel it first.",
                "This slot has %(num)d booked meetings; cancel them first.",
                booked,
            )
        )
    db.session.delete(slot)
    db.session.flush()


def add_tables(
    event: Event, count: int, prefix: str = "Table", location: str = ""
) -> list[MeetingTable]:
    """Add `count` numbered tables after the existing ones."""
    existing = list_tables(event)
    if count < 1 or len(existing) + count > MAX_TABLES:
        raise ValidationFailed(
            _("Add 1 or more tables, at most %(count)d in all.", count=MAX_TABLES), field="count"
        )
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


def update_settings(
    event: Event, *, booking_mode: MeetingBookingMode, max_pending_requests: int
) -> None:
    """How meetings are booked (instant or batch) and how many requests one may leave pending."""
    if not 1 <= max_pending_requests <= 500:
        raise ValidationFailed(
            _("The pending-request cap must be between 1 and 500."), field="max_pending_requests"
        )
    # Unchanged values are not assigned: an unchanged save changes (and logs) nothing.
    if event.meeting_booking_mode is not booking_mode:
        event.meeting_booking_mode = booking_mode
    if event.max_pending_requests != max_pending_requests:
        event.max_pending_requests = max_pending_requests
    db.session.flush()


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


# --- availability ---------------------------------------------------------------------


def unavailable_slot_ids(registration: Registration) -> set[int]:
    """Slots the delegate said they cannot make."""
    return set(
        db.session.scalars(
            sa.select(SlotUnavailability.slot_id).where(
                SlotUnavailability.registration_id == registration.id
            )
        )
    )


def booked_slot_ids(registration: Registration) -> set[int]:
    """Slots in which the delegate has a meeting."""
    return set(
        db.session.scalars(
            sa.select(MeetingAttendee.slot_id).where(
                MeetingAttendee.registration_id == registration.id
            )
        )
    )


def set_availability(
    event: Event, registration: Registration, available_ids: Iterable[int]
) -> None:
    """Mark the delegate available for exactly these slots; slots with a meeting stay."""
    slots = {s.id: s for s in list_slots(event)}
    wanted = {int(i) for i in available_ids if int(i) in slots}
    clash = sorted(booked_slot_ids(registration) - wanted)
    if clash:
        slot = slots[clash[0]]
        raise DomainError(
            _(
                "You have a meeting at %(when)s; cancel it before marking that slot unavailable.",
                when=slot_label(event, slot),
            )
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


# --- placing one request --------------------------------------------------------------


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
        raise DomainError(_("Only accepted requests can be booked."))
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
        # Which constraint refused tells what to try next; the constraint names are ours.
        text = str(exc.orig).lower()
        if "meeting_attendee" in text or "registration_id" in text:
            return "person"
        if "request_id" in text:
            db.session.refresh(req)
            return "ok"
        return "table"
    db.session.refresh(req)
    return "ok"


def free_meeting(req: MeetingRequest) -> bool:
    """Delete the meeting of a request, if it has one (its slot and table are free again)."""
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.request_id == req.id))
    if meeting is None:
        return False
    db.session.delete(meeting)
    db.session.flush()
    db.session.expire(req, ["meeting"])
    return True
