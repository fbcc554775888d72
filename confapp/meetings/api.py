"""GET /api/v1/events/<slug>/meetings: booked meetings for organisers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import jsonify

from confapp.api import openapi
from confapp.extensions import db
from confapp.meetings.booking import event_meetings
from confapp.meetings.models import MeetingFeedback
from confapp.meetings.models import MeetingRequest
from confapp.security import organiser_required

meetings_api = Blueprint("meetings_api", __name__)


def _utc(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@meetings_api.get("/events/<slug>/meetings")
@organiser_required
def list_meetings(slug: str, event, user):
    """Booked meetings with slot, table, the two registration ids and status."""
    feedback: dict[int, list[bool]] = {}
    for request_id, took_place in db.session.execute(
        sa.select(MeetingFeedback.request_id, MeetingFeedback.took_place)
        .join(MeetingRequest, MeetingFeedback.request_id == MeetingRequest.id)
        .where(MeetingRequest.event_id == event.id)
    ):
        feedback.setdefault(request_id, []).append(took_place)
    items = []
    for meeting, slot, table, req in event_meetings(event):
        said = feedback.get(req.id, [])
        status = (
            "held" if said and all(said) else "not_held" if said and not any(said) else "scheduled"
        )
        items.append(
            {
                "id": meeting.id,
                "request_id": req.id,
                "slot": {
                    "id": slot.id,
                    "starts_at": _utc(slot.starts_at),
                    "ends_at": _utc(slot.ends_at),
                },
                "table": {"id": table.id, "name": table.name, "location": table.location},
                "requester_registration_id": req.requester_id,
                "invitee_registration_id": req.invitee_id,
                "registration_ids": [req.requester_id, req.invitee_id],
                "status": status,
                "fixed": meeting.fixed,
            }
        )
    return jsonify(
        {"event": event.slug, "timezone": event.timezone, "count": len(items), "meetings": items}
    )


openapi.add_schema(
    "Meeting",
    {
        "type": "object",
        "required": ["id", "slot", "table", "registration_ids", "status"],
        "properties": {
            "id": {"type": "integer"},
            "request_id": {"type": "integer"},
            "slot": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "starts_at": {"type": "string", "format": "date-time"},
                    "ends_at": {"type": "string", "format": "date-time"},
                },
            },
            "table": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "location": {"type": "string"},
                },
            },
            "requester_registration_id": {"type": "integer"},
            "invitee_registration_id": {"type": "integer"},
            "registration_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "minItems": 2,
                "maxItems": 2,
            },
            "status": {
                "type": "string",
                "enum": ["scheduled", "held", "not_held"],
                "description": "held / not_held once the delegates gave feedback",
            },
            "fixed": {"type": "boolean", "description": "Kept by the batch scheduler"},
        },
    },
)
openapi.add_path(
    "/events/{slug}/meetings",
    "get",
    {
        "summary": "Booked networking meetings (organisers)",
        "operationId": "listMeetings",
        "tags": ["meetings"],
        "security": openapi.BEARER,
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": openapi.json_content(
                {
                    "type": "object",
                    "properties": {
                        "event": {"type": "string"},
                        "timezone": {"type": "string"},
                        "count": {"type": "integer"},
                        "meetings": {"type": "array", "items": openapi.ref("Meeting")},
                    },
                },
                "Meetings by slot and table; times in UTC",
            ),
            **openapi.error_responses(401, 403, 404),
        },
    },
)
