"""Organiser dashboard: every figure as a chart with its table, and each table as CSV."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import render_template

from confapp.analytics import figures as figures_module
from confapp.analytics import services
from confapp.i18n import text_direction
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

bp = Blueprint("analytics", __name__)


def _figures(ctx: Ctx):
    data = services.dashboard(ctx.event, ctx.now)
    return data, figures_module.figures(data, ctx.event, rtl=text_direction() == "rtl")


@bp.get("/events/<slug>/manage/analytics")
@event_view(Access.ORGANISER)
def dashboard(ctx: Ctx):
    """Charts of registrations, countries, groups, attendance and networking, live."""
    data, figures = _figures(ctx)
    return render_template(
        "analytics/dashboard.html",
        event=ctx.event,
        data=data,
        figures=figures,
        headline=figures_module.headline(data),
        number=figures_module.number,
    )


@bp.get("/events/<slug>/manage/analytics/<key>.csv")
@event_view(Access.ORGANISER)
def figure_csv(ctx: Ctx, key: str):
    """One figure's table as CSV."""
    _data, figures = _figures(ctx)
    figure = next((f for f in figures if f.key == key), None)
    if figure is None:
        abort(404)
    return Response(
        figure.table.csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{ctx.event.slug}-{key}.csv"'},
    )
