"""The job engine behind :mod:`confapp.jobs`: one Huey instance per application.

Huey is imported here only, and only when a task is first enqueued or a worker starts,
so that building the app (every gunicorn worker, every `confapp` command) does not pay
for it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask import current_app
from sqlalchemy.orm import Session

from confapp.extensions import db
from confapp.jobs.specs import LANGUAGE_PARAM
from confapp.jobs.specs import TASKS
from confapp.jobs.specs import TaskSpec

log = logging.getLogger("confapp.jobs")

_KEY = "confapp.jobs"
_DEFERRED = "confapp.jobs.deferred"
_COMMITTED = "confapp.jobs.committed"  # deferred calls of a commit, run once it has closed

# Modules that declare background work: imported before tasks are registered with Huey,
# so the worker knows every task name whichever pages it has served.
TASK_MODULES = (
    "confapp.analytics.report",
    "confapp.jobs.housekeeping",
    "confapp.comms.jobs",
    "confapp.badges.jobs",
    "confapp.checkin.jobs",
    "confapp.agenda.changes",
    "confapp.agenda.jobs",
    "confapp.visits.notify",
    "confapp.registration.jobs",
    "confapp.mail.delivery",
    "confapp.meetings.jobs",
    "confapp.visa.jobs",
)


class Engine:
    """The Huey instance of one app, with every declared task registered in it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = make_huey(app)
        self._wrappers: dict[str, Any] = {}
        self._imported = False
        self._lock = threading.Lock()
        self.register_all()

    def register_all(self) -> None:
        """Register with Huey the tasks declared since the last call."""
        if self._imported and len(self._wrappers) == len(TASKS):
            return
        with self._lock:
            for module in TASK_MODULES:
                importlib.import_module(module)
            self._imported = True
            from huey import crontab

            for spec in list(TASKS.values()):
                if spec.name in self._wrappers:
                    continue
                wrapper = _in_app_context(self.app, spec)
                if spec.cron is not None:
                    decorate = self.huey.periodic_task(crontab(**spec.cron), name=spec.name)
                else:
                    decorate = self.huey.task(
                        retries=spec.retries, retry_delay=spec.retry_delay, name=spec.name
                    )
                self._wrappers[spec.name] = decorate(wrapper)

    def enqueue(self, name: str, args: tuple, kwargs: dict, delay: Any = None) -> None:
        """Put one call of task `name` on the queue (to run after `delay` seconds)."""
        if name not in self._wrappers:
            self.register_all()
        wrapper = self._wrappers.get(name)
        if wrapper is None:
            raise KeyError(f"no background task is named {name!r}")
        if isinstance(delay, dt.timedelta):
            delay = delay.total_seconds()
        if not delay:
            wrapper(*args, **kwargs)
        elif not self.huey.immediate:
            wrapper.schedule(args=args, kwargs=kwargs, delay=delay)
        # In immediate mode a delayed call would wait in memory for a consumer that never
        # comes: the sweeps that follow find the work instead.

    # -- progress, a small key-value store beside the queue -------------------------
    def put(self, key: str, value: Any) -> None:
        """Store a small value (progress of a running job)."""
        self.huey.put(key, value)

    def peek(self, key: str) -> Any:
        """Read a value stored with :meth:`put` (None if absent)."""
        return self.huey.get(key, peek=True)

    def delete(self, key: str) -> None:
        """Forget a stored value."""
        self.huey.delete(key)


def make_huey(app: Flask):
    """A Huey instance from JOBS_URL / JOBS_IMMEDIATE."""
    from huey import MemoryHuey
    from huey import RedisHuey
    from huey import SqliteHuey

    name = app.config.get("JOBS_QUEUE_NAME") or "confapp"
    if app.config.get("JOBS_IMMEDIATE"):
        return MemoryHuey(name, immediate=True, results=False)
    url = app.config.get("JOBS_URL") or ""
    if not url:
        return SqliteHuey(name, filename=str(Path(app.instance_path) / "jobs.db"), results=False)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    raise ValueError(
        f"CONFAPP_JOBS_URL must be sqlite:///PATH or redis://HOST:PORT/DB, not {url!r}"
    )


