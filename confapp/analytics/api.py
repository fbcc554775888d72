"""GET /api/v1/events/<slug>/stats: the organiser dashboard's figures as JSON."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify

from confapp.analytics import services
from confapp.api import openapi
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import api_event_view

analytics_api = Blueprint("analytics_api", __name__)


@analytics_api.get("/events/<slug>/stats")
@api_event_view(Access.ORGANISER, log=False)
def stats(ctx: Ctx):
    """Every figure of /events/<slug>/manage/analytics (codes, counts, UTC times)."""
    return jsonify(services.as_json(services.dashboard(ctx.event, ctx.now), ctx.event.slug))


_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
_PAIRS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["a", "b", "count"],
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string"},
            "count": {"type": "integer"},
        },
    },
    "description": "Meetings held between two groups (unordered pair; a <= b)",
}


def _list_of(**properties) -> dict:
    return {"type": "array", "items": {"type": "object", "properties": properties}}


_INT = {"type": "integer"}
_NULL_INT = {"type": ["integer", "null"]}
_STR = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}

openapi.add_schema(
    "EventStats",
    {
        "type": "object",
        "description": (
            "Distributions count confirmed registrations; registrations by day count every "
            "registration by the day it came in (the event's time zone) and its status now. "
            "Regions are UN M49 codes (002 Africa, 019 Americas, 142 Asia, 150 Europe, "
            "009 Oceania, 'unclassified'); groups LDC, LLDC, SIDS, DEVELOPING, DEVELOPED."
        ),
        "required": ["event", "generated_at", "registrations", "confirmed", "attendance"],
        "properties": {
            "event": _STR,
            "generated_at": _TIME,
            "capacity": _NULL_INT,
            "registrations": {
                "type": "object",
                "properties": {
                    "by_status": _COUNTS,
                    "by_day": _list_of(
                        day={"type": "string", "format": "date"},
                        by_status=_COUNTS,
                        total=_INT,
                        cumulative=_INT,
                        cumulative_confirmed=_INT,
                    ),
                },
            },
            "confirmed": _INT,
            "countries_represented": _INT,
            "by_country": _list_of(country={"type": ["string", "null"]}, count=_INT),
            "by_region": _list_of(region=_STR, count=_INT),
            "by_country_group": _list_of(group=_STR, count=_INT),
            "by_organisation_type": _COUNTS,
            "by_sector": _COUNTS,
            "by_category": _COUNTS,
            "by_gender": {**_COUNTS, "description": "Aggregate only; not_given included"},
            "visa_letters": _COUNTS,
            "attendance": {
                "type": "object",
                "properties": {
                    "checked_in": _INT,
                    "no_show": _INT,
                    "no_show_rate": {"type": ["number", "null"]},
                    "entrance_per_15_min": _list_of(**{"from": _TIME, "count": _INT}),
                    "sessions": _list_of(
                        id=_INT,
                        title=_STR,
                        starts_at=_TIME,
                        room={"type": ["string", "null"]},
                        room_capacity=_NULL_INT,
                        seat_limit=_NULL_INT,
                        signups=_INT,
                        attended=_INT,
                    ),
                    "visits": _list_of(
                        id=_INT,
                        title=_STR,
                        departs_at=_TIME,
                        seats=_INT,
                        signed_up=_INT,
                        boarded=_INT,
                    ),
                },
            },
            "networking": {
                "type": "object",
                "properties": {
                    "funnel": _COUNTS,
                    "cooperation_likely": _INT,
                    "average_rating": {"type": ["number", "null"]},
                    "south_south_held": _INT,
                    "held_by_region": _PAIRS,
                    "held_by_development_group": _PAIRS,
                },
            },
        },
    },
)
openapi.add_path(
    "/events/{slug}/stats",
    "get",
    {
        "summary": "The organiser dashboard's figures (organisers)",
        "operationId": "eventStats",
        "tags": ["analytics"],
        "security": openapi.BEARER,
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "200": openapi.json_content(openapi.ref("EventStats"), "The figures, as of now"),
            **openapi.error_responses(401, 403, 404),
        },
    },
)
