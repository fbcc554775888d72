"""Check-in: every scan received, and one attendance row per person per checkpoint."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from confapp.db import str_enum
from confapp.db import utcnow
from confapp.extensions import db


class ScanResult(enum.StrEnum):
    """Answer given to a scanner (the API contract)."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - a result code, not a secret
    REVOKED = "revoked"
    NOT_REGISTERED = "not_registered"
    CANCELLED = "cancelled"
    WRONG_EVENT = "wrong_event"
    NOT_SIGNED_UP = "not_signed_up"


# Areas scanned at all day long; a scan there is judged like the entrance but never a repeat.
MEETINGS_AREA = "meetings"
AREAS = (MEETINGS_AREA,)


class Scan(db.Model):
    """A badge scan as received; the scanner's scan_id makes a resend the same scan."""

    __tablename__ = "scan"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "scan_id"),
        # Partial: only scans at an area are in it, so door scans write no page of it. It
        # answers "was this person at the meetings area during this slot?" for analytics
        # (a booked meeting held by scans) in one seek instead of reading all their scans.
        sa.Index(
            "ix_scan_area_visits",
            "registration_id",
            "scanned_at",
            sqlite_where=sa.text("area IS NOT NULL"),
            postgresql_where=sa.text("area IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    scan_id: Mapped[str] = mapped_column(sa.String(64))
    # "entrance", "session:<id>", "visit:<id>" or "area:<area>"
    checkpoint: Mapped[str] = mapped_column(sa.String(40))
    # An area scanned at all day (AREAS: "meetings", the networking meetings area), else
    # None. Its scans make no Attendance row: each accepted one is a visit to the area, and
    # analytics count a booked meeting held when both people were scanned there in its slot.
    area: Mapped[str | None] = mapped_column(sa.String(20))
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="SET NULL")
    )
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visit.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    result: Mapped[ScanResult] = mapped_column(str_enum(ScanResult))
    scanned_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    scanner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Attendance(db.Model):
    """A person checked in at a checkpoint; unique so two scanners record one check-in.

    Written at every door, read by reports: two indexes only. The unique one answers
    "is this person in here?" and per-delegate lists; (event_id, checkpoint) answers
    every report, which filters by event first. session_id and visit_id are not indexed:
    each index is another page written by every check-in (about 10% of the door's
    throughput on SQLite, bench/checkin.py), and the only query they would serve is the
    cascade when a session or visit is deleted, which is rare.
    """

    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "checkpoint"),
        sa.Index("ix_attendance_event_id_checkpoint", "event_id", "checkpoint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    checkpoint: Mapped[str] = mapped_column(sa.String(40))
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE")
    )
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"))
    first_scan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("scan.id", ondelete="SET NULL"))
    first_scanned_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Certificate(db.Model):
    """A certificate of participation as issued: its public number and the name and
    organisation it printed. Re-issuing replaces it: the old number then reads "replaced"
    on the verification page, and the partial unique index keeps one current certificate
    per registration even when two requests issue at once."""

    __tablename__ = "certificate"
    __table_args__ = (
        sa.Index(
            "uq_certificate_current",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random (60 bits, Crockford base32): printed, typed and put in URLs; never guessable.
    number: Mapped[str] = mapped_column(sa.String(16), unique=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    full_name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_at: Mapped[dt.datetime]
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    replaced_at: Mapped[dt.datetime | None]
