"""The page of a tracked job: progress while it runs, then its result and report."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify
from flask import render_template
from flask import send_file
from flask import url_for
from flask_babel import gettext as _

from confapp.errors import NotFound
from confapp.jobs import runs
from confapp.jobs import spec_of
from confapp.jobs.models import Job
from confapp.web.lifecycle import Access
from confapp.web.lifecycle import Ctx
from confapp.web.lifecycle import event_view

bp = Blueprint("jobs", __name__)


def _count_text(snap: runs.Snapshot) -> str:
    if not snap.total:
        return _("Starting…") if snap.status != "done" else _("Done.")
    return _(
        "%(done)s of %(total)s (%(percent)s%%)",
        done=snap.done,
        total=snap.total,
        percent=snap.percent,
    )


def _state_text(status: str) -> str:
    return {
        "queued": _("Waiting for a worker…"),
        "running": _("Running…"),
        "done": _("Done."),
        "failed": _("Failed."),
    }[status]


@bp.get("/events/<slug>/manage/jobs/<int:job_id>")
@event_view(Access.ORGANISER, log=False)
def show(ctx: Ctx, job_id: int):
    """Progress of the job (refreshed by a small script, or by the link), then its result."""
    job = ctx.get(Job, job_id)
    spec = spec_of(job.kind)
    snap = runs.snapshot(job)
    return render_template(
        "jobs/show.html",
        event=ctx.event,
        job=job,
        title=spec.title if spec and spec.title else job.kind,
        back=url_for(spec.back, slug=ctx.slug) if spec and spec.back else None,
        report_template=spec.report_template if spec else None,
        snap=snap,
        state=_state_text(snap.status),
        count=_count_text(snap),
    )


@bp.get("/events/<slug>/manage/jobs/<int:job_id>/status")
@event_view(Access.ORGANISER, log=False)
def status(ctx: Ctx, job_id: int):
    """The job's progress as JSON, for the progress page's script."""
    job = ctx.get(Job, job_id)
    snap = runs.snapshot(job)
    return jsonify(
        {**snap.as_json(), "state_text": _state_text(snap.status), "count_text": _count_text(snap)}
    )


@bp.get("/events/<slug>/manage/jobs/<int:job_id>/result")
@event_view(Access.ORGANISER, log=False)
def result(ctx: Ctx, job_id: int):
    """Download the job's result file (until it expires)."""
    job = ctx.get(Job, job_id)
    path = runs.result_path(job)
    if path is None or not path.is_file():
        raise NotFound(_("This result is not available (any more)."))
    return send_file(
        path,
        mimetype=job.result_mime or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or path.name,
        max_age=0,
    )
