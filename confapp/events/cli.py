"""What the organisers' commands share about events: finding the one a command names."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import CommandError
from confapp.i18n import force_language
from confapp.i18n import site_language


def event_for_command(slug: str) -> Event:
    """The event a command's SLUG names, else a refusal (exit code 1) in the site's language:
    with no event there is no event's language to speak."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        with force_language(site_language()):
            raise CommandError(_("No event with slug %(slug)r.", slug=slug))
    return event
