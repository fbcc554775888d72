"""The worker's side: start scheduled announcements when due and release recipients into
the outbox no faster than COMMS_RATE_PER_MINUTE (a relay's quota is per minute)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from confapp import jobs
from confapp.comms import services
from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementStatus
from confapp.db import utcnow
from confapp.extensions import db

WINDOW = dt.timedelta(minutes=1)
# Rows are rendered and queued in small transactions: the outbox sees them early and a
# worker stopped halfway keeps what it queued.
CHUNK = 50


def rate_per_minute() -> int:
    """Messages per minute the relay accepts (COMMS_RATE_PER_MINUTE)."""
    return max(1, int(current_app.config.get("COMMS_RATE_PER_MINUTE", 120)))


def run_release(now: dt.datetime) -> dict[str, int]:
    """Start due announcements, queue what the rate allows, and say what is left."""
    started = services.start_due(now)
    db.session.commit()
    queued = 0
    while True:
        budget = min(CHUNK, rate_per_minute() - services.released_since(now - WINDOW))
        if budget <= 0:
            break
        done = services.release(now, budget)
        db.session.commit()
        queued += done
        if done < budget:
            break
    left = services.pending_count()
    db.session.commit()
    return {"started": started, "queued": queued, "left": left}


@jobs.task("comms.release")
def release() -> dict[str, int]:
    """Release pending recipients; when the rate holds some back, come back in a minute."""
    outcome = run_release(utcnow())
    if outcome["left"]:
        jobs.enqueue("comms.release", delay=WINDOW.total_seconds())
    return outcome


@jobs.task("comms.wake")
def wake(announcement_id: int) -> None:
    """Come back when a scheduled announcement is due (the minute sweep is the safety net)."""
    send_at = db.session.scalar(
        sa.select(Announcement.send_at).where(
            Announcement.id == announcement_id,
            Announcement.status == AnnouncementStatus.SCHEDULED,
        )
    )
    db.session.commit()
    if send_at is None:
        return
    delay = (send_at - utcnow()).total_seconds()
    if delay > 0:
        jobs.enqueue("comms.release", delay=delay + 0.5)
    else:
        jobs.enqueue("comms.release")


@jobs.periodic("comms.sweep", minute="*")
def sweep() -> dict[str, int]:
    """Every minute: start what is due, release what the rate allows."""
    return run_release(utcnow())
