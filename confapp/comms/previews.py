"""Seeing an announcement before it goes: its preview for one recipient and a test
message to the organiser, with the attachments it will carry."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from confapp.agenda.models import ProgrammeSession
from confapp.comms import render
from confapp.comms.drafts import Checked
from confapp.comms.drafts import unsaved
from confapp.comms.models import Announcement
from confapp.extensions import db
from confapp.mail import calendar_attachment
from confapp.mail import queue_mail
from confapp.mail.models import OutboxMessage
from confapp.registration.models import Registration
from confapp.visits.models import Visit


def preview(event: Any, checked: Checked, registration: Registration | None) -> render.Rendered:
    """The announcement as `registration` would read it (no registration: placeholders
    show as empty names and the event's links)."""
    announcement = unsaved(event, checked)
    return render.render_for(announcement, registration, visit_of(announcement))


def send_test(
    event: Any, checked: Checked, registration: Registration | None, user: Any
) -> OutboxMessage:
    """Send the preview of `registration`'s message to the organiser themself."""
    announcement = unsaved(event, checked)
    rendered = render.render_for(announcement, registration, visit_of(announcement))
    rendered.subject = _("[Test] %(subject)s", subject=rendered.subject)
    message = render.build_email(
        announcement,
        registration,
        rendered,
        to=user.email,
        attachments=attachments_of(announcement),
        unsubscribe=False,
    )
    return queue_mail(message, event_id=event.id, language=rendered.language)


def visit_of(announcement: Announcement) -> Visit | None:
    visit_id = (announcement.segment or {}).get("visit_id")
    return db.session.get(Visit, visit_id) if visit_id else None


def attachments_of(announcement: Announcement) -> list:
    kind, _sep, ident = (announcement.attach or "").partition(":")
    if not ident:
        return []
    event = announcement.event
    if kind == "visit":
        from confapp.visits.ical import visit_ics_bytes

        visit = db.session.get(Visit, int(ident))
        if visit is None:
            return []
        return [calendar_attachment("visit.ics", visit_ics_bytes(event, visit), "PUBLISH")]
    from confapp.agenda.feeds import session_ics_bytes

    session = db.session.get(ProgrammeSession, int(ident))
    if session is None:
        return []
    return [calendar_attachment("session.ics", session_ics_bytes(event, session), "PUBLISH")]
