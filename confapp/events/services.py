"""Event operations: create, update settings, publish, partners, roles. Flush only."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import abort

from confapp.accounts.models import EventRole
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.capacity import services as capacity_service
from confapp.countries import is_country
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.events.models import EventPartner
from confapp.events.models import EventStatus
from confapp.events.models import RegistrationCategory
from confapp.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def validate_event_fields(
    *,
    slug: str,
    timezone: str,
    starts_on: dt.date,
    ends_on: dt.date,
    country: str = "",
    registration_opens_at: dt.datetime | None = None,
    registration_closes_at: dt.datetime | None = None,
    capacity: int | None = None,
    public_categories: str = "delegate",
    exclude_id: int | None = None,
) -> None:
    """Check the rules a form alone cannot; raise ValidationFailed naming the field."""
    if not SLUG_RE.match(slug or "") or len(slug) > 64:
        raise ValidationFailed("Use lower-case letters, digits and hyphens.", field="slug")
    clash = db.session.scalar(sa.select(Event.id).where(Event.slug == slug))
    if clash is not None and clash != exclude_id:
        raise ValidationFailed("Another event already uses this address.", field="slug")
    if timezone not in available_timezones():
        raise ValidationFailed("Unknown time zone; use an IANA name such as Asia/Kolkata.", field="timezone")
    if ends_on < starts_on:
        raise ValidationFailed("The event cannot end before it starts.", field="ends_on")
    if country and not is_country(country):
        raise ValidationFailed("Unknown country code.", field="country")
    if registration_opens_at and registration_closes_at and registration_closes_at <= registration_opens_at:
        raise ValidationFailed("Registration must close after it opens.", field="registration_closes_at")
    if capacity is not None and capacity < 0:
        raise ValidationFailed("Capacity cannot be negative.", field="capacity")
    for category in filter(None, public_categories.split(",")):
        if category not in RegistrationCategory._value2member_map_:
            raise ValidationFailed(f"Unknown category {category!r}.", field="public_categories")


def create_event(
    *,
    slug: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    timezone: str = "UTC",
    capacity: int | None = None,
    partners: list[tuple[str, str]] | None = None,
    **fields,
) -> Event:
    """Create a draft event (and its capacity pool) after validating it."""
    validate_event_fields(
        slug=slug,
        timezone=timezone,
        starts_on=starts_on,
        ends_on=ends_on,
        country=fields.get("country", ""),
        registration_opens_at=fields.get("registration_opens_at"),
        registration_closes_at=fields.get("registration_closes_at"),
        capacity=capacity,
        public_categories=fields.get("public_categories", "delegate"),
    )
    pool = capacity_service.new_pool(capacity)
    event = Event(
        slug=slug,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        timezone=timezone,
        capacity=capacity,
        pool=pool,
        **fields,
    )
    for position, (name, role) in enumerate(partners or []):
        event.partners.append(EventPartner(name=name, role=role, position=position))
    db.session.add(event)
    db.session.flush()
    return event


def publish(event: Event) -> None:
    """Make the event visible to the public."""
    event.status = EventStatus.PUBLISHED
    db.session.flush()


def unpublish(event: Event) -> None:
    """Hide the event from the public again."""
    event.status = EventStatus.DRAFT
    db.session.flush()


def grant_role(user: User, event: Event, role: EventRoleKind) -> EventRole:
    """Give a user a role for the event (idempotent)."""
    existing = db.session.scalar(
        sa.select(EventRole).where(
            EventRole.user_id == user.id, EventRole.event_id == event.id, EventRole.role == role
        )
    )
    if existing:
        return existing
    grant = EventRole(user=user, event=event, role=role)
    db.session.add(grant)
    db.session.flush()
    return grant


def get_event_or_404(slug: str, viewer: User | None) -> Event:
    """The event with this slug; drafts exist only for their organisers and admins."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    if not event.is_published:
        if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_staff(event):
            abort(404)
    return event


def list_published_events() -> list[Event]:
    """Published events, soonest first."""
    return list(
        db.session.scalars(
            sa.select(Event).where(Event.status == EventStatus.PUBLISHED).order_by(Event.starts_on)
        )
    )
