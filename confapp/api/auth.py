"""Who is calling the API: a bearer token, else the signed-in session user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask_login import current_user

from confapp.accounts.models import User
from confapp.accounts.services import api_token_hash
from confapp.accounts.services import user_for_api_token
from confapp.api.problems import BEARER_CHALLENGE
from confapp.api.problems import UNAUTHORISED
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import csrf
from confapp.extensions import db

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NOT_FOUND = object()


def json_error(status: int, error: str, message: str, **headers: str):
    """Abort with a JSON body {"error": ..., "message": ...}."""
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    response.headers.update(headers)
    abort(response)


def current_api_user() -> User | None:
    """The caller: the owner of a valid `Authorization: Bearer` token, else the session user.

    A request that sends a bearer token is judged by that token alone, never by a
    session cookie that happens to come along.
    """
    cached = g.get("_api_user", _NOT_FOUND)
    if cached is not _NOT_FOUND:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    user: User | None
    if scheme.lower() == "bearer":
        user = user_for_api_token(raw.strip(), utcnow())
        g._api_via_token = True
        if user is not None and db.session.dirty:
            # Persist last_used_at now: read-only endpoints never commit.
            db.session.commit()
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
        g._api_via_token = False
    else:
        user = None
    g._api_user = user
    return user


def api_credentials_refused():
    """Answer 401 with the Bearer challenge."""
    json_error(*UNAUTHORISED, **BEARER_CHALLENGE)


def _protect_session_write() -> None:
    if request.method not in _SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        # Cookies ride along with cross-site requests; session writes need the CSRF token.
        csrf.protect()


def _need_user() -> User:
    user = current_api_user()
    if user is None:
        api_credentials_refused()
    if not g.get("_api_via_token"):
        _protect_session_write()
    return user


def api_credentials() -> tuple[str | None, int | None]:
    """Who claims to call, without loading them: (token hash, None) for a bearer token,
    (None, user id) for a signed-in session (whose writes must carry the CSRF token).

    For hot paths that check the caller in the same query as their own reads; answers
    401 when neither is sent.
    """
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        if not raw.strip():
            api_credentials_refused()
        return api_token_hash(raw.strip()), None
    if not current_user.is_authenticated:
        api_credentials_refused()
    _protect_session_write()
    return None, current_user.id


def api_caller() -> User:
    """The caller of a protected endpoint: 401 (JSON, Bearer challenge) without one; a
    session caller's writes must carry the CSRF token."""
    return _need_user()


def api_login_required(view: Callable) -> Callable:
    """Decorator: any authenticated caller; the view gets `user=`."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return view(*args, user=_need_user(), **kwargs)

    return wrapped


def event_role_required(organiser: bool = False) -> Callable[[Callable], Callable]:
    """Decorator for `/events/<slug>/...` endpoints of staff (or only organisers).

    Answers 401 without valid credentials, 404 for an unknown event and 403 for
    callers without the role; the view gets `event=` and `user=` besides `slug`.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, slug: str, **kwargs: Any) -> Any:
            user = _need_user()
            event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
            if event is None:
                json_error(404, "not_found", f"No event with the slug {slug!r}.")
            allowed = user.is_organiser(event) if organiser else user.is_staff(event)
            if not allowed:
                needed = "an organiser" if organiser else "staff or an organiser"
                json_error(403, "forbidden", f"Only {needed} of this event may do this.")
            return view(*args, slug=slug, event=event, user=user, **kwargs)

        return wrapped

    return decorator


staff_required = event_role_required(organiser=False)
organiser_required = event_role_required(organiser=True)
