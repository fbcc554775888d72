"""Opting out of (and back into) an event's announcements, by the link in each message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.comms import render
from confapp.comms.models import AnnouncementOptOut
from confapp.errors import NotFound
from confapp.extensions import db
from confapp.registration.models import Registration


def registration_for_token(token: str, event: Any) -> Registration:
    """The registration of `event` a genuine unsubscribe token names (NotFound otherwise)."""
    found = render.read_unsubscribe_token(token)
    registration = db.session.get(Registration, found[0]) if found else None
    if registration is None or registration.event_id != found[1] or found[1] != event.id:
        raise NotFound(_("This unsubscribe link is not valid."))
    return registration


def is_opted_out(registration: Registration) -> bool:
    """Whether the delegate asked for no more announcements."""
    return (
        db.session.scalar(
            sa.select(AnnouncementOptOut.id).where(
                AnnouncementOptOut.registration_id == registration.id
            )
        )
        is not None
    )


def opt_out(registration: Registration, now: dt.datetime) -> bool:
    """No more announcements for this registration; False if it already had opted out."""
    if is_opted_out(registration):
        return False
    db.session.add(AnnouncementOptOut(registration_id=registration.id, created_at=now))
    db.session.flush()
    return True


def opt_in(registration: Registration) -> bool:
    """Announcements again; False if it had not opted out."""
    removed = db.session.execute(
        sa.delete(AnnouncementOptOut).where(AnnouncementOptOut.registration_id == registration.id)
    ).rowcount
    return bool(removed)
