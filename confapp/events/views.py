"""The events blueprint: the list of events and the administrators' list of every event.

An event's own page, its organiser dashboard and settings show and change registration's
state, so they are registration's (confapp/registration/event_views.py); its team pages
and creating an event (whose creator becomes its first organiser) are accounts'
(confapp/accounts/team_views.py). Both add their routes to this blueprint, keeping the
URLs and endpoint names (events.detail, events.team, ...), and events imports neither."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import url_for
from flask_babel import lazy_gettext as _l

from confapp import multilingual
from confapp.events import services
from confapp.extensions import db
from confapp.i18n import language_name
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
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


# --- organisers -----------------------------------------------------------------------------

# Where each kind of translatable object is edited (endpoint, its id argument) and what it
# is called; the endpoints are named, not imported, so events imports no feature.
_EDIT_PAGES = {
    "event": ("events.settings", None, _l("Event")),
    "track": ("agenda.track_edit", "track_id", _l("Track")),
    "programme_session": ("agenda.session_edit", "session_id", _l("Session")),
    "visit": ("visits.visit_edit", "visit_id", _l("Visit")),
    "networking_tag": ("meetings.edit_tag", "tag_id", _l("Topic")),
}
_FIELDS = {
    "title": _l("Title"),
    "tagline": _l("Tagline"),
    "description": _l("Description"),
    "name": _l("Name"),
    "requirements": _l("Requirements"),
}


@bp.get("/events/<slug>/manage/translations")
@event_view(Access.ORGANISER)
def untranslated(ctx: Ctx):
    """What organisers wrote that still lacks one of the event's offered languages, with a
    link to the form where each is given."""
    rows = []
    for missing in multilingual.untranslated(ctx.event, db.session):
        endpoint, id_arg, kind = _EDIT_PAGES.get(missing.kind, (None, None, missing.kind))
        args = {"slug": ctx.slug, **({id_arg: missing.object_id} if id_arg else {})}
        rows.append(
            {
                "kind": kind,
                "label": missing.label,
                "field": _FIELDS.get(missing.field, missing.field),
                "languages": [language_name(code) for code in missing.languages],
                "url": url_for(endpoint, **args) if endpoint else None,
            }
        )
    return render_template("events/untranslated.html", event=ctx.event, rows=rows)
