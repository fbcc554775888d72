"""Registration pages: public sign-up, the delegate's own registration, organiser tools."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import login_user

from confapp.countries import country_choices
from confapp.eventlog import services as eventlog
from confapp.events.models import RegistrationCategory
from confapp.extensions import limiter
from confapp.i18n import current_language
from confapp.multilingual import tr
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
from confapp.registration.imports import ImportRejected
from confapp.registration.imports import import_all_or_none
from confapp.registration.jobs import runs_as_job
from confapp.registration.jobs import start_import
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus
from confapp.security import safe_next_url
from confapp.web.forms import Form
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.params import int_arg
from confapp.web.params import int_list

bp = Blueprint("registration", __name__)

_STATUS_FLASH = {
    RegistrationStatus.CONFIRMED: (_l("You are registered: your place is confirmed."), "success"),
    RegistrationStatus.WAITLISTED: (
        _l(
            "The event is full, so you are on the waiting list. "
            "We will e-mail you if a place frees up."
        ),
        "warning",
    ),
    RegistrationStatus.PENDING: (
        _l("Thank you: your registration is waiting for the organisers' approval."),
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


def _own_registration(ctx: Ctx) -> Registration | None:
    return services.get_registration(ctx.event, ctx.user)


def _not_registered(ctx: Ctx):
    flash(_("You are not registered for this event yet."), "info")
    return redirect(url_for(".register", slug=ctx.slug))


# --- delegates ----------------------------------------------------------------------


def _refused_page(ctx: Ctx, message: str):
    status = 409 if request.method == "POST" else 200
    return render_template("registration/closed.html", event=ctx.event, message=message), status


def _new_registration(ctx: Ctx, form: RegistrationForm) -> Registration:
    user = ctx.user
    if user is None:
        user = services.create_delegate_account(
            form.email.data, form.full_name.data, form.password.data
        )
        # A new account keeps the language its form was read in: its e-mails (the
        # confirmation first) and PDFs are written in it.
        user.language = current_language()
    return services.register(
        ctx.event,
        user=user,
        data=form.details(),
        category=form.category.data,
        source=RegistrationSource.WEB,
        now=ctx.now,
        actor=user,
    )


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["REGISTER_ADDRESS_RATE_LIMIT"]


def _address_key() -> str:
    # Tries per address typed (the answer says whether it has an account), else per client.
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"address:{email}" if email else f"client:{get_remote_address()}"


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@limiter.limit(_address_limit, methods=["POST"], key_func=_address_key)
@event_view(Access.PUBLIC, log=True)
def register(ctx: Ctx):
    """Public registration form; creates the account of a visitor and signs them in."""
    previous = _own_registration(ctx)
    stop = _cannot_register(ctx, previous)
    if stop is not None:
        return stop
    form = _registration_form(ctx, previous)
    done = ctx.submit(form, lambda: _new_registration(ctx, form))
    if done:
        if ctx.user is None:
            login_user(done.value.user)
        message, category = _STATUS_FLASH[done.value.status]
        flash(str(message), category)
        return redirect(url_for(".mine", slug=ctx.slug))
    return _registration_page(ctx, form, again=previous is not None, error=done.error)


def _cannot_register(ctx: Ctx, previous: Registration | None):
    """The answer when this person cannot register now, else None."""
    # A cancelled registration may be taken up again; any other one stands.
    if previous is not None and previous.status is RegistrationStatus.REJECTED:
        return _refused_page(ctx, services.REJECTED_MESSAGE)
    if previous is not None and previous.status is not RegistrationStatus.CANCELLED:
        flash(_("You are already registered for this event."), "info")
        return redirect(url_for(".mine", slug=ctx.slug))
    refusal = services.registration_refusal(ctx.event, ctx.now)
    return _refused_page(ctx, refusal) if refusal else None


def _registration_form(ctx: Ctx, previous: Registration | None) -> RegistrationForm:
    anonymous = ctx.user is None
    # Registering again starts from the details given last time.
    form = RegistrationForm(
        categories=ctx.event.public_category_list, anonymous=anonymous, obj=previous
    )
    form.ask_gender(ctx.event)
    if not anonymous:
        del form.email
        if request.method == "GET" and not form.full_name.data:
            form.full_name.data = ctx.user.full_name
    return form


def _registration_page(ctx: Ctx, form: RegistrationForm, *, again: bool, error):
    anonymous = ctx.user is None
    return render_template(
        "registration/register.html",
        event=ctx.event,
        form=form,
        anonymous=anonymous,
        again=again,
        account_exists=anonymous and error is not None and error.code == "account_exists",
        privacy_notice=services.privacy_notice(ctx.event),
        login_url=url_for("accounts.login", next=url_for(".register", slug=ctx.slug)),
    )


@bp.get("/events/<slug>/my-registration")
@event_view(Access.SIGNED_IN)
def mine(ctx: Ctx):
    """The delegate's registration: status, waiting-list place, details and actions."""
    reg = _own_registration(ctx)
    if reg is None:
        return _not_registered(ctx)
    active = reg.status in services.ACTIVE_STATUSES
    return render_template(
        "registration/mine.html", event=ctx.event, reg=reg, active=active,
        position=services.waitlist_position(reg), can_edit=services.can_edit(reg, ctx.now),
        deadline=ctx.event.edit_deadline_at(),
        can_register_again=reg.status is RegistrationStatus.CANCELLED
        and services.registration_refusal(ctx.event, ctx.now) is None,
        cancel_consequences=services.cancel_consequences(reg, ctx.now) if active else [],
    )  # fmt: skip


