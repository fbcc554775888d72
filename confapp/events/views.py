"""events views (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__)


@bp.get("/")
def index():
    """List of published events."""
    return "confapp"


@bp.route("/events/<slug>", methods=['GET'])
def detail(slug=None):
    """Placeholder until the feature lands."""
    return "events.detail"


@bp.route("/events/<slug>/manage", methods=['GET'])
def manage(slug=None):
    """Placeholder until the feature lands."""
    return "events.manage"


@bp.route("/events/<slug>/manage/settings", methods=['GET', 'POST'])
def settings(slug=None):
    """Placeholder until the feature lands."""
    return "events.settings"


@bp.route("/events/<slug>/manage/team", methods=['GET', 'POST'])
def team(slug=None):
    """Placeholder until the feature lands."""
    return "events.team"


@bp.route("/admin/events", methods=['GET'])
def admin_events():
    """Placeholder until the feature lands."""
    return "events.admin_events"


@bp.route("/admin/events/new", methods=['GET', 'POST'])
def admin_new():
    """Placeholder until the feature lands."""
    return "events.admin_new"
