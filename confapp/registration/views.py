"""Registration pages: public sign-up, the delegate's own registration, organiser tools."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_wtf import FlaskForm

from confapp.checkin.reports import has_attended
from confapp.countries import country_choices
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events.models import RegistrationCategory
from confapp.events.services import get_event_or_404
from confapp.extensions import db
from confapp.registration import exports
from confapp.registration import services
from confapp.registration.choices import CATEGORY_LABELS
from confapp.registration.choices import ORGANISATION_TYPE_LABELS
from confapp.registration.choices import SECTOR_LABELS
from confapp.registration.choices import STATUS_LABELS
from confapp.registration.choices import interest_label
from confapp.registration.forms import EditDetailsForm
from confapp.registration.forms import ImportForm
from confapp.registration.forms import ManualAddForm
from confapp.registration.forms import OrganiserEditForm
from confapp.registration.forms import RegistrationForm
from confapp.registration.imports import COLUMNS as IMPORT_COLUMNS
from confapp.registration.imports import MAX_ERRORS_SHOWN
from confapp.registration.imports import import_delegates
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus
from confapp.security import organiser_event
from confapp.security import safe_next_url

bp = Blueprint("registration", __name__)

_STATUS_FLASH = {
    RegistrationStatus.CONFIRMED: ("You are registered: your place is confirmed.", "success"),
    RegistrationStatus.WAITLISTED: (
        "The event is full, so you are on the waiting list. "
        "We will e-mail you if a place frees up.",
        "warning",
    ),
    RegistrationStatus.PENDING: (
        "Thank you: your registration is waiting for the organisers' approval.",
        "info",
    ),
}


@bp.record_once
def _registration_labels(state) -> None:
    # Globals (not a context processor) so imported macros see them too.
    state.app.jinja_env.globals.update(
        status_labels=STATUS_LABELS,
        category_labels=CATEGORY_LABELS,
        organisation_type_labels=ORGANISATION_TYPE_LABELS,
        sector_labels=SECTOR_LABELS,
        interest_label=interest_label,
    )


def _form_error(form: FlaskForm, exc: DomainError) -> None:
    """Show a service refusal next to its field, or at the top of the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _own_registration(slug: str):
    event = get_event_or_404(slug, current_user)
    return event, services.get_registration(event, current_user)


