"""Account operations: links for e-mail verification and password reset. Flush only."""

from __future__ import annotations

from flask import url_for

from confapp.accounts.models import User
from confapp.security import sign

VERIFY_SALT = "verify-email"
RESET_SALT = "reset-password"  # noqa: S105 - a salt name, not a secret


def email_verification_url(user: User) -> str:
    """Absolute, signed link that marks the user's e-mail address as verified."""
    token = sign({"uid": user.id, "email": user.email}, VERIFY_SALT)
    return url_for("accounts.verify", token=token, _external=True)


def password_reset_url(user: User) -> str:
    """Absolute, signed, single-use link to choose a new password (dies on password change)."""
    token = sign({"uid": user.id, "v": user.auth_version}, RESET_SALT)
    return url_for("accounts.reset", token=token, _external=True)
