"""A delegate's details as the registration form and the import give them: cleaning and
checking each field, the category, the gender question, the privacy notice."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp.countries import is_country
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.events.models import FieldMode
from confapp.events.models import RegistrationCategory
from confapp.i18n import N_
from confapp.multilingual import tr
from confapp.registration.choices import INTEREST_VALUES
from confapp.registration.choices import INTERESTS
from confapp.registration.models import Gender
from confapp.registration.models import OrganisationType
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector

Status = RegistrationStatus
ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)

# The delegate's details: the registration form's field names minus account fields.
DETAIL_FIELDS = (
    "full_name",
    "name_latin",
    "organisation",
    "organisation_type",
    "job_title",
    "country",
    "sector",
    "phone",
    "interests",
    "dietary",
    "accessibility",
    "needs_visa_letter",
    "directory_opt_in",
)
_MAX_LENGTHS = {
    "full_name": 200,
    "name_latin": 200,
    "organisation": 200,
    "job_title": 200,
    "phone": 40,
    "dietary": 300,
    "accessibility": 300,
}


def is_latin(text: str) -> bool:
    """Whether every letter of the text is a Latin letter (accents and marks allowed)."""
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def clean_details(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise the delegate details; raise ValidationFailed naming the field."""
    out: dict[str, Any] = {}
    for name, limit in _MAX_LENGTHS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            raise ValidationFailed(_("At most %(limit)s characters.", limit=limit), field=name)
        out[name] = value
    if not out["full_name"]:
        raise ValidationFailed(_("Enter your full name."), field="full_name")
    out["name_latin"] = " ".join(out["name_latin"].split())
    if not is_latin(out["name_latin"]):
        raise ValidationFailed(
            _("Write this name in Latin letters (A to Z, accents allowed)."), field="name_latin"
        )
    country = str(data.get("country") or "").strip().upper()
    if not is_country(country):
        raise ValidationFailed(
            _(
                "Unknown country code “%(code)s”; use an ISO 3166 two-letter code.",
                code=country[:10],
            ),
            field="country",
        )
    out["country"] = country
    out["organisation_type"] = _enum(
        OrganisationType, data.get("organisation_type"), OrganisationType.OTHER, "organisation_type"
    )
    out["sector"] = _enum(Sector, data.get("sector"), Sector.INDUSTRY, "sector")
    interests = data.get("interests") or []
    if isinstance(interests, str):
        interests = [interests]
    interests = [str(i).strip() for i in interests if str(i).strip()]
    unknown = [i for i in interests if i not in INTEREST_VALUES]
    if unknown:
        raise ValidationFailed(
            _("Unknown interest: %(join)s.", join=", ".join(unknown)), field="interests"
        )
    # Keep the canonical order and drop repeats.
    out["interests"] = [value for value, _ in INTERESTS if value in set(interests)]
    out["needs_visa_letter"] = bool(data.get("needs_visa_letter"))
    out["directory_opt_in"] = bool(data.get("directory_opt_in"))
    return out


def _enum(cls, value: Any, default, field: str):
    if value in (None, ""):
        return default
    try:
        return cls(value)
    except ValueError:
        raise ValidationFailed(
            _("Unknown value %(value)r.", value=str(value)[:40]), field=field
        ) from None


def parse_category(value: Any) -> RegistrationCategory:
    """The category for a value, or ValidationFailed."""
    return _enum(RegistrationCategory, value, RegistrationCategory.DELEGATE, "category")


DEFAULT_PRIVACY_NOTICE = N_("""\
**How your data is used.** The organisers of %(title)s collect the details on this form to run
the conference: your place, badge, programme, meetings and visits, and the e-mails about them.

- **Who sees them:** the organisers and their staff. Other delegates see your name,
  organisation, job title and country only if you join the networking directory.
- **Visa letters:** passport details are seen by the organisers only and erased after the event.
- **How long:** they are kept for the event and its reports, then deleted on request.
- **Your rights:** you can correct your details from "My registration" and ask the organisers
  %(contact)sto see or delete them.
""")


def privacy_notice(event: Event) -> str:
    """The privacy notice shown before registering: the organiser's own text (Markdown),
    else a plain default that names the event and its contact address."""
    if (event.privacy_notice or "").strip():
        return event.privacy_notice
    contact = f"({event.contact_email}) " if event.contact_email else ""
    return _(DEFAULT_PRIVACY_NOTICE, title=tr(event, "title"), contact=contact)


def clean_gender(event: Event, data: Mapping[str, Any]) -> dict[str, Any]:
    """The optional gender answer as the event asks it: nothing when the question is hidden
    or not in `data` (imports), None for no answer, refused when required and missing."""
    if event.gender_field is FieldMode.HIDDEN or "gender" not in data:
        return {}
    value = str(data.get("gender") or "").strip()
    if not value:
        if event.gender_field is FieldMode.REQUIRED:
            raise ValidationFailed(
                _l("Choose an answer (“Prefer not to say” is one)."), field="gender"
            )
        return {"gender": None}
    try:
        return {"gender": Gender(value)}
    except ValueError:
        raise ValidationFailed(_l("Choose one of the answers offered."), field="gender") from None
