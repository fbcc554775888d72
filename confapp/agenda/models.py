"""Agenda: rooms, tracks, programme sessions, people, stars, workshop sign-ups, changes."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from confapp.db import str_enum
from confapp.db import utcnow
from confapp.extensions import db
from confapp.multilingual import register
from confapp.multilingual import translations_column

if TYPE_CHECKING:
    from confapp.capacity.models import CapacityPool
    from confapp.events.models import Event


class SessionKind(enum.StrEnum):
    """What kind of programme item a session is."""

    PLENARY = "plenary"
    PARALLEL = "parallel"
    PANEL = "panel"
    WORKSHOP = "workshop"
    BREAK = "break"
    NETWORKING = "networking"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The kind as a reader names it, in their language (the ``|label`` filter)."""
        return str(_LABELS[type(self), self.value])


class SessionStatus(enum.StrEnum):
    """A cancelled session stays visible, marked as cancelled."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status in the reader's language."""
        return str(_LABELS[type(self), self.value])


class PersonRole(enum.StrEnum):
    """The part a person plays in a session."""

    CHAIR = "chair"
    SPEAKER = "speaker"
    PANELLIST = "panellist"
    MODERATOR = "moderator"

    @property
    def label(self) -> str:
        """The role in the reader's language."""
        return str(_LABELS[type(self), self.value])


class SeatStatus(enum.StrEnum):
    """Status of a sign-up for something with limited seats (workshop, visit)."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The sign-up's status in the reader's language."""
        return str(_LABELS[type(self), self.value])


# What readers see for each value, in their language. Keyed by (enum, value): members of
# two StrEnums with one value are equal as dict keys, yet may read differently.
_LABELS = {
    (SessionKind, "plenary"): _l("Plenary"),
    (SessionKind, "parallel"): _l("Parallel session"),
    (SessionKind, "panel"): _l("Panel"),
    (SessionKind, "workshop"): _l("Workshop"),
    (SessionKind, "break"): _l("Break"),
    (SessionKind, "networking"): _l("Networking"),
    (SessionKind, "other"): _l("Other"),
    (SessionStatus, "scheduled"): _l("Scheduled"),
    (SessionStatus, "cancelled"): _l("Cancelled"),
    (PersonRole, "chair"): _l("Chair"),
    (PersonRole, "speaker"): _l("Speaker"),
    (PersonRole, "panellist"): _l("Panellist"),
    (PersonRole, "moderator"): _l("Moderator"),
    (SeatStatus, "confirmed"): _l("Confirmed"),
    (SeatStatus, "waitlisted"): _l("Waiting list"),
    (SeatStatus, "cancelled"): _l("Cancelled"),
}


class Room(db.Model):
    """A room or hall at the venue."""

    __tablename__ = "room"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    capacity: Mapped[int | None]
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)


class Track(db.Model):
    """A theme running through the programme, with a colour."""

    __tablename__ = "track"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    colour: Mapped[str] = mapped_column(sa.String(7), default="#4a5568")
    name_i18n: Mapped[dict[str, str]] = translations_column()

    # The event, for its default language (confapp.multilingual.tr); a many-to-one lazy load
    # is answered from the identity map when the event is already loaded, as on every page.
    event: Mapped[Event] = relationship(viewonly=True)


class ProgrammeSession(db.Model):
    """A programme item: plenary, parallel session, workshop, break..."""

    __tablename__ = "programme_session"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_programme_session_event_start", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind), default=SessionKind.PARALLEL)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    room_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("room.id", ondelete="SET NULL"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(sa.ForeignKey("track.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    title_i18n: Mapped[dict[str, str]] = translations_column()
    description_i18n: Mapped[dict[str, str]] = translations_column()
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus), default=SessionStatus.SCHEDULED
    )
    # Seat-limited sessions (workshops) have a pool; others do not need sign-up.
    capacity_pool_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("capacity_pool.id"), unique=True
    )
    # iCal SEQUENCE: bumped on every change that matters to a calendar.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    # The event, for its default language (confapp.multilingual.tr); a many-to-one lazy load
    # is answered from the identity map when the event is already loaded, as on every page.
    event: Mapped[Event] = relationship(viewonly=True)

    pool: Mapped[CapacityPool | None] = relationship()
    people: Mapped[list[SessionPerson]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionPerson.position"
    )


class SessionPerson(db.Model):
    """A chair, speaker, panellist or moderator of a session."""

    __tablename__ = "session_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[PersonRole] = mapped_column(str_enum(PersonRole), default=PersonRole.SPEAKER)
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="")
    position: Mapped[int] = mapped_column(default=0)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )

    session: Mapped[ProgrammeSession] = relationship(back_populates="people")


class SessionStar(db.Model):
    """A session a delegate put in their personal agenda."""

    __tablename__ = "session_star"
    __table_args__ = (sa.UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SessionSignup(db.Model):
    """A sign-up for a seat-limited session; waiting list order is by id."""

    __tablename__ = "session_signup"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "registration_id"),
        sa.Index("ix_session_signup_queue", "session_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE")
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SeatStatus] = mapped_column(str_enum(SeatStatus))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProgrammeChange(db.Model):
    """A change made after the programme was published, for the public changes page."""

    __tablename__ = "programme_change"
    __log__ = False  # a log itself: the event log records the edit that wrote it

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="SET NULL")
    )
    # added, moved, retimed, changed, cancelled, reinstated, removed
    kind: Mapped[str] = mapped_column(sa.String(20))
    summary: Mapped[str] = mapped_column(sa.String(500))
    # What the summary says, as data (titles, rooms, ISO times, fields), so the changes
    # page writes it in each reader's language; empty for changes recorded before.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    programme_version: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


register(Track, "name")
register(ProgrammeSession, "title", "description")
