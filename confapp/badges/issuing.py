"""A registration's badge token: the current one, re-issuing it (which revokes every
earlier badge), and the key tokens derive from."""

from __future__ import annotations

from flask import current_app

from confapp.badges import tokens
from confapp.db import lock_and_reread
from confapp.extensions import db
from confapp.registration.models import Registration


def secret_key() -> str:
    """The key badge tokens are derived from."""
    return current_app.config["SECRET_KEY"]


def badge_token(registration: Registration) -> str:
    """The QR token of the registration's current badge."""
    return tokens.issue(
        secret_key(), registration.event_id, registration.id, registration.badge_serial
    )


def reissue_badge(registration: Registration, replaces: int | None = None) -> str:
    """Revoke every earlier badge of the registration and return the new token.

    `replaces` is the badge serial the organiser saw when asking: a repeat of the same
    request (a double-click, a resent confirmation) finds, under the row's lock, that
    badge already replaced and changes nothing.
    """
    lock_and_reread(registration)
    if replaces is not None and registration.badge_serial != replaces:
        return badge_token(registration)
    registration.badge_serial += 1
    registration.badge_printed_at = None
    db.session.flush()
    return badge_token(registration)
