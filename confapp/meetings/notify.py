"""E-mails of the meetings feature; they are queued and leave only after the commit."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from confapp import mail
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import language_of
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.urls import external_url
from confapp.urls import site_domain


def my_meetings_url(event: Event) -> str:
    """The absolute link of the delegate's meetings page."""
    return external_url("meetings.mine", slug=event.slug)


def meeting_calendar(
    event: Event,
    req: MeetingRequest,
    to: Registration,
    meeting: Meeting,
    slot: MeetingSlot,
    table: MeetingTable,
):
    """The booked meeting as an iTIP PUBLISH attachment (RFC 6047): the personal feed's UID
    and SEQUENCE, so the delegate's calendar holds one entry for it."""
    from confapp.agenda import feeds
    from confapp.agenda import ical
    from confapp.db import utcnow
    from confapp.mail.compose import calendar_attachment
    from confapp.meetings.personal import meeting_item

    other_id = req.invitee_id if req.requester_id == to.id else req.requester_id
    other = db.session.get(Registration, other_id)
    item = meeting_item(meeting, slot, table, other, url=my_meetings_url(event), host=site_domain())
    body = ical.build_calendar(
        [item],
        name=item.summary,
        timezone=event.timezone,
        years=(event.starts_on.year, event.ends_on.year),
        itip=ical.Itip(method="PUBLISH", organizer=feeds.organizer(event), sent_at=utcnow()),
    )
    return calendar_attachment("meeting.ics", body, "PUBLISH")


def notify(
    event: Event,
    req: MeetingRequest,
    to: Registration,
    template: str,
    subject: Any,
    *,
    subject_args: dict[str, Any] | None = None,
    meeting: Meeting | None = None,
    **context: Any,
) -> None:
    """E-mail one of the two delegates about their request (and its meeting, if any), in
    that delegate's language: `subject` is a lazy message filled with `subject_args`."""
    slot = table = None
    attachments = None
    if meeting is not None:
        slot = db.session.get(MeetingSlot, meeting.slot_id)
        table = db.session.get(MeetingTable, meeting.table_id)
        attachments = [meeting_calendar(event, req, to, meeting, slot, table)]
    language = language_of(to, event)
    with force_language(language):
        # A function (for plurals) is called here, under the reader's language.
        title = subject() if callable(subject) else str(subject) % (subject_args or {})
        mail.send_mail(
            to.email,
            _("%(event)s: %(subject)s", event=tr(event, "title"), subject=title),
            template,
            attachments=attachments,
            language=language,
            event=event,
            req=req,
            registration=to,
            meeting=meeting,
            slot=slot,
            table=table,
            url=my_meetings_url(event),
            **context,
        )
