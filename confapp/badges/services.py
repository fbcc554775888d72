"""Badges: which registrations get one, what is printed, and marking them printed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Mapping

import sqlalchemy as sa

from confapp.badges.render import LAYOUTS
from confapp.badges.render import BadgeData
from confapp.badges.render import build_badges
from confapp.checkin.services import badge_token
from confapp.countries import country_name
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.pdf import font_set
from confapp.registration.choices import CATEGORY_LABELS
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus


def badge_data(registration: Registration, event: Event) -> BadgeData:
    """What the registration's badge shows."""
    return BadgeData(
        token=badge_token(registration),
        full_name=registration.full_name,
        organisation=registration.organisation,
        country_name=country_name(registration.country),
        category=registration.category.value,
        category_label=CATEGORY_LABELS.get(registration.category, registration.category.value),
        event_title=event.title,
    )


def has_badge(registration: Registration) -> bool:
    """Only confirmed registrations get a badge."""
    return registration.status is RegistrationStatus.CONFIRMED


def badge_registrations(
    event: Event, *, category: str | None = None, new_only: bool = False
) -> list[Registration]:
    """Confirmed registrations to print, by name; new_only: never printed since (re-)issue."""
    query = sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
    )
    if category:
        try:
            query = query.where(Registration.category == RegistrationCategory(category))
        except ValueError as exc:
            raise ValidationFailed(f"Unknown category {category!r}.", field="category") from exc
    if new_only:
        query = query.where(Registration.badge_printed_at.is_(None))
    return list(db.session.scalars(query.order_by(Registration.full_name, Registration.id)))


def render(
    event: Event,
    registrations: list[Registration],
    *,
    layout: str,
    config: Mapping,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The print-ready PDF of these registrations' badges."""
    if layout not in LAYOUTS:
        raise ValidationFailed(f"Unknown layout {layout!r}.", field="layout")
    badges = [badge_data(r, event) for r in registrations]
    return build_badges(
        badges,
        layout=layout,
        fonts=font_set(config).for_texts(text for b in badges for text in b.texts()),
        title=f"Badges · {event.title}",
        progress=progress,
    )


def mark_printed(registrations: list[Registration], now: dt.datetime) -> None:
    """Record that these badges were printed (for "new since last print")."""
    ids = [r.id for r in registrations]
    if ids:
        db.session.execute(
            sa.update(Registration).where(Registration.id.in_(ids)).values(badge_printed_at=now),
            execution_options={"synchronize_session": False},
        )
        for registration in registrations:
            registration.badge_printed_at = now
    db.session.flush()
