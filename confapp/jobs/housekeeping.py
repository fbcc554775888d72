"""Periodic upkeep of the job engine: lost enqueues, stalled jobs, expired results."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from confapp import jobs
from confapp.db import utcnow
from confapp.extensions import db

log = logging.getLogger("confapp.jobs")
# Sweeps of the packages above jobs (mail delivery's), given by the app's wiring: called
# with `now` after the jobs' own, every minute and when a worker starts.
_SWEEPS: list[Callable[[dt.datetime], object]] = []


def also_sweep(func: Callable[[dt.datetime], object]) -> None:
    """Have the periodic sweep call `func(now)` too (once, however often it is given)."""
    if func not in _SWEEPS:
        _SWEEPS.append(func)


@jobs.periodic("jobs.sweep", minute="*")
def sweep() -> None:
    """Every minute: re-enqueue what a lost enqueue left behind, fail stalled jobs."""
    sweep_jobs(utcnow())
    for other in _SWEEPS:
        other(utcnow())


@jobs.periodic("jobs.expire", minute="17")
def expire() -> None:
    """Hourly: remove finished jobs (and their files) whose results have expired."""
    expire_results(utcnow())


def sweep_jobs(now: dt.datetime) -> dict[str, int]:
    """Queued jobs nobody started for a while are enqueued again (a repeat is a no-op:
    starting claims the row); running jobs silent for too long are marked failed."""
    from confapp.jobs import runs
    from confapp.jobs.models import Job
    from confapp.jobs.models import JobStatus

    waited = now - dt.timedelta(seconds=current_app.config.get("JOBS_REQUEUE_AFTER", 300))
    waiting = db.session.scalars(
        sa.select(Job).where(Job.status == JobStatus.QUEUED, Job.created_at < waited)
    ).all()
    for job in waiting:
        jobs.enqueue(job.kind, job.id)
    stale_after = current_app.config.get("JOBS_STALE_AFTER", 1800)
    stalled = 0
    running = db.session.scalars(sa.select(Job).where(Job.status == JobStatus.RUNNING)).all()
    for job in running:
        beat = runs.heartbeat(job)
        last = beat if beat is not None else (job.started_at or job.created_at).timestamp()
        if time.time() - last > stale_after:
            done = db.session.execute(
                sa.update(Job)
                .where(Job.id == job.id, Job.status == JobStatus.RUNNING)
                .values(
                    status=JobStatus.FAILED,
                    error="The worker stopped while running this job. Start it again.",
                    finished_at=now,
                    expires_at=now
                    + dt.timedelta(seconds=current_app.config.get("JOBS_RESULT_TTL", 86400)),
                )
            ).rowcount
            stalled += done
            if done:
                log.warning("job %s (%s) stalled: marked failed", job.id, job.kind)
    db.session.commit()
    return {"requeued": len(waiting), "stalled": stalled}


def expire_results(now: dt.datetime) -> int:
    """Delete expired jobs and their result folders; return how many."""
    from confapp.jobs.models import Job
    from confapp.jobs.runs import results_dir

    ids = db.session.scalars(
        sa.select(Job.id).where(Job.expires_at.is_not(None), Job.expires_at < now)
    ).all()
    for job_id in ids:
        shutil.rmtree(results_dir() / str(job_id), ignore_errors=True)
    if ids:
        db.session.execute(sa.delete(Job).where(Job.id.in_(ids)))
    db.session.commit()
    return len(ids)
