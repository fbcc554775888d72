"""GET /api/v1/events/<slug>/visits (public, seats left), .../visits/<id>/signups (organisers)."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify
from flask_babel import gettext as _

from confapp.agenda.models import SeatStatus
from confapp.api import openapi
from confapp.api.auth import current_api_user
from confapp.api.auth import json_error
from confapp.events.models import Event
from confapp.events.services import get_event_or_404
from confapp.multilingual import tr
from confapp.multilingual import translations
from confapp.security import organiser_required
from confapp.urls import external_url
from confapp.visits import services
from confapp.visits.models import Visit

visits_api = Blueprint("visits_api", __name__)

_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_VISIT_ID = {"name": "visit_id", "in": "path", "required": True, "schema": {"type": "integer"}}

OPENAPI_SCHEMAS = {
    "VisitList": {
        "type": "object",
        "required": ["event", "timezone", "visits"],
        "properties": {
            "event": {"type": "string"},
            "timezone": {"type": "string", "examples": ["Asia/Kolkata"]},
            "visits": {"type": "array", "items": openapi.ref("Visit")},
        },
    },
    "Visit": {
        "type": "object",
        "required": ["id", "title", "status", "departs_at", "returns_at", "capacity", "seats_left"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "closed", "cancelled"]},
            "signup": {
                "type": "string",
                "enum": ["open", "not_yet", "closed", "cancelled"],
                "description": "Whether delegates can sign up right now",
            },
            "cluster": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "sector": {"type": "string"},
                    "location": {"type": "string"},
                },
            },
            "description": {"type": "string"},
            "departs_at": {"type": "string", "format": "date-time"},
            "returns_at": {"type": "string", "format": "date-time"},
            "departs_local": {
                "type": "string",
                "description": "Wall-clock departure in the event's zone",
            },
            "returns_local": {"type": "string"},
            "meeting_point": {"type": "string"},
            "signup_opens_at": {"type": ["string", "null"], "format": "date-time"},
            "signup_closes_at": {"type": "string", "format": "date-time"},
            "requirements": {"type": "string"},
            "requires_id_number": {"type": "boolean"},
            "capacity": {"type": "integer"},
            "seats_left": {"type": "integer"},
            "waiting": {"type": "integer", "description": "People on the waiting list"},
            "buses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "seats": {"type": "integer"},
                    },
                },
            },
            "sequence": {"type": "integer"},
            "ics_url": {"type": "string"},
        },
    },
    "VisitSignups": {
        "type": "object",
        "required": ["visit_id", "capacity", "taken", "signups"],
        "properties": {
            "visit_id": {"type": "integer"},
            "capacity": {"type": "integer"},
            "taken": {"type": "integer"},
            "signups": {"type": "array", "items": openapi.ref("VisitSignup")},
        },
    },
    "VisitSignup": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "registration_id": {"type": "integer"},
            "full_name": {"type": "string"},
            "organisation": {"type": "string"},
            "country": {"type": "string"},
            "status": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
            "waitlist_position": {"type": ["integer", "null"]},
            "bus": {"type": ["object", "null"]},
            "group_code": {"type": "string"},
            "id_number": {
                "type": ["string", "null"],
                "description": "Only when the visit requires it",
            },
            "signed_up_at": {"type": "string", "format": "date-time"},
        },
    },
}


def register_openapi() -> None:
    """Describe the endpoints in /api/v1/openapi.json."""
    for name, schema in OPENAPI_SCHEMAS.items():
        openapi.add_schema(name, schema)
    openapi.add_path(
        "/events/{slug}/visits",
        "get",
        {
            "summary": "Cluster visits of an event with seats left",
            "operationId": "listVisits",
            "tags": ["visits"],
            "security": [],
            "parameters": [_SLUG],
            "responses": {
                "200": openapi.json_content(
                    openapi.ref("VisitList"),
                    "Visits by departure; times in UTC plus the event's zone.",
                ),
                **openapi.error_responses(404),
            },
        },
    )
    openapi.add_path(
        "/events/{slug}/visits/{visit_id}/signups",
        "get",
        {
            "summary": "Sign-ups of a visit (organisers)",
            "operationId": "listVisitSignups",
            "tags": ["visits"],
            "security": openapi.BEARER,
            "parameters": [_SLUG, _VISIT_ID],
            "responses": {
                "200": openapi.json_content(
                    openapi.ref("VisitSignups"),
                    "Confirmed, then the waiting list in order, then cancelled.",
                ),
                **openapi.error_responses(401, 403, 404),
            },
        },
    )


register_openapi()


def _utc(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def visit_payload(
    event: Event,
    visit: Visit,
    *,
    waiting: int,
    state: str,
    ics_url: str = "",
    every_language: bool = False,
) -> dict:
    """One visit as JSON-ready data, its texts in the current language (and, with
    `every_language`, all of them under ``translations``, for organisers)."""
    _opens, closes = services.signup_window(visit)
    data = {
        "id": visit.id,
        "title": tr(visit, "title"),
        "status": visit.status.value,
        "signup": state,
        "cluster": {
            "name": visit.cluster_name,
            "sector": visit.cluster_sector,
            "location": visit.cluster_location,
        },
        "description": tr(visit, "description"),
        "departs_at": _utc(visit.departs_at),
        "returns_at": _utc(visit.returns_at),
        "departs_local": event.local(visit.departs_at).isoformat(),
        "returns_local": event.local(visit.returns_at).isoformat(),
        "meeting_point": visit.meeting_point,
        "signup_opens_at": _utc(visit.signup_opens_at),
        "signup_closes_at": _utc(closes),
        "requirements": tr(visit, "requirements"),
        "requires_id_number": visit.requires_id_number,
        "capacity": visit.pool.capacity,
        "seats_left": visit.pool.seats_left,
        "waiting": waiting,
        "buses": [{"id": b.id, "name": b.name, "seats": b.seats} for b in visit.buses],
        "sequence": visit.sequence,
        "ics_url": ics_url,
    }
    if every_language:
        data["translations"] = {
            field: translations(visit, field) for field in ("title", "description", "requirements")
        }
    return data


@visits_api.get("/events/<slug>/visits")
def visits(slug: str):
    """Visits of a published event with seats left (public)."""
    from confapp.db import utcnow

    event = get_event_or_404(slug, None)
    counts = services.counts(event)
    now = utcnow()
    caller = current_api_user()
    every = caller is not None and (caller.is_admin or caller.is_organiser(event))
    return jsonify(
        {
            "event": event.slug,
            "timezone": event.timezone,
            "visits": [
                visit_payload(
                    event,
                    v,
                    waiting=counts.get(v.id, {}).get(SeatStatus.WAITLISTED, 0),
                    state=services.signup_state(v, now),
                    ics_url=external_url("visits.visit_ics", slug=event.slug, visit_id=v.id),
                    every_language=every,
                )
                for v in services.list_visits(event)
            ],
        }
    )


@visits_api.get("/events/<slug>/visits/<int:visit_id>/signups")
@organiser_required
def signups(slug: str, visit_id: int, event: Event, user):
    """Who signed up for a visit, in queue order (organisers, bearer token or session)."""
    visit = services.get_visit(event, visit_id)
    if visit is None:
        json_error(404, "not_found", _("No visit %(id)s in this event.", id=visit_id))
    rows = services.signups_for(visit)
    bus_names = {b.id: b.name for b in visit.buses}
    position = 0
    out = []
    for holder, reg in rows:
        queue = None
        if holder.status is SeatStatus.WAITLISTED:
            position += 1
            queue = position
        out.append(
            {
                "id": holder.id,
                "registration_id": reg.id,
                "full_name": reg.full_name,
                "organisation": reg.organisation,
                "country": reg.country,
                "status": holder.status.value,
                "waitlist_position": queue,
                "bus": {"id": holder.bus_id, "name": bus_names.get(holder.bus_id, "")}
                if holder.bus_id
                else None,
                "group_code": holder.group_code,
                "id_number": holder.id_number if visit.requires_id_number else None,
                "signed_up_at": _utc(holder.created_at),
            }
        )
    return jsonify(
        {
            "visit_id": visit.id,
            "capacity": visit.pool.capacity,
            "taken": visit.pool.taken,
            "signups": out,
        }
    )
