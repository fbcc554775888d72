"""Announcements, the people each one went to, opt-outs and dismissed banners."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from confapp.db import str_enum
from confapp.db import utcnow
from confapp.extensions import db
from confapp.mail.models import OutboxMessage
from confapp.multilingual import translations_column


class AnnouncementStatus(enum.StrEnum):
    """Scheduled (waits for send_at), sending (rows being released), sent, cancelled."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class RecipientStatus(enum.StrEnum):
    """Waiting for the rate limit, handed to the outbox, or left out (opted out)."""

    PENDING = "pending"
    QUEUED = "queued"
    OPTED_OUT = "opted_out"


class Announcement(db.Model):
    """A message from the organisers: e-mailed to a segment and/or published on the site."""

    __tablename__ = "announcement"
    __table_args__ = (
        sa.Index("ix_announcement_status_send_at", "status", "send_at"),
        sa.Index("ix_announcement_event_id_published_at", "event_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    # Subject and body in the event's default language; other languages in the _i18n columns.
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    subject_i18n: Mapped[dict[str, str]] = translations_column()
    body_i18n: Mapped[dict[str, str]] = translations_column()
    # The filters as the organiser defined them (confapp.comms.segments), kept as sent.
    segment: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # False: published on the site only, no e-mail.
    email: Mapped[bool] = mapped_column(default=True)
    publish: Mapped[bool] = mapped_column(default=False)
    # "session:<id>" or "visit:<id>": its calendar file is attached.
    attach: Mapped[str] = mapped_column(sa.String(40), default="")
    status: Mapped[AnnouncementStatus] = mapped_column(
        str_enum(AnnouncementStatus), default=AnnouncementStatus.SCHEDULED
    )
    send_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Who sent it, kept as text: the record outlives the account.
    created_by_email: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    # Set when it goes out with publish on: the site shows it from then.
    published_at: Mapped[dt.datetime | None]

    event = relationship("Event", viewonly=True)


class AnnouncementRecipient(db.Model):
    """One person an announcement goes to, and the outbox row that carries it."""

    __tablename__ = "announcement_recipient"
    __log__ = False  # the sending is logged once, not each of hundreds of rows
    __table_args__ = (
        sa.UniqueConstraint("announcement_id", "registration_id"),
        sa.Index("ix_announcement_recipient_status", "status", "announcement_id"),
        # The rate limit counts what left in the last minute.
        sa.Index("ix_announcement_recipient_released_at", "released_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement.id", ondelete="CASCADE")
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    status: Mapped[RecipientStatus] = mapped_column(
        str_enum(RecipientStatus), default=RecipientStatus.PENDING
    )
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    released_at: Mapped[dt.datetime | None]

    outbox: Mapped[OutboxMessage | None] = relationship()


class AnnouncementOptOut(db.Model):
    """A delegate who wants no more announcements for this registration (service
    messages still go)."""

    __tablename__ = "announcement_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AnnouncementDismissal(db.Model):
    """A signed-in person closed the banner of an announcement."""

    __tablename__ = "announcement_dismissal"
    __log__ = False
    __table_args__ = (sa.UniqueConstraint("announcement_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("announcement.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
