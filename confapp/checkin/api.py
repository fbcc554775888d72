"""Check-in API: scans from door and bus scanners, attendance lists, the staff name search."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request
from werkzeug.http import HTTP_STATUS_CODES

from confapp.accounts.services import api_token_use_is_stale
from confapp.accounts.services import touch_api_token
from confapp.api import openapi
from confapp.api.auth import BEARER_CHALLENGE
from confapp.api.auth import UNAUTHORISED
from confapp.api.auth import api_credentials
from confapp.api.auth import json_error
from confapp.api.auth import organiser_required
from confapp.api.auth import staff_required
from confapp.checkin import reports
from confapp.checkin import services
from confapp.db import MAX_ID
from confapp.db import utcnow
from confapp.db import write_turn
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.wiring import security_headers

checkin_api = Blueprint("checkin_api", __name__)


def _scan_problem(body) -> tuple[int, str] | None:
    """Why a check-in body is unusable (status, message), or None."""
    if not isinstance(body, dict):
        return 400, "Send a JSON object: token, session_id, visit_id, scan_id, scanned_at."
    for name in ("token", "scan_id"):
        if not isinstance(body.get(name), str) or not body[name]:
            return 422, f"{name} is required and must be a non-empty string."
    for name in ("session_id", "visit_id"):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID
        ):
            return 422, f"{name} must be a positive integer (at most {MAX_ID}) or null."
    if body.get("session_id") is not None and body.get("visit_id") is not None:
        return 422, "Send session_id or visit_id, not both."
    bus_id = body.get("bus_id")
    if bus_id is not None:
        if isinstance(bus_id, bool) or not isinstance(bus_id, int) or not 0 < bus_id <= MAX_ID:
            return 422, f"bus_id must be a positive integer (at most {MAX_ID}) or null."
        if body.get("visit_id") is None:
            return 422, "bus_id needs the visit_id of its visit."
    return None


def _id(body, name: str) -> int | None:
    value = body.get(name) if isinstance(body, dict) else None
    # Larger numbers cannot be ids (INTEGER columns) and would make the query fail.
    return (
        value
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
        else None
    )


class _Refused(Exception):
    """A scan request answered with an error instead of a verdict."""

    def __init__(self, status: int, error: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.answer = (status, {"error": error, "message": message}, headers)


def answer_scan(
    engine: sa.Engine, slug: str, body, *, token_hash: str | None, user_id: int | None
) -> tuple[int, dict, dict[str, str]]:
    """Judge and record one badge scan: (HTTP status, JSON body, extra headers).

    The one decision behind both doors into the check-in API: the Flask view below and
    the bearer-token fast lane (confapp.checkin.lane). The caller, their role, the event,
    the checkpoint and the badge's registration come from one query, then the scan and
    any attendance are inserted and committed; an error answer commits nothing.
    """
    try:
        # A Core connection of its own: no ORM session to set up and flush.
        with engine.connect() as conn:
            scan = _admissible_scan(conn, slug, body, token_hash=token_hash, user_id=user_id)
            with write_turn(conn):
                try:
                    outcome = _record(conn, scan)
                except services.ScanIdConflict as exc:
                    conn.rollback()
                    raise _Refused(409, exc.code, exc.message) from exc
                conn.commit()
            answer = services.outcome_json(outcome)
            if scan.checkpoint.visit_id is not None:
                # Bus boarding: which bus the person belongs on, or which visit they are on.
                answer |= services.boarding_json(
                    conn, scan.context.event_id, scan.checkpoint.visit_id, outcome, scan.bus_id
                )
    except _Refused as refusal:
        return refusal.answer
    return 200, answer, {}


class _ScanRequest(NamedTuple):
    context: services.ScanContext
    token: str
    checkpoint: services.Checkpoint
    scan_id: str
    scanned_at: dt.datetime
    now: dt.datetime
    bus_id: int | None = None


def _admissible_scan(
    conn: sa.Connection, slug: str, body, *, token_hash: str | None, user_id: int | None
) -> _ScanRequest:
    """Read who asks and what they scan; refuse (raise _Refused) what cannot be recorded."""
    fields = body if isinstance(body, dict) else {}
    token = fields.get("token") if isinstance(fields.get("token"), str) else ""
    session_id, visit_id = _id(fields, "session_id"), _id(fields, "visit_id")
    context = services.scan_context(
        conn,
        slug,
        token_hash=token_hash,
        user_id=user_id,
        token=token,
        session_id=session_id,
        visit_id=visit_id,
    )
    if context is None or not context.user_active:
        raise _Refused(*UNAUTHORISED, **BEARER_CHALLENGE)
    if context.event_id is None:
        raise _Refused(404, "not_found", f"No event with the slug {slug!r}.")
    if not context.may_scan():
        raise _Refused(403, "forbidden", "Only staff or an organiser of this event may do this.")
    problem = _scan_problem(body)
    if problem:
        raise _Refused(problem[0], "invalid", problem[1])
    if (session_id or visit_id) and context.point_id is None:
        kind, wanted = ("session", session_id) if session_id else ("visit", visit_id)
        raise _Refused(404, "invalid", f"No {kind} {wanted} in this event.")
    now = utcnow()
    try:
        services.validate_scan(token, body["scan_id"])
        scanned_at = services.parse_scanned_at(body.get("scanned_at"), now)
        services.check_scan_time(context, scanned_at, now)
    except DomainError as exc:
        raise _Refused(422, "invalid", exc.message) from exc
    checkpoint = services.Checkpoint.for_ids(session_id, visit_id)
    bus_id = body.get("bus_id")
    if bus_id is not None and not services.bus_of_visit(conn, bus_id, visit_id):
        raise _Refused(404, "invalid", f"No bus {bus_id} on visit {visit_id}.")
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


def answer_parts(
    status: int, payload: dict, headers: dict[str, str]
) -> tuple[str, list[tuple[str, str]], bytes]:
    """An answer_scan() result as WSGI parts: status line, every header, body.

    Both doors send exactly these bytes: the view wraps them in a Response, the fast lane
    hands them to the server as they are (a Response object and its header processing
    cost more than the rest of the lane's own work).
    """
    body = current_app.json.dumps(payload).encode() + b"\n"
    all_headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        *headers.items(),
    ]
    all_headers += security_headers(
        "application/json", production=bool(current_app.config.get("PRODUCTION"))
    )
    return f"{status} {HTTP_STATUS_CODES[status]}", all_headers, body


@checkin_api.post("/events/<slug>/checkins")
def checkin(slug: str):
    """Judge and record one badge scan at the entrance, a session or a visit.

    Bearer-token scans are usually answered by the fast lane before reaching this view;
    it serves session-authenticated scans (the scanner page) and whatever the lane hands on.
    """
    token_hash, user_id = api_credentials()
    answer = answer_scan(
        db.engine, slug, request.get_json(silent=True), token_hash=token_hash, user_id=user_id
    )
    status, headers, body = answer_parts(*answer)
    return Response(body, status=status, headers=headers)


def _attendance_json(event, checkpoint: str) -> list[dict]:
    return [
        {
            **services.delegate_json(reg),
            "first_scanned_at": att.first_scanned_at.isoformat().replace("+00:00", "Z"),
        }
        for reg, att in reports.attendees(event, checkpoint)
    ]


@checkin_api.get("/events/<slug>/sessions/<int:session_id>/attendance")
@staff_required
def session_attendance(slug: str, session_id: int, event, user):
    """Who was scanned in at a session."""
    try:
        checkpoint = services.resolve_checkpoint(event, session_id, None)
    except DomainError as exc:
        json_error(404, "not_found", exc.message)
    people = _attendance_json(event, checkpoint.key)
    return jsonify({"session_id": session_id, "count": len(people), "attendees": people})


@checkin_api.get("/events/<slug>/checkins/search")
@staff_required
def search(slug: str, event, user):
    """Staff name search: the scanner's fallback when a badge is lost or unreadable."""
    query = (request.args.get("q") or "").strip()
    if len(query) < 2:
        return jsonify({"results": []})
    pattern = "%" + query.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    rows = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            sa.or_(
                Registration.full_name.ilike(pattern, escape="\\"),
                Registration.name_latin.ilike(pattern, escape="\\"),
                Registration.organisation.ilike(pattern, escape="\\"),
                Registration.email.ilike(pattern, escape="\\"),
            ),
        )
        .order_by(Registration.full_name)
        .limit(20)
    ).all()
    return jsonify(
        {"results": [{**services.delegate_json(r), "token": services.badge_token(r)} for r in rows]}
    )


