"""Flask's signed-cookie sessions, left out of API calls that carry a bearer token.

Such a call is judged by its token alone, never by a cookie that comes along
(`confapp.api.auth`), so its session cookie is neither read and verified nor written back:
the call gets an empty in-memory session that is never saved (no Set-Cookie, no
`Vary: Cookie`). Door scanners post one badge after another with a token; this keeps the
cookie work off their path while they go through Flask's dispatch like every request.
"""

from __future__ import annotations

from flask import Flask
from flask import Request
from flask import Response
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface


class BearerCallSession(SecureCookieSession):
    """The session of a bearer-token API call: usable, never saved."""

    # Read by confapp.i18n (below this package): no cookie user is looked for to choose
    # such a call's language.
    bearer_call = True


def is_bearer_api_call(request: Request) -> bool:
    """Whether the request is an API call carrying `Authorization: Bearer ...`."""
    if not request.path.startswith("/api/"):
        return False
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


class CookieSessions(SecureCookieSessionInterface):
    """Cookie sessions for browsers; an unsaved empty one for bearer-token API calls."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The cookie's session, or a throwaway one for a bearer-token API call."""
        if is_bearer_api_call(request):
            return BearerCallSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        """Write the cookie back, except for bearer-token API calls."""
        if isinstance(session, BearerCallSession):
            return
        super().save_session(app, session, response)
