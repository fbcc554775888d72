"""E-mails of the meetings feature; they are queued and leave only after the commit."""

from __future__ import annotations

from typing import Any

from confapp import mail
from confapp.events.models import Event
from confapp.extensions import db
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.registration.models import Registration
from confapp.urls import external_url


def my_meetings_url(event: Event) -> str:
    """The absolute link of the delegate's meetings page."""
    return external_url("meetings.mine", slug=event.slug)


def notify(
    event: Event,
    req: MeetingRequest,
    to: Registration,
    template: str,
    subject: str,
    *,
    meeting: Meeting | None = None,
    **context: Any,
) -> None:
    """E-mail one of the two delegates about their request (and its meeting, if any)."""
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
        meeting=meeting,
        slot=slot,
        table=table,
        url=my_meetings_url(event),
        **context,
    )
