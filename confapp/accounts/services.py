"""Account operations: sign-in, e-mail verification, passwords, API tokens. Flush only."""

from __future__ import annotations

import datetime as dt
import functools
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from confapp import mail
from confapp.accounts.models import ApiToken
from confapp.accounts.models import User
from confapp.db import lock_and_reread
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.signing import api_token_hash
from confapp.signing import sign
from confapp.signing import unsign
from confapp.urls import external_url

VERIFY_SALT = "verify-email"
RESET_SALT = "reset-password"  # noqa: S105 - a salt name, not a secret
# The password policy, in one place: forms and services read these.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
# A token is only marked as used again after this long, so a burst of scans does not
# turn every API request into a write.
_LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


@functools.cache
def _dummy_hash() -> str:
    """Checked when the address is unknown, so a failed sign-in takes as long either way.
    Made on first use, not while the app is built (a hash is slow on purpose)."""
    return generate_password_hash("not-a-real-password")


def email_verification_url(user: User) -> str:
    """Absolute, signed link that marks the user's e-mail address as verified."""
    token = sign({"uid": user.id, "email": user.email}, VERIFY_SALT)
    return external_url("accounts.verify", token=token)


def password_reset_url(user: User) -> str:
    """Absolute, signed, single-use link to choose a new password (dies on password change)."""
    token = sign({"uid": user.id, "v": user.auth_version}, RESET_SALT)
    return external_url("accounts.reset", token=token)


# --- users --------------------------------------------------------------------------


def normalise_email(value: str | None) -> str:
    """Check an address's syntax and return it trimmed and lower-cased."""
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Enter an e-mail address."), field="email")
    if len(value) > 254:
        raise ValidationFailed(_("The e-mail address is too long."), field="email")
    # Imported here: email_validator is slow to import and only some requests need it.
    from email_validator import EmailNotValidError
    from email_validator import validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            _("This e-mail address is not valid: %(reason)s", reason=exc), field="email"
        ) from exc
    return value.lower()


def find_user_by_email(email: str | None) -> User | None:
    """The account with this address, whatever its case."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def _check_password_rules(password: str, field: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH), field=field
        )


def create_user(
    email: str, full_name: str, password: str | None = None, admin: bool = False
) -> User:
    """Create an account (without a password when none is given); refuse duplicates."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(
            _("An account with this e-mail address already exists."),
            field="email",
            code="account_exists",
        )
    user = User(email=email, full_name=(full_name or "").strip()[:200], is_admin=admin)
    if password is not None:
        _check_password_rules(password, "password")
        user.set_password(password)
    try:
        # In a savepoint: when the twin of a double-click wins the race for the address,
        # only this insert is undone and the request goes on to answer with the refusal
        # (a failed flush would otherwise leave the whole session unusable: a 500).
        with db.session.begin_nested():
            db.session.add(user)
    except sa.exc.IntegrityError as exc:
        # Another request created the same address a moment ago.
        raise DomainError(
            _("An account with this e-mail address already exists."),
            field="email",
            code="account_exists",
        ) from exc
    return user


