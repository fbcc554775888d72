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


def my_meetings_url(event: Event) -> str:
    """The absolute link of the delegate's meetings page."""
    return external_url("meetings.mine", slug=event.slug)


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
    if meeting is not None:
        slot = db.session.get(MeetingSlot, meeting.slot_id)
        table = db.session.get(MeetingTable, meeting.table_id)
    language = language_of(to, event)
    with force_language(language):
        # A function (for plurals) is called here, under the reader's language.
        title = subject() if callable(subject) else str(subject) % (subject_args or {})
        mail.send_mail(
            to.email,
            _("%(event)s: %(subject)s", event=tr(event, "title"), subject=title),
            template,
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
