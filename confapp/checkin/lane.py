"""The door's fast lane: bearer-token scans answered before Flask's request dispatch.

A door scanner posts one small JSON body per badge, and at a busy entrance nothing else
matters as much. Under Flask, a scan spent more time in the request machinery (request
context, URL matching, the hooks of five extensions, the session cookie) than in judging
and recording the scan. The lane is WSGI middleware in front of the app that answers
exactly `POST /api/v1/events/<slug>/checkins` carrying a bearer token and a small JSON
body, and hands everything else to Flask untouched (the body given back): cookie-
authenticated scans from the scanner page (they need the session and CSRF), other
routes, query strings, bodies that might hold NUL, oversized or chunked bodies.

Nothing about the answer is the lane's own: the decision and its error bodies are
`checkin.api.answer_scan` and the status line, headers (security headers included) and
body are `checkin.api.answer_parts`, both called by the Flask view too, so an answer is
the same byte for byte whichever door it came through (tests/web/test_checkin_lane.py).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from collections.abc import Iterable

from flask import Flask

from confapp.accounts.services import api_token_hash
from confapp.checkin.api import answer_parts
from confapp.checkin.api import answer_scan
from confapp.extensions import db
from confapp.wiring import json_may_hold_nul

# Event slugs are lowercase words joined by hyphens (events.services.SLUG_RE), at most 64.
_PATH = re.compile(r"/api/v1/events/([a-z0-9-]{1,64})/checkins")
# A scan body is about 250 bytes; anything much larger is not a door scanner's.
_MAX_BODY = 4096


class ScanLane:
    """WSGI middleware answering bearer-token check-ins; everything else goes to `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        limit = app.config.get("MAX_CONTENT_LENGTH")
        self.max_body = min(_MAX_BODY, limit) if limit else _MAX_BODY

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Answer a bearer-token scan, or pass the request on."""
        claim = self._claim(environ)
        if claim is None:
            return self.wsgi_app(environ, start_response)
        slug, token, length = claim
        raw = environ["wsgi.input"].read(length)
        if len(raw) != length or json_may_hold_nul(raw):
            # Short bodies and NUL belong to Flask's handling (400s); give the bytes back.
            environ["wsgi.input"] = io.BytesIO(raw)
            return self.wsgi_app(environ, start_response)
        try:
            return self._answer(environ, start_response, slug, token, raw)
        except Exception:  # noqa: BLE001 - Flask answers instead, with its 500 page and hooks
            # Nothing was committed (answer_scan commits last, and a resent scan_id is one
            # scan anyway), so Flask can take the request from the start.
            self.app.logger.exception("Check-in fast lane failed; handing the scan to Flask")
            environ["wsgi.input"] = io.BytesIO(raw)
            return self.wsgi_app(environ, start_response)

    def _claim(self, environ: dict) -> tuple[str, str, int] | None:
        """(slug, bearer token, body length) when the lane should answer, else None."""
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("QUERY_STRING"):
            return None
        match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return None
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if mimetype != "application/json":
            return None
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > self.max_body:
            return None
        return match.group(1), token, int(length)

    def _answer(self, environ: dict, start_response: Callable, slug: str, token: str, raw: bytes):
        with self.app.app_context():
            try:
                body = self.app.json.loads(raw)
            except ValueError:
                body = None  # as request.get_json(silent=True): answered as "send a JSON object"
            answer = answer_scan(
                db.engine, slug, body, token_hash=api_token_hash(token), user_id=None
            )
            status, headers, data = answer_parts(*answer)
        start_response(status, headers)
        return [data]
