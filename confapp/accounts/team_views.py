"""An event's team pages: its organisers and staff, invitations, adding and removing
someone. Routes of the events blueprint (events.team, events.team_remove,
events.invitation_revoke), and creating an event, whose creator becomes its first organiser
(events.admin_new); roles and invitations are accounts'."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _

from confapp.accounts import team as team_services
from confapp.accounts.forms import TeamAddForm
from confapp.accounts.models import EventInvitation
from confapp.accounts.models import EventRole
from confapp.accounts.models import EventRoleKind
from confapp.events import services
from confapp.events.forms import NewEventForm
from confapp.events.models import Event
from confapp.events.views import bp
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.lifecycle import site_view


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
