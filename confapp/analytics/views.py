"""Organiser dashboard: every figure as a chart with its table, and each table as CSV."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from wtforms import HiddenField
from wtforms.validators import AnyOf

from confapp import jobs
from confapp.analytics import figures as figures_module
from confapp.analytics import report
from confapp.analytics import services
from confapp.extensions import db
from confapp.i18n import text_direction
from confapp.jobs import runs
from confapp.jobs.models import Job
from confapp.jobs.models import JobStatus
from confapp.web.forms import Form
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

bp = Blueprint("analytics", __name__)
REPORT_JOB = "analytics.report"


class ReportForm(Form):
    """Build the funders' report in one format."""

    fmt = HiddenField(validators=[AnyOf(report.FORMATS)])


def _building(event, fmt: str) -> bool:
    return (
        db.session.scalar(
            sa.select(Job.id)
            .where(
                Job.event_id == event.id,
                Job.kind == REPORT_JOB,
                Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
                Job.label == fmt.upper(),
            )
            .limit(1)
        )
        is not None
    )


def _report_jobs(event) -> list[tuple[Job, runs.Snapshot]]:
    rows = db.session.scalars(
        sa.select(Job)
        .where(Job.event_id == event.id, Job.kind == REPORT_JOB)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(5)
    ).all()
    return [(job, runs.snapshot(job)) for job in rows]


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
        report_jobs=_report_jobs(ctx.event),
        report_form=ReportForm(),
    )


@bp.post("/events/<slug>/manage/analytics/report")
@event_view(Access.ORGANISER)
def start_report(ctx: Ctx):
    """Start building the funders' report (PDF or XLSX) as a job; the dashboard shows it."""
    form = ReportForm()
    if form.validate_on_submit() and _building(ctx.event, form.fmt.data):
        # A second click while the same report is still being built starts nothing new.
        flash(_("The report is being built; this page shows when it is ready."), "info")
    else:
        ctx.submit(
            form,
            lambda: jobs.start(
                REPORT_JOB, event=ctx.event, user=ctx.user, label=form.fmt.data.upper(),
                fmt=form.fmt.data,
            ),
            success=_("The report is being built; this page shows when it is ready."),
        )  # fmt: skip
    return redirect(url_for(".dashboard", slug=ctx.slug) + "#report-heading")


@bp.get("/events/<slug>/manage/analytics/report/<int:job_id>")
@event_view(Access.ORGANISER, log=False)
def report_file(ctx: Ctx, job_id: int):
    """The finished report's file."""
    job = ctx.get(Job, job_id)
    path = runs.result_path(job)
    if job.kind != REPORT_JOB or job.status is not JobStatus.DONE or path is None:
        abort(404)
    if not path.exists():
        abort(404)
    return send_file(
        path, mimetype=job.result_mime, as_attachment=True, download_name=job.result_name
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
