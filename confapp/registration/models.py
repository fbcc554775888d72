"""Registrations: one per person per event, with status and waiting-list order."""

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
from confapp.events.models import RegistrationCategory
from confapp.extensions import db

if TYPE_CHECKING:
    from confapp.accounts.models import User
    from confapp.events.models import Event
    from confapp.visa.models import VisaRequest


class RegistrationStatus(enum.StrEnum):
    """Life cycle of a registration."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """How readers name this value, in their language (the ``|label`` filter)."""
        return str(_REGISTRATION_STATUS_LABELS[self])


_REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Pending approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.REJECTED: _l("Not accepted"),
}


class OrganisationType(enum.StrEnum):
    """Who the delegate represents."""

    POLICY_MAKER = "policy_maker"
    MSME = "msme"
    CLUSTER_ASSOCIATION = "cluster_association"
    FINANCIAL_INSTITUTION = "financial_institution"
    KNOWLEDGE_INSTITUTION = "knowledge_institution"
    IMPLEMENTING_AGENCY = "implementing_agency"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    OTHER = "other"


class Sector(enum.StrEnum):
    """Broad economic sector."""

    INDUSTRY = "industry"
    AGRICULTURE = "agriculture"
    SERVICES = "services"


class Gender(enum.StrEnum):
    """The optional gender question's answers (reported in aggregate only)."""

    WOMAN = "woman"
    MAN = "man"
    ANOTHER_TERM = "another_term"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class RegistrationSource(enum.StrEnum):
    """How the registration came in."""

    WEB = "web"
    IMPORT = "import"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        """How readers name this value, in their language (the ``|label`` filter)."""
        return str(_REGISTRATION_SOURCE_LABELS[self])


_REGISTRATION_SOURCE_LABELS = {
    RegistrationSource.WEB: _l("Online form"),
    RegistrationSource.IMPORT: _l("CSV import"),
    RegistrationSource.MANUAL: _l("Added by the organisers"),
}


class Registration(db.Model):
    """A person's place at an event (confirmed, on the waiting list, ...)."""

    __tablename__ = "registration"
    __table_args__ = (
        # One registration per person per event.
        sa.UniqueConstraint("event_id", "user_id"),
        sa.Index("ix_registration_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    category: Mapped[RegistrationCategory] = mapped_column(
        str_enum(RegistrationCategory), default=RegistrationCategory.DELEGATE
    )
    source: Mapped[RegistrationSource] = mapped_column(
        str_enum(RegistrationSource), default=RegistrationSource.WEB
    )
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # The name in Latin letters when full_name is in another script (badges, scanner, lists).
    name_latin: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation_type: Mapped[OrganisationType] = mapped_column(
        str_enum(OrganisationType, 32), default=OrganisationType.OTHER
    )
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector), default=Sector.INDUSTRY)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    interests: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    dietary: Mapped[str] = mapped_column(sa.String(300), default="")
    accessibility: Mapped[str] = mapped_column(sa.String(300), default="")
    needs_visa_letter: Mapped[bool] = mapped_column(default=False)
    # Optional (the event's gender_field setting); None: not asked or not answered.
    gender: Mapped[Gender | None] = mapped_column(str_enum(Gender, 24))
    directory_opt_in: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the current status was reached (confirmation, promotion, cancellation...).
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Organisers' internal note on the registration (never shown to the delegate).
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Secret for the personal iCal feed URL; reset by the delegate at will.
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Badges: bumped when a badge is re-issued so old QR codes are revoked.
    badge_serial: Mapped[int] = mapped_column(default=1)
    badge_printed_at: Mapped[dt.datetime | None]

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    visa_request: Mapped[VisaRequest | None] = relationship(
        back_populates="registration", cascade="all, delete-orphan", uselist=False
    )

    @property
    def holds_seat(self) -> bool:
        """Whether the registration counts against the event's capacity."""
        return self.status is RegistrationStatus.CONFIRMED
