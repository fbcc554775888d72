"""Segments: which registrations an announcement goes to, as a small JSON filter.

Every key is optional and the keys combine with AND (the API contract in DESIGN.md)::

    {"status": ["confirmed"], "category": ["delegate"], "country": ["KE", "IN"],
     "country_group": ["LDC"], "organisation_type": ["msme"], "sector": ["industry"],
     "visit_id": 3, "session_id": 12,            # signed up (a confirmed seat)
     "attended": "entrance", "not_attended": ["visit:3"],   # from the scans
     "has_meetings": true, "pending_meeting_request": true, "visa_letter_missing": true}

``{}`` is every confirmed registration. Each filter is a condition on the registration
row itself (``IN`` or ``EXISTS``), so a person who matches twice (two sign-ups, two scans)
is still one row, and one message.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import country_groups as cg
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.checkin.models import Attendance
from confapp.countries import country_name
from confapp.countries import is_country
from confapp.errors import ValidationFailed
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.meetings.models import MeetingAttendee
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import RequestStatus
from confapp.multilingual import tr
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup

LIST_KEYS = ("status", "category", "country", "country_group", "organisation_type", "sector")
ID_KEYS = ("visit_id", "session_id")
CHECKPOINT_KEYS = ("attended", "not_attended")
FLAG_KEYS = ("has_meetings", "pending_meeting_request", "visa_letter_missing")
KEYS = (*LIST_KEYS, *ID_KEYS, *CHECKPOINT_KEYS, *FLAG_KEYS)

STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.PENDING: _l("Pending"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.REJECTED: _l("Rejected"),
}


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="segment", code="bad_segment")


def _as_list(key: str, value: Any) -> list:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list) and all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        return value
    raise _refuse(_("“%(key)s” must be a list of values.", key=key))


def _choices(key: str, values: list, allowed: set[str]) -> list[str]:
    cleaned = []
    for value in values:
        text = str(value).strip().lower()
        if text not in allowed:
            raise _refuse(
                _(
                    "“%(value)s” is not a known value of “%(key)s” (use one of: %(allowed)s).",
                    value=str(value)[:40],
                    key=key,
                    allowed=", ".join(sorted(allowed)),
                )
            )
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def _countries(values: list) -> list[str]:
    cleaned = []
    for value in values:
        code = str(value).strip().upper()
        if not is_country(code):
            raise _refuse(
                _("“%(value)s” is not an ISO 3166-1 country code.", value=str(value)[:40])
            )
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _country_groups(values: list) -> list[str]:
    cleaned = []
    for value in values:
        code = str(value).strip().upper()
        if not cg.is_group(code):
            raise _refuse(_("“%(value)s” is not a known country group.", value=code[:40]))
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _an_id(key: str, value: Any, model: type, event: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _refuse(_("“%(key)s” must be a number.", key=key))
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise _refuse(_("“%(key)s” must be a number.", key=key))
    found = db.session.scalar(
        sa.select(model.id).where(model.id == int(text), model.event_id == event.id)
    )
    if found is None:
        raise _refuse(_("“%(key)s” names nothing in this event.", key=key))
    return found


def _checkpoints(key: str, value: Any, event: Any) -> list[str]:
    cleaned = []
    for item in _as_list(key, value):
        text = str(item).strip().lower()
        kind, _sep, ident = text.partition(":")
        if text == "entrance":
            pass
        elif kind == "session" and ident:
            text = f"session:{_an_id(key, ident, ProgrammeSession, event)}"
        elif kind == "visit" and ident:
            text = f"visit:{_an_id(key, ident, Visit, event)}"
        else:
            raise _refuse(
                _(
                    "“%(key)s” takes “entrance”, “session:<id>” or “visit:<id>”, not “%(value)s”.",
                    key=key,
                    value=str(item)[:40],
                )
            )
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def parse(raw: Any, event: Any) -> dict[str, Any]:
    """Check a segment and return it normalised (known keys, clean values, no empties);
    raise ValidationFailed with the reason for anything else."""
    raw = _known_filters(raw)
    segment: dict[str, Any] = {}
    for key in LIST_KEYS:
        value = raw.get(key)
        if value not in (None, [], ""):
            segment[key] = _list_filter(key, _as_list(key, value))
    for key, model in (("visit_id", Visit), ("session_id", ProgrammeSession)):
        if raw.get(key) not in (None, ""):
            segment[key] = _an_id(key, raw[key], model, event)
    for key in CHECKPOINT_KEYS:
        if raw.get(key) not in (None, "", []):
            segment[key] = _checkpoints(key, raw[key], event)
    for key in FLAG_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, bool):
            raise _refuse(_("“%(key)s” must be true or false.", key=key))
        segment[key] = value
    return segment


def _known_filters(raw: Any) -> dict:
    """The segment object, refused when it is not one or names an unknown filter."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _refuse(_("The segment must be an object of filters."))
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        raise _refuse(
            _(
                "Unknown segment filter “%(key)s” (known: %(known)s).",
                key=unknown[0][:40],
                known=", ".join(KEYS),
            )
        )
    return raw


