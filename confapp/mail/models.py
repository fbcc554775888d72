"""The outbox: one row per outgoing message, written in the transaction that causes it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from confapp.db import str_enum
from confapp.db import utcnow
from confapp.extensions import db


class MailStatus(enum.StrEnum):
    """Queued (waiting or retrying), being sent by a worker, sent, or given up."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """How readers name this value, in their language (the ``|label`` filter)."""
        return str(_MAIL_STATUS_LABELS[self])


_MAIL_STATUS_LABELS = {
    MailStatus.QUEUED: _l("Queued"),
    MailStatus.SENDING: _l("Sending"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Failed"),
}


class OutboxMessage(db.Model):
    """A rendered message waiting for, in, or past delivery."""

    __tablename__ = "outbox_message"
    __log__ = False  # the action that writes a message is logged, not each message
    __table_args__ = (
        # Workers look for due messages by these two.
        sa.Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        # The delivery log of one event, by status.
        sa.Index("ix_outbox_message_event_id_status", "event_id", "status"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(sa.String(254))
    # The language the message is written in (None: the site's default).
    language: Mapped[str | None] = mapped_column(sa.String(16))
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus, length=16), default=MailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Temporary failures are retried until then (set at the first one).
    retry_until: Mapped[dt.datetime | None]
    # The worker batch holding the message while it is being sent.
    claim: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    claimed_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    content: Mapped[OutboxContent] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class OutboxContent(db.Model):
    """The bytes of an outbox message, in a table of their own.

    Delivery changes a message's row three times (claimed, sent, settled). On SQLite a
    change that alters a record's length writes the whole record again, a message's
    kilobytes included; kept apart, the bytes are written once, when the message is
    queued, and the worker's updates stay a few dozen bytes each.
    """

    __tablename__ = "outbox_content"
    __log__ = False

    outbox_message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="CASCADE"), primary_key=True
    )
    # The whole message as sent (RFC 5322 bytes, CRLF line ends).
    mime: Mapped[bytes] = mapped_column(sa.LargeBinary)
