"""Visits in calendars: .ics per visit, e-mail attachments and the personal agenda provider."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.agenda import feeds
from confapp.agenda import ical
from confapp.agenda import personal
from confapp.agenda.models import SeatStatus
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.urls import site_domain
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus


def _host() -> str:
    return site_domain()


def visits_url(event: Event) -> str:
    """Absolute URL of the visits page."""
    return feeds.absolute_url("visits.index", slug=event.slug)


def location(visit: Visit) -> str:
    """Where the delegate must be: the meeting point (and where the cluster is)."""
    parts = [p for p in (visit.meeting_point, visit.cluster_location) if p]
    if len(parts) == 2:
        return _("%(meeting_point)s (to %(cluster)s)", meeting_point=parts[0], cluster=parts[1])
    return parts[0] if parts else ""


def visit_item(
    event: Event,
    visit: Visit,
    *,
    url: str,
    host: str,
    detail: str = "",
    tentative: bool = False,
) -> ical.CalItem:
    """One visit as a calendar item; SEQUENCE follows Visit.sequence."""
    lines = [detail] if detail else []
    cluster = ", ".join(
        p for p in (visit.cluster_name, visit.cluster_sector, visit.cluster_location) if p
    )
    if cluster:
        lines.append(_("Cluster: %(cluster)s", cluster=cluster))
    if visit.meeting_point:
        lines.append(_("Meeting point: %(place)s", place=visit.meeting_point))
    requirements = tr(visit, "requirements").strip()
    if requirements:
        lines.extend(["", _("Please bring / note:"), requirements])
    description = tr(visit, "description").strip()
    if description:
        lines.extend(["", description])
    lines.extend(["", url])
    return ical.CalItem(
        # Stable forever: ids never change, the host keeps UIDs unique worldwide.
        uid=f"visit-{visit.id}-{event.slug}@{host}",
        summary=_("Visit: %(title)s", title=tr(visit, "title")),
        starts_at=visit.departs_at,
        ends_at=visit.returns_at,
        sequence=visit.sequence,
        last_modified=visit.updated_at,
        created=visit.created_at,
        cancelled=visit.status is VisitStatus.CANCELLED,
        tentative=tentative,
        location=location(visit),
        url=url,
        description="\n".join(lines).strip(),
        categories=(_("Cluster visit"),),
    )


def visit_feed(event: Event, visit: Visit) -> feeds.Feed:
    """One visit's .ics with its validators (ETag, Last-Modified) for conditional GETs."""
    changed = max(visit.updated_at, event.updated_at, key=_aware)
    return feeds.make_feed(visit_ics_bytes(event, visit), changed)


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def visit_ics_bytes(event: Event, visit: Visit) -> bytes:
    """One visit as a calendar file (download and e-mail attachment)."""
    return ical.build_calendar(
        [visit_item(event, visit, url=visits_url(event) + f"#visit-{visit.id}", host=_host())],
        name=f"{tr(visit, 'title')} · {tr(event, 'title')}",
        timezone=event.timezone,
        years=(event.starts_on.year, event.ends_on.year),
    )


def personal_entries(event: Event, registration: Registration) -> list[personal.PersonalEntry]:
    """The delegate's visits (seat or waiting list) for my-agenda and the personal feed."""
    rows = db.session.execute(
        sa.select(Visit, VisitSignup.status, Bus.name)
        .join(VisitSignup, VisitSignup.visit_id == Visit.id)
        .outerjoin(Bus, Bus.id == VisitSignup.bus_id)
        .where(
            Visit.event_id == event.id,
            VisitSignup.registration_id == registration.id,
            VisitSignup.status != SeatStatus.CANCELLED,
        )
        .order_by(Visit.departs_at, Visit.id)
    ).all()
    base = visits_url(event)
    host = _host()
    entries = []
    for visit, status, bus in rows:
        if status is not SeatStatus.CONFIRMED:
            detail = _("On the waiting list")
        elif bus:
            detail = _("Seat confirmed, bus %(bus)s", bus=bus)
        else:
            detail = _("Seat confirmed")
        url = f"{base}#visit-{visit.id}"
        entries.append(
            personal.PersonalEntry(
                kind="visit",
                title=_("Visit: %(title)s", title=tr(visit, "title")),
                starts_at=visit.departs_at,
                ends_at=visit.returns_at,
                location=location(visit),
                url=url,
                detail=detail,
                cal_item=visit_item(
                    event,
                    visit,
                    url=url,
                    host=host,
                    detail=detail,
                    tentative=status is SeatStatus.WAITLISTED,
                ),
                cancelled=visit.status is VisitStatus.CANCELLED,
            )
        )
    return entries


def register_personal() -> None:
    """Make my-agenda and the personal feed show visits."""
    personal.register_provider("visit", personal_entries)
