"""Choice lists of the registration form, the import CSV and the organiser filters.

Kept in one place so the form, the CSV import and the exports never disagree.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from confapp.events.labels import CATEGORY_LABELS  # noqa: F401 (re-exported)
from confapp.registration.models import OrganisationType
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector

# Themes a delegate can tick under "interests" (stored as their values).
INTERESTS: tuple[tuple[str, Any], ...] = (
    ("industrial_productivity", _l("Industrial productivity")),
    ("inclusive_growth", _l("Inclusive growth")),
    ("innovation", _l("Innovation")),
    ("energy_efficiency", _l("Energy efficiency")),
    ("common_infrastructure", _l("Common infrastructure")),
    ("sustainable_production", _l("Sustainable production")),
    ("finance", _l("Finance")),
    ("export_markets", _l("Export markets")),
    ("skills_training", _l("Skills and training")),
    ("digitalisation", _l("Digitalisation")),
)
INTEREST_VALUES = frozenset(value for value, _ in INTERESTS)

ORGANISATION_TYPE_LABELS: dict[str, Any] = {
    OrganisationType.POLICY_MAKER: _l("Policy maker / government"),
    OrganisationType.MSME: _l("MSME (enterprise)"),
    OrganisationType.CLUSTER_ASSOCIATION: _l("Cluster association"),
    OrganisationType.FINANCIAL_INSTITUTION: _l("Financial institution"),
    OrganisationType.KNOWLEDGE_INSTITUTION: _l("Research or knowledge institution"),
    OrganisationType.IMPLEMENTING_AGENCY: _l("Implementing agency"),
    OrganisationType.INTERNATIONAL_ORGANISATION: _l("International organisation"),
    OrganisationType.OTHER: _l("Other"),
}

SECTOR_LABELS: dict[str, Any] = {
    Sector.INDUSTRY: _l("Industry"),
    Sector.AGRICULTURE: _l("Agriculture"),
    Sector.SERVICES: _l("Services"),
}

STATUS_LABELS: dict[str, Any] = {
    RegistrationStatus.PENDING: _l("Pending approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.REJECTED: _l("Not accepted"),
}


def interest_label(value: str) -> str:
    """Display label of an interest value, in the reader's language."""
    return str(dict(INTERESTS).get(value, value))