def _in_app_context(app: Flask, spec: TaskSpec):
    def run(*args: Any, **kwargs: Any) -> Any:
        # A context (and so a database session) of its own: in immediate mode the task
        # runs inside another session's after-commit hook, where that one cannot be used.
        with app.app_context():
            if spec.execute is not None:  # a tracked job: its Job row, progress, result
                return spec.execute(spec, *args, **kwargs)
            return spec.func(*args, **kwargs)

    run.__name__ = spec.name.replace(".", "_")
    run.__doc__ = spec.func.__doc__
    return run


def get(app: Flask | None = None) -> Engine:
    """The engine of `app` (the current app by default), built on first use."""
    app = app or current_app._get_current_object()
    engine = app.extensions.get(_KEY)
    if engine is None:
        with _build_lock:
            engine = app.extensions.get(_KEY)
            if engine is None:
                engine = app.extensions[_KEY] = Engine(app)
    return engine


_build_lock = threading.Lock()


def enqueue(name: str, args: tuple, kwargs: dict, delay: Any = None) -> None:
    """Enqueue on the current app's engine."""
    get().enqueue(name, args, kwargs, delay)


def defer(name: str, args: tuple, kwargs: dict) -> None:
    """Enqueue once the current transaction commits (deduplicated per transaction)."""
    # Start the transaction now, so that a rollback that follows is a real one and drops
    # the call rather than leaving it for some later commit.
    db.session.connection()
    key = (name, repr(args), repr(sorted(kwargs.items())))
    db.session.info.setdefault(_DEFERRED, {})[key] = (name, args, kwargs)


def start(name: str, *, event: Any, user: Any, label: str, params: dict):
    """Create a tracked job's row and enqueue it after the commit."""
    from confapp.jobs.models import Job

    spec = TASKS.get(name)
    if spec is None:
        get().register_all()
        spec = TASKS[name]
    if spec.title is None:
        raise ValueError(f"{name!r} is not a tracked job (declare it with @jobs.job)")
    job = Job(
        event_id=getattr(event, "id", None),
        kind=name,
        label=str(label or "")[:200],  # the title is shown translated from the spec
        created_by_id=getattr(user, "id", None),
        params={**params, LANGUAGE_PARAM: _current_language()},
    )
    db.session.add(job)
    db.session.flush()
    defer(name, (job.id,), {})
    return job


def _current_language() -> str | None:
    from flask_babel import get_locale

    try:
        locale = get_locale()
    except Exception:  # outside a request with Babel not set up: the default language
        return None
    return str(locale) if locale is not None else None


def _after_commit(session: Session) -> None:
    # SQLAlchemy fires after_commit on a savepoint's release too; the work waits for the
    # real commit (a worker would not see the rows yet, and on SQLite it would wait on the
    # writer lock this transaction still holds).
    if session.in_nested_transaction():
        return
    deferred = session.info.pop(_DEFERRED, None)
    if deferred:
        session.info[_COMMITTED] = deferred


def _after_transaction_end(session: Session, transaction) -> None:
    # Enqueue once the committed transaction has handed its connection back to the pool:
    # after_commit still holds it, and an immediate-mode task (tests, the demo's inline
    # runs) opening its own session there needs a second connection, so a burst of
    # requests as large as the pool would each hold one and wait for another forever.
    if transaction.parent is not None or transaction.nested:
        return
    deferred = session.info.pop(_COMMITTED, None)
    if not deferred:
        return
    for name, args, kwargs in deferred.values():
        try:
            enqueue(name, args, kwargs)
        except Exception:
            # The action is committed; a queue that is down must not undo it. The
            # periodic sweep finds the work the lost call was for (due mail, queued jobs).
            log.exception("could not enqueue %s; the next sweep will pick the work up", name)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost rollback drops the calls (a savepoint's keeps the enclosing ones).
    if previous_transaction.parent is None:
        session.info.pop(_DEFERRED, None)


def init_app(app: Flask) -> None:
    """Wire the after-commit enqueue (once per process); the engine is built lazily."""
    app.config.setdefault("JOBS_URL", None)
    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        sa.event.listen(Session, "after_transaction_end", _after_transaction_end)
