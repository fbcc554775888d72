"""Visa letter pages: the delegate's request and PDF, the organisers' list and decisions."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request as http_request
from flask import url_for
from flask_babel import gettext as _

from confapp.errors import NotFound
from confapp.pdf import font_set
from confapp.visa import services
from confapp.visa.forms import DecisionForm
from confapp.visa.forms import VisaRequestForm
from confapp.visa.forms import month_names
from confapp.visa.letter import long_date
from confapp.visa.models import VisaStatus
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

bp = Blueprint("visa", __name__)


@bp.app_context_processor
def _visa_labels() -> dict:
    # The statuses as this request's reader names them (VisaStatus.label).
    return {"visa_status_labels": {status: status.label for status in VisaStatus}}


@bp.context_processor
def _visa_words() -> dict:
    # For this feature's pages only: month names for the date fields, dates in words.
    return {
        "visa_month_names": month_names,
        "date_in_words": long_date,
        "visa_short_validity": services.short_validity,
    }


def _no_store(response: Response) -> Response:
    # Passport data must not linger in shared or proxy caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _request_form(visa, registration) -> VisaRequestForm:
    form = VisaRequestForm(
        obj=visa if http_request.method == "GET" and visa is not None else None,
        number_on_file=bool(visa and visa.passport_number),
    )
    if http_request.method == "GET":
        form.passport_number.data = ""  # the number on file never goes back to the browser
        if visa is None:
            form.passport_name.data = registration.full_name
        if not form.nationality.data:
            # Most delegates hold the passport of the country they registered from.
            form.nationality.data = registration.country or ""
    return form


@bp.route("/events/<slug>/visa-letter", methods=["GET", "POST"], endpoint="request")
@event_view(Access.SIGNED_IN, log=True)
def request_letter(ctx: Ctx):
    """The delegate's visa letter request: passport details, a review, status, download.

    Without JavaScript, in three steps: the form; its first POST checks the details and
    shows them back for review (the date of birth in words, in the reader's language,
    so a slip of day and month is seen by the person who made it); the review's
    "Confirm" POST (``step=confirm``) stores them. "Correct" (``step=edit``) shows the
    form again, filled in.
    """
    registration = services.active_registration(ctx.event, ctx.user)
    if registration is None:
        status = 403 if http_request.method == "POST" else 200
        return render_template("visa/not_registered.html", event=ctx.event), status
    visa = registration.visa_request
    form = _request_form(visa, registration)
    step = http_request.form.get("step", "review") if http_request.method == "POST" else ""
    status = 200
    if step == "confirm":
        done = ctx.submit(
            form,
            lambda: services.submit_request(registration, **form.fields_for_service(), now=ctx.now),
            success=_("Your passport details are saved.")
            if visa
            else _("Your request has been sent."),
        )
        if done or _already_decided(done):
            return redirect(url_for(".request", slug=ctx.slug))
        status = 422
    elif step == "review":
        if form.validate_on_submit():
            checked = ctx.perform(
                lambda: services.check_request(
                    registration, **form.fields_for_service(), now=ctx.now
                ),
                form=form,
                log=False,
            )
            if checked:
                return _review(ctx, registration, visa, form, checked.value)
            if _already_decided(checked):
                return redirect(url_for(".request", slug=ctx.slug))
        status = 422
    # step == "edit": the form again, filled in with what the review carried.
    page = render_template(
        "visa/request.html", event=ctx.event, registration=registration, visa=visa, form=form,
        editable=services.open_for_changes(visa),
    )  # fmt: skip
    return _no_store(make_response(page, status))


def _review(ctx: Ctx, registration, visa, form, details) -> Response:
    """The review step: the details as they will be stored, asking the delegate to confirm."""
    page = render_template(
        "visa/review.html",
        event=ctx.event,
        registration=registration,
        visa=visa,
        form=form,
        details=details,
        short_validity=services.short_validity(details.passport_expires_on, ctx.event),
        valid_until=services.validity_needed_until(ctx.event),
    )
    return _no_store(make_response(page))


def _already_decided(done) -> bool:
    """A decision taken while the form was open: say so above the request's status."""
    if done.error is not None and done.error.code == "already_done":
        flash(done.error.message, "warning")
        return True
    return False


@bp.get("/events/<slug>/visa-letter.pdf")
@event_view(Access.SIGNED_IN)
def letter_pdf(ctx: Ctx):
    """The approved letter as a PDF, for the delegate it names and nobody else."""
    registration = services.active_registration(ctx.event, ctx.user)
    visa = registration.visa_request if registration is not None else None
    if visa is None or visa.status is not VisaStatus.APPROVED or visa.purged_at is not None:
        raise NotFound(_("There is no letter to download."))
    body = services.render_letter(visa, fonts=font_set(current_app.config))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="invitation-letter-{visa.reference}.pdf"'
    )
    return _no_store(response)


@bp.get("/events/<slug>/manage/visa-letters")
@event_view(Access.ORGANISER)
def manage_list(ctx: Ctx):
    """Organisers' list of visa letter requests (the only page showing passport data)."""
    raw = http_request.args.get("status", "")
    status = VisaStatus(raw) if raw in VisaStatus._value2member_map_ else None
    page = render_template(
        "visa/manage_list.html",
        event=ctx.event,
        requests=services.requests_for_event(ctx.event, status),
        counts=services.status_counts(ctx.event),
        status=status,
        statuses=list(VisaStatus),
        form=DecisionForm(),
    )
    return _no_store(make_response(page))


def _decided_message(visa, approve: bool) -> str:
    name = visa.registration.full_name
    if approve:
        return _(
            "Letter %(reference)s approved; %(name)s has been e-mailed.",
            reference=visa.reference,
            name=name,
        )
    return _("The request of %(name)s was rejected; they have been e-mailed.", name=name)


@bp.post("/events/<slug>/manage/visa-letters/<int:request_id>")
@event_view(Access.ORGANISER)
def manage_decide(ctx: Ctx, request_id: int):
    """Approve or reject one request of this event."""
    visa = services.request_in_event(ctx.event, request_id)
    form = DecisionForm()
    approve = form.decision.data == "approve"
    if not form.validate_on_submit():
        problems = " ".join(m for errs in form.errors.values() for m in errs)
        flash(problems or _("The decision could not be read: choose Approve or Reject."), "error")
    elif ctx.perform(
        lambda: services.decide(
            visa, event=ctx.event, approve=approve, note=form.note.data, actor=ctx.user, now=ctx.now
        ),
        subject=visa,
        detail=form.decision.data,
    ):
        flash(_decided_message(visa, approve), "success")
    back = url_for(".manage_list", slug=ctx.slug, status=http_request.args.get("status") or None)
    return redirect(back)
