"""Meeting downloads: a delegate's printable schedule, the organisers' sheets to put on the
tables and the CSV of meetings held. Routes of the meetings blueprint
(confapp.meetings.views), imported by the wiring before it is registered."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from confapp.agenda.services import zone_label
from confapp.i18n import isolate
from confapp.i18n import isolate_name
from confapp.meetings import feedback as feedback_service
from confapp.meetings import pdf
from confapp.meetings import requests
from confapp.meetings.views import bp
from confapp.multilingual import tr
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view


def _pdf_response(data: bytes, filename: str, disposition: str = "inline") -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


@bp.get("/events/<slug>/meetings/schedule.pdf")
@event_view(Access.SIGNED_IN)
def my_pdf(ctx: Ctx):
    """My meeting schedule to print."""
    me = requests.meeting_delegate(ctx.event, ctx.user)
    data = pdf.schedule_pdf(
        _(
            "%(event)s: meetings of %(name)s",
            event=isolate_name(tr(ctx.event, "title")),
            name=isolate_name(me.full_name),
        ),
        _("Times in %(zone)s", zone=isolate(zone_label(ctx.event))),
        [_("Time"), _("Table"), _("With")],
        [("", pdf.delegate_rows(ctx.event, me))],
    )
    return _pdf_response(data, f"{ctx.event.slug}-my-meetings.pdf")


@bp.get("/events/<slug>/manage/meetings/tables.pdf")
@event_view(Access.ORGANISER)
def tables_pdf(ctx: Ctx):
    """One page per table with its meetings, to put on the table."""
    data = pdf.schedule_pdf(
        _("%(event)s: meetings by table", event=isolate_name(tr(ctx.event, "title"))),
        _("Times in %(zone)s", zone=isolate(zone_label(ctx.event))),
        [_("Time"), _("Delegate"), _("Delegate")],
        pdf.table_pages(ctx.event),
    )
    return _pdf_response(data, f"{ctx.event.slug}-tables.pdf")


@bp.get("/events/<slug>/manage/meetings/report.csv")
@event_view(Access.ORGANISER)
def report_csv(ctx: Ctx):
    """The meetings held, one row each, with countries, regions and sectors."""
    data = feedback_service.held_csv(feedback_service.linkage_report(ctx.event))
    return Response(
        data,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{ctx.event.slug}-meetings-held.csv"'
        },
    )
