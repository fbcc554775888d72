"""Visa letter pages: the delegate's request and PDF, the organisers' list and decisions."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request as http_request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.services import get_event_or_404
from confapp.extensions import db
from confapp.pdf import font_set
from confapp.security import require_organiser
from confapp.visa import services
from confapp.visa.forms import DecisionForm
from confapp.visa.forms import VisaRequestForm
from confapp.visa.models import VisaStatus
from confapp.web.forms import Form

bp = Blueprint("visa", __name__)

STATUS_LABELS = {
    VisaStatus.REQUESTED: "Awaiting decision",
    VisaStatus.APPROVED: "Approved",
    VisaStatus.REJECTED: "Not approved",
}


@bp.app_context_processor
def _visa_labels() -> dict:
    return {"visa_status_labels": STATUS_LABELS}


def _form_error(form: Form, exc: DomainError) -> None:
    """Show a service refusal next to its field, or at the top of the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _no_store(response: Response) -> Response:
    # Passport data must not linger in shared or proxy caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events/<slug>/visa-letter", methods=["GET", "POST"], endpoint="request")
@login_required
def request_letter(slug: str):
    """The delegate's visa letter request: passport details, status, download."""
    event = get_event_or_404(slug, current_user)
    registration = services.active_registration(event, current_user)
    if registration is None:
        status = 403 if http_request.method == "POST" else 200
        return render_template("visa/not_registered.html", event=event), status
    visa = registration.visa_request
    editable = visa is None or visa.status is VisaStatus.REQUESTED
    form = VisaRequestForm(
        obj=visa if http_request.method == "GET" and visa is not None else None,
        number_on_file=bool(visa and visa.passport_number),
    )
    if http_request.method == "GET":
        # The number on file is never sent back to the browser.
        form.passport_number.data = ""
        if visa is None and not form.passport_name.data:
            form.passport_name.data = registration.full_name
    status_code = 200
    if http_request.method == "POST":
        if not editable:
            flash("Your request has already been decided and can no longer be changed.", "warning")
            return redirect(url_for(".request", slug=slug))
        if form.validate_on_submit():
            first = visa is None
            try:
                services.submit_request(
                    registration,
                    passport_name=form.passport_name.data,
                    passport_number=form.passport_number.data,
                    nationality=form.nationality.data,
                    date_of_birth=form.date_of_birth.data,
                    now=utcnow(),
                )
            except DomainError as exc:
                db.session.rollback()
                _form_error(form, exc)
            else:
                db.session.commit()
                flash(
                    "Your request has been sent to the organisers."
                    if first
                    else "Your passport details have been updated.",
                    "success",
                )
                return redirect(url_for(".request", slug=slug))
        status_code = 422
    response = current_app.make_response(
        (
            render_template(
                "visa/request.html",
                event=event,
                registration=registration,
                visa=visa,
                form=form,
                editable=editable,
            ),
            status_code,
        )
    )
    return _no_store(response)


@bp.get("/events/<slug>/visa-letter.pdf")
@login_required
def letter_pdf(slug: str):
    """The approved letter as a PDF, for the delegate it names and nobody else."""
    event = get_event_or_404(slug, current_user)
    registration = services.active_registration(event, current_user)
    visa = registration.visa_request if registration is not None else None
    if visa is None or visa.status is not VisaStatus.APPROVED or visa.purged_at is not None:
        abort(404)
    body = services.render_letter(visa, fonts=font_set(current_app.config))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="invitation-letter-{visa.reference}.pdf"'
    )
    return _no_store(response)


@bp.get("/events/<slug>/manage/visa-letters")
def manage_list(slug: str):
    """Organisers' list of visa letter requests (the only page showing passport data)."""
    event = get_event_or_404(slug, current_user)
    require_organiser(event)
    raw = http_request.args.get("status", "")
    status = VisaStatus(raw) if raw in VisaStatus._value2member_map_ else None
    response = current_app.make_response(
        render_template(
            "visa/manage_list.html",
            event=event,
            requests=services.requests_for_event(event, status),
            counts=services.status_counts(event),
            status=status,
            statuses=list(VisaStatus),
            form=DecisionForm(),
        )
    )
    return _no_store(response)


@bp.post("/events/<slug>/manage/visa-letters/<int:request_id>")
def manage_decide(slug: str, request_id: int):
    """Approve or reject one request of this event."""
    event = get_event_or_404(slug, current_user)
    require_organiser(event)
    visa = services.get_request_for_event(event, request_id)
    if visa is None:
        abort(404)
    back = url_for(".manage_list", slug=slug, status=http_request.args.get("status") or None)
    form = DecisionForm()
    if not form.validate_on_submit():
        messages = [m for errors in form.errors.values() for m in errors]
        flash(" ".join(messages) or "The decision could not be read.", "error")
        return redirect(back)
    approve = form.decision.data == "approve"
    name = visa.registration.full_name
    try:
        services.decide(
            visa,
            event=event,
            approve=approve,
            note=form.note.data,
            actor=current_user,
            now=utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    if approve:
        flash(f"Letter {visa.reference} approved; {name} has been e-mailed.", "success")
    else:
        flash(f"The request of {name} was rejected; they have been e-mailed.", "success")
    return redirect(back)
