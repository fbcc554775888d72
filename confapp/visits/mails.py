"""E-mails to one delegate about a visit, in their language, with its calendar entry."""

from __future__ import annotations

from flask_babel import gettext as _

from confapp import mail
from confapp.events.models import Event
from confapp.i18n import force_language
from confapp.i18n import language_of
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.visits import ical
from confapp.visits.models import Visit

# Subjects as functions of the visit's title, called in the delegate's language.
SUBJECTS = {
    "confirmed": lambda title: _("Your seat: %(title)s", title=title),
    "waitlisted": lambda title: _("Waiting list: %(title)s", title=title),
    "promoted": lambda title: _("A seat is yours: %(title)s", title=title),
    "moved": lambda title: _("Your visit changed: %(title)s", title=title),
    "cancelled": lambda title: _("Cancelled: %(title)s", title=title),
    "retimed": lambda title: _("New time: %(title)s", title=title),
    "moved_point": lambda title: _("New meeting point: %(title)s", title=title),
    "retimed_moved": lambda title: _("New time and meeting point: %(title)s", title=title),
}


def mail_delegate(
    event: Event, visit: Visit, registration: Registration, template: str, subject, **context
) -> None:
    """E-mail one delegate about a visit, in their language (page, subject and calendar)."""
    language = language_of(registration, event)
    with force_language(language):
        attachments = None
        if template in ("visit_confirmed", "visit_promoted", "visit_changed", "visit_cancelled"):
            attachments = [("visit.ics", "text/calendar", ical.visit_ics_bytes(event, visit))]
        mail.send_mail(
            registration.email,
            subject(tr(visit, "title")),
            template,
            attachments=attachments,
            language=language,
            event=event,
            visit=visit,
            registration=registration,
            url=ical.visits_url(event),
            **context,
        )
