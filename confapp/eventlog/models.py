"""Event log entries and the objects each one touched."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from confapp.db import utcnow
from confapp.extensions import db


class EventLogEntry(db.Model):
    """One state-changing action: who (and in which role), when, what, and the changes."""

    __tablename__ = "event_log_entry"
    __table_args__ = (sa.Index("ix_event_log_entry_event_at", "event_id", "at"),)
    __log__ = False  # the log does not log itself

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL for site-level actions (an administrator creating an event, an account change).
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Kept as written at the time: the log must still read right if the account changes.
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    actor_role: Mapped[str] = mapped_column(sa.String(20), default="")
    # The action: the route's endpoint ("registration.manage_bulk") plus what it did.
    kind: Mapped[str] = mapped_column(sa.String(80), index=True)
    detail: Mapped[str] = mapped_column(sa.String(200), default="")
    via: Mapped[str] = mapped_column(sa.String(10), default="web")
    subject_type: Mapped[str | None] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    subject_label: Mapped[str] = mapped_column(sa.String(200), default="")
    # [{"type", "id", "label", "op": create|update|delete, "fields": {name: [old, new]}}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    targets: Mapped[list[EventLogTarget]] = relationship(
        back_populates="entry", cascade="all, delete-orphan"
    )


class EventLogTarget(db.Model):
    """An object an entry touched, so each object's page can show its own history."""

    __tablename__ = "event_log_target"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "object_type", "object_id"),
        sa.Index("ix_event_log_target_object", "object_type", "object_id"),
    )
    __log__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("event_log_entry.id", ondelete="CASCADE"))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]

    entry: Mapped[EventLogEntry] = relationship(back_populates="targets")
