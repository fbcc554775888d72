"""Check-in API: scans from door and bus scanners, attendance lists, the staff name search."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from flask_babel import gettext as _

from confapp.api import openapi
from confapp.api.auth import api_credentials
from confapp.api.auth import json_error
from confapp.badges.issuing import badge_token
from confapp.checkin import door
from confapp.checkin import reports
from confapp.checkin import services
from confapp.checkin.models import AREAS
from confapp.db import MAX_ID
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.security import organiser_required
from confapp.security import staff_required

checkin_api = Blueprint("checkin_api", __name__)


def _json_answer(status: int, payload: dict, headers: dict[str, str]) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers.update(headers)
    return response


@checkin_api.post("/events/<slug>/checkins")
def checkin(slug: str):
    """Judge and record one badge scan at the entrance, a session, a visit or the meetings
    area.

    Door scanners call it with a bearer token (their calls open no cookie session:
    confapp.web.sessions), the scanner page with its session and CSRF token. The scan
    runs on a Core connection of its own: it has no objects for the ORM to track.
    """
    token_hash, user_id = api_credentials()
    body = request.get_json(silent=True)
    try:
        with db.engine.connect() as conn:
            answer = door.scan(
                conn,
                slug,
                body,
                token_hash=token_hash,
                user_id=user_id,
                now=utcnow(),
                finish=conn.commit,
            )
            payload = answer.json()
    except door.ScanRefused as refusal:
        return _json_answer(*refusal.answer)
    return _json_answer(200, payload, {})


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
        {"results": [{**services.delegate_json(r), "token": badge_token(r)} for r in rows]}
    )


@checkin_api.get("/events/<slug>/registrations/<int:reg_id>/qr.png")
@organiser_required
def registration_qr(slug: str, reg_id: int, event, user):
    """PNG of the QR code of a registration's current badge."""
    from confapp.badges.render import qr_png

    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id:
        json_error(404, "not_found", _("No registration %(id)s in this event.", id=reg_id))
    response = Response(qr_png(badge_token(reg)), mimetype="image/png")
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
            "area": {
                "anyOf": [{"type": "string", "enum": list(AREAS)}, {"type": "null"}],
                "description": (
                    'An area scanned at all day instead of a door: "meetings" is the '
                    "networking meetings area. Judged like the entrance, but every accepted "
                    "scan is recorded and answered ok (people come to several meetings); "
                    "the delegate's next_meeting says where they meet next. Not with "
                    "session_id or visit_id (422). Null or absent: the entrance, a session "
                    "or a visit as before."
                ),
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
            "next_meeting": {
                "anyOf": [
                    {
                        "type": "object",
                        "required": ["starts_at", "ends_at", "table", "with"],
                        "properties": {
                            "starts_at": {"type": "string", "format": "date-time"},
                            "ends_at": {"type": "string", "format": "date-time"},
                            "table": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "location": {"type": "string"},
                                },
                            },
                            "with": {
                                "type": "object",
                                "properties": {
                                    "registration_id": {"type": "integer"},
                                    "full_name": {"type": "string"},
                                    "name_latin": {"type": "string"},
                                    "organisation": {"type": "string"},
                                },
                            },
                        },
                    },
                    {"type": "null"},
                ],
                "description": (
                    "Meetings-area scans only: the person's next booked meeting (the first "
                    "whose slot has not ended when scanned), its table and the other person; "
                    "null when none is left or the scan was refused."
                ),
            },
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
            "first_scanned_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": (
                    "When the person was first checked in here; at an area (meetings), when "
                    "this scan was made."
                ),
            },
            "checkpoint": {
                "type": "string",
                "description": "entrance, session:<id>, visit:<id> or area:meetings",
            },
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
