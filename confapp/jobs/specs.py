"""What background work is declared: each task's spec, by name (filled by the decorators
of :mod:`confapp.jobs`, read by the engine and the runs)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

# The parameter a job carries the language of the person who started it in.
LANGUAGE_PARAM = "_language"


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """A registered piece of background work."""

    name: str
    func: Callable[..., Any]
    retries: int = 0
    retry_delay: int = 0
    # Periodic tasks: crontab fields ("*" = every); None for tasks run on demand.
    cron: dict[str, str] | None = None
    # Tracked jobs (a Job row organisers watch): the title shown on the progress page.
    title: Any = None  # str or lazy_gettext: translated where the page shows it
    report_template: str | None = None
    # Endpoint (taking the event's slug) of the page the job was started from.
    back: str | None = None
    # How the engine runs it: None calls func(*args, **kwargs); tracked jobs are run by
    # confapp.jobs.runs.execute_tracked(spec, job_id), given here by @jobs.job so the
    # engine needs no import of the runs.
    execute: Callable[..., Any] | None = None


TASKS: dict[str, TaskSpec] = {}


def _register(spec: TaskSpec) -> None:
    known = TASKS.get(spec.name)
    if known is not None and known.func is not spec.func:
        raise ValueError(f"two background tasks are named {spec.name!r}")
    TASKS[spec.name] = spec
