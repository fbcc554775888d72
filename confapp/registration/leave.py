"""What happens elsewhere when a registration ends (cancelled or rejected).

Features that hold something for a registration — workshop seats, bus seats, networking
meetings — register a handler here at app set-up, so the registration service releases
them all without importing those features (which import it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from confapp.registration.models import Registration

# Called as handler(registration, now=now); each releases what its feature holds.
LeaveHandler = Callable[..., object]
# Called as describe(registration, now=now) -> sentences: what leaving would give up, for the
# confirmation page shown before a registration is cancelled or rejected.
Describer = Callable[..., list[str]]
_HANDLERS: dict[str, LeaveHandler] = {}
_DESCRIBERS: dict[str, Describer] = {}


def on_leave(name: str, handler: LeaveHandler, describe: Describer | None = None) -> None:
    """Register (or replace) the handler of one feature; called at app set-up."""
    _HANDLERS[name] = handler
    if describe is not None:
        _DESCRIBERS[name] = describe
    else:
        _DESCRIBERS.pop(name, None)


def describe_everything(registration: Registration, now: dt.datetime) -> list[str]:
    """What every feature would release if the registration ended now, in sentences."""
    return [line for describe in _DESCRIBERS.values() for line in describe(registration, now=now)]


def release_everything(registration: Registration, now: dt.datetime) -> None:
    """Run every feature's handler for a registration that ends, in registration order."""
    for handler in _HANDLERS.values():
        handler(registration, now=now)


def handler_names() -> list[str]:
    """The features that release something when a registration ends (for tests)."""
    return list(_HANDLERS)
