"""GET /api/v1/events/<slug>/sessions: the published programme as JSON."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify
from flask import request
from flask_babel import gettext as _

from confapp.agenda import programme
from confapp.agenda.models import ProgrammeSession
from confapp.api import openapi
from confapp.errors import NotFound
from confapp.events.models import Event
from confapp.i18n import event_languages
from confapp.i18n import force_language
from confapp.multilingual import tr
from confapp.multilingual import translations
from confapp.urls import external_url
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import api_event_view

agenda_api = Blueprint("agenda_api", __name__)

# OpenAPI 3.1 operation, registered with the API's document (confapp/api/openapi.py).
OPENAPI_PATH = "/events/{slug}/sessions"
OPENAPI_SPEC = {
    "summary": "The published programme of an event",
    "operationId": "listSessions",
    "tags": ["agenda"],
    "security": [],
    "parameters": [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": "Language of titles, descriptions and track names (else "
            "Accept-Language, else the event's default).",
            "schema": {"type": "string", "examples": ["fr"]},
        },
    ],
    "responses": {
        "200": {
            "description": "Sessions in time order; times in UTC (ISO 8601) plus the event's zone.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Programme"}}},
        },
        "404": {
            "description": "No such published event, or its programme is not published.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    },
}
OPENAPI_SCHEMAS = {
    "Programme": {
        "type": "object",
        "required": ["event", "timezone", "programme_version", "sessions"],
        "properties": {
            "event": {"type": "string"},
            "language": {"type": "string", "description": "The language of the texts"},
            "timezone": {"type": "string", "examples": ["Asia/Kolkata"]},
            "programme_version": {"type": "integer"},
            "published_at": {"type": "string", "format": "date-time"},
            "sessions": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ProgrammeSession"},
            },
        },
    },
    "ProgrammeSession": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "kind": {
                "type": "string",
                "enum": [
                    "plenary",
                    "parallel",
                    "panel",
                    "workshop",
                    "break",
                    "networking",
                    "other",
                ],
            },
            "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "starts_local": {
                "type": "string",
                "description": "Wall-clock start in the event's zone",
            },
            "ends_local": {"type": "string"},
            "room": {"type": ["object", "null"]},
            "track": {"type": ["object", "null"]},
            "description": {"type": "string", "description": "Markdown"},
            "people": {"type": "array", "items": {"type": "object"}},
            "seats": {
                "type": ["object", "null"],
                "description": "capacity and seats_left for sign-up sessions",
            },
            "sequence": {"type": "integer"},
            "translations": {
                "type": "object",
                "description": "Organisers only: every language of title and description "
                "({field: {language: text}}); tracks carry theirs too.",
            },
            "url": {"type": "string"},
            "ics_url": {"type": "string"},
        },
    },
}


def register_openapi() -> None:
    """Describe the endpoint in /api/v1/openapi.json."""
    openapi.add_path(OPENAPI_PATH, "get", OPENAPI_SPEC)
    for name, schema in OPENAPI_SCHEMAS.items():
        openapi.add_schema(name, schema)


register_openapi()


def _utc(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _track(track, every_language: bool) -> dict:
    data = {"id": track.id, "name": tr(track, "name"), "colour": track.colour}
    if every_language:
        data["translations"] = {"name": translations(track, "name")}
    return data


def session_payload(
    event: Event,
    s: ProgrammeSession,
    *,
    base_url: str = "",
    ics_url: str = "",
    every_language: bool = False,
) -> dict:
    """One session as JSON-ready data, its texts in the current language (and, with
    `every_language`, all of them under ``translations``)."""
    data = {
        "id": s.id,
        "title": tr(s, "title"),
        "kind": s.kind.value,
        "status": s.status.value,
        "starts_at": _utc(s.starts_at),
        "ends_at": _utc(s.ends_at),
        "starts_local": event.local(s.starts_at).isoformat(),
        "ends_local": event.local(s.ends_at).isoformat(),
        "room": {"id": s.room.id, "name": s.room.name, "location": s.room.location}
        if s.room
        else None,
        "track": _track(s.track, every_language) if s.track else None,
        "description": tr(s, "description"),
        "people": [
            {
                "name": p.name,
                "role": p.role.value,
                "organisation": p.organisation,
                "country": p.country or None,
            }
            for p in s.people
        ],
        "seats": (
            {"capacity": s.pool.capacity, "seats_left": s.pool.seats_left}
            if s.pool is not None
            else None
        ),
        "sequence": s.sequence,
        "url": f"{base_url}{s.id}" if base_url else "",
        "ics_url": ics_url.replace("/0.ics", f"/{s.id}.ics") if ics_url else "",
    }
    if every_language:
        data["translations"] = {
            "title": translations(s, "title"),
            "description": translations(s, "description"),
        }
    return data


def programme_payload(
    event: Event,
    sessions: list[ProgrammeSession],
    *,
    base_url: str = "",
    ics_url: str = "",
    every_language: bool = False,
    language: str | None = None,
) -> dict:
    """The programme as JSON-ready data (pure: sessions loaded by the caller)."""
    return {
        "event": event.slug,
        "language": language or event.default_language,
        "timezone": event.timezone,
        "programme_version": event.programme_version,
        "published_at": _utc(event.programme_published_at)
        if event.programme_published_at
        else None,
        "sessions": [
            session_payload(
                event, s, base_url=base_url, ics_url=ics_url, every_language=every_language
            )
            for s in sessions
        ],
    }


@agenda_api.get("/events/<slug>/sessions")
@api_event_view(Access.PUBLIC)
def sessions(ctx: Ctx):
    """The published programme of a published event (public), in the language asked for
    (``?lang=``, else ``Accept-Language``, among the event's); organisers also get every
    translation."""
    language = requested_language(ctx.event)
    with force_language(language):
        if ctx.event.programme_published_at is None:
            raise NotFound(_("The programme is not published yet."))
        base = external_url("agenda.session_detail", slug=ctx.slug, session_id=0)[:-1]
        ics = external_url("agenda.session_ics", slug=ctx.slug, session_id=0)
        loaded = programme.load_programme(ctx.event)
        every = ctx.role in ("organiser", "admin")
        payload = programme_payload(
            ctx.event, loaded, base_url=base, ics_url=ics, every_language=every, language=language
        )
    response = jsonify(payload)
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response


def requested_language(event: Event) -> str:
    """The language an API caller asks for: ``?lang=``, else the best ``Accept-Language``
    match among the event's languages, else the event's default."""
    offered = event_languages(event)
    wanted = request.args.get("lang", "").strip().lower()
    if wanted in offered:
        return wanted
    return request.accept_languages.best_match(offered) or offered[0]
