"""Visa invitation letters: passport data, seen by organisers only, purgeable."""

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

if TYPE_CHECKING:
    from confapp.registration.models import Registration


class VisaStatus(enum.StrEnum):
    """Where a visa letter request stands."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """How readers name this value, in their language (the ``|label`` filter)."""
        return str(_VISA_STATUS_LABELS[self])


_VISA_STATUS_LABELS = {
    VisaStatus.REQUESTED: _l("Awaiting decision"),
    VisaStatus.APPROVED: _l("Approved"),
    VisaStatus.REJECTED: _l("Not approved"),
}


class VisaRequest(db.Model):
    """A delegate's request for an invitation letter."""

    __tablename__ = "visa_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    # Passport fields become NULL when purged after the event.
    passport_name: Mapped[str | None] = mapped_column(sa.String(200))
    passport_number: Mapped[str | None] = mapped_column(sa.String(40))
    nationality: Mapped[str | None] = mapped_column(sa.String(2))
    date_of_birth: Mapped[dt.date | None]
    # What embassies ask besides the number: when and where the passport was issued and
    # until when it is valid (NULL on requests made before they were asked, and once purged).
    passport_issued_on: Mapped[dt.date | None]
    passport_expires_on: Mapped[dt.date | None]
    passport_issue_place: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[VisaStatus] = mapped_column(str_enum(VisaStatus), default=VisaStatus.REQUESTED)
    # Number printed on the letter, e.g. "CDC-2027-0042".
    reference: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    purged_at: Mapped[dt.datetime | None]

    registration: Mapped[Registration] = relationship(back_populates="visa_request")
