"""What the account pages need from registration, which sits above accounts: where a person
starts after signing in, and the registrations their account page lists. Registration gives
both at app set-up (confapp.wiring), so accounts imports none of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

_PROVIDERS: dict[str, Callable[..., Any]] = {}


def provide(
    *,
    landing: Callable[[Any, dt.date], tuple[str, Any] | None],
    registrations_of: Callable[[Any], list],
) -> None:
    """Give the account pages registration's answers; called at app set-up."""
    _PROVIDERS["landing"] = landing
    _PROVIDERS["registrations_of"] = registrations_of


def landing(user: Any, today: dt.date) -> tuple[str, Any] | None:
    """(their role there, the event) where the user starts, or None for the list of events."""
    return _PROVIDERS["landing"](user, today)


def registrations_of(user: Any) -> list:
    """The user's (registration, event) pairs, latest event first."""
    return _PROVIDERS["registrations_of"](user)