def _list_filter(key: str, values: list) -> list:
    """One list filter's values, checked against its choices."""
    choices = {
        "status": RegistrationStatus,
        "category": RegistrationCategory,
        "organisation_type": OrganisationType,
        "sector": Sector,
    }
    if key in choices:
        return _choices(key, values, {member.value for member in choices[key]})
    if key == "country":
        return _countries(values)
    return _country_groups(values)


def _attended(registration_id, checkpoint: str):
    return sa.exists().where(
        Attendance.registration_id == registration_id, Attendance.checkpoint == checkpoint
    )


def query(event: Any, segment: dict[str, Any]) -> sa.Select:
    """``SELECT registration.id`` of every registration the (parsed) segment matches."""
    reg = Registration
    stmt = sa.select(reg.id).where(reg.event_id == event.id)
    statuses = segment.get("status") or [RegistrationStatus.CONFIRMED.value]
    stmt = stmt.where(reg.status.in_([RegistrationStatus(s) for s in statuses]))
    if segment.get("category"):
        stmt = stmt.where(reg.category.in_([RegistrationCategory(c) for c in segment["category"]]))
    if segment.get("country"):
        stmt = stmt.where(reg.country.in_(segment["country"]))
    if segment.get("country_group"):
        # Each group is a filter of its own (AND): "LDC and SIDS" is their intersection.
        for code in segment["country_group"]:
            stmt = stmt.where(reg.country.in_(sorted(cg.members(code))))
    if segment.get("organisation_type"):
        stmt = stmt.where(
            reg.organisation_type.in_([OrganisationType(t) for t in segment["organisation_type"]])
        )
    if segment.get("sector"):
        stmt = stmt.where(reg.sector.in_([Sector(s) for s in segment["sector"]]))
    if segment.get("visit_id"):
        stmt = stmt.where(
            sa.exists().where(
                VisitSignup.visit_id == segment["visit_id"],
                VisitSignup.registration_id == reg.id,
                VisitSignup.status == SeatStatus.CONFIRMED,
            )
        )
    if segment.get("session_id"):
        stmt = stmt.where(
            sa.exists().where(
                SessionSignup.session_id == segment["session_id"],
                SessionSignup.registration_id == reg.id,
                SessionSignup.status == SeatStatus.CONFIRMED,
            )
        )
    for checkpoint in segment.get("attended") or ():
        stmt = stmt.where(_attended(reg.id, checkpoint))
    for checkpoint in segment.get("not_attended") or ():
        stmt = stmt.where(~_attended(reg.id, checkpoint))
    stmt = _flags(stmt, segment)
    return stmt


