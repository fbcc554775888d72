"""The events blueprint: the list of events and the administrators' list of every event.

An event's own page, its organiser dashboard and settings show and change registration's
state, so they are registration's (confapp/registration/event_views.py); its team pages
and creating an event (whose creator becomes its first organiser) are accounts'
(confapp/accounts/team_views.py). Both add their routes to this blueprint, keeping the
URLs and endpoint names (events.detail, events.team, ...), and events imports neither."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from confapp.events import services
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import site_view

# Routes are added by registration.event_views and accounts.team_views too (the wiring
# imports them before the blueprint is registered).
bp = Blueprint("events", __name__)


# --- public -------------------------------------------------------------------------


@bp.get("/")
@site_view(Access.PUBLIC)
def index(ctx: Ctx):
    """Published events as cards."""
    return render_template("events/index.html", events=services.list_published_events())


# --- administrators -----------------------------------------------------------------


@bp.route("/admin/events", methods=["GET"])
@site_view(Access.ADMIN)
def admin_events(ctx: Ctx):
    """Every event, drafts included."""
    return render_template("admin/events.html", events=services.list_all_events())
