"""Events: one conference each, with its settings and organising partners."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING
from typing import Any
from zoneinfo import ZoneInfo

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
    from confapp.accounts.models import EventRole
    from confapp.capacity.models import CapacityPool


class EventStatus(enum.StrEnum):
    """Draft events are seen by their organisers only."""

    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        """How readers name this value, in their language (the ``|label`` filter)."""
        return str(_EVENT_STATUS_LABELS[self])


_EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
}


class MeetingBookingMode(enum.StrEnum):
    """How accepted meeting requests get a slot and a table."""

    INSTANT = "instant"
    BATCH = "batch"


class ClashPolicy(enum.StrEnum):
    """What happens when a visit sign-up clashes with the delegate's agenda."""

    WARN = "warn"
    REFUSE = "refuse"


class FieldMode(enum.StrEnum):
    """Whether an optional registration question is asked, and must be answered."""

    HIDDEN = "hidden"
    SHOWN = "shown"
    REQUIRED = "required"


class RegistrationCategory(enum.StrEnum):
    """Kinds of registration; the event decides which ones the public may choose."""

    DELEGATE = "delegate"
    SPEAKER = "speaker"
    PRESS = "press"
    SPONSOR = "sponsor"
    ORGANISING_STAFF = "organising_staff"


class Event(db.Model):
    """A conference: dates, venue, time zone, registration rules and capacity."""

    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    tagline: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The same texts in the event's other languages (confapp.multilingual).
    title_i18n: Mapped[dict[str, str]] = translations_column()
    tagline_i18n: Mapped[dict[str, str]] = translations_column()
    description_i18n: Mapped[dict[str, str]] = translations_column()
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    venue_address: Mapped[str] = mapped_column(sa.String(300), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    # Content is written in the default language; the others are offered to delegates (a
    # list of codes among CONFAPP_LANGUAGES; empty: all of them).
    default_language: Mapped[str] = mapped_column(sa.String(10), default="en")
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    registration_opens_at: Mapped[dt.datetime | None]
    registration_closes_at: Mapped[dt.datetime | None]
    # Delegates may edit their details until then (None: until the event starts).
    edit_deadline: Mapped[dt.datetime | None]
    # None means unlimited; the live seat count is kept in capacity_pool.
    capacity: Mapped[int | None]
    requires_approval: Mapped[bool] = mapped_column(default=False)
    # The optional gender question on the registration form (funders' figures, aggregate only).
    gender_field: Mapped[FieldMode] = mapped_column(
        str_enum(FieldMode, 16), default=FieldMode.HIDDEN, server_default=FieldMode.HIDDEN.value
    )
    # Comma-separated RegistrationCategory values the public may pick.
    public_categories: Mapped[str] = mapped_column(sa.String(200), default="delegate")
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus), default=EventStatus.DRAFT)
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # Visa letters: who signs and what the visit is for.
    letter_signatory: Mapped[str] = mapped_column(sa.String(200), default="")
    letter_purpose: Mapped[str] = mapped_column(sa.Text, default="")
    # Passport data of visa requests is erased by a periodic job once this day has passed
    # (None: kept until an organiser runs `confapp purge-passports`).
    passport_data_kept_until: Mapped[dt.date | None]
    # Documents (badges, letters, certificates): the organiser's letterhead and images,
    # stored as file names in the uploads folder (see confapp/documents/branding.py).
    organiser_name: Mapped[str] = mapped_column(sa.String(200), default="")
    organiser_address: Mapped[str] = mapped_column(sa.String(500), default="")
    letter_contact: Mapped[str] = mapped_column(sa.String(300), default="")
    logo_file: Mapped[str | None] = mapped_column(sa.String(100))
    signature_file: Mapped[str | None] = mapped_column(sa.String(100))
    # Shown on the registration form before the delegate submits (Markdown): what is
    # collected, who sees it, how long it is kept. Empty: a default text is shown.
    privacy_notice: Mapped[str] = mapped_column(sa.Text, default="")
    capacity_pool_id: Mapped[int] = mapped_column(sa.ForeignKey("capacity_pool.id"), unique=True)
    # Agenda: set when the programme is first published; version bumps on every change.
    programme_published_at: Mapped[dt.datetime | None]
    programme_version: Mapped[int] = mapped_column(default=0)
    # Networking meetings and visits settings.
    meeting_booking_mode: Mapped[MeetingBookingMode] = mapped_column(
        str_enum(MeetingBookingMode), default=MeetingBookingMode.INSTANT
    )
    max_pending_requests: Mapped[int] = mapped_column(default=20)
    visit_clash_policy: Mapped[ClashPolicy] = mapped_column(
        str_enum(ClashPolicy), default=ClashPolicy.WARN
    )
    visits_per_day_limit: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pool: Mapped[CapacityPool] = relationship()
    partners: Mapped[list[EventPartner]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventPartner.position"
    )
    roles: Mapped[list[EventRole]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    @property
    def tz(self) -> ZoneInfo:
        """The event's IANA time zone."""
        return ZoneInfo(self.timezone)

    @property
    def is_published(self) -> bool:
        """Whether the public can see the event."""
        return self.status is EventStatus.PUBLISHED

    @property
    def public_category_list(self) -> list[RegistrationCategory]:
        """Categories the public registration form offers."""
        return [RegistrationCategory(c) for c in self.public_categories.split(",") if c]

    def visible_to(self, viewer: Any) -> bool:
        """Published events are public; drafts exist only for their staff and admins."""
        if self.is_published:
            return True
        return bool(
            viewer is not None
            and getattr(viewer, "is_authenticated", False)
            and viewer.is_staff(self)
        )

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A UTC datetime shown in the event's zone."""
        return moment.astimezone(self.tz)

    def registration_open(self, now: dt.datetime) -> bool:
        """Whether the registration window is open at `now`."""
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        if self.registration_closes_at and now >= self.registration_closes_at:
            return False
        return True

    def edit_deadline_at(self) -> dt.datetime:
        """When delegates stop being able to edit their registration."""
        if self.edit_deadline:
            return self.edit_deadline
        return dt.datetime.combine(self.starts_on, dt.time(0, 0), tzinfo=self.tz).astimezone(dt.UTC)


class EventPartner(db.Model):
    """An organising partner shown on the event page and the visa letter."""

    __tablename__ = "event_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(100), default="Partner")
    url: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="partners")


register(Event, "title", "tagline", "description")
