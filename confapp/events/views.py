"""Public event pages, the organiser dashboard, settings, team and admin pages."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.accounts import team as team_services
from confapp.accounts.forms import TeamAddForm
from confapp.accounts.models import EventInvitation
from confapp.accounts.models import EventRole
from confapp.accounts.models import EventRoleKind
from confapp.events import services
from confapp.events.forms import EventSettingsForm
from confapp.events.forms import NewEventForm
from confapp.events.models import Event
from confapp.registration import services as registration_services
from confapp.registration.models import RegistrationStatus
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.lifecycle import site_view

bp = Blueprint("events", __name__)


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
@site_view(Access.PUBLIC)
def index(ctx: Ctx):
    """Published events as cards."""
    return render_template("events/index.html", events=services.list_published_events())


@bp.route("/events/<slug>", methods=["GET"])
@event_view(Access.PUBLIC)
def detail(ctx: Ctx):
    """The public page of an event: dates, venue, partners and how to register."""
    return render_template(
        "events/detail.html",
        event=ctx.event,
        state=registration_state(ctx.event, ctx.now),
        registration=registration_services.get_registration(ctx.event, ctx.user),
    )


# --- organisers ---------------------------------------------------------------------


@bp.route("/events/<slug>/manage", methods=["GET"])
@event_view(Access.ORGANISER)
def manage(ctx: Ctx):
    """Organiser dashboard: registration counts and every tool."""
    return render_template(
        "events/manage.html",
        event=ctx.event,
        counts=registration_services.status_counts(ctx.event),
        statuses=list(RegistrationStatus),
        state=registration_state(ctx.event, ctx.now),
    )


def _settings_form(event: Event) -> EventSettingsForm:
    form = EventSettingsForm(obj=event)
    if request.method == "GET":
        for name in ("registration_opens_at", "registration_closes_at", "edit_deadline"):
            form[name].data = services.to_local_naive(getattr(event, name), event)
        form.public_categories.data = [c.value for c in event.public_category_list]
        form.partners.data = services.format_partners(event)
        form.status.data = event.status.value
    return form


@bp.route("/events/<slug>/manage/settings", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def settings(ctx: Ctx):
    """Edit every setting of the event; times are entered in the event's zone."""
    form = _settings_form(ctx.event)
    done = ctx.submit(
        form,
        lambda: registration_services.change_settings(ctx.event, form.data_for_service(), ctx.now),
        subject=ctx.event,
        success=_("The settings are saved."),
    )
    if done:
        if done.value:
            flash(
                ngettext(
                    "%(num)d person moved from the waiting list to confirmed.",
                    "%(num)d people moved from the waiting list to confirmed.",
                    len(done.value),
                ),
                "info",
            )
        return redirect(url_for(".settings", slug=ctx.slug))
    return render_template("events/settings.html", event=ctx.event, form=form)


@bp.route("/events/<slug>/manage/team", methods=["GET", "POST"])
@event_view(Access.ORGANISER)
def team(ctx: Ctx):
    """Organisers and staff of the event, pending invitations, and adding someone."""
    form = TeamAddForm(prefix="add")
    done = ctx.submit(form, lambda: _add(ctx, form))
    if done:
        flash(_added_message(done.value), "success")
        return redirect(url_for(".team", slug=ctx.slug))
    return render_template(
        "events/team.html", event=ctx.event, add_form=form,
        roles=team_services.list_roles(ctx.event),
        invitations=team_services.pending_invitations(ctx.event, ctx.now),
    )  # fmt: skip


def _add(ctx: Ctx, form: TeamAddForm) -> EventRole | EventInvitation:
    return team_services.add_team_member(
        ctx.event, form.email.data, EventRoleKind(form.role.data),
        full_name=form.full_name.data, actor=ctx.user, now=ctx.now,
    )  # fmt: skip


def _added_message(added: EventRole | EventInvitation) -> str:
    if isinstance(added, EventInvitation):
        return (
            f"We e-mailed an invitation to {added.email}. The {added.role.value} role is theirs "
            "once they open it (it expires in 14 days)."
        )
    return f"{added.user.email} is now {added.role.value} of this event; they are e-mailed."


@bp.post("/events/<slug>/manage/team/<int:role_id>/remove")
@event_view(Access.ORGANISER)
def team_remove(ctx: Ctx, role_id: int):
    """Take a role away, after saying what that does."""
    grant = ctx.get(EventRole, role_id)
    who = f"{grant.user.email} no longer has the {grant.role.value} role."
    asked = ctx.confirm(
        title=_("Remove %(email)s from the team?", email=grant.user.full_name or grant.user.email),
        consequences=team_services.remove_consequences(grant),
        confirm_label=_(
            "Remove %(role)s %(email)s", role=grant.role.label.lower(), email=grant.user.email
        ),
        back=url_for(".team", slug=ctx.slug),
    )
    if asked is not None:
        return asked
    ctx.perform(lambda: team_services.remove_role(grant), subject=grant, success=who)
    return redirect(url_for(".team", slug=ctx.slug))


@bp.post("/events/<slug>/manage/team/invitations/<int:invitation_id>/revoke")
@event_view(Access.ORGANISER)
def invitation_revoke(ctx: Ctx, invitation_id: int):
    """Withdraw a pending invitation: its link stops working."""
    invitation = ctx.get(EventInvitation, invitation_id)
    back = url_for(".team", slug=ctx.slug)
    asked = ctx.confirm(
        title=_("Withdraw the invitation of %(email)s?", email=invitation.email),
        consequences=[
            _(
                "The link sent to %(email)s stops working; nobody is e-mailed.",
                email=invitation.email,
            )
        ],
        confirm_label=_("Withdraw the invitation"),
        back=back,
    )
    if asked is not None:
        return asked
    done = f"The invitation of {invitation.email} is withdrawn."
    ctx.perform(lambda: team_services.revoke_invitation(invitation, ctx.now), success=done)
    return redirect(back)


# --- administrators -----------------------------------------------------------------


@bp.route("/admin/events", methods=["GET"])
@site_view(Access.ADMIN)
def admin_events(ctx: Ctx):
    """Every event, drafts included."""
    return render_template("admin/events.html", events=services.list_all_events())


def _create(ctx: Ctx, form: NewEventForm) -> Event:
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
    team_services.grant_role(ctx.user, event, EventRoleKind.ORGANISER)
    return event


@bp.route("/admin/events/new", methods=["GET", "POST"])
@site_view(Access.ADMIN)
def admin_new(ctx: Ctx):
    """Create a draft event; its creator becomes its first organiser."""
    form = NewEventForm()
    done = ctx.submit(
        form,
        lambda: _create(ctx, form),
        success=_("The event is created as a draft. Complete its settings, then publish it."),
    )
    if done:
        return redirect(url_for(".settings", slug=done.value.slug))
    return render_template("admin/new_event.html", form=form)
