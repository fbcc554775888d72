"""An event's own page, its organiser dashboard and its settings: registration's state (how
to register, the counts, places added by a setting moving the waiting list). Routes of the
events blueprint (events.detail, events.manage, events.settings)."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.events import services
from confapp.events.forms import EventSettingsForm
from confapp.events.models import Event
from confapp.events.views import bp
from confapp.registration import services as registration_services
from confapp.registration.models import RegistrationStatus
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view


def registration_state(event: Event, now) -> str:
    """open, not_open_yet, closed or full (full: new registrations join the waiting list)."""
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open_yet"
    if not event.registration_open(now):
        return "closed"
    if event.pool.seats_left == 0:
        return "full"
    return "open"


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
