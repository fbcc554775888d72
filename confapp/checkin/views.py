"""Check-in pages: the staff scanner, organisers' attendance reports, certificates."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.orm import selectinload

from confapp import assets
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionStatus
from confapp.badges import tokens
from confapp.checkin import reports
from confapp.checkin import services
from confapp.checkin.certificates import CertificateData
from confapp.checkin.certificates import build_certificates
from confapp.countries import country_name
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.events.services import get_event_or_404
from confapp.extensions import db
from confapp.pdf import font_set
from confapp.registration import services as registration_services
from confapp.registration.models import Registration
from confapp.security import organiser_event
from confapp.security import require_staff
from confapp.visits.models import Visit
from confapp.visits.models import VisitStatus

bp = Blueprint("checkin", __name__)

# Everything the scanner page loads (base.html's style and icon, its scripts): the service
# worker stores these so the page opens with no network (a test checks the list is whole).
SCANNER_ASSETS = (
    "css/app.css",
    "img/favicon.svg",
    "vendor/jsqr/jsQR.min.js",
    "js/scanner.js",
    "vendor/noble-ed25519/index.min.js",
)
SERVICE_WORKER = "js/scan-sw.js"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<slug>/scan")
def scan(slug: str):
    """The staff scanner: camera or keyboard wedge, offline queue, name search."""
    event = get_event_or_404(slug, current_user)
    require_staff(event)
    # Cancelled sessions and visits have no door to stand at.
    sessions = db.session.scalars(
        db.select(ProgrammeSession)
        .where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.status != SessionStatus.CANCELLED,
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()
    visits = db.session.scalars(
        db.select(Visit)
        .where(Visit.event_id == event.id, Visit.status != VisitStatus.CANCELLED)
        .options(selectinload(Visit.buses))
        .order_by(Visit.departs_at, Visit.id)
    ).all()
    return render_template(
        "checkin/scan.html",
        event=event,
        sessions=sessions,
        visits=visits,
        public_key=tokens.public_key_b64(services.secret_key(), event.id),
        checkin_url=url_for("checkin_api.checkin", slug=event.slug),
        search_url=url_for("checkin_api.search", slug=event.slug),
        worker_url=url_for("checkin.scan_worker", slug=event.slug),
    )


@bp.get("/events/<slug>/scan-sw.js")
def scan_worker(slug: str):
    """The scanner's service worker, scoped to the event's pages (no personal data in it)."""
    event = get_event_or_404(slug, current_user)
    config = {
        "page": url_for("checkin.scan", slug=event.slug),
        "assets": [assets.static_url(name) for name in SCANNER_ASSETS],
    }
    source = (Path(current_app.static_folder) / SERVICE_WORKER).read_text(encoding="utf-8")
    config["version"] = hashlib.sha256((json.dumps(config) + source).encode()).hexdigest()[:12]
    body = f"const SCANNER = {json.dumps(config)};\n{source}"
    response = Response(body, mimetype="text/javascript")
    # Browsers check for a new worker on each visit; never answer from a cache.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/events/<slug>/manage/attendance")
def attendance(slug: str):
    """Attendance per session and visit against capacity and sign-ups; per delegate."""
    event = organiser_event(slug)
    delegates = reports.delegate_rows(event)
    return render_template(
        "checkin/attendance.html",
        event=event,
        entrance=reports.entrance_count(event),
        sessions=reports.session_rows(event),
        visits=reports.visit_rows(event),
        delegates=delegates,
        attended=sum(1 for d in delegates if d["attended"]),
    )


@bp.get("/events/<slug>/manage/attendance/detail")
def attendance_detail(slug: str):
    """Who was scanned in at ?checkpoint=entrance|session:<id>|visit:<id>, and the no-shows."""
    event = organiser_event(slug)
    key = request.args.get("checkpoint", services.ENTRANCE)
    kind, _, raw_id = key.partition(":")
    session_id = int(raw_id) if kind == "session" and raw_id.isdigit() else None
    visit_id = int(raw_id) if kind == "visit" and raw_id.isdigit() else None
    if key != services.ENTRANCE and session_id is None and visit_id is None:
        abort(404)
    try:
        checkpoint = services.resolve_checkpoint(event, session_id, visit_id)
    except DomainError:
        abort(404)
    missing = None
    if visit_id is not None or (
        checkpoint.session is not None and checkpoint.session.capacity_pool_id
    ):
        missing = reports.no_shows(event, session_id=session_id, visit_id=visit_id)
    return render_template(
        "checkin/attendance_detail.html",
        event=event,
        checkpoint=checkpoint,
        attendees=reports.attendees(event, checkpoint.key),
        no_shows=missing,
    )


@bp.get("/events/<slug>/manage/attendance.csv")
def attendance_csv(slug: str):
    """Per-delegate attendance as CSV."""
    event = organiser_event(slug)
    return _download(
        reports.delegate_csv(event), "text/csv; charset=utf-8", f"{event.slug}-attendance.csv"
    )


def _dates(event: Event) -> str:
    if event.starts_on == event.ends_on:
        return f"{event.starts_on.day} {event.starts_on:%B %Y}"
    return (
        f"{event.starts_on.day} {event.starts_on:%B %Y} – {event.ends_on.day} {event.ends_on:%B %Y}"
    )


def _certificate(event: Event, reg: Registration, sessions: int) -> CertificateData:
    return CertificateData(
        full_name=reg.full_name,
        organisation=reg.organisation,
        event_title=event.title,
        dates=_dates(event),
        place=", ".join(p for p in (event.venue, event.city, country_name(event.country)) if p),
        sessions_attended=sessions,
        partners=tuple(p.name for p in event.partners),
    )


@bp.get("/events/<slug>/my-certificate.pdf")
@login_required
def my_certificate(slug: str):
    """The delegate's certificate of participation, once they were scanned in."""
    event = get_event_or_404(slug, current_user)
    reg = registration_services.get_registration(event, current_user)
    if reg is None or not reports.has_attended(reg):
        abort(404)
    row = next((r for r in reports.delegate_rows(event) if r["registration"].id == reg.id), None)
    sessions = len(row["sessions"]) if row else 0
    body = build_certificates([_certificate(event, reg, sessions)], font_set(current_app.config))
    return _download(body, "application/pdf", f"{event.slug}-certificate.pdf")


@bp.get("/events/<slug>/manage/certificates.pdf")
def certificates_bulk(slug: str):
    """Certificates of everyone scanned in at the entrance or a session, one per page."""
    event = organiser_event(slug)
    rows = [r for r in reports.delegate_rows(event) if r["attended"]]
    body = build_certificates(
        (_certificate(event, r["registration"], len(r["sessions"])) for r in rows),
        font_set(current_app.config),
    )
    return _download(body, "application/pdf", f"{event.slug}-certificates.pdf")
