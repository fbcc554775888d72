"""The one way a badge scan is judged and recorded, whoever calls: the API view (door and
bus scanners with a bearer token, the scanner page with its session) and the tests.

It never commits: the API view passes its commit as `finish`, which runs inside the SQLite
writers' turn the writes took (`confapp.db.write_turn`); an error answer commits nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.accounts.services import api_token_use_is_stale
from confapp.accounts.services import touch_api_token
from confapp.api.problems import BEARER_CHALLENGE
from confapp.api.problems import UNAUTHORISED
from confapp.checkin import services
from confapp.checkin.models import AREAS
from confapp.checkin.models import ScanResult
from confapp.db import MAX_ID
from confapp.db import write_turn
from confapp.errors import DomainError
from confapp.extensions import db


def _scan_problem(body) -> tuple[int, str] | None:
    """Why a check-in body is unusable (status, message), or None."""
    if not isinstance(body, dict):
        return 400, _("Send a JSON object: token, session_id, visit_id, scan_id, scanned_at.")
    for name in ("token", "scan_id"):
        if not isinstance(body.get(name), str) or not body[name]:
            return 422, _("%(name)s is required and must be a non-empty string.", name=name)
    for name in ("session_id", "visit_id"):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID
        ):
            return 422, _(
                "%(name)s must be a positive integer (at most %(max)d) or null.",
                name=name,
                max=MAX_ID,
            )
    if body.get("session_id") is not None and body.get("visit_id") is not None:
        return 422, _("Send session_id or visit_id, not both.")
    area = body.get("area")
    if area is not None:
        if not isinstance(area, str) or area not in AREAS:
            return 422, _(
                "area must be one of %(areas)s, or null.",
                areas=", ".join(f'"{name}"' for name in AREAS),
            )
        if body.get("session_id") is not None or body.get("visit_id") is not None:
            return 422, _("Send area alone: a scan at an area has no session_id or visit_id.")
    bus_id = body.get("bus_id")
    if bus_id is not None:
        if isinstance(bus_id, bool) or not isinstance(bus_id, int) or not 0 < bus_id <= MAX_ID:
            return 422, _(
                "%(name)s must be a positive integer (at most %(max)d) or null.",
                name="bus_id",
                max=MAX_ID,
            )
        if body.get("visit_id") is None:
            return 422, _("bus_id needs the visit_id of its visit.")
    return None


def _id(body, name: str) -> int | None:
    value = body.get(name) if isinstance(body, dict) else None
    # Larger numbers cannot be ids (INTEGER columns) and would make the query fail.
    return (
        value
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
        else None
    )


class ScanRefused(Exception):
    """A scan request answered with an error instead of a verdict."""

    def __init__(self, status: int, error: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.answer = (status, {"error": error, "message": message}, headers)
        self.status = status


def scan(
    conn: sa.Connection,
    slug: str,
    body,
    *,
    token_hash: str | None = None,
    user_id: int | None = None,
    now: dt.datetime,
    finish: Callable[[], None] | None = None,
) -> ScanAnswer:
    """Judge and record one scan sent to event `slug` by the owner of the API token whose
    hash is `token_hash`, or by the signed-in user `user_id`; raises ScanRefused.

    The caller, their role, the event, the checkpoint and the badge's registration come
    from one query (prebuilt statements), then the scan and any check-in are written with
    Core statements. `finish` runs right after the writes, inside the SQLite writers' turn:
    the API view commits there; tests leave it out and stay in their session's transaction.
    """
    request = _admissible_scan(conn, slug, body, token_hash=token_hash, user_id=user_id, now=now)
    with write_turn(conn):
        try:
            outcome = _record(conn, request)
        except services.ScanIdConflict as exc:
            raise ScanRefused(409, exc.code, exc.message) from exc
        if finish is not None:
            finish()
    boarding = {}
    if request.checkpoint.visit_id is not None:
        # Bus boarding: which bus the person belongs on, or which visit they are on.
        boarding = services.boarding_json(
            conn, request.context.event_id, request.checkpoint.visit_id, outcome, request.bus_id
        )
    next_meeting = None
    if request.checkpoint.area is not None and outcome.result == ScanResult.OK:
        # At the meetings area: where and with whom the person meets next.
        next_meeting = services.next_meeting_json(
            conn, request.context.event_id, outcome.registration.id, request.scanned_at
        )
    return ScanAnswer(outcome, boarding, next_meeting)


class ScanAnswer(NamedTuple):
    """The verdict on a recorded scan, the bus facts of a visit scan and the next meeting
    of a meetings-area scan."""

    outcome: services.CheckinOutcome
    boarding: dict
    next_meeting: dict | None = None

    def json(self) -> dict:
        """The API body."""
        body = services.outcome_json(self.outcome) | self.boarding
        if self.outcome.checkpoint.startswith("area:") and body["delegate"] is not None:
            body["delegate"]["next_meeting"] = self.next_meeting
        return body


def check_in(
    event,
    *,
    token: str,
    checkpoint: services.Checkpoint,
    scan_id: str,
    scanned_at: dt.datetime,
    actor,
    now: dt.datetime,
) -> services.CheckinOutcome:
    """`scan()` as a staff member's scan through the session's connection (flushes only):
    the same path as the API's, for tests and server-side code that hold objects."""
    body = {
        "token": token,
        "session_id": checkpoint.session_id,
        "visit_id": checkpoint.visit_id,
        "area": checkpoint.area,
        "scan_id": scan_id,
        "scanned_at": scanned_at.isoformat(),
    }
    conn = db.session.connection()
    return scan(conn, event.slug, body, user_id=actor.id, now=now).outcome