@bp.route("/events/<slug>/my-registration/edit", methods=["GET", "POST"])
@event_view(Access.SIGNED_IN, log=True)
def edit(ctx: Ctx):
    """The delegate changes their details until the edit deadline."""
    reg = _own_registration(ctx)
    if reg is None:
        return _not_registered(ctx)
    if not services.can_edit(reg, ctx.now):
        return _edit_refused(ctx, reg)
    form = EditDetailsForm(obj=reg)
    form.ask_gender(ctx.event)
    if ctx.submit(
        form,
        lambda: services.update_details(reg, form.details(), ctx.now),
        subject=reg,
        success=_("Your details are saved."),
    ):
        return redirect(url_for(".mine", slug=ctx.slug))
    return render_template(
        "registration/edit.html", event=ctx.event, reg=reg, form=form, refusal=None,
        deadline=ctx.event.edit_deadline_at(),
    )  # fmt: skip


def _edit_refused(ctx: Ctx, reg: Registration):
    if reg.status not in services.ACTIVE_STATUSES:
        message = "This registration is no longer active, so it cannot be changed."
    else:
        message = (
            "The deadline for changing registration details has passed. "
            "Please write to the organisers if something must change."
        )
    page = render_template(
        "registration/edit.html", event=ctx.event, reg=reg, form=None, refusal=message
    )
    return page, 403


@bp.post("/events/<slug>/my-registration/cancel")
@event_view(Access.SIGNED_IN, log=True)
def cancel(ctx: Ctx):
    """The delegate cancels; their seat goes to the first on the waiting list."""
    reg = _own_registration(ctx)
    if reg is None:
        flash(_("You are not registered for this event."), "info")
        return redirect(url_for("events.detail", slug=ctx.slug))
    asked = ctx.confirm(
        title=_("Cancel your registration for %(event)s?", event=tr(ctx.event, "title")),
        consequences=services.cancel_consequences(reg, ctx.now),
        confirm_label=_("Cancel my registration"),
        back=url_for(".mine", slug=ctx.slug),
    )
    if asked is not None:
        return asked
    ctx.perform(
        lambda: services.cancel(reg, actor=ctx.user, now=ctx.now),
        subject=reg,
        success=_("Your registration is cancelled."),
    )
    return redirect(url_for(".mine", slug=ctx.slug))


# --- organisers ---------------------------------------------------------------------


@bp.get("/events/<slug>/manage/registrations")
@event_view(Access.ORGANISER)
def manage_list(ctx: Ctx):
    """Searchable, filterable, paginated list of the event's registrations."""
    filters = services.Filters.from_args(request.args)
    page = services.search_registrations(ctx.event, filters, int_arg("page", default=1) or 1)
    return render_template(
        "registration/manage_list.html",
        event=ctx.event,
        filters=filters,
        page=page,
        counts=services.status_counts(ctx.event),
        statuses=list(RegistrationStatus),
        categories=list(RegistrationCategory),
        countries=country_choices(),
        bulk_form=Form(),
    )


