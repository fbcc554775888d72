"""Check-in pages: the staff scanner, organisers' attendance reports, certificates."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from confapp import assets
from confapp import jobs
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionStatus
from confapp.badges import tokens
from confapp.badges.issuing import secret_key
from confapp.checkin import certificates
from confapp.checkin import reports
from confapp.checkin import services
from confapp.checkin.certificates import build_certificates
from confapp.checkin.certificates import certificate_of
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import Event
from confapp.extensions import db
from confapp.extensions import limiter
from confapp.i18n import current_language
from confapp.pdf import font_set
from confapp.registration import services as registration_services
from confapp.registration.models import Registration
from confapp.visits.models import Visit
from confapp.visits.models import VisitStatus
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

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


# One number per CLDR plural category (the categories Intl.PluralRules names in the browser).
_PLURAL_SAMPLES = (0, 1, 2, 3, 11, 100, 101, 1000000, 5)


def _plural(forms) -> dict[str, str]:
    """A count-dependent text for the scanner: {CLDR category: text with {n}}."""
    locale = get_locale()
    found: dict[str, str] = {}
    for n in _PLURAL_SAMPLES:
        found.setdefault(locale.plural_form(n), forms(n))
    return found


def scanner_texts() -> dict:
    """Every text the scanner's script shows, in the page's language; {name} placeholders
    are filled in the browser. The page carries them, so they work offline too."""
    return {
        "lang": current_language(),
        "titles": {
            "ok": _("Checked in"),
            "already_checked_in": _("Already checked in"),
            "invalid_token": _("Invalid badge"),
            "revoked": _("Badge replaced (revoked)"),
            "not_registered": _("Not registered"),
            "cancelled": _("Registration cancelled"),
            "wrong_event": _("Badge of another event"),
            "not_signed_up": _("Not signed up"),
        },
        "reasons": {
            "ok": _("Welcome!"),
            "already_checked_in": _("This person was already scanned here."),
            "invalid_token": _("The code is not a genuine badge of this event."),
            "revoked": _(
                "A newer badge was issued; this one no longer counts. Send the person to the desk."
            ),
            "not_registered": _("No confirmed place (pending or waiting list)."),
            "cancelled": _("The registration was cancelled or rejected."),
            "wrong_event": _("The badge belongs to a different event."),
            "not_signed_up": _(
                "This session or visit has limited seats and the person has no confirmed seat."
            ),
        },
        "statuses": {
            "pending": _("pending approval"),
            "confirmed": _("confirmed"),
            "waitlisted": _("waiting list"),
            "cancelled": _("cancelled"),
            "rejected": _("not accepted"),
        },
        "no_seat": _("No seat on any visit: send them to the organisers."),
        "their_visit": _("Their visit: %(title)s", title="{title}"),
        "has_seat": _(
            "Has a seat on %(title)s (leaves %(when)s%(bus)s).",
            title="{title}",
            when="{when}",
            bus="{bus}",
        ),
        "no_bus": _("No bus assigned"),
        "no_bus_note": _(
            "No bus assigned yet: seat them where there is room and tell the organisers."
        ),
        "belongs_on": _("Belongs on %(bus)s", bus="{bus}"),
        "wrong_bus_note": _(
            "Wrong bus: their seat is on %(bus)s. (Checked in for the visit.)", bus="{bus}"
        ),
        "wrong_bus": _("Wrong bus"),
        "bus": _("Bus: %(bus)s", bus="{bus}"),
        "next_meeting": _(
            "Next meeting: %(time)s, %(table)s, with %(name)s.",
            time="{time}",
            table="{table}",
            name="{name}",
        ),
        "no_next_meeting": _("No further meeting booked."),
        "first_scan": _("First scan: %(time)s.", time="{time}"),
        "signed_out": _(
            "Signed out: sign in again (reload this page online) to send the waiting scans."
        ),
        "waiting_note": _("Already scanned — waiting to sync."),
        "synced_note": _("Already scanned — synced."),
        "badge_number": _("(badge #%(number)s)", number="{number}"),
        "checked_offline": _("%(reason)s (checked offline)", reason="{reason}"),
        "seen_offline": _("Already scanned on this device (offline). The scan is queued."),
        "genuine_offline": _(
            "Genuine badge #%(number)s — accepted offline, will sync.", number="{number}"
        ),
        "unknown_badge": _("unknown badge"),
        "online": _("online"),
        "offline": _("offline"),
        "check_in": _("Check in"),
        "search_offline": _("Search needs the network."),
        "camera_unavailable": _(
            "Camera unavailable: %(error)s. Use the code field or search.", error="{error}"
        ),
        "synced": _("%(scans)s; %(conflicts)s.", scans="{scans}", conflicts="{conflicts}"),
        "plural": {
            "waiting": _plural(lambda n: ngettext("%(n)s waiting", "%(n)s waiting", n, n="{n}")),
            "scans": _plural(
                lambda n: ngettext("Synced %(n)s scan", "Synced %(n)s scans", n, n="{n}")
            ),
            "conflicts": _plural(
                lambda n: ngettext("%(n)s conflict", "%(n)s conflicts", n, n="{n}")
            ),
        },
    }


@bp.get("/events/<slug>/scan")
@event_view(Access.STAFF)
def scan(ctx: Ctx):
    """The staff scanner: camera or keyboard wedge, offline queue, name search."""
    event = ctx.event
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
        public_key=tokens.public_key_b64(secret_key(), event.id),
        checkin_url=url_for("checkin_api.checkin", slug=event.slug),
        search_url=url_for("checkin_api.search", slug=event.slug),
        worker_url=url_for("checkin.scan_worker", slug=event.slug),
        texts=scanner_texts(),
    )


@bp.get("/events/<slug>/scan-sw.js")
@event_view(Access.PUBLIC)
def scan_worker(ctx: Ctx):
    """The scanner's service worker, scoped to the event's pages (no personal data in it)."""
    event = ctx.event
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
@event_view(Access.ORGANISER)
def attendance(ctx: Ctx):
    """Attendance per session and visit against capacity and sign-ups; per delegate."""
    event = ctx.event
    delegates = reports.delegate_rows(event)
    return render_template(
        "checkin/attendance.html",
        event=event,
        entrance=reports.entrance_count(event),
        meetings_area=reports.meetings_area_counts(event),
        sessions=reports.session_rows(event),
        visits=reports.visit_rows(event),
        delegates=delegates,
        attended=sum(1 for d in delegates if d["attended"]),
        certificates=certificates.certificates_by_registration(event),
        certificates_open=certificates.available_from(event) <= utcnow(),
    )


@bp.get("/events/<slug>/manage/attendance/detail")
@event_view(Access.ORGANISER)
def attendance_detail(ctx: Ctx):
    """Who was scanned in at ?checkpoint=entrance|session:<id>|visit:<id>, and the no-shows."""
    event = ctx.event
    key = request.args.get("checkpoint", services.ENTRANCE)
    kind, _sep, raw_id = key.partition(":")
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
@event_view(Access.ORGANISER)
def attendance_csv(ctx: Ctx):
    """Per-delegate attendance as CSV."""
    event = ctx.event
    return _download(
        reports.delegate_csv(event), "text/csv; charset=utf-8", f"{event.slug}-attendance.csv"
    )


@bp.get("/events/<slug>/my-certificate.pdf")
@event_view(Access.SIGNED_IN)
def my_certificate(ctx: Ctx):
    """The delegate's certificate of participation (issued on first download), once they
    were scanned in and the event has begun; before that a page says when."""
    reg = registration_services.get_registration(ctx.event, ctx.user)
    if reg is None:
        abort(404)
    try:
        certificate = certificates.issue(reg, now=ctx.now)
    except DomainError as refused:
        db.session.rollback()
        page = render_template(
            "checkin/certificate_unavailable.html", event=ctx.event, reason=refused.message
        )
        return page, 404
    db.session.commit()
    sessions = reports.sessions_attended(reg)
    body = build_certificates(
        [certificate_of(ctx.event, reg, sessions, certificate)], font_set(current_app.config)
    )
    return _download(body, "application/pdf", f"{ctx.event.slug}-certificate.pdf")


@bp.app_template_global("certificate_refusal")
def certificate_refusal(reg: Registration) -> DomainError | None:
    """For the delegate's page (registration/mine.html): why there is no certificate yet
    (when it becomes available), or None when it can be downloaded."""
    return certificates.refusal(reg, utcnow())


@bp.post("/events/<slug>/manage/registrations/<int:reg_id>/certificate/reissue")
@event_view(Access.ORGANISER, log=True)
def reissue_certificate(ctx: Ctx, reg_id: int):
    """A new certificate number for a delegate (asks first; the old number then reads
    "replaced" on the verification page)."""
    reg = ctx.get(Registration, reg_id)
    back = url_for(".attendance", slug=ctx.slug, _anchor="delegates-heading")
    current = certificates.current_certificate(reg)
    consequences = [
        _(
            "%(name)s gets a certificate with a new number, printing the name and "
            "organisation registered now: %(details)s.",
            name=reg.full_name,
            details=", ".join(p for p in (reg.full_name, reg.organisation) if p),
        ),
        _(
            "The verification page will say that number %(number)s was replaced.",
            number=current.number,
        )
        if current
        else _("No certificate was issued before."),
        _("Nobody is e-mailed; the delegate downloads the new one from their page."),
    ]
    asked = ctx.confirm(
        title=_("Re-issue the certificate of %(name)s?", name=reg.full_name),
        consequences=consequences,
        confirm_label=_("Re-issue the certificate"),
        back=back,
    )
    if asked is not None:
        return asked
    ctx.perform(
        lambda: certificates.reissue(
            reg, actor=ctx.user, now=ctx.now, replaces=request.form.get("replaces")
        ),
        subject=reg,
        success=_("A new certificate was issued to %(name)s.", name=reg.full_name),
    )
    return redirect(back)


@bp.get("/certificates")
def verify_form():
    """Type a certificate number to check it (no sign-in)."""
    number = request.args.get("number", "").strip()
    if number:
        normal = certificates.normalise_number(number)
        if normal is not None:
            return redirect(url_for(".verify_certificate", number=normal))
        return render_template("checkin/verify.html", verification=None, typed=number), 404
    return render_template("checkin/verify.html", verification=None, typed=None)


@bp.get("/certificates/<number>")
@limiter.limit("60 per minute")
def verify_certificate(number: str):
    """What a certificate number stands for: valid (name, event, dates), replaced,
    revoked or unknown. Public, and shows nothing the certificate does not print."""
    verification = certificates.verify(number)
    event = None
    if verification.certificate is not None:
        event = db.session.get(Event, verification.certificate.event_id)
    status = 404 if verification.validity is certificates.Validity.UNKNOWN else 200
    page = render_template(
        "checkin/verify.html",
        verification=None if status == 404 else verification,
        certificate_event=event,
        typed=number[:40],
    )
    response = Response(page, status=status)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/events/<slug>/manage/certificates")
@event_view(Access.ORGANISER)
def certificates_bulk(ctx: Ctx):
    """Start the PDF of the certificates of everyone scanned in (a background job)."""
    started = ctx.perform(
        lambda: jobs.start("checkin.certificates", event=ctx.event, user=ctx.user)
    )
    if not started:
        return redirect(url_for(".attendance", slug=ctx.slug))
    return redirect(url_for("jobs.show", slug=ctx.slug, job_id=started.value.id))