# --- delegates ----------------------------------------------------------------------


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    """Public registration form; creates the account of a visitor and signs them in."""
    event = get_event_or_404(slug, current_user)
    now = utcnow()
    previous = services.get_registration(event, current_user)
    # A cancelled registration may be taken up again; any other one stands.
    if previous is not None and previous.status is RegistrationStatus.REJECTED:
        status = 409 if request.method == "POST" else 200
        return render_template(
            "registration/closed.html", event=event, message=services.REJECTED_MESSAGE
        ), status
    if previous is not None and previous.status is not RegistrationStatus.CANCELLED:
        flash("You are already registered for this event.", "info")
        return redirect(url_for(".mine", slug=slug))
    refusal = services.registration_refusal(event, now)
    if refusal:
        status = 409 if request.method == "POST" else 200
        return render_template("registration/closed.html", event=event, message=refusal), status
    anonymous = not current_user.is_authenticated
    # Registering again starts from the details given last time.
    form = RegistrationForm(
        categories=event.public_category_list, anonymous=anonymous, obj=previous
    )
    if not anonymous:
        del form.email
        if request.method == "GET" and not form.full_name.data:
            form.full_name.data = current_user.full_name
    account_exists = False
    if form.validate_on_submit():
        try:
            if anonymous:
                user = services.create_delegate_account(
                    form.email.data, form.full_name.data, form.password.data
                )
            else:
                user = current_user._get_current_object()
            reg = services.register(
                event,
                user=user,
                data=form.details(),
                category=form.category.data,
                source=RegistrationSource.WEB,
                now=now,
                actor=user,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
            account_exists = anonymous and "already exists" in exc.message
        else:
            if anonymous:
                login_user(user)
            message, category = _STATUS_FLASH[reg.status]
            flash(message, category)
            return redirect(url_for(".mine", slug=slug))
    return render_template(
        "registration/register.html",
        event=event,
        form=form,
        anonymous=anonymous,
        again=previous is not None,
        account_exists=account_exists,
        login_url=url_for("accounts.login", next=url_for(".register", slug=slug)),
    )


@bp.get("/events/<slug>/my-registration")
@login_required
def mine(slug: str):
    """The delegate's registration: status, waiting-list place, details and actions."""
    event, reg = _own_registration(slug)
    if reg is None:
        flash("You are not registered for this event yet.", "info")
        return redirect(url_for(".register", slug=slug))
    now = utcnow()
    return render_template(
        "registration/mine.html",
        event=event,
        reg=reg,
        position=services.waitlist_position(reg),
        can_edit=services.can_edit(reg, now),
        deadline=event.edit_deadline_at(),
        active=reg.status in services.ACTIVE_STATUSES,
        can_register_again=reg.status is RegistrationStatus.CANCELLED
        and services.registration_refusal(event, now) is None,
        certificate_ready=has_attended(reg),
    )


@bp.route("/events/<slug>/my-registration/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """The delegate changes their details until the edit deadline."""
    event, reg = _own_registration(slug)
    if reg is None:
        flash("You are not registered for this event yet.", "info")
        return redirect(url_for(".register", slug=slug))
    now = utcnow()
    if not services.can_edit(reg, now):
        if reg.status not in services.ACTIVE_STATUSES:
            message = "This registration is no longer active, so it cannot be changed."
        else:
            message = (
                "The deadline for changing registration details has passed. "
                "Please write to the organisers if something must change."
            )
        return render_template(
            "registration/edit.html", event=event, reg=reg, form=None, refusal=message
        ), 403
    form = EditDetailsForm(obj=reg)
    if form.validate_on_submit():
        try:
            services.update_details(reg, form.details(), now)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            flash("Your details are saved.", "success")
            return redirect(url_for(".mine", slug=slug))
    return render_template(
        "registration/edit.html",
        event=event,
        reg=reg,
        form=form,
        refusal=None,
        deadline=event.edit_deadline_at(),
    )


@bp.post("/events/<slug>/my-registration/cancel")
@login_required
def cancel(slug: str):
    """The delegate cancels; their seat goes to the first on the waiting list."""
    event, reg = _own_registration(slug)
    if reg is None:
        flash("You are not registered for this event.", "info")
        return redirect(url_for("events.detail", slug=slug))
    try:
        services.cancel(reg, actor=current_user._get_current_object(), now=utcnow())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash("Your registration is cancelled.", "success")
    return redirect(url_for(".mine", slug=slug))


# --- organisers ---------------------------------------------------------------------


@bp.get("/events/<slug>/manage/registrations")
def manage_list(slug: str):
    """Searchable, filterable, paginated list of the event's registrations."""
    event = organiser_event(slug)
    filters = services.Filters.from_args(request.args)
    page = services.search_registrations(event, filters, request.args.get("page", 1, type=int))
    return render_template(
        "registration/manage_list.html",
        event=event,
        filters=filters,
        page=page,
        counts=services.status_counts(event),
        statuses=list(RegistrationStatus),
        categories=list(RegistrationCategory),
        countries=country_choices(),
        bulk_form=FlaskForm(),
    )


def _get_registration_or_404(event, reg_id: int) -> Registration:
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id:
        abort(404)
    return reg


@bp.route("/events/<slug>/manage/registrations/<int:reg_id>", methods=["GET", "POST"])
def manage_detail(slug: str, reg_id: int):
    """One registration for organisers: details, actions, category and internal note."""
    event = organiser_event(slug)
    reg = _get_registration_or_404(event, reg_id)
    form = OrganiserEditForm(obj=reg)
    if form.validate_on_submit():
        services.organiser_update(
            reg,
            category=form.category.data,
            notes=form.notes.data or "",
            actor=current_user._get_current_object(),
            now=utcnow(),
        )
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for(".manage_detail", slug=slug, reg_id=reg_id))
    return render_template(
        "registration/manage_detail.html",
        event=event,
        reg=reg,
        form=form,
        position=services.waitlist_position(reg),
    )


@bp.route("/events/<slug>/manage/registrations/new", methods=["GET", "POST"])
def manage_add(slug: str):
    """Organisers add a delegate by hand (admitted through the event's capacity)."""
    event = organiser_event(slug)
    form = ManualAddForm()
    if form.validate_on_submit():
        try:
            user, _created = services.find_or_create_user(form.email.data, form.full_name.data)
            reg = services.register(
                event,
                user=user,
                data=form.details(),
                category=form.category.data,
                source=RegistrationSource.MANUAL,
                now=utcnow(),
                actor=current_user._get_current_object(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            flash(f"{reg.full_name} is added ({STATUS_LABELS[reg.status].lower()}).", "success")
            return redirect(url_for(".manage_detail", slug=slug, reg_id=reg.id))
    return render_template("registration/manage_add.html", event=event, form=form)


@bp.post("/events/<slug>/manage/registrations/bulk")
def manage_bulk(slug: str):
    """Approve, reject or cancel the selected registrations."""
    event = organiser_event(slug)
    back = safe_next_url(request.form.get("next"), url_for(".manage_list", slug=slug))
    action = request.form.get("action", "")
    ids = request.form.getlist("ids", type=int)
    try:
        done, skipped = services.apply_bulk(
            event, action, ids, actor=current_user._get_current_object(), now=utcnow()
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    verbs = {"approve": "approved", "reject": "rejected", "cancel": "cancelled"}
    if done:
        flash(f"{done} registration(s) {verbs[action]}.", "success")
    for reason in skipped[:10]:
        flash(f"Skipped: {reason}", "warning")
    return redirect(back)


@bp.get("/events/<slug>/manage/registrations.csv")
def export_csv(slug: str):
    """CSV of the filtered registrations (UTF-8 with BOM for Excel)."""
    event = organiser_event(slug)
    header, rows = services.export_rows(event, services.Filters.from_args(request.args))
    return _download(
        exports.to_csv(header, rows), "text/csv; charset=utf-8", f"{slug}-registrations.csv"
    )


@bp.get("/events/<slug>/manage/registrations.xlsx")
def export_xlsx(slug: str):
    """Excel workbook of the filtered registrations."""
    event = organiser_event(slug)
    header, rows = services.export_rows(event, services.Filters.from_args(request.args))
    return _download(
        exports.to_xlsx(header, rows, title="Registrations"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{slug}-registrations.xlsx",
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: keep it out of shared caches and the browser cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events/<slug>/manage/registrations/import", methods=["GET", "POST"])
def import_csv(slug: str):
    """Upload a delegation CSV: every row is checked, then all are imported or none."""
    event = organiser_event(slug)
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        result = import_delegates(
            event, form.file.data.read(), actor=current_user._get_current_object(), now=utcnow()
        )
        if result.ok:
            count = len(result.registrations)
            waitlisted = sum(
                1 for r in result.registrations if r.status is RegistrationStatus.WAITLISTED
            )
            db.session.commit()
            flash(f"{count} delegate(s) imported ({waitlisted} on the waiting list).", "success")
            return redirect(url_for(".manage_list", slug=slug))
        db.session.rollback()
        errors = result.errors
    return render_template(
        "registration/import.html",
        event=event,
        form=form,
        errors=errors[:MAX_ERRORS_SHOWN],
        more_errors=max(0, len(errors) - MAX_ERRORS_SHOWN),
        columns=IMPORT_COLUMNS,
    ), (422 if errors else 200)
