"""Networking meetings: profiles, tags, slots, tables, requests and bookings."""

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
    from confapp.events.models import Event


class TagSide(enum.StrEnum):
    """Whether a profile offers or looks for a tag."""

    OFFER = "offer"
    SEEK = "seek"


class RequestStatus(enum.StrEnum):
    """Meeting request state machine."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status in the reader's language (the ``|label`` filter)."""
        return str(_REQUEST_STATUS[self.value])


_REQUEST_STATUS = {
    "pending": _l("Pending"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}


class NetworkingTag(db.Model):
    """An organiser-editable topic such as 'technology transfer' or 'finance'."""

    __tablename__ = "networking_tag"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    name_i18n: Mapped[dict[str, str]] = translations_column()

    # The event, for its default language (confapp.multilingual.tr); a many-to-one lazy load
    # is answered from the identity map when the event is already loaded, as on every page.
    event: Mapped[Event] = relationship(viewonly=True)


class NetworkingProfile(db.Model):
    """What a delegate offers and looks for, shown in the directory."""

    __tablename__ = "networking_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    offers: Mapped[str] = mapped_column(sa.Text, default="")
    seeks: Mapped[str] = mapped_column(sa.Text, default="")
    # ISO 639-1 codes, comma separated.
    languages: Mapped[str] = mapped_column(sa.String(100), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tags: Mapped[list[ProfileTag]] = relationship(cascade="all, delete-orphan")


class ProfileTag(db.Model):
    """A tag on a profile, on the offer or the seek side."""

    __tablename__ = "profile_tag"
    __table_args__ = (sa.UniqueConstraint("profile_id", "tag_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("networking_profile.id", ondelete="CASCADE")
    )
    tag_id: Mapped[int] = mapped_column(
        sa.ForeignKey("networking_tag.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[TagSide] = mapped_column(str_enum(TagSide))


class MeetingSlot(db.Model):
    """A time window for one-to-one meetings (e.g. 20 minutes)."""

    __tablename__ = "meeting_slot"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    # How many of the event's tables are in use in this slot (None: all of them).
    table_limit: Mapped[int | None]


class MeetingTable(db.Model):
    """A table or meeting point."""

    __tablename__ = "meeting_table"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(50))
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)


class SlotUnavailability(db.Model):
    """A slot a delegate is not available for (available for all by default)."""

    __tablename__ = "slot_unavailability"
    __table_args__ = (sa.UniqueConstraint("registration_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    slot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting_slot.id", ondelete="CASCADE"), index=True
    )


class MeetingRequest(db.Model):
    """A request from one delegate to meet another."""

    __tablename__ = "meeting_request"
    __table_args__ = (
        sa.CheckConstraint("requester_id <> invitee_id", name="not_self"),
        sa.Index("ix_meeting_request_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    invitee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(sa.String(1000), default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.PENDING
    )
    priority: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[dt.datetime | None]
    # When the invitee was reminded of it (once: `confapp remind-meetings`).
    reminded_at: Mapped[dt.datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )

    meeting: Mapped[Meeting | None] = relationship(back_populates="request", uselist=False)


class Meeting(db.Model):
    """A booked meeting: an accepted request placed in a slot at a table.

    The unique constraints are the no-double-booking rule: one meeting per table per
    slot here, one meeting per person per slot in MeetingAttendee.
    """

    __tablename__ = "meeting"
    __table_args__ = (sa.UniqueConstraint("slot_id", "table_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting_request.id", ondelete="CASCADE"), unique=True
    )
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_slot.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_table.id", ondelete="CASCADE"))
    # Fixed meetings are kept by the batch scheduler.
    fixed: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    request: Mapped[MeetingRequest] = relationship(back_populates="meeting")
    attendees: Mapped[list[MeetingAttendee]] = relationship(cascade="all, delete-orphan")


class MeetingAttendee(db.Model):
    """One of the two people in a booked meeting, pinned to the slot."""

    __tablename__ = "meeting_attendee"
    __table_args__ = (sa.UniqueConstraint("registration_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_slot.id", ondelete="CASCADE"))


class MeetingFeedback(db.Model):
    """After the meeting: did it take place, a rating, is cooperation likely."""

    __tablename__ = "meeting_feedback"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "registration_id"),
        sa.CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_request.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    took_place: Mapped[bool]
    rating: Mapped[int | None]
    cooperation_likely: Mapped[bool | None]
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


register(NetworkingTag, "name")
