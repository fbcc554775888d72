"""Background jobs: the one door to the job engine (Huey), so features never import it.

Features declare their work with three decorators and start it with two calls::

    @jobs.task("mail.deliver")               # plain background work, no page
    def deliver_due(): ...

    @jobs.periodic("meetings.remind", minute="5")   # hourly at :05 (crontab fields)
    def remind_all(): ...

    @jobs.job("badges.pdf", title="Badges")  # organisers watch it: progress, result
    def badges_pdf(run: jobs.Run, layout: str): ...

    jobs.after_commit("mail.deliver")        # enqueued once the transaction commits
    job = jobs.start("badges.pdf", event=event, user=user, layout="a6")  # a Job row

Every task runs inside an application context of its own (its own database session).
Where the work runs is configuration: ``CONFAPP_JOBS_URL`` unset is a SQLite file in the
instance folder, ``sqlite:///path`` another file, ``redis://host:port/db`` a Redis shared by
several servers; ``JOBS_IMMEDIATE`` (tests) runs each task at once in the caller's thread.
``confapp worker`` consumes the queue; ``confapp demo`` runs a consumer in its own process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from confapp.jobs import runs
from confapp.jobs.runs import Run
from confapp.jobs.runs import execute_tracked
from confapp.jobs.runs import report_template_of
from confapp.jobs.specs import TASKS
from confapp.jobs.specs import TaskSpec
from confapp.jobs.specs import _register

__all__ = [
    "Run",
    "after_commit",
    "enqueue",
    "job",
    "periodic",
    "report_template_of",
    "spec_of",
    "start",
    "start_with_upload",
    "task",
    "upload_of",
]


def task(name: str, *, retries: int = 0, retry_delay: int = 0) -> Callable:
    """Declare `func(*args, **kwargs)` as background work called `name`."""

    def decorator(func: Callable) -> Callable:
        _register(TaskSpec(name, func, retries=retries, retry_delay=retry_delay))
        return func

    return decorator


def periodic(name: str, *, minute: str = "*", hour: str = "*", day: str = "*") -> Callable:
    """Declare `func()` as work the worker runs on a schedule (crontab fields, UTC)."""

    def decorator(func: Callable) -> Callable:
        _register(TaskSpec(name, func, cron={"minute": minute, "hour": hour, "day": day}))
        return func

    return decorator


def job(
    name: str, *, title: Any, report_template: str | None = None, back: str | None = None
) -> Callable:
    """Declare `func(run: Run, **params)` as a job organisers start and watch (a Job row:
    progress, result file, report rendered with `report_template`, a link `back` to the
    page that starts it)."""

    def decorator(func: Callable) -> Callable:
        spec = TaskSpec(
            name,
            func,
            title=title,
            report_template=report_template,
            back=back,
            execute=execute_tracked,
        )
        _register(spec)
        return func

    return decorator


def spec_of(kind: str) -> TaskSpec | None:
    """The declaration of task `kind` (the modules that declare tasks are loaded first)."""
    if kind not in TASKS:
        import importlib

        from confapp.jobs.engine import TASK_MODULES

        for module in TASK_MODULES:
            importlib.import_module(module)
    return TASKS.get(kind)


def enqueue(name: str, *args: Any, delay: float | dt.timedelta | None = None, **kwargs: Any):
    """Put task `name` on the queue now (or after `delay`); prefer :func:`after_commit`
    when the task must see what the current transaction writes."""
    from confapp.jobs import engine

    engine.enqueue(name, args, kwargs, delay=delay)


def after_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue task `name` once the current transaction commits (once per transaction for
    the same arguments); a rollback drops it."""
    from confapp.jobs import engine

    engine.defer(name, args, kwargs)


def start(name: str, *, event: Any, user: Any, label: str = "", **params: Any):
    """Create the Job row of tracked job `name` for `event` (started by `user`) and enqueue
    it after the commit; return the row (its page is ``jobs.job_page``)."""
    from confapp.jobs import engine

    return engine.start(name, event=event, user=user, label=label, params=params)


UPLOAD = "upload"  # the file a job was started with, in the job's own folder


def start_with_upload(name: str, *, event: Any, user: Any, content: bytes, label: str = ""):
    """Start tracked job `name` on an uploaded file (an import): the file waits in the job's
    folder until the worker reads it with :func:`upload_of`; return the Job row."""
    job = start(name, event=event, user=user, label=label[:200])
    folder = runs.results_dir() / str(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / UPLOAD).write_bytes(content)
    return job


def upload_of(run: Run) -> bytes:
    """The file the running job was started with (see :func:`start_with_upload`)."""
    return (runs.results_dir() / str(run.job_id) / UPLOAD).read_bytes()
