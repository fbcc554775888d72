"""Organisers' search of an event's registrations (filters, pages, counts) and the
export's rows."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from confapp.countries import country_name
from confapp.countries import is_country
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.registration.details import Status
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import Sector

PER_PAGE = 50


@dataclasses.dataclass
class Filters:
    """Organiser list filters, parsed leniently from query parameters."""

    status: Status | None = None
    category: RegistrationCategory | None = None
    country: str | None = None
    organisation_type: OrganisationType | None = None
    sector: Sector | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Filters:
        """Read filters from request.args; unknown values are ignored, not errors."""

        def pick(enum_cls, name):
            try:
                return enum_cls(args.get(name)) if args.get(name) else None
            except ValueError:
                return None

        country = (args.get("country") or "").strip().upper()
        return cls(
            status=pick(Status, "status"),
            category=pick(RegistrationCategory, "category"),
            country=country if is_country(country) else None,
            organisation_type=pick(OrganisationType, "organisation_type"),
            sector=pick(Sector, "sector"),
            q=(args.get("q") or "").strip()[:200],
        )

    def as_args(self) -> dict[str, str]:
        """The active filters as query parameters (for links and exports)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {k: str(getattr(v, "value", v)) for k, v in values.items() if v}

    def conditions(self, event: Event) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses for these filters."""
        where: list[sa.ColumnElement[bool]] = [Registration.event_id == event.id]
        for name in ("status", "category", "country", "organisation_type", "sector"):
            value = getattr(self, name)
            if value:
                where.append(getattr(Registration, name) == value)
        if self.q:
            escaped = self.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            where.append(
                sa.or_(
                    *(
                        sa.func.lower(column).like(pattern, escape="\\")
                        for column in (
                            Registration.full_name,
                            Registration.name_latin,
                            Registration.email,
                            Registration.organisation,
                        )
                    )
                )
            )
        return where


@dataclasses.dataclass
class Page:
    """One page of results."""

    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))


def _filters(filters: Filters | Mapping[str, Any] | None) -> Filters:
    if filters is None:
        return Filters()
    return filters if isinstance(filters, Filters) else Filters.from_args(filters)


def search_registrations(
    event: Event,
    filters: Filters | Mapping[str, Any] | None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """A page of the event's registrations: one query for the rows and one for the count."""
    filters = _filters(filters)
    where = filters.conditions(event)
    total = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = db.session.scalars(
        sa.select(Registration)
        .where(*where)
        .order_by(Registration.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def status_counts(event: Event) -> dict[Status, int]:
    """How many registrations the event has in each status (zeros included)."""
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    counts = dict.fromkeys(Status, 0)
    counts.update({status: count for status, count in rows})
    return counts


EXPORT_COLUMNS = (
    "id",
    "status",
    "category",
    "source",
    "full_name",
    "email",
    "organisation",
    "organisation_type",
    "job_title",
    "country",
    "country_name",
    "sector",
    "phone",
    "interests",
    "dietary",
    "accessibility",
    "needs_visa_letter",
    "directory_opt_in",
    "registered_at",
    # Added later: new columns go last so that spreadsheets built on the export keep working.
    "name_latin",
)


def export_rows(
    event: Event, filters: Filters | Mapping[str, Any] | None
) -> tuple[tuple[str, ...], list[list[Any]]]:
    """Header and rows of the filtered registrations for CSV/XLSX (no passport data)."""
    filters = _filters(filters)
    regs = db.session.scalars(
        sa.select(Registration).where(*filters.conditions(event)).order_by(Registration.id)
    ).all()
    rows = [
        [
            reg.id,
            reg.status.value,
            reg.category.value,
            reg.source.value,
            reg.full_name,
            reg.email,
            reg.organisation,
            reg.organisation_type.value,
            reg.job_title,
            reg.country,
            country_name(reg.country),
            reg.sector.value,
            reg.phone,
            ";".join(reg.interests or []),
            reg.dietary,
            reg.accessibility,
            "yes" if reg.needs_visa_letter else "no",
            "yes" if reg.directory_opt_in else "no",
            event.local(reg.created_at).strftime("%Y-%m-%d %H:%M"),
            reg.name_latin,
        ]
        for reg in regs
    ]
    return EXPORT_COLUMNS, rows
