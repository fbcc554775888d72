"""Web authorisation helpers and safe redirects (signed tokens: confapp.signing)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from confapp.api.auth import api_caller
from confapp.api.auth import json_error
from confapp.events.models import Event
from confapp.extensions import db
from confapp.signing import sign  # noqa: F401 - re-exported for older imports
from confapp.signing import unsign  # noqa: F401


def safe_next_url(target: str | None, fallback: str) -> str:
    """Return `target` only if it is a local path on this site, else `fallback`.

    Rejects absolute URLs, scheme-relative `//host` and the `/\\host` and `///host`
    forms that browsers resolve to another host.
    """
    if not target:
        return fallback
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return fallback
    return target


def require_organiser(event: Event) -> None:
    """Abort with 403 (or the login redirect) unless the user organises the event."""
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.is_organiser(event):
        abort(403)


def organiser_event(slug: str) -> Event:
    """The event of an organiser page: 404 if unknown, sign-in or 403 unless organiser.

    For views not yet on confapp.web.lifecycle (``@event_view(Access.ORGANISER)``)."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None or not event.visible_to(current_user):
        abort(404)
    require_organiser(event)
    return event


def require_staff(event: Event) -> None:
    """Abort unless the user is staff, organiser of the event, or an administrator."""
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.is_staff(event):
        abort(403)


def admin_required(view: Callable) -> Callable:
    """Decorator: only site administrators."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            abort(401)
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def wants_json() -> bool:
    """Whether the client prefers a JSON answer (API clients)."""
    return request.path.startswith("/api/")


def event_role_required(organiser: bool = False) -> Callable[[Callable], Callable]:
    """Decorator for `/events/<slug>/...` endpoints of staff (or only organisers).

    Answers 401 without valid credentials, 404 for an unknown event and 403 for
    callers without the role; the view gets `event=` and `user=` besides `slug`.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, slug: str, **kwargs: Any) -> Any:
            user = api_caller()
            event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
            if event is None:
                json_error(404, "not_found", _("No event with the slug %(slug)r.", slug=slug))
            allowed = user.is_organiser(event) if organiser else user.is_staff(event)
            if not allowed:
                json_error(
                    403,
                    "forbidden",
                    _("Only an organiser of this event may do this.")
                    if organiser
                    else _("Only staff or an organiser of this event may do this."),
                )
            return view(*args, slug=slug, event=event, user=user, **kwargs)

        return wrapped

    return decorator


staff_required = event_role_required(organiser=False)
organiser_required = event_role_required(organiser=True)
