"""Long programme imports as a background job, with progress and a report of line errors."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import jobs
from confapp.agenda import csvio
from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.eventlog.services import Recorder
from confapp.eventlog.services import caller_role

MAX_ERRORS_SHOWN = 200


def runs_as_job(content: bytes) -> bool:
    """Files longer than IMPORT_JOB_ROWS rows are imported by a job instead of the request."""
    return csvio.rows_in(content) > int(current_app.config.get("IMPORT_JOB_ROWS", 200))


def start_import(event, user, content: bytes, *, filename: str = ""):
    """Queue the import of `content` as a job (returned); the file waits in its folder."""
    return jobs.start_with_upload(
        "agenda.import", event=event, user=user, content=content, label=filename
    )


@jobs.job(
    "agenda.import",
    title=_l("Programme import"),
    report_template="agenda/_import_report.html",
    back="agenda.import_csv",
)
def import_job(run: jobs.Run) -> None:
    """Check every row, then apply all or none (as the web form does for short files)."""
    content = jobs.upload_of(run)
    event, user = run.event, run.user
    recorder = Recorder(
        event_id=event.id,
        actor=user,
        actor_role=caller_role(user, event),
        kind="agenda.import_csv",
        via="job",
    )
    with recorder:
        try:
            result = csvio.import_csv(event, content, now=utcnow(), on_progress=run.progress)
        except csvio.ImportFailed as exc:
            errors = [{"line": line, "message": message} for line, message in exc.errors]
            run.report = {
                "errors": errors[:MAX_ERRORS_SHOWN],
                "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
            }
            raise DomainError(
                _("Nothing was imported: the file has problems (see below).")
            ) from exc
        recorder.finish()
    run.report = dict(result)
    run.progress(run.total or 1, run.total or 1)
