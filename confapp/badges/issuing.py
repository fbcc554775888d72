"""A registration's badge token: the current one, re-issuing it (which revokes every
earlier badge), and the key tokens derive from."""

from __future__ import annotations

from flask import current_app

from confapp.badges import tokens
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


def reissue_badge(registration: Registration) -> str:
    """Revoke every earlier badge of the registration and return the new token."""
    registration.badge_serial += 1
    registration.badge_printed_at = None
    db.session.flush()
    return badge_token(registration)