@bp.route("/events/<slug>/manage/registrations/<int:reg_id>", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def manage_detail(ctx: Ctx, reg_id: int):
    """One registration for organisers: details, actions, category, note and history."""
    reg = ctx.get(Registration, reg_id)
    form = OrganiserEditForm(obj=reg)
    if ctx.submit(
        form, lambda: _organiser_update(ctx, reg, form), subject=reg, success=_("Saved.")
    ):
        return redirect(url_for(".manage_detail", slug=ctx.slug, reg_id=reg_id))
    return render_template(
        "registration/manage_detail.html", event=ctx.event, reg=reg, form=form,
        position=services.waitlist_position(reg),
        history=eventlog.history_of(ctx.event.id, "registration", reg.id),
    )  # fmt: skip


def _organiser_update(ctx: Ctx, reg: Registration, form: OrganiserEditForm) -> Registration:
    return services.organiser_update(
        reg,
        category=form.category.data,
        notes=form.notes.data or "",
        name_latin=form.name_latin.data or "",
        actor=ctx.user,
        now=ctx.now,
    )


def _add_by_hand(ctx: Ctx, form: ManualAddForm) -> Registration:
    user, _created = services.find_or_create_user(form.email.data, form.full_name.data)
    return services.register(
        ctx.event,
        user=user,
        data=form.details(),
        category=form.category.data,
        source=RegistrationSource.MANUAL,
        now=ctx.now,
        actor=ctx.user,
    )


@bp.route("/events/<slug>/manage/registrations/new", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def manage_add(ctx: Ctx):
    """Organisers add a delegate by hand (admitted through the event's capacity)."""
    form = ManualAddForm()
    form.ask_gender(ctx.event)
    done = ctx.submit(form, lambda: _add_by_hand(ctx, form))
    if done:
        reg = done.value
        flash(
            _(
                "%(full_name)s is added (%(status)s).",
                full_name=reg.full_name,
                status=reg.status.label.lower(),
            ),
            "success",
        )
        return redirect(url_for(".manage_detail", slug=ctx.slug, reg_id=reg.id))
    return render_template("registration/manage_add.html", event=ctx.event, form=form)


def _ask_first(ctx: Ctx, action: str, ids: list[int], back: str):
    """Cancelling or rejecting says what will happen first (approving just acts)."""
    if action not in ("cancel", "reject"):
        return None
    count, consequences = services.bulk_consequences(ctx.event, action, ids, ctx.now)
    if action == "cancel":
        title = ngettext("Cancel %(num)d registration?", "Cancel %(num)d registrations?", count)
        label = ngettext("Cancel %(num)d registration", "Cancel %(num)d registrations", count)
    else:
        title = ngettext("Reject %(num)d registration?", "Reject %(num)d registrations?", count)
        label = ngettext("Reject %(num)d registration", "Reject %(num)d registrations", count)
    return ctx.confirm(title=title, consequences=consequences, confirm_label=label, back=back)


@bp.post("/events/<slug>/manage/registrations/bulk")
@event_view(Access.ORGANISER)
def manage_bulk(ctx: Ctx):
    """Approve, reject or cancel the selected registrations (the last two ask first)."""
    back = safe_next_url(request.form.get("next"), url_for(".manage_list", slug=ctx.slug))
    action = request.form.get("action", "")
    ids = int_list(request.form.getlist("ids"))
    asked = ctx.perform(lambda: _ask_first(ctx, action, ids, back), log=False)
    if not asked or asked.value is not None:
        return asked.value if asked else redirect(back)
    done = ctx.perform(
        lambda: services.apply_bulk(ctx.event, action, ids, actor=ctx.user, now=ctx.now),
        detail=action,
    )
    if done:
        count, skipped = done.value
        if count:
            flash(
                {
                    "approve": ngettext(
                        "%(num)d registration approved.", "%(num)d registrations approved.", count
                    ),
                    "reject": ngettext(
                        "%(num)d registration rejected.", "%(num)d registrations rejected.", count
                    ),
                    "cancel": ngettext(
                        "%(num)d registration cancelled.", "%(num)d registrations cancelled.", count
                    ),
                }[action],
                "success",
            )
        for reason in skipped[:10]:
            flash(_("Skipped: %(reason)s", reason=reason), "warning")
    return redirect(back)


@bp.get("/events/<slug>/manage/registrations.csv")
@event_view(Access.ORGANISER)
def export_csv(ctx: Ctx):
    """CSV of the filtered registrations (UTF-8 with BOM for Excel)."""
    header, rows = services.export_rows(ctx.event, services.Filters.from_args(request.args))
    return _download(
        exports.to_csv(header, rows), "text/csv; charset=utf-8", f"{ctx.slug}-registrations.csv"
    )


@bp.get("/events/<slug>/manage/registrations.xlsx")
@event_view(Access.ORGANISER)
def export_xlsx(ctx: Ctx):
    """Excel workbook of the filtered registrations."""
    header, rows = services.export_rows(ctx.event, services.Filters.from_args(request.args))
    return _download(
        exports.to_xlsx(header, rows, title=_("Registrations")),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{ctx.slug}-registrations.xlsx",
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: keep it out of shared caches and the browser cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events/<slug>/manage/registrations/import", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def import_csv(ctx: Ctx):
    """Upload a delegation CSV: every row is checked, then all are imported or none."""
    form = ImportForm()
    upload = form.file.data if form.is_submitted() else None
    data = upload.read() if upload else b""
    if data and runs_as_job(data) and form.validate_on_submit():
        # Long files go to a job (its page shows the progress, then the report) so that
        # the request answers at once instead of running into the server's timeout.
        started = ctx.perform(
            lambda: start_import(ctx.event, ctx.user, data, filename=upload.filename or "")
        )
        if started:
            return redirect(url_for("jobs.show", slug=ctx.slug, job_id=started.value.id))
    done = ctx.submit(
        form, lambda: import_all_or_none(ctx.event, data, actor=ctx.user, now=ctx.now)
    )
    if done:
        waiting = sum(1 for r in done.value if r.status is RegistrationStatus.WAITLISTED)
        flash(
            ngettext(
                "%(num)d delegate imported (%(waiting)s on the waiting list).",
                "%(num)d delegates imported (%(waiting)s on the waiting list).",
                len(done.value),
                waiting=waiting,
            ),
            "success",
        )
        return redirect(url_for(".manage_list", slug=ctx.slug))
    errors = done.error.errors if isinstance(done.error, ImportRejected) else []
    page = render_template(
        "registration/import.html", event=ctx.event, form=form, columns=IMPORT_COLUMNS,
        errors=errors[:MAX_ERRORS_SHOWN], more_errors=max(0, len(errors) - MAX_ERRORS_SHOWN),
    )  # fmt: skip
    return page, (422 if errors else 200)
