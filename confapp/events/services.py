"""Event operations: create, update settings, publish, partners. Flush only.

The bottom layer of the feature packages: it imports no other feature (roles live with
accounts, the waiting list with registration).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.capacity import services as capacity_service
from confapp.countries import is_country
from confapp.errors import NotFound
from confapp.errors import ValidationFailed
from confapp.events.models import ClashPolicy
from confapp.events.models import Event
from confapp.events.models import EventPartner
from confapp.events.models import EventStatus
from confapp.events.models import FieldMode
from confapp.events.models import RegistrationCategory
from confapp.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def validate_event_fields(
    *,
    slug: str,
    timezone: str,
    starts_on: dt.date,
    ends_on: dt.date,
    country: str = "",
    registration_opens_at: dt.datetime | None = None,
    registration_closes_at: dt.datetime | None = None,
    capacity: int | None = None,
    public_categories: str = "delegate",
    exclude_id: int | None = None,
) -> None:
    """Check the rules a form alone cannot; raise ValidationFailed naming the field."""
    if not SLUG_RE.match(slug or "") or len(slug) > 64:
        raise ValidationFailed(_("Use lower-case letters, digits and hyphens."), field="slug")
    clash = db.session.scalar(sa.select(Event.id).where(Event.slug == slug))
    if clash is not None and clash != exclude_id:
        raise ValidationFailed(_("Another event already uses this address."), field="slug")
    check_timezone(timezone)
    if ends_on < starts_on:
        raise ValidationFailed(_("The event cannot end before it starts."), field="ends_on")
    if country and not is_country(country):
        raise ValidationFailed(_("Unknown country code."), field="country")
    if (
        registration_opens_at
        and registration_closes_at
        and registration_closes_at <= registration_opens_at
    ):
        raise ValidationFailed(
            _("Registration must close after it opens."), field="registration_closes_at"
        )
    if capacity is not None and capacity < 0:
        raise ValidationFailed(_("Capacity cannot be negative."), field="capacity")
    for category in filter(None, public_categories.split(",")):
        if category not in RegistrationCategory._value2member_map_:
            raise ValidationFailed(
                _("Unknown category %(category)r.", category=category), field="public_categories"
            )


def check_timezone(name: str) -> None:
    """Refuse anything but an IANA zone name (the settings form offers them as a list)."""
    if name not in available_timezones():
        raise ValidationFailed(
            _("Choose a time zone from the list (an IANA name such as Asia/Kolkata)."),
            field="timezone",
        )


def create_event(
    *,
    slug: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    timezone: str = "UTC",
    capacity: int | None = None,
    partners: list[tuple[str, str]] | None = None,
    **fields,
) -> Event:
    """Create a draft event (and its capacity pool) after validating it."""
    validate_event_fields(
        slug=slug,
        timezone=timezone,
        starts_on=starts_on,
        ends_on=ends_on,
        country=fields.get("country", ""),
        registration_opens_at=fields.get("registration_opens_at"),
        registration_closes_at=fields.get("registration_closes_at"),
        capacity=capacity,
        public_categories=fields.get("public_categories", "delegate"),
    )
    pool = capacity_service.new_pool(capacity)
    event = Event(
        slug=slug,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        timezone=timezone,
        capacity=capacity,
        pool=pool,
        **fields,
    )
    for position, (name, role) in enumerate(partners or []):
        event.partners.append(EventPartner(name=name, role=role, position=position))
    db.session.add(event)
    db.session.flush()
    return event


def publish(event: Event) -> None:
    """Make the event visible to the public."""
    event.status = EventStatus.PUBLISHED
    db.session.flush()


def unpublish(event: Event) -> None:
    """Hide the event from the public again."""
    event.status = EventStatus.DRAFT
    db.session.flush()


def event_for_viewer(slug: str, viewer: Any) -> Event:
    """The event with this slug; drafts exist only for their staff and administrators
    (NotFound, a 404, for everyone else: a draft's existence is not revealed)."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None or not event.visible_to(viewer):
        raise NotFound(_("There is no event at this address."))
    return event


# Views not yet on the request lifecycle call it by its old name.
get_event_or_404 = event_for_viewer


def list_published_events() -> list[Event]:
    """Published events, soonest first."""
    return list(
        db.session.scalars(
            sa.select(Event).where(Event.status == EventStatus.PUBLISHED).order_by(Event.starts_on)
        )
    )


def list_all_events() -> list[Event]:
    """Every event, drafts included, latest first (administrators)."""
    return list(db.session.scalars(sa.select(Event).order_by(Event.starts_on.desc(), Event.id)))


# --- settings -----------------------------------------------------------------------

# Fields update_event() copies as they are (after validation).
_PLAIN_FIELDS = (
    "gender_field",
    "title",
    "tagline",
    "description",
    "venue",
    "venue_address",
    "city",
    "country",
    "timezone",
    "starts_on",
    "ends_on",
    "requires_approval",
    "public_categories",
    "contact_email",
    "letter_signatory",
    "letter_purpose",
    "passport_data_kept_until",
    "privacy_notice",
    "status",
    "visit_clash_policy",
    "visits_per_day_limit",
)
_LOCAL_DATETIME_FIELDS = ("registration_opens_at", "registration_closes_at", "edit_deadline")
_MAX_LENGTHS = {
    "title": 200,
    "tagline": 300,
    "venue": 200,
    "venue_address": 300,
    "city": 100,
    "contact_email": 254,
    "letter_signatory": 200,
}


def to_utc(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """A datetime entered in the event's zone (naive) as aware UTC; aware ones are kept."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(dt.UTC)


def to_local_naive(value: dt.datetime | None, event: Event) -> dt.datetime | None:
    """A stored UTC datetime as the naive wall time of the event's zone (form fields)."""
    if value is None:
        return None
    return event.local(value).replace(tzinfo=None)


def parse_partners(text: str) -> list[tuple[str, str, str]]:
    """Parse one "Name | Role" (optionally "| URL") per line; blank lines are skipped."""
    partners: list[tuple[str, str, str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3 or not parts[0]:
            raise ValidationFailed(
                _(
                    'Line %(number)s: write "Name | Role" (optionally "| https://…").',
                    number=number,
                ),
                field="partners",
            )
        name = parts[0]
        role = parts[1] if len(parts) > 1 and parts[1] else "Partner"
        url = parts[2] if len(parts) > 2 else ""
        if len(name) > 200 or len(role) > 100 or len(url) > 300:
            raise ValidationFailed(
                _("Line %(number)s is too long.", number=number), field="partners"
            )
        if url and not url.startswith(("https://", "http://")):
            raise ValidationFailed(
                _("Line %(number)s: the web address must start with https://.", number=number),
                field="partners",
            )
        partners.append((name, role, url))
    return partners


def format_partners(event: Event) -> str:
    """The partners as the settings textarea shows them."""
    lines = []
    for partner in event.partners:
        line = f"{partner.name} | {partner.role}"
        if partner.url:
            line += f" | {partner.url}"
        lines.append(line)
    return "\n".join(lines)


def _clean_settings(event: Event, data: dict) -> dict:
    """The Event values of a settings update, checked (ValidationFailed names the field)."""
    values = {key: data[key] for key in _PLAIN_FIELDS if key in data}
    for key, limit in _MAX_LENGTHS.items():
        if len(values.get(key) or "") > limit:
            raise ValidationFailed(_("At most %(limit)s characters.", limit=limit), field=key)
    if "title" in values and not (values["title"] or "").strip():
        raise ValidationFailed(_("Enter a title."), field="title")
    if "status" in values:
        values["status"] = EventStatus(values["status"])
    if "visit_clash_policy" in values:
        values["visit_clash_policy"] = ClashPolicy(values["visit_clash_policy"])
    if "gender_field" in values:
        values["gender_field"] = FieldMode(values["gender_field"] or FieldMode.HIDDEN)
    limit = values.get("visits_per_day_limit")
    if limit is not None and limit < 1:
        raise ValidationFailed(
            _("Leave empty for no limit, or allow at least 1."), field="visits_per_day_limit"
        )
    if isinstance(values.get("public_categories"), list | tuple):
        values["public_categories"] = ",".join(str(c) for c in values["public_categories"])
    timezone = values.get("timezone", event.timezone)
    # Checked before the datetimes below are read as wall time in that zone.
    check_timezone(timezone)
    for key in _LOCAL_DATETIME_FIELDS:
        if key in data:
            values[key] = to_utc(data[key], timezone)
    validate_event_fields(
        slug=event.slug,
        timezone=timezone,
        starts_on=values.get("starts_on", event.starts_on),
        ends_on=values.get("ends_on", event.ends_on),
        country=values.get("country", event.country),
        registration_opens_at=values.get("registration_opens_at", event.registration_opens_at),
        registration_closes_at=values.get("registration_closes_at", event.registration_closes_at),
        capacity=data.get("capacity", event.capacity),
        public_categories=values.get("public_categories", event.public_categories),
        exclude_id=event.id,
    )
    kept_until = values.get("passport_data_kept_until")
    if kept_until is not None and kept_until < values.get("ends_on", event.ends_on):
        raise ValidationFailed(
            _("Passport data is needed until the event is over: choose its last day or later."),
            field="passport_data_kept_until",
        )
    return values


def _replace_partners(event: Event, partners: list) -> None:
    wanted = [(p[0], p[1], p[2] if len(p) > 2 else "") for p in partners]
    if wanted == [(p.name, p.role, p.url) for p in event.partners]:
        return  # an unchanged save changes (and logs) nothing
    event.partners.clear()
    db.session.flush()
    for position, (name, role, url) in enumerate(wanted):
        event.partners.append(EventPartner(name=name, role=role, url=url, position=position))


def update_event(event: Event, data: dict, now: dt.datetime) -> bool:
    """Change an event's settings; return whether places were added (the waiting list,
    which registration owns, may then move up: ``registration.services.change_settings``).

    `data` holds the Event fields; the three local datetimes may be naive, meaning wall
    time in the (new) event zone. `partners` is a list of (name, role[, url]) or text.
    Nothing is changed when a rule refuses the update.
    """
    values = _clean_settings(event, data)
    partners = data.get("partners")
    if isinstance(partners, str):
        partners = parse_partners(partners)
    capacity = data.get("capacity", event.capacity)
    old_capacity = event.pool.capacity
    if "capacity" in data and capacity != old_capacity:
        # Refuses (before anything else changes) to go below the seats already taken.
        capacity_service.set_capacity(event.pool, capacity)
        event.capacity = capacity
    for key, value in values.items():
        if getattr(event, key) != value:
            setattr(event, key, value)
    if partners is not None:
        _replace_partners(event, partners)
    db.session.flush()
    return (
        "capacity" in data
        and old_capacity is not None
        and (capacity is None or capacity > old_capacity)
    )
