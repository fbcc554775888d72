"""Cluster visits: the trip, its buses and the delegates signed up."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from confapp.agenda.models import SeatStatus
from confapp.db import str_enum
from confapp.db import utcnow
from confapp.extensions import db
from confapp.multilingual import register
from confapp.multilingual import translations_column

if TYPE_CHECKING:
    from confapp.capacity.models import CapacityPool
    from confapp.events.models import Event


class VisitStatus(enum.StrEnum):
    """Whether delegates can sign up."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status in the reader's language (the ``|label`` filter)."""
        return str(STATUS_LABELS[self.value])


# Lazy: form choices are built at import and read when a page renders.
STATUS_LABELS = {
    "open": _l("Open"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}


class Visit(db.Model):
    """A day trip to an industrial or artisanal cluster."""

    __tablename__ = "visit"
    __table_args__ = (
        sa.CheckConstraint("returns_at > departs_at", name="returns_after_departure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    cluster_name: Mapped[str] = mapped_column(sa.String(200), default="")
    cluster_sector: Mapped[str] = mapped_column(sa.String(100), default="")
    cluster_location: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    departs_at: Mapped[dt.datetime]
    returns_at: Mapped[dt.datetime]
    meeting_point: Mapped[str] = mapped_column(sa.String(200), default="")
    # None: capacity is the sum of the buses' seats.
    capacity_cap: Mapped[int | None]
    capacity_pool_id: Mapped[int] = mapped_column(sa.ForeignKey("capacity_pool.id"), unique=True)
    signup_opens_at: Mapped[dt.datetime | None]
    signup_closes_at: Mapped[dt.datetime | None]
    requirements: Mapped[str] = mapped_column(sa.Text, default="")
    requires_id_number: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VisitStatus] = mapped_column(str_enum(VisitStatus), default=VisitStatus.OPEN)
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    title_i18n: Mapped[dict[str, str]] = translations_column()
    description_i18n: Mapped[dict[str, str]] = translations_column()
    requirements_i18n: Mapped[dict[str, str]] = translations_column()

    pool: Mapped[CapacityPool] = relationship()
    # The event, for its default language (confapp.multilingual.tr); a many-to-one lazy load
    # is answered from the identity map when the event is already loaded, as on every page.
    event: Mapped[Event] = relationship(viewonly=True)
    buses: Mapped[list[Bus]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Bus.position"
    )


class Bus(db.Model):
    """A bus (or van) of a visit, with its seats."""

    __tablename__ = "bus"
    __table_args__ = (sa.CheckConstraint("seats > 0", name="seats_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    seats: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)

    visit: Mapped[Visit] = relationship(back_populates="buses")


class VisitSignup(db.Model):
    """A delegate's seat (or waiting-list place) on a visit; queue order is by id."""

    __tablename__ = "visit_signup"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "registration_id"),
        sa.Index("ix_visit_signup_queue", "visit_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SeatStatus] = mapped_column(str_enum(SeatStatus))
    bus_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bus.id", ondelete="SET NULL"))
    # Delegates who want to travel together share a code.
    group_code: Mapped[str] = mapped_column(sa.String(40), default="")
    id_number: Mapped[str] = mapped_column(sa.String(60), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


register(Visit, "title", "description", "requirements")
