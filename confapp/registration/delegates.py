"""Delegates' accounts seen from registration: the account made when someone registers or
is registered by organisers, their registrations, where they land after signing in.
Flush only; the caller commits."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.accounts import services as accounts
from confapp.accounts import team
from confapp.accounts.models import User
from confapp.accounts.services import normalise_email
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.details import ACTIVE_STATUSES
from confapp.registration.models import Registration


def create_delegate_account(email: str, full_name: str, password: str) -> User:
    """Create the account of a visitor registering; refuse an address already in use."""
    try:
        return accounts.create_user(email, full_name, password)
    except DomainError as exc:
        if exc.code == "account_exists":
            raise ValidationFailed(
                _("An account with this e-mail address already exists. Please sign in first."),
                field="email",
                code="account_exists",
            ) from exc
        raise


def find_or_create_user(email: str, full_name: str) -> tuple[User, bool]:
    """The account for a registration organisers make for an address; (user, created).

    New: created without a password (the e-mail's "choose your password" link proves the
    address). Existing but unconfirmed: it may have been made by someone else with this
    address, so it stays closed until the address is confirmed (the e-mail carries the
    link) and nothing made for the address's owner is seen before.
    """
    user = accounts.find_user_by_email(normalise_email(email))
    if user is None:
        return accounts.create_user(email, full_name), True
    accounts.lock_until_verified(user)
    return user, False


def registrations_of(user: User) -> list[tuple[Registration, Event]]:
    """The user's (registration, event) pairs, latest event first (their account page)."""
    return list(
        db.session.execute(
            sa.select(Registration, Event)
            .join(Event, Registration.event_id == Event.id)
            .where(Registration.user_id == user.id)
            .order_by(Event.starts_on.desc())
        ).all()
    )


def landing(user: User, today: dt.date) -> tuple[str, Event] | None:
    """Where someone goes after signing in: (their role there, the event), or None for the
    list of events.

    The soonest upcoming event they hold a role in (organiser or staff); else their one
    upcoming active registration (with several, the events list lets them choose).
    """
    for event, role in team.events_with_roles(user):
        if event.ends_on >= today:
            return role.value, event
    upcoming = [
        event
        for reg, event in registrations_of(user)
        if reg.status in ACTIVE_STATUSES and event.ends_on >= today and event.is_published
    ]
    return ("delegate", upcoming[0]) if len(upcoming) == 1 else None