def authenticate(email: str, password: str, now: dt.datetime) -> User | None:
    """The active user with these credentials (recording the sign-in), else None."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.is_active:
        return None
    user.last_login_at = now
    db.session.flush()
    return user


def sign_in(email: str, password: str, now: dt.datetime) -> User:
    """The user these credentials open; DomainError (one message for both wrong fields)."""
    user = authenticate(email, password, now)
    if user is None:
        # Never tell which of the two was wrong: that would confirm who has an account.
        raise DomainError(_("Wrong email or password."), code="bad_credentials")
    if user.must_verify_first:
        raise DomainError(
            _(
                "Before you sign in, confirm your e-mail address with the link we sent to "
                "%(email)s. No link? Choose a new password with “Forgot your password?”: "
                "that confirms the address too.",
                email=user.email,
            ),
            code="verify_first",
        )
    return user


def sign_out(user: User) -> None:
    """End every session of the account: this one, copies of its cookie, "Remember me"."""
    # auth_version is part of the session id and of the remember cookie (User.get_id),
    # and the user loader compares it on every request.
    user.auth_version += 1
    db.session.flush()


def lock_until_verified(user: User) -> None:
    """Close an unconfirmed account until its address is proved (something addressed to
    the address's owner now hangs on it); sessions already open end now."""
    if user.is_verified or user.locked_until_verified:
        return
    user.locked_until_verified = True
    if user.password_hash:
        user.auth_version += 1
    db.session.flush()


# --- e-mail verification ------------------------------------------------------------


def send_verification(user: User) -> None:
    """Queue the e-mail with the verification link (sent after commit)."""
    mail.send_mail(
        user.email,
        _l("Confirm your e-mail address"),
        "verify",
        user=user,
        verify_url=email_verification_url(user),
    )


def verify_email(token: str, now: dt.datetime, max_age: int) -> User | None:
    """Mark the address in a valid verification token as verified; None if invalid."""
    payload = unsign(token, VERIFY_SALT, max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("uid"), int):
        return None
    user = db.session.get(User, payload["uid"])
    # The link proves ownership of the address it was sent to, not of a later one.
    if user is None or user.email != payload.get("email"):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.locked_until_verified = False
        db.session.flush()
    return user


# --- passwords ----------------------------------------------------------------------


def send_password_reset(user: User) -> None:
    """Queue the e-mail with a link to choose a new password (or a first one)."""
    subject = _l("Reset your password") if user.password_hash else _l("Choose your password")
    mail.send_mail(
        user.email, subject, "reset", user=user, event=None, reset_url=password_reset_url(user)
    )


def request_password_reset(
    email: str, now: dt.datetime | None = None, resend_after: float = 600
) -> bool:
    """Send a reset link if an active account has this address; say whether one went.

    Runs after the answer has left (see the view), so known and unknown addresses are
    answered alike; the token is signed for unknown addresses too, the same work. A
    request within `resend_after` seconds of the last link sent to the address (a repeat,
    five at once) e-mails nothing: that link still works.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        sign({"uid": 0, "v": 0}, RESET_SALT)
        return False
    now = now or utcnow()
    lock_and_reread(user)  # concurrent requests are decided one after the other
    last = user.password_reset_sent_at
    if last is not None and now - last < dt.timedelta(seconds=resend_after):
        return False
    user.password_reset_sent_at = now
    send_password_reset(user)
    return True


def user_for_reset_token(token: str, max_age: int, first_password_max_age: int) -> User | None:
    """The user a reset link is valid for, or None (expired, tampered or already used).

    Accounts without a password yet (invitations, imported delegates) get the longer
    `first_password_max_age`; a reset of an existing password expires sooner.
    """
    payload = unsign(token, RESET_SALT, max(max_age, first_password_max_age))
    if not isinstance(payload, dict) or not isinstance(payload.get("uid"), int):
        return None
    user = db.session.get(User, payload["uid"])
    # auth_version moves on with every password change, so a used link is dead.
    if user is None or not user.is_active or payload.get("v") != user.auth_version:
        return None
    if user.password_hash and unsign(token, RESET_SALT, max_age) is None:
        return None
    return user


def _replace_password(user: User, new: str) -> None:
    user.set_password(new)
    # Ends other sessions and every reset link issued before now.
    user.auth_version += 1
    user.password_reset_sent_at = None  # that link is dead: the next request sends one


def reset_password(user: User, new: str, now: dt.datetime) -> None:
    """Set a new password from a reset link; the link proves the e-mail address too."""
    _check_password_rules(new, "password")
    _replace_password(user, new)
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.locked_until_verified = False
    db.session.flush()


def change_password(user: User, old: str, new: str) -> None:
    """Change the password of a signed-in user who knows the current one."""
    if not user.check_password(old or ""):
        raise ValidationFailed(_("Your current password is not right."), field="old_password")
    _check_password_rules(new, "new_password")
    _replace_password(user, new)
    db.session.flush()


# --- API tokens ---------------------------------------------------------------------


def api_token_use_is_stale(last_used_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a token's last use is old enough to be written again (once a minute at most)."""
    return last_used_at is None or now - last_used_at >= _LAST_USED_GRANULARITY


def touch_api_token(conn: sa.Connection, token_id: int, now: dt.datetime) -> None:
    """Record a token's use without loading it (the check-in hot path's connection)."""
    table = ApiToken.__table__
    conn.execute(sa.update(table).where(table.c.id == token_id).values(last_used_at=now))


def may_use_api(user: User) -> bool:
    """Only administrators and people with an event role get API tokens."""
    return user.is_admin or bool(user.roles)


def issue_api_token(user: User, label: str, now: dt.datetime) -> str:
    """Create a bearer token for a staff member, organiser or admin; return it once."""
    if not may_use_api(user):
        raise NotAllowed(_("API tokens are only for staff, organisers and administrators."))
    raw = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user=user, token_hash=api_token_hash(raw), label=(label or "")[:100], created_at=now
        )
    )
    db.session.flush()
    return raw


def user_for_api_token(raw: str | None, now: dt.datetime | None = None) -> User | None:
    """The active user owning this unrevoked token, else None; records its use."""
    if not raw:
        return None
    # Looking up the SHA-256 (not the raw token) leaks nothing through timing.
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == api_token_hash(raw), ApiToken.revoked_at.is_(None))
        # The owner is needed on every API call: one query, not two.
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.user.is_active:
        return None
    now = now or dt.datetime.now(dt.UTC)
    if api_token_use_is_stale(token.last_used_at, now):
        # Left unflushed so the caller can see (session.dirty) whether to commit.
        token.last_used_at = now
    return token.user


def revoke_api_token(token: ApiToken, now: dt.datetime) -> None:
    """Stop a token from working."""
    token.revoked_at = now
    db.session.flush()
