"""Running a tracked job: progress, the result file, the report, the final status."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from confapp.db import utcnow
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.jobs.specs import LANGUAGE_PARAM

if TYPE_CHECKING:
    from confapp.jobs.models import Job
    from confapp.jobs.specs import TaskSpec

log = logging.getLogger("confapp.jobs")

# A job's texts (errors, report lines) are written in the language of whoever started it:
# the start records it among the parameters, under this key.

# Progress is written at most this often (seconds), and always at the end.
_PROGRESS_EVERY = 0.25


def progress_key(job_id: int) -> str:
    """Key of a job's progress in the engine's store."""
    return f"confapp:progress:{job_id}"


def results_dir(app: Flask | None = None) -> Path:
    """Folder that holds one sub-folder of result files per job."""
    app = app or current_app
    return Path(app.config.get("JOBS_RESULTS_DIR") or Path(app.instance_path) / "jobs")


def result_path(job: Job) -> Path | None:
    """Where the job's result file is (None if it has none)."""
    if not job.result_file:
        return None
    return results_dir() / str(job.id) / job.result_file


def report_template_of(kind: str) -> str | None:
    """The template that shows the report of a job of this kind."""
    from confapp.jobs.specs import TASKS

    spec = TASKS.get(kind)
    return spec.report_template if spec else None


class Run:
    """What a tracked job's function works with: its event, who started it, progress,
    a place for its result file and a report (JSON) that its page shows."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.job_id = job.id
        self.report: dict[str, Any] = {}
        self.done = 0
        self.total = 0
        self.note = ""
        self._written = 0.0
        self._result: tuple[str, str, str] | None = None

    @property
    def event(self):
        """The event the job works for (None for site-wide jobs)."""
        return self.job.event if self.job.event_id else None

    @property
    def user(self):
        """The account that started the job (None if it was removed)."""
        return self.job.created_by if self.job.created_by_id else None

    def progress(self, done: int, total: int | None = None, note: str | None = None) -> None:
        """Say how far the job is (`done` of `total` items)."""
        self.done = done
        if total is not None:
            self.total = total
        if note is not None:
            self.note = note
        now = time.monotonic()
        if now - self._written >= _PROGRESS_EVERY or (self.total and done >= self.total):
            self._written = now
            self._write_progress()

    def advance(self, step: int = 1) -> None:
        """One more item done (fits the ``on_progress(n)`` callbacks of services)."""
        self.progress(self.done + step)

    def _write_progress(self) -> None:
        from confapp.jobs import engine

        try:
            engine.get().put(
                progress_key(self.job_id),
                {"done": self.done, "total": self.total, "note": self.note, "at": time.time()},
            )
        except Exception:  # progress is a courtesy: never fail the job for it
            log.warning("could not store the progress of job %s", self.job_id, exc_info=True)

    def file_path(self, filename: str) -> Path:
        """A path inside the job's own folder to write a result to."""
        folder = results_dir() / str(self.job_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / filename

    def save_result(
        self, data: bytes | None, *, filename: str, download_name: str, mime: str
    ) -> None:
        """Keep the job's result file (written here from `data`, or already at
        :meth:`file_path` when `data` is None) and how to offer it."""
        path = self.file_path(filename)
        if data is not None:
            path.write_bytes(data)
        self._result = (filename, download_name, mime)


def execute_tracked(spec: TaskSpec, job_id: int) -> None:
    """Run a tracked job once: claim its row, run, record the outcome."""
    from confapp.jobs.models import Job
    from confapp.jobs.models import JobStatus

    now = utcnow()
    claimed = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now)
    ).rowcount
    db.session.commit()
    if not claimed:
        return  # already run (a repeated enqueue) or removed
    job = db.session.get(Job, job_id)
    run = Run(job)
    run._write_progress()
    params = dict(job.params or {})
    language = params.pop(LANGUAGE_PARAM, None)
    error: str | None = None
    with force_locale(language) if language else contextlib.nullcontext():
        try:
            spec.func(run, **params)
            _finish(job, run, JobStatus.DONE, None)
            db.session.commit()  # the job's own writes and its outcome, together
        except DomainError as exc:
            db.session.rollback()
            error = str(exc.message)
        except Exception:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, spec.name)
            error = _("Something went wrong while running this job; the error was logged.")
    if error is not None:
        job = db.session.get(Job, job_id)
        shutil.rmtree(results_dir() / str(job_id), ignore_errors=True)
        run._result = None
        _finish(job, run, JobStatus.FAILED, error)
        db.session.commit()
    run._write_progress()


def _finish(job: Job, run: Run, status, error: str | None) -> None:
    now = utcnow()
    ttl = int(current_app.config.get("JOBS_RESULT_TTL", 24 * 3600))
    job.status = status
    job.error = error
    job.done = run.done
    job.total = run.total
    job.report = run.report or None
    if run._result is not None:
        job.result_file, job.result_name, job.result_mime = run._result
    job.finished_at = now
    job.expires_at = now + dt.timedelta(seconds=ttl)


@dataclasses.dataclass
class Snapshot:
    """What a progress page shows of a job at one moment."""

    status: str
    done: int
    total: int
    note: str

    @property
    def percent(self) -> int:
        """Whole per cent done (0 when the total is not known yet)."""
        if not self.total:
            return 100 if self.status == "done" else 0
        return min(100, round(100 * self.done / self.total))

    def as_json(self) -> dict:
        """The JSON the progress script polls."""
        return {
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "note": self.note,
            "finished": self.status in ("done", "failed"),
        }


def snapshot(job: Job) -> Snapshot:
    """The job's status and progress: live from the engine while it runs."""
    from confapp.jobs import engine
    from confapp.jobs.models import JobStatus

    if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        try:
            live = engine.get().peek(progress_key(job.id)) or {}
        except Exception:
            live = {}
        return Snapshot(
            job.status.value, live.get("done", 0), live.get("total", 0), live.get("note", "")
        )
    return Snapshot(job.status.value, job.done, job.total, "")


def heartbeat(job: Job) -> float | None:
    """When a running job last said how far it was (epoch seconds), if known."""
    from confapp.jobs import engine

    try:
        live = engine.get().peek(progress_key(job.id)) or {}
    except Exception:
        return None
    return live.get("at")