class _ScanRequest(NamedTuple):
    context: services.ScanContext
    token: str
    checkpoint: services.Checkpoint
    scan_id: str
    scanned_at: dt.datetime
    now: dt.datetime
    bus_id: int | None = None


def _admissible_scan(
    conn: sa.Connection,
    slug: str,
    body,
    *,
    token_hash: str | None,
    user_id: int | None,
    now: dt.datetime,
) -> _ScanRequest:
    """Read who asks and what they scan; refuse (raise ScanRefused) what cannot be recorded."""
    fields = body if isinstance(body, dict) else {}
    token = fields.get("token") if isinstance(fields.get("token"), str) else ""
    session_id, visit_id = _id(fields, "session_id"), _id(fields, "visit_id")
    area = fields.get("area") if isinstance(fields.get("area"), str) else None
    area = area if area in AREAS else None  # anything else is refused below
    context = services.scan_context(
        conn,
        slug,
        token_hash=token_hash,
        user_id=user_id,
        token=token,
        session_id=session_id,
        visit_id=visit_id,
        area=area,
    )
    if context is None or not context.user_active:
        status, error, message = UNAUTHORISED
        raise ScanRefused(status, error, _(message), **BEARER_CHALLENGE)
    if context.event_id is None:
        raise ScanRefused(404, "not_found", _("No event with the slug %(slug)r.", slug=slug))
    if not context.may_scan():
        raise ScanRefused(
            403, "forbidden", _("Only staff or an organiser of this event may do this.")
        )
    problem = _scan_problem(body)
    if problem:
        raise ScanRefused(problem[0], "invalid", problem[1])
    if (session_id or visit_id) and context.point_id is None:
        raise ScanRefused(
            404,
            "invalid",
            _("No session %(id)s in this event.", id=session_id)
            if session_id
            else _("No visit %(id)s in this event.", id=visit_id),
        )
    try:
        services.validate_scan(token, body["scan_id"])
        scanned_at = services.parse_scanned_at(body.get("scanned_at"), now)
        services.check_scan_time(context, scanned_at, now)
    except DomainError as exc:
        raise ScanRefused(422, "invalid", exc.message) from exc
    checkpoint = services.Checkpoint.for_ids(session_id, visit_id, area)
    bus_id = body.get("bus_id")
    if bus_id is not None and not services.bus_of_visit(conn, bus_id, visit_id):
        raise ScanRefused(
            404, "invalid", _("No bus %(bus)s on visit %(visit)s.", bus=bus_id, visit=visit_id)
        )
    return _ScanRequest(context, token, checkpoint, body["scan_id"], scanned_at, now, bus_id)


def _record(conn: sa.Connection, scan: _ScanRequest) -> services.CheckinOutcome:
    """The writes of an admissible scan (the caller commits)."""
    context = scan.context
    if context.token_id is not None and api_token_use_is_stale(
        context.token_last_used_at, scan.now
    ):
        touch_api_token(conn, context.token_id, scan.now)
    return services.record_scan(
        conn,
        context.event_id,
        token=scan.token,
        holder=context.holder,
        checkpoint=scan.checkpoint,
        scan_id=scan.scan_id,
        scanned_at=scan.scanned_at,
        scanner_id=context.user_id,
        now=scan.now,
    )
