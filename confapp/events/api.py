"""JSON API v1 of events: the published events (public)."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify

from confapp.api import openapi
from confapp.events.models import Event
from confapp.events.services import list_published_events
from confapp.urls import external_url

events_api = Blueprint("events_api", __name__)


def event_json(event: Event) -> dict:
    """The public summary of an event."""
    return {
        "slug": event.slug,
        "title": event.title,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "timezone": event.timezone,
        "city": event.city,
        "country": event.country,
        "url": external_url("events.detail", slug=event.slug),
    }


openapi.add_schema(
    "EventSummary",
    {
        "type": "object",
        "required": ["slug", "title", "starts_on", "ends_on", "timezone", "city", "country", "url"],
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "timezone": {"type": "string", "description": "IANA time zone of the event"},
            "city": {"type": "string"},
            "country": {"type": "string", "description": "ISO 3166-1 alpha-2 code or empty"},
            "url": {"type": "string", "format": "uri"},
        },
    },
)


@events_api.get("/events")
def events():
    """Published events, soonest first."""
    return jsonify({"events": [event_json(e) for e in list_published_events()]})


openapi.add_path(
    "/events",
    "get",
    {
        "summary": "Published events",
        "operationId": "listEvents",
        "security": [],
        "responses": {
            "200": openapi.json_content(
                {
                    "type": "object",
                    "required": ["events"],
                    "properties": {
                        "events": {"type": "array", "items": openapi.ref("EventSummary")}
                    },
                },
                "Published events, soonest first",
            )
        },
    },
)
