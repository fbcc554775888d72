"""The organisers' event log page: every action, filtered by kind, person and object (the
log itself is confapp.eventlog's, written by the request lifecycle below the features)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request

from confapp.eventlog import labels
from confapp.eventlog import services
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view
from confapp.web.params import int_arg

bp = Blueprint("eventlog", __name__)
PER_PAGE = 50

# The log's codes in the reader's language, wherever a history is shown (a registration's
# page too).
bp.add_app_template_filter(labels.feature_label, "log_feature")
bp.add_app_template_filter(labels.action_label, "log_action")
bp.add_app_template_filter(labels.role_label, "log_role")
bp.add_app_template_filter(labels.channel_label, "log_via")
bp.add_app_template_filter(labels.operation_label, "log_op")
bp.add_app_template_filter(labels.detail_label, "log_detail")


@bp.get("/events/<slug>/manage/log")
@event_view(Access.ORGANISER)
def log(ctx: Ctx):
    """The event's log, newest first, with filters and pages."""
    filters = _filters()
    page = int_arg("page", default=1) or 1
    entries, total = services.entries_for_event(ctx.event.id, filters, page=page, per_page=PER_PAGE)
    return render_template(
        "eventlog/log.html", event=ctx.event, entries=entries, total=total, page=page,
        pages=max(1, -(-total // PER_PAGE)), per_page=PER_PAGE, filters=filters,
        kinds=services.kinds_in_log(ctx.event.id), actors=services.actors_in_log(ctx.event.id),
    )  # fmt: skip


def _filters() -> services.LogFilters:
    """The filters of the query string (unknown numbers are ignored, not errors)."""
    return services.LogFilters(
        kind=request.args.get("kind", "")[:80],
        actor_id=int_arg("actor"),
        object_type=request.args.get("object_type", "")[:40],
        object_id=int_arg("object_id"),
    )
