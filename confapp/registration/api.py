"""GET /api/v1/events/<slug>/registrations: an event's registrations for organisers."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint
from flask import jsonify
from flask import request
from flask_babel import gettext as _

from confapp.api import openapi
from confapp.api.auth import json_error
from confapp.api.pagination import with_page_links
from confapp.countries import country_name
from confapp.db import MAX_ID
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector
from confapp.urls import external_url
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import api_event_view
from confapp.web.params import parse_int

registrations_api = Blueprint("registrations_api", __name__)

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500


def _utc(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _invalid(message: str):
    json_error(422, "invalid", message)


def _positive_int(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw, maximum=maximum)
    if value is None or value < 1:
        _invalid(_("%(name)s must be a whole number from 1 to %(max)d.", name=name, max=maximum))
    return value


def _choice(name: str, enum_cls):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return enum_cls(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        _invalid(_("%(name)s must be one of: %(allowed)s.", name=name, allowed=allowed))


def _since() -> dt.datetime | None:
    raw = request.args.get("updated_since")
    if raw is None or raw == "":
        return None
    try:
        moment = dt.datetime.fromisoformat(
            raw.strip().replace("Z", "+00:00").replace("z", "+00:00")
        )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)  # naive means UTC, as everywhere in the API
        # Years 1 and 9999 with an offset leave the datetime range when converted.
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        _invalid(
            _(
                "updated_since must be an ISO 8601 date-time, e.g. %(example)s.",
                example="2027-02-20T09:00:00Z",
            )
        )


def _search_condition(query: str):
    pattern = "%" + query.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    return sa.or_(
        Registration.full_name.ilike(pattern, escape="\\"),
        Registration.name_latin.ilike(pattern, escape="\\"),
        Registration.organisation.ilike(pattern, escape="\\"),
        Registration.email.ilike(pattern, escape="\\"),
    )


def registration_json(reg: Registration, slug: str) -> dict:
    """What an organiser's client gets about a registration (no passport data, no secrets)."""
    return {
        "id": reg.id,
        "full_name": reg.full_name,
        "name_latin": reg.name_latin,
        "organisation": reg.organisation,
        "organisation_type": reg.organisation_type.value,
        "job_title": reg.job_title,
        "country": reg.country,
        "country_name": country_name(reg.country),
        "sector": reg.sector.value,
        "category": reg.category.value,
        "status": reg.status.value,
        "created_at": _utc(reg.created_at),
        "status_changed_at": _utc(reg.status_changed_at),
        "updated_at": _utc(reg.updated_at),
        "needs_visa_letter": reg.needs_visa_letter,
        "badge_serial": reg.badge_serial,
        "qr_url": external_url("checkin_api.registration_qr", slug=slug, reg_id=reg.id),
    }


@registrations_api.get("/events/<slug>/registrations")
@api_event_view(Access.ORGANISER)
def list_registrations(ctx: Ctx):
    """One page of the event's registrations, filtered; two queries whatever the page size."""
    conditions = _conditions(ctx.event)
    page = _positive_int("page", 1, MAX_ID)
    per_page = _positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    total = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(*conditions))
    # Only columns of the registration row are read: no relationship is touched, so a
    # page costs one query however many rows it holds. Id order keeps pages stable
    # while registrations come in.
    rows = db.session.scalars(
        sa.select(Registration).where(*conditions).order_by(Registration.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()  # fmt: skip
    items = [registration_json(reg, ctx.slug) for reg in rows]
    body = {"event": ctx.slug, "total": total, "page": page, "per_page": per_page, "items": items}
    return with_page_links(jsonify(body), page=page, per_page=per_page, total=total)


def _conditions(event) -> list:
    """The WHERE clauses the query string asks for (422 for a value that is not one)."""
    conditions = [Registration.event_id == event.id]
    status = _choice("status", RegistrationStatus)
    if status is not None:
        conditions.append(Registration.status == status)
    category = _choice("category", RegistrationCategory)
    if category is not None:
        conditions.append(Registration.category == category)
    since = _since()
    if since is not None:
        conditions.append(Registration.updated_at >= since)
    query = (request.args.get("q") or "").strip()
    if query:
        conditions.append(_search_condition(query))
    return conditions


# --- OpenAPI ------------------------------------------------------------------------

openapi.add_schema(
    "Registration",
    {
        "type": "object",
        "required": ["id", "full_name", "status", "category", "qr_url"],
        "properties": {
            "id": {"type": "integer"},
            "full_name": {"type": "string"},
            "name_latin": {
                "type": "string",
                "description": "The name in Latin letters when full_name is in another script "
                "(empty when not given)",
            },
            "organisation": {"type": "string"},
            "organisation_type": {"type": "string", "enum": [t.value for t in OrganisationType]},
            "job_title": {"type": "string"},
            "country": {"type": "string", "description": "ISO 3166-1 alpha-2 code"},
            "country_name": {"type": "string"},
            "sector": {"type": "string", "enum": [s.value for s in Sector]},
            "category": {"type": "string", "enum": [c.value for c in RegistrationCategory]},
            "status": {"type": "string", "enum": [s.value for s in RegistrationStatus]},
            "created_at": {"type": "string", "format": "date-time"},
            "status_changed_at": {
                "type": "string",
                "format": "date-time",
                "description": "When the current status was reached",
            },
            "updated_at": {"type": "string", "format": "date-time"},
            "needs_visa_letter": {"type": "boolean"},
            "badge_serial": {
                "type": "integer",
                "description": "Bumped when the badge is re-issued (old QR codes revoked)",
            },
            "qr_url": {
                "type": "string",
                "format": "uri",
                "description": (
                    "PNG of the current badge's QR code; fetch it with the same bearer token"
                ),
            },
        },
    },
)


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


openapi.add_path(
    "/events/{slug}/registrations",
    "get",
    {
        "summary": "Registrations of an event with status and badge QR link (organisers)",
        "operationId": "listRegistrations",
        "tags": ["registrations"],
        "security": openapi.BEARER,
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
            _query(
                "status",
                {"type": "string", "enum": [s.value for s in RegistrationStatus]},
                "Only this status",
            ),
            _query(
                "category",
                {"type": "string", "enum": [c.value for c in RegistrationCategory]},
                "Only this category",
            ),
            _query(
                "q",
                {"type": "string"},
                "Part of the name, organisation or e-mail (case-insensitive)",
            ),
            _query(
                "updated_since",
                {"type": "string", "format": "date-time"},
                "Only registrations changed at or after this moment (ISO 8601; no zone means UTC)",
            ),
            _query(
                "page",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID, "default": 1},
                "Page number, from 1",
            ),
            _query(
                "per_page",
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PER_PAGE,
                    "default": DEFAULT_PER_PAGE,
                },
                f"Registrations per page (at most {MAX_PER_PAGE})",
            ),
        ],
        "responses": {
            "200": openapi.json_content(
                {
                    "type": "object",
                    "required": ["total", "page", "per_page", "items"],
                    "properties": {
                        "event": {"type": "string"},
                        "total": {
                            "type": "integer",
                            "description": "Matching registrations on all pages",
                        },
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "items": {"type": "array", "items": openapi.ref("Registration")},
                    },
                },
                "One page of registrations in id order; times in UTC. A `Link` header gives "
                'the next page (rel="next") while there is one; a page past the end is empty.',
                headers={"Link": openapi.LINK_HEADER},
            ),
            **openapi.error_responses(400, 401, 403, 404, 422),
        },
    },
)
