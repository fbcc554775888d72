"""Choice lists of the registration form, the import CSV and the organiser filters.

Kept in one place so the form, the CSV import and the exports never disagree.
"""

from __future__ import annotations

from confapp.events.models import RegistrationCategory
from confapp.registration.models import OrganisationType
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector

# Themes a delegate can tick under "interests" (stored as their values).
INTERESTS: tuple[tuple[str, str], ...] = (
    ("industrial_productivity", "Industrial productivity"),
    ("inclusive_growth", "Inclusive growth"),
    ("innovation", "Innovation"),
    ("energy_efficiency", "Energy efficiency"),
    ("common_infrastructure", "Common infrastructure"),
    ("sustainable_production", "Sustainable production"),
    ("finance", "Finance"),
    ("export_markets", "Export markets"),
    ("skills_training", "Skills and training"),
    ("digitalisation", "Digitalisation"),
)
INTEREST_VALUES = frozenset(value for value, _ in INTERESTS)

ORGANISATION_TYPE_LABELS: dict[str, str] = {
    OrganisationType.POLICY_MAKER: "Policy maker / government",
    OrganisationType.MSME: "MSME (enterprise)",
    OrganisationType.CLUSTER_ASSOCIATION: "Cluster association",
    OrganisationType.FINANCIAL_INSTITUTION: "Financial institution",
    OrganisationType.KNOWLEDGE_INSTITUTION: "Research or knowledge institution",
    OrganisationType.IMPLEMENTING_AGENCY: "Implementing agency",
    OrganisationType.INTERNATIONAL_ORGANISATION: "International organisation",
    OrganisationType.OTHER: "Other",
}

SECTOR_LABELS: dict[str, str] = {
    Sector.INDUSTRY: "Industry",
    Sector.AGRICULTURE: "Agriculture",
    Sector.SERVICES: "Services",
}

CATEGORY_LABELS: dict[str, str] = {
    RegistrationCategory.DELEGATE: "Delegate",
    RegistrationCategory.SPEAKER: "Speaker",
    RegistrationCategory.PRESS: "Press",
    RegistrationCategory.SPONSOR: "Sponsor",
    RegistrationCategory.ORGANISING_STAFF: "Organising staff",
}

STATUS_LABELS: dict[str, str] = {
    RegistrationStatus.PENDING: "Pending approval",
    RegistrationStatus.CONFIRMED: "Confirmed",
    RegistrationStatus.WAITLISTED: "Waiting list",
    RegistrationStatus.CANCELLED: "Cancelled",
    RegistrationStatus.REJECTED: "Not accepted",
}


def interest_label(value: str) -> str:
    """Display label of an interest value."""
    return dict(INTERESTS).get(value, value)
