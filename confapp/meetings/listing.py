"""Reading requests and meetings: a delegate's own, and the organisers' paged, filtered list."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from confapp.events.models import Event
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.meetings import booking
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingFeedback
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import RequestStatus
from confapp.meetings.requests import OPEN
from confapp.registration.models import Registration

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclasses.dataclass
class MeetingRow:
    """A delegate's view of one request and its meeting."""

    request: MeetingRequest
    counterpart: Registration
    incoming: bool
    slot: MeetingSlot | None
    table: MeetingTable | None
    feedback: MeetingFeedback | None

    @property
    def booked(self) -> bool:
        """An accepted request with a slot and a table."""
        return self.slot is not None and self.request.status is RequestStatus.ACCEPTED


def _by_id(model, ids) -> dict:
    ids = set(ids)
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def my_requests(event: Event, registration: Registration) -> list[MeetingRow]:
    """Every request the delegate sent or received, booked ones in time order first."""
    pairs = db.session.execute(
        sa.select(MeetingRequest, Meeting)
        .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(
            MeetingRequest.event_id == event.id,
            sa.or_(
                MeetingRequest.requester_id == registration.id,
                MeetingRequest.invitee_id == registration.id,
            ),
        )
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    ).all()
    others = _by_id(
        Registration,
        (r.requester_id if r.invitee_id == registration.id else r.invitee_id for r, _ in pairs),
    )
    slots = _by_id(MeetingSlot, (m.slot_id for _, m in pairs if m is not None))
    tables = _by_id(MeetingTable, (m.table_id for _, m in pairs if m is not None))
    feedback = {
        f.request_id: f
        for f in db.session.scalars(
            sa.select(MeetingFeedback).where(MeetingFeedback.registration_id == registration.id)
        )
    }
    rows = []
    for req, meeting in pairs:
        incoming = req.invitee_id == registration.id
        rows.append(
            MeetingRow(
                request=req,
                counterpart=others[req.requester_id if incoming else req.invitee_id],
                incoming=incoming,
                slot=slots.get(meeting.slot_id) if meeting else None,
                table=tables.get(meeting.table_id) if meeting else None,
                feedback=feedback.get(req.id),
            )
        )
    rows.sort(key=lambda row: (row.slot is None, row.slot.starts_at if row.slot else _FAR))
    return rows


def bookable_slots(
    event: Event, rows: list[MeetingRow], now: dt.datetime
) -> dict[int, list[tuple[int, str]]]:
    """(id, label) of the slots each unbooked open request could still take, by request id
    (instant booking only; otherwise the organisers place them)."""
    if event.meeting_booking_mode is not MeetingBookingMode.INSTANT:
        return {}
    return {
        row.request.id: [
            (s.id, booking.slot_label(event, s))
            for s in booking.common_free_slots(event, row.request, now)
        ]
        for row in rows
        if row.request.status in OPEN and row.slot is None
    }


# --- organisers -----------------------------------------------------------------------

# The organisers' status filter: what each choice shows.
STATUS_FILTERS = {
    "open": _l("Open (pending or accepted)"),
    "pending": _l("Pending: awaiting the invitee's answer"),
    "unscheduled": _l("Accepted, no meeting yet"),
    "booked": _l("Booked"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
    "all": _l("All"),
}
REQUESTS_PER_PAGE = 50


@dataclasses.dataclass(frozen=True)
class RequestFilters:
    """What the organiser narrowed the request list to; the defaults show open requests."""

    status: str = "open"
    q: str = ""
    priority: int | None = None

    def query_args(self) -> dict:
        """The filters that are set, for links that keep them."""
        args = {"status": self.status, "q": self.q, "priority": self.priority}
        return {k: v for k, v in args.items() if v not in ("", None)}


@dataclasses.dataclass
class OrganiserRow:
    """One request as the organisers see it."""

    request: MeetingRequest
    requester: Registration
    invitee: Registration
    meeting: Meeting | None
    slot: MeetingSlot | None
    table: MeetingTable | None


@dataclasses.dataclass
class RequestPage:
    """One page of the filtered requests and how many there are in all."""

    rows: list[OrganiserRow]
    total: int
    page: int
    pages: int


def _status_clause(status: str):
    # Its own alias: the list's query outer-joins Meeting too, and an EXISTS on that same
    # table would correlate with it and select from nothing.
    held = aliased(Meeting)
    booked = sa.exists().where(held.request_id == MeetingRequest.id)
    clauses = {
        "open": MeetingRequest.status.in_((RequestStatus.PENDING, RequestStatus.ACCEPTED)),
        "pending": MeetingRequest.status == RequestStatus.PENDING,
        "unscheduled": sa.and_(MeetingRequest.status == RequestStatus.ACCEPTED, ~booked),
        "booked": sa.and_(MeetingRequest.status == RequestStatus.ACCEPTED, booked),
        "declined": MeetingRequest.status == RequestStatus.DECLINED,
        "cancelled": MeetingRequest.status == RequestStatus.CANCELLED,
    }
    return clauses.get(status, sa.true())


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def request_page(
    event: Event, filters: RequestFilters, page: int = 1, per_page: int = REQUESTS_PER_PAGE
) -> RequestPage:
    """The event's requests matching the filters, highest priority first, one page of them."""
    requester, invitee = aliased(Registration), aliased(Registration)
    where = [MeetingRequest.event_id == event.id, _status_clause(filters.status)]
    if filters.priority is not None:
        where.append(MeetingRequest.priority == filters.priority)
    if filters.q.strip():
        pattern = _like(filters.q.strip().lower())
        where.append(
            sa.or_(
                sa.func.lower(requester.full_name).like(pattern, escape="\\"),
                sa.func.lower(invitee.full_name).like(pattern, escape="\\"),
            )
        )
    base = (
        sa.select(MeetingRequest, requester, invitee, Meeting)
        .join(requester, requester.id == MeetingRequest.requester_id)
        .join(invitee, invitee.id == MeetingRequest.invitee_id)
        .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(*where)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    found = db.session.execute(
        base.order_by(MeetingRequest.priority.desc(), MeetingRequest.created_at, MeetingRequest.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    slots = _by_id(MeetingSlot, (m.slot_id for *_, m in found if m is not None))
    tables = _by_id(MeetingTable, (m.table_id for *_, m in found if m is not None))
    rows = [
        OrganiserRow(
            req, a, b, m, slots.get(m.slot_id) if m else None, tables.get(m.table_id) if m else None
        )
        for req, a, b, m in found
    ]
    return RequestPage(rows=rows, total=total, page=page, pages=pages)


def status_counts(event: Event) -> dict[str, int]:
    """How many requests each status filter holds (for the filter's labels and the summary)."""
    booked = set(
        db.session.scalars(sa.select(Meeting.request_id).where(Meeting.event_id == event.id))
    )
    counts = dict.fromkeys(STATUS_FILTERS, 0)
    for rid, status in db.session.execute(
        sa.select(MeetingRequest.id, MeetingRequest.status).where(
            MeetingRequest.event_id == event.id
        )
    ):
        counts["all"] += 1
        if status is RequestStatus.ACCEPTED:
            counts["booked" if rid in booked else "unscheduled"] += 1
        else:
            counts[status.value] += 1
        if status in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
            counts["open"] += 1
    return counts
