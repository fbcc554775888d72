"""Public event pages, the organiser dashboard, settings, team and admin pages."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from confapp.accounts.models import EventRoleKind
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.events import services
from confapp.events.forms import EventSettingsForm
from confapp.events.forms import NewEventForm
from confapp.events.forms import RemoveRoleForm
from confapp.events.forms import TeamAddForm
from confapp.events.models import Event
from confapp.events.services import get_event_or_404
from confapp.extensions import db
from confapp.registration import services as registration_services
from confapp.registration.models import RegistrationStatus
from confapp.security import admin_required
from confapp.security import organiser_event
from confapp.web.forms import Form

bp = Blueprint("events", __name__)


def _form_error(form: Form, exc: DomainError) -> None:
    """Show a service refusal next to its field, or at the top of the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def registration_state(event: Event, now) -> str:
    """open, not_open_yet, closed or full (full: new registrations join the waiting list)."""
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open_yet"
    if not event.registration_open(now):
        return "closed"
    if event.pool.seats_left == 0:
        return "full"
    return "open"


# --- public -------------------------------------------------------------------------


@bp.get("/")
def index():
    """Published events as cards."""
    return render_template("events/index.html", events=services.list_published_events())


@bp.route("/events/<slug>", methods=["GET"])
def detail(slug: str):
    """The public page of an event: dates, venue, partners and how to register."""
    event = get_event_or_404(slug, current_user)
    return render_template(
        "events/detail.html",
        event=event,
        state=registration_state(event, utcnow()),
        registration=registration_services.get_registration(event, current_user),
    )


# --- organisers ---------------------------------------------------------------------


@bp.route("/events/<slug>/manage", methods=["GET"])
@login_required
def manage(slug: str):
    """Organiser dashboard: registration counts and the tools."""
    event = organiser_event(slug)
    return render_template(
        "events/manage.html",
        event=event,
        counts=registration_services.status_counts(event),
        statuses=list(RegistrationStatus),
        state=registration_state(event, utcnow()),
    )


@bp.route("/events/<slug>/manage/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    """Edit every setting of the event; times are entered in the event's zone."""
    event = organiser_event(slug)
    form = EventSettingsForm(obj=event)
    if request.method == "GET":
        for name in ("registration_opens_at", "registration_closes_at", "edit_deadline"):
            form[name].data = services.to_local_naive(getattr(event, name), event)
        form.public_categories.data = [c.value for c in event.public_category_list]
        form.partners.data = services.format_partners(event)
        form.status.data = event.status.value
    if form.validate_on_submit():
        try:
            promoted = services.update_event(event, form.data_for_service(), utcnow())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            flash("The settings are saved.", "success")
            if promoted:
                flash(f"{len(promoted)} people moved from the waiting list to confirmed.", "info")
            return redirect(url_for(".settings", slug=event.slug))
    return render_template("events/settings.html", event=event, form=form)


@bp.route("/events/<slug>/manage/team", methods=["GET", "POST"])
@login_required
def team(slug: str):
    """Organisers and staff of the event: add by e-mail, remove."""
    event = organiser_event(slug)
    add_form = TeamAddForm(prefix="add")
    remove_form = RemoveRoleForm()
    if request.method == "POST":
        action = request.form.get("action")
        if action == "add" and add_form.validate_on_submit():
            try:
                grant, invited = services.add_team_member(
                    event,
                    add_form.email.data,
                    EventRoleKind(add_form.role.data),
                    add_form.full_name.data,
                )
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                _form_error(add_form, exc)
            else:
                message = f"{grant.user.email} is now {grant.role.value} of this event."
                if invited:
                    message += " We e-mailed them a link to choose a password."
                flash(message, "success")
                return redirect(url_for(".team", slug=slug))
        elif action == "remove":
            if remove_form.validate_on_submit() and remove_form.role_id.data.isdigit():
                try:
                    grant = services.remove_role(event, int(remove_form.role_id.data))
                    # Read before the commit: the deleted row is detached afterwards.
                    message = f"{grant.user.email} no longer has the {grant.role.value} role."
                    db.session.commit()
                except DomainError as exc:
                    db.session.rollback()
                    flash(exc.message, "error")
                else:
                    flash(message, "success")
            else:
                flash("That role does not exist (any more).", "error")
            return redirect(url_for(".team", slug=slug))
        elif action != "add":
            abort(400)
    return render_template(
        "events/team.html",
        event=event,
        roles=services.list_roles(event),
        add_form=add_form,
        remove_form=remove_form,
    )


# --- administrators -----------------------------------------------------------------


@bp.route("/admin/events", methods=["GET"])
@login_required
@admin_required
def admin_events():
    """Every event, drafts included."""
    return render_template("admin/events.html", events=services.list_all_events())


@bp.route("/admin/events/new", methods=["GET", "POST"])
@login_required
@admin_required
def admin_new():
    """Create a draft event; its creator becomes its first organiser."""
    form = NewEventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(
                slug=form.slug.data,
                title=form.title.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                timezone=form.timezone.data,
                capacity=form.capacity.data,
                city=form.city.data or "",
                country=form.country.data or "",
            )
            services.grant_role(current_user._get_current_object(), event, EventRoleKind.ORGANISER)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            flash(
                "The event is created as a draft. Complete its settings, then publish it.",
                "success",
            )
            return redirect(url_for(".settings", slug=event.slug))
    return render_template("admin/new_event.html", form=form)
