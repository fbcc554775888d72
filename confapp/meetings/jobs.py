"""Meeting work in the background: hourly reminders, and "Schedule all" from the web."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from confapp import jobs
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.events.models import EventStatus
from confapp.extensions import db

REMIND_AFTER = dt.timedelta(hours=24)


@jobs.periodic("meetings.remind", minute="7")
def remind_all() -> dict[str, int]:
    """Hourly: remind delegates of requests waiting a day for their answer (every event
    that has not ended; each request is named in one reminder at most)."""
    from confapp.meetings import services

    now = utcnow()
    events = db.session.scalars(
        sa.select(Event).where(
            Event.status == EventStatus.PUBLISHED,
            Event.ends_on >= (now - dt.timedelta(days=1)).date(),
        )
    ).all()
    totals = {"delegates": 0, "requests": 0}
    for event in events:
        report = services.remind_pending(event, now, older_than=REMIND_AFTER)
        db.session.commit()
        totals["delegates"] += report.delegates
        totals["requests"] += report.requests
    return totals
