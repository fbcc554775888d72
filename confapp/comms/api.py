"""POST /api/v1/events/<slug>/announcements and GET .../announcements/<id> (organisers)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import jsonify
from flask import request
from flask_babel import gettext as _

from confapp.api import openapi
from confapp.api.auth import json_error
from confapp.comms import services
from confapp.comms.models import Announcement
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import api_event_view

comms_api = Blueprint("comms_api", __name__)

_TEXTS = {
    "type": "object",
    "description": "Language code → text; the event's default language is required.",
    "additionalProperties": {"type": "string"},
    "examples": [{"en": "Bus to the Panipat cluster", "fr": "Bus pour le cluster de Panipat"}],
}
OPENAPI_SCHEMAS = {
    "Segment": {
        "type": "object",
        "description": "Filters, all optional, combined with AND; {} is every confirmed "
        "registration. Each person is counted and e-mailed once.",
        "additionalProperties": False,
        "properties": {
            "status": {
                "type": "array",
                "items": {"enum": ["confirmed", "waitlisted", "pending", "cancelled", "rejected"]},
            },
            "category": {"type": "array", "items": {"type": "string"}},
            "country": {"type": "array", "items": {"type": "string"}, "description": "ISO codes"},
            "country_group": {
                "type": "array",
                "items": {"type": "string"},
                "description": "LDC, LLDC, SIDS or an M49 region code",
            },
            "organisation_type": {"type": "array", "items": {"type": "string"}},
            "sector": {"type": "array", "items": {"type": "string"}},
            "visit_id": {"type": "integer", "description": "signed up (a confirmed seat)"},
            "session_id": {"type": "integer", "description": "signed up (a confirmed seat)"},
            "attended": {
                "type": ["string", "array"],
                "items": {"type": "string"},
                "description": "entrance, session:<id> or visit:<id>",
            },
            "not_attended": {"type": ["string", "array"], "items": {"type": "string"}},
            "has_meetings": {"type": "boolean"},
            "pending_meeting_request": {"type": "boolean"},
            "visa_letter_missing": {"type": "boolean"},
        },
    },
    "NewAnnouncement": {
        "type": "object",
        "required": ["subject", "body_markdown"],
        "properties": {
            "subject": _TEXTS,
            "body_markdown": _TEXTS,
            "segment": openapi.ref("Segment"),
            "send_at": {"type": ["string", "null"], "format": "date-time"},
            "publish": {"type": "boolean", "default": False},
            "email": {"type": "boolean", "default": True},
        },
    },
    "AnnouncementCreated": {
        "type": "object",
        "required": ["id", "recipients"],
        "properties": {
            "id": {"type": "integer"},
            "recipients": {
                "type": "integer",
                "description": "People it goes to (for a scheduled one: who matches now)",
            },
            "status": {"type": "string"},
        },
    },
    "AnnouncementStatus": {
        "type": "object",
        "required": ["id", "status", "counts"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"enum": ["scheduled", "sending", "sent", "cancelled"]},
            "send_at": {"type": "string", "format": "date-time"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "recipients": {"type": "integer"},
            "counts": {
                "type": "object",
                "required": ["queued", "sent", "failed"],
                "properties": {
                    "queued": {"type": "integer"},
                    "sent": {"type": "integer"},
                    "failed": {"type": "integer"},
                    "opted_out": {"type": "integer"},
                },
            },
        },
    },
}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


def register_openapi() -> None:
    """Describe both operations in /api/v1/openapi.json."""
    for name, schema in OPENAPI_SCHEMAS.items():
        openapi.add_schema(name, schema)
    openapi.add_path(
        "/events/{slug}/announcements",
        "post",
        {
            "summary": "Send (or schedule) an announcement to a segment of the delegates",
            "operationId": "createAnnouncement",
            "tags": ["communications"],
            "security": openapi.BEARER,
            "parameters": [_SLUG],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": openapi.ref("NewAnnouncement")}},
            },
            "responses": {
                "201": openapi.json_content(
                    openapi.ref("AnnouncementCreated"), "Stored; sent now or at send_at"
                ),
                **openapi.error_responses(401, 403, 404, 422),
            },
        },
    )
    openapi.add_path(
        "/events/{slug}/announcements/{announcement_id}",
        "get",
        {
            "summary": "Where an announcement stands: status and delivery counts",
            "operationId": "getAnnouncement",
            "tags": ["communications"],
            "security": openapi.BEARER,
            "parameters": [
                _SLUG,
                {
                    "name": "announcement_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                },
            ],
            "responses": {
                "200": openapi.json_content(openapi.ref("AnnouncementStatus"), "The announcement"),
                **openapi.error_responses(401, 403, 404),
            },
        },
    )


register_openapi()


def _utc(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


_EXAMPLE = "2027-02-20T07:30:00Z"


def _send_at(raw) -> dt.datetime | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        json_error(422, "invalid", _("send_at must be an ISO 8601 date-time or null."))
    try:
        moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)  # naive means UTC, as everywhere in the API
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        json_error(
            422,
            "invalid",
            _("send_at must be an ISO 8601 date-time, e.g. %(example)s.", example=_EXAMPLE),
        )


def _flag(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        json_error(422, "invalid", _("%(name)s must be true or false.", name=name))
    return value


@comms_api.post("/events/<slug>/announcements")
@api_event_view(Access.ORGANISER)
def create(ctx: Ctx):
    """Store an announcement and send it now or at `send_at`; 201 with id and recipients."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        json_error(422, "invalid", _("Send a JSON object."))
    draft = services.Draft(
        subject=body.get("subject"),
        body=body.get("body_markdown"),
        segment=body.get("segment") if body.get("segment") is not None else {},
        send_at=_send_at(body.get("send_at")),
        publish=_flag(body, "publish", False),
        email=_flag(body, "email", True),
        attach="",
    )
    done = ctx.perform(
        lambda: services.create(ctx.event, draft, user=ctx.user, now=ctx.now), detail="api"
    )
    announcement = done.value
    return jsonify(
        {
            "id": announcement.id,
            "recipients": announcement.recipient_count,
            "status": announcement.status.value,
        }
    ), 201


@comms_api.get("/events/<slug>/announcements/<int:announcement_id>")
@api_event_view(Access.ORGANISER)
def status(ctx: Ctx, announcement_id: int):
    """Status of one announcement and its delivery counts."""
    announcement = ctx.get(Announcement, announcement_id)
    return jsonify(
        {
            "id": announcement.id,
            "status": announcement.status.value,
            "send_at": _utc(announcement.send_at),
            "published_at": _utc(announcement.published_at),
            "recipients": announcement.recipient_count,
            "counts": services.counts(announcement),
        }
    )
