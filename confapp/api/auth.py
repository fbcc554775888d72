"""Who is calling the API: a bearer token, else the signed-in session user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from confapp.api.problems import BEARER_CHALLENGE
from confapp.api.problems import UNAUTHORISED
from confapp.db import utcnow
from confapp.extensions import csrf
from confapp.extensions import db
from confapp.signing import api_token_hash

if TYPE_CHECKING:
    from confapp.accounts.models import User

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NOT_FOUND = object()
# Who owns a bearer token is accounts' to say, given by the app's wiring at start-up (as
# Flask-Login is given its user_loader): the API's plumbing imports no feature.
_LOADERS: dict[str, Callable[..., Any]] = {}


def use_token_loader(loader: Callable[[str, Any], Any]) -> None:
    """Set how a bearer token names its user: ``loader(raw_token, now)``, the active owner of
    an unrevoked token or None (accounts' user_for_api_token)."""
    _LOADERS["token"] = loader


def json_error(status: int, error: str, message: str, **headers: str):
    """Abort with a JSON body {"error": ..., "message": ...}: the code a stable English
    identifier, the message in the caller's language (Accept-Language or ?lang=)."""
    response = jsonify({"error": error, "message": str(message)})
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
        user = _LOADERS["token"](raw.strip(), utcnow())
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
    status, error, message = UNAUTHORISED
    json_error(status, error, _(message), **BEARER_CHALLENGE)


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
