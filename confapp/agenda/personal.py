"""Other features' items in a delegate's personal agenda and calendar feed.

Meetings and visits live in their own packages; each registers a provider here that
returns the delegate's entries, so the agenda page and the personal feed show them
without the agenda package importing those features.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from confapp.agenda.ical import CalItem
from confapp.events.models import Event
from confapp.registration.models import Registration


@dataclasses.dataclass(frozen=True)
class PersonalEntry:
    """One non-session item of a delegate's agenda (a meeting, a visit...)."""

    kind: str  # "meeting", "visit"
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    url: str
    detail: str
    cal_item: CalItem
    cancelled: bool = False


Provider = Callable[[Event, Registration], list[PersonalEntry]]
_PROVIDERS: dict[str, Provider] = {}


def register_provider(kind: str, provider: Provider) -> None:
    """Add (or replace) the provider of one kind of entry; called at app set-up."""
    _PROVIDERS[kind] = provider


def personal_entries(event: Event, registration: Registration) -> list[PersonalEntry]:
    """All registered features' entries for the delegate, in time order."""
    entries = [e for provider in _PROVIDERS.values() for e in provider(event, registration)]
    return sorted(entries, key=lambda e: (e.starts_at, e.title))
