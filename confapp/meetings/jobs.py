"""Meeting work in the background: hourly reminders, and "Schedule all" from the web."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

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


# What the scheduler is doing at each stretch of the bar (per cent it reaches).
_STAGES = (
    (30, _l("Placing requests in free slots")),
    (70, _l("Moving meetings to fit more in")),
    (80, _l("Booking tables")),
    (100, _l("Writing the e-mails")),
)
SHOWN_UNSCHEDULED = 1000  # rows kept in the report; the request list shows every one


def start_schedule_all(event: Event, user, *, reschedule: bool = False):
    """Queue "Schedule all" as a job (returned; it runs after the commit)."""
    return jobs.start("meetings.schedule", event=event, user=user, reschedule=reschedule)


@jobs.job(
    "meetings.schedule",
    title=_l("Schedule all meetings"),
    report_template="meetings/_schedule_report.html",
    back="meetings.manage",
)
def schedule_job(run: jobs.Run, reschedule: bool = False) -> None:
    """Run the batch scheduler for the event, book and e-mail; the report says what it did
    and, for each request left out, who is fully booked and what would help."""
    from confapp.meetings import batch

    def on_percent(done: int, total: int) -> None:
        stage = next(str(text) for limit, text in _STAGES if done < limit or limit == 100)
        run.progress(done, total, stage)

    run.progress(0, 100, str(_STAGES[0][1]))
    report = batch.schedule_all(run.event, utcnow(), reschedule=reschedule, on_percent=on_percent)
    run.report = {
        "scheduled": report.scheduled,
        "total_scheduled": report.total_scheduled,
        "bound": report.bound,
        "seconds": round(report.seconds, 1),
        "unscheduled_count": len(report.unscheduled),
        "unscheduled": [
            {
                "request_id": u.request.id,
                "requester": u.requester.full_name,
                "invitee": u.invitee.full_name,
                "priority": u.request.priority,
                "text": u.text,
                "suggestion": u.suggestion,
            }
            for u in report.unscheduled[:SHOWN_UNSCHEDULED]
        ],
    }
    run.progress(100, 100, "")
