"""Booked meetings in the delegate's personal agenda and calendar feed."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.agenda import feeds
from confapp.agenda import personal
from confapp.agenda.ical import CalItem
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import isolate_name
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Registration
from confapp.urls import site_domain


def meeting_item(
    meeting: Meeting,
    slot: MeetingSlot,
    table: MeetingTable,
    other: Registration,
    *,
    url: str,
    host: str,
) -> CalItem:
    """One booked meeting as a calendar item: the same UID in the feed and in e-mails."""
    where = table.name + (f", {table.location}" if table.location else "")
    # In the reader's language: the personal feed and e-mails run in the delegate's.
    detail = _("With %(name)s", name=other.full_name) + (
        f", {other.organisation}" if other.organisation else ""
    )
    return CalItem(
        uid=f"meeting-{meeting.id}@{host}",
        summary=_("Meeting: %(name)s", name=other.full_name),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        sequence=meeting.sequence,
        last_modified=meeting.updated_at,
        created=meeting.created_at,
        location=where,
        url=url,
        description=detail,
        categories=("Meeting",),
    )


def personal_entries(event: Event, registration: Registration) -> list[personal.PersonalEntry]:
    """The delegate's booked meetings (with time, table and counterpart)."""
    rows = db.session.execute(
        sa.select(Meeting, MeetingSlot, MeetingTable, MeetingRequest)
        .join(MeetingSlot, Meeting.slot_id == MeetingSlot.id)
        .join(MeetingTable, Meeting.table_id == MeetingTable.id)
        .join(MeetingRequest, Meeting.request_id == MeetingRequest.id)
        .where(
            Meeting.event_id == event.id,
            MeetingRequest.status == RequestStatus.ACCEPTED,
            sa.or_(
                MeetingRequest.requester_id == registration.id,
                MeetingRequest.invitee_id == registration.id,
            ),
        )
        .order_by(MeetingSlot.starts_at)
    ).all()
    if not rows:
        return []
    other_ids = {
        r.invitee_id if r.requester_id == registration.id else r.requester_id for _, _, _, r in rows
    }
    others = {
        r.id: r
        for r in db.session.scalars(sa.select(Registration).where(Registration.id.in_(other_ids)))
    }
    url = feeds.absolute_url("meetings.mine", slug=event.slug)
    host = site_domain()
    entries = []
    for meeting, slot, table, req in rows:
        other = others[req.invitee_id if req.requester_id == registration.id else req.requester_id]
        item = meeting_item(meeting, slot, table, other, url=url, host=host)
        where, detail = item.location, item.description
        entries.append(
            personal.PersonalEntry(
                kind="meeting",
                title=_("Meeting with %(name)s", name=isolate_name(other.full_name)),
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                location=where,
                url=url,
                detail=detail,
                cal_item=item,
            )
        )
    return entries


def register_personal() -> None:
    """Make my-agenda and the personal feed show meetings."""
    personal.register_provider("meeting", personal_entries)
