"""Accounts: people who sign in, their per-event roles and their API tokens."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from confapp.db import str_enum
from confapp.db import utcnow
from confapp.extensions import db

if TYPE_CHECKING:
    from confapp.events.models import Event


class EventRoleKind(enum.StrEnum):
    """What a person may do for one event."""

    ORGANISER = "organiser"
    STAFF = "staff"

    @property
    def label(self) -> str:
        """How readers name this value, in their language (the ``|label`` filter)."""
        return str(_EVENT_ROLE_KIND_LABELS[self])


_EVENT_ROLE_KIND_LABELS = {
    EventRoleKind.ORGANISER: _l("Organiser"),
    EventRoleKind.STAFF: _l("Staff"),
}


class User(UserMixin, db.Model):
    """A person with a sign-in: delegate, staff member, organiser or site administrator."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so that "Ana@X.org" and "ana@x.org" are one account.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[dt.datetime | None]
    # Bumped on password change and on sign-out, so that reset links, sessions and
    # "Remember me" cookies issued before it die (it is part of the session id).
    auth_version: Mapped[int] = mapped_column(default=1)
    # Set when organisers addressed something (a hand-made registration) to an account
    # whose address nobody has proved: it cannot sign in until the address is confirmed,
    # so whoever made the account with someone else's address sees nothing meant for them.
    locked_until_verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # When the last password-reset link was e-mailed: a request soon after re-uses it.
    password_reset_sent_at: Mapped[dt.datetime | None]
    # The language pages, e-mails and PDFs use for this person (chosen with ?lang= or on
    # the account page); None: the browser's Accept-Language, then the event's default.
    language: Mapped[str | None] = mapped_column(sa.String(10))

    roles: Mapped[list[EventRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """Hash and store a new password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches (False when none is set)."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        """Whether the account may sign in."""
        return self.is_active_account

    @property
    def is_verified(self) -> bool:
        """Whether the owner of the address has proved it (a link we sent was opened)."""
        return self.email_verified_at is not None

    @property
    def must_verify_first(self) -> bool:
        """Whether the account stays closed until its address is confirmed."""
        return self.locked_until_verified and self.email_verified_at is None

    def get_id(self) -> str:  # Flask-Login
        """Session identifier: id plus auth version, so a password change ends old sessions."""
        return f"{self.id}:{self.auth_version}"

    def role_for(self, event: Event) -> EventRoleKind | None:
        """Strongest role this user holds for the event (organiser beats staff)."""
        kinds = {r.role for r in self.roles if r.event_id == event.id}
        if EventRoleKind.ORGANISER in kinds:
            return EventRoleKind.ORGANISER
        if EventRoleKind.STAFF in kinds:
            return EventRoleKind.STAFF
        return None

    def is_organiser(self, event: Event) -> bool:
        """Organisers of the event and site administrators manage it."""
        return self.is_admin or self.role_for(event) is EventRoleKind.ORGANISER

    def is_staff(self, event: Event) -> bool:
        """Staff, organisers and administrators may scan badges for the event."""
        return self.is_admin or self.role_for(event) is not None


class EventRole(db.Model):
    """A role held by a user for one event."""

    __tablename__ = "event_role"
    __table_args__ = (sa.UniqueConstraint("user_id", "event_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    role: Mapped[EventRoleKind] = mapped_column(str_enum(EventRoleKind))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    event: Mapped[Event] = relationship(back_populates="roles")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="api_tokens")


class EventInvitation(db.Model):
    """A role offered to an e-mail address: it attaches to an account only once the owner
    of the address opens the link we sent there (or holds a verified account already).

    Organisers see pending invitations, which expire and can be revoked. Only the
    SHA-256 of the link's secret is stored.
    """

    __tablename__ = "event_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[EventRoleKind] = mapped_column(str_enum(EventRoleKind))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[dt.datetime | None]

    event: Mapped[Event] = relationship()

    def is_pending(self, now: dt.datetime) -> bool:
        """Neither accepted, revoked nor expired."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