@checkin_api.get("/events/<slug>/registrations/<int:reg_id>/qr.png")
@organiser_required
def registration_qr(slug: str, reg_id: int, event, user):
    """PNG of the QR code of a registration's current badge."""
    from confapp.badges.render import qr_png

    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id:
        json_error(404, "not_found", f"No registration {reg_id} in this event.")
    response = Response(qr_png(services.badge_token(reg)), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- OpenAPI ------------------------------------------------------------------------

_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
openapi.add_schema(
    "CheckinRequest",
    {
        "type": "object",
        "required": ["token", "scan_id"],
        "properties": {
            "token": {
                "type": "string",
                "description": "The badge QR text (120 base32 characters).",
            },
            "session_id": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "Session scanned at.",
            },
            "visit_id": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "Visit boarded (bus).",
            },
            "bus_id": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_ID,
                "description": (
                    "The bus of visit_id being boarded: the answer's wrong_bus says whether "
                    "the person belongs on another bus."
                ),
            },
            "scan_id": {
                "type": "string",
                "maxLength": 64,
                "description": (
                    "Scanner-made id; a resend (same badge holder, same checkpoint) is the "
                    "same scan. Reused for another badge or checkpoint: 409 scan_id_conflict."
                ),
            },
            "scanned_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": (
                    "When it was scanned (offline queues); null means now. A time in the "
                    "past must fall within the event's days (one day's margin each side)."
                ),
            },
        },
    },
)
openapi.add_schema(
    "Delegate",
    {
        "type": "object",
        "properties": {
            "registration_id": {"type": "integer"},
            "full_name": {"type": "string"},
            "name_latin": {"type": "string"},
            "organisation": {"type": "string"},
            "country": {"type": "string"},
            "country_name": {"type": "string"},
            "category": {"type": "string"},
            "status": {"type": "string"},
        },
    },
)
openapi.add_schema(
    "Bus",
    {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
)
openapi.add_schema(
    "CheckinResult",
    {
        "type": "object",
        "required": ["result", "delegate", "first_scanned_at"],
        "properties": {
            "result": {
                "type": "string",
                "enum": [
                    "ok",
                    "already_checked_in",
                    "invalid_token",
                    "revoked",
                    "not_registered",
                    "cancelled",
                    "wrong_event",
                    "not_signed_up",
                ],
            },
            "delegate": {"anyOf": [openapi.ref("Delegate"), {"type": "null"}]},
            "first_scanned_at": {"type": ["string", "null"], "format": "date-time"},
            "checkpoint": {"type": "string", "description": "entrance, session:<id> or visit:<id>"},
            "scan_id": {"type": "string"},
            "conflict": {
                "type": "boolean",
                "description": (
                    "Another scan already checked this person in here "
                    "(or this one came earlier and now counts)."
                ),
            },
            "replayed": {
                "type": "boolean",
                "description": "This scan_id was received before; the first answer is repeated.",
            },
            "bus": {
                "anyOf": [openapi.ref("Bus"), {"type": "null"}],
                "description": (
                    "Visit scans only: the bus the person's seat is on (null: none assigned)."
                ),
            },
            "wrong_bus": {
                "type": "boolean",
                "description": (
                    "Visit scans with a bus_id only: the person belongs on another bus "
                    "(`bus`). They are still checked in for the visit."
                ),
            },
            "signed_up_for": {
                "anyOf": [
                    {
                        "type": "object",
                        "required": ["visit_id", "title", "departs_at", "bus"],
                        "properties": {
                            "visit_id": {"type": "integer"},
                            "title": {"type": "string"},
                            "departs_at": {"type": "string", "format": "date-time"},
                            "bus": {"anyOf": [openapi.ref("Bus"), {"type": "null"}]},
                        },
                    },
                    {"type": "null"},
                ],
                "description": (
                    "Visit scans of someone without a seat on this visit: the visit (and bus) "
                    "they have a seat on, departing nearest in time; null if none."
                ),
            },
        },
    },
)
openapi.add_path(
    "/events/{slug}/checkins",
    "post",
    {
        "summary": "Record a badge scan",
        "operationId": "createCheckin",
        "tags": ["check-in"],
        "security": openapi.BEARER,
        "parameters": [_SLUG],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": openapi.ref("CheckinRequest")}},
        },
        "responses": {
            "200": openapi.json_content(openapi.ref("CheckinResult"), "The verdict on the scan"),
            **openapi.error_responses(400, 401, 403, 404, 409, 422),
        },
    },
)
_ATTENDANCE = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "attendees": {
            "type": "array",
            "items": {
                "allOf": [
                    openapi.ref("Delegate"),
                    {
                        "type": "object",
                        "properties": {
                            "first_scanned_at": {"type": "string", "format": "date-time"}
                        },
                    },
                ]
            },
        },
    },
}
openapi.add_path(
    "/events/{slug}/sessions/{session_id}/attendance",
    "get",
    {
        "summary": "Who was scanned in at a session",
        "operationId": "sessionAttendance",
        "tags": ["check-in"],
        "security": openapi.BEARER,
        "parameters": [
            _SLUG,
            {"name": "session_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        ],
        "responses": {
            "200": openapi.json_content(_ATTENDANCE, "Attendees, first arrivals first"),
            **openapi.error_responses(401, 403, 404),
        },
    },
)
openapi.add_path(
    "/events/{slug}/checkins/search",
    "get",
    {
        "summary": "Find a registration by name, organisation or e-mail (scanner fallback)",
        "operationId": "searchCheckin",
        "tags": ["check-in"],
        "security": openapi.BEARER,
        "parameters": [
            _SLUG,
            {
                "name": "q",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Part of a name, organisation or e-mail. Missing or shorter than 2 "
                "characters (after trimming spaces) answers 200 with no results.",
            },
        ],
        "responses": {
            "200": openapi.json_content(
                {
                    "type": "object",
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {
                                "allOf": [
                                    openapi.ref("Delegate"),
                                    {"type": "object", "properties": {"token": {"type": "string"}}},
                                ]
                            },
                        }
                    },
                },
                "Up to 20 matches with their current badge token",
            ),
            **openapi.error_responses(401, 403, 404),
        },
    },
)
openapi.add_path(
    "/events/{slug}/registrations/{reg_id}/qr.png",
    "get",
    {
        "summary": "PNG of the QR code of a registration's current badge (organisers)",
        "operationId": "registrationQr",
        "tags": ["badges"],
        "security": openapi.BEARER,
        "parameters": [
            _SLUG,
            {"name": "reg_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        ],
        "responses": {
            "200": {"description": "QR code", "content": {"image/png": {}}},
            **openapi.error_responses(401, 403, 404),
        },
    },
)