def _flags(stmt: sa.Select, segment: dict[str, Any]) -> sa.Select:
    reg = Registration
    conditions = {
        "has_meetings": sa.exists().where(MeetingAttendee.registration_id == reg.id),
        # A request waiting for this person's answer.
        "pending_meeting_request": sa.exists().where(
            MeetingRequest.invitee_id == reg.id, MeetingRequest.status == RequestStatus.PENDING
        ),
        # Asked for a visa letter on the registration form and has no approved letter yet.
        "visa_letter_missing": sa.and_(
            reg.needs_visa_letter.is_(True),
            ~sa.exists().where(
                VisaRequest.registration_id == reg.id, VisaRequest.status == VisaStatus.APPROVED
            ),
        ),
    }
    for key, condition in conditions.items():
        if key in segment:
            stmt = stmt.where(condition if segment[key] else ~condition)
    return stmt


def registrations(event: Any, segment: dict[str, Any]) -> list[Registration]:
    """The registrations a segment matches, one per person (by e-mail), by name."""
    ids = query(event, segment)
    rows = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(ids))
        .order_by(sa.func.lower(Registration.full_name), Registration.id)
    ).all()
    seen: set[str] = set()
    unique = []
    for row in rows:
        address = (row.email or "").strip().lower()
        if address and address not in seen:
            seen.add(address)
            unique.append(row)
    return unique


def count(event: Any, segment: dict[str, Any]) -> int:
    """How many people a segment reaches (the same rule as :func:`registrations`)."""
    ids = query(event, segment)
    return (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(sa.func.lower(Registration.email)))).where(
                Registration.id.in_(ids)
            )
        )
        or 0
    )


@dataclasses.dataclass(frozen=True)
class Condition:
    """One line of a segment in words: "Country: Kenya, India"."""

    label: str
    value: str


def _checkpoint_name(checkpoint: str, event: Any) -> str:
    if checkpoint == "entrance":
        return _("the entrance")
    kind, _sep, ident = checkpoint.partition(":")
    model = ProgrammeSession if kind == "session" else Visit
    row = db.session.get(model, int(ident)) if ident.isdigit() else None
    return tr(row, "title") if row is not None else checkpoint


def describe(segment: dict[str, Any], event: Any) -> list[Condition]:
    """The segment in words, for the compose page and the sent record."""
    lines: list[Condition] = []
    statuses = segment.get("status") or [RegistrationStatus.CONFIRMED.value]
    lines.append(
        Condition(
            _("Registration status"),
            ", ".join(str(STATUS_LABELS[RegistrationStatus(s)]) for s in statuses),
        )
    )
    labels = {
        "category": _("Category"),
        "organisation_type": _("Organisation type"),
        "sector": _("Sector"),
    }
    for key, label in labels.items():
        if segment.get(key):
            lines.append(Condition(label, ", ".join(segment[key])))
    if segment.get("country_group"):
        names = ", ".join(cg.group_name(g) for g in segment["country_group"])
        lines.append(Condition(_("Country group"), names))
    if segment.get("country"):
        names = ", ".join(country_name(c) for c in segment["country"])
        lines.append(Condition(_("Country"), names))
    for key, model, label in (
        ("visit_id", Visit, _("Signed up for the visit")),
        ("session_id", ProgrammeSession, _("Signed up for the session")),
    ):
        if segment.get(key):
            row = db.session.get(model, segment[key])
            lines.append(Condition(label, tr(row, "title") if row else str(segment[key])))
    for key, label in (("attended", _("Attended")), ("not_attended", _("Did not attend"))):
        if segment.get(key):
            names = ", ".join(_checkpoint_name(c, event) for c in segment[key])
            lines.append(Condition(label, names))
    flags = {
        "has_meetings": (_("Has meetings scheduled"), _("Has no meetings scheduled")),
        "pending_meeting_request": (
            _("Has a meeting request to answer"),
            _("Has no meeting request to answer"),
        ),
        "visa_letter_missing": (
            _("Needs a visa letter and has not got one"),
            _("Does not wait for a visa letter"),
        ),
    }
    for key, (yes, no) in flags.items():
        if key in segment:
            lines.append(Condition(yes if segment[key] else no, ""))
    return lines
