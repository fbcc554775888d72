"""`confapp schedule-meetings SLUG` (the batch scheduler, with a progress bar) and
`confapp remind-meetings SLUG` (reminders of requests awaiting an answer, for cron)."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from confapp import mail
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.meetings import batch
from confapp.meetings import reminders
from confapp.meetings import scheduler


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(schedule_meetings_command)
    app.cli.add_command(remind_meetings_command)


def _event(slug: str) -> Event:
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with slug {slug!r}.")
    return event


@click.command("schedule-meetings")
@click.argument("slug")
@click.option(
    "--reschedule",
    is_flag=True,
    help="Also move meetings an earlier batch run placed (not fixed ones).",
)
@click.option(
    "--time-limit",
    type=float,
    default=4.0,
    show_default=True,
    help="Seconds for the improvement phase.",
)
@with_appcontext
def schedule_meetings_command(slug: str, reschedule: bool, time_limit: float) -> None:
    """Give accepted requests of event SLUG a slot and a table, as many as possible."""
    event = _event(slug)
    with mail.links_context():
        with click.progressbar(length=100, label="Scheduling") as bar:
            shown = 0

            def progress(done: int, total: int) -> None:
                nonlocal shown
                target = int(100 * done / total) if total else 100
                if target > shown:
                    bar.update(target - shown)
                    shown = target

            report = batch.schedule_all(
                event, utcnow(), reschedule=reschedule, time_limit=time_limit, on_progress=progress
            )
            if shown < 100:
                bar.update(100 - shown)
        db.session.commit()
    click.echo(
        f"Scheduled {report.scheduled} new meeting(s); "
        f"{report.total_scheduled} in open slots in all."
    )
    click.echo(f"Upper bound (by priority weight): {report.bound}. Took {report.seconds:.1f} s.")
    if report.unscheduled:
        counts: dict[str, int] = {}
        for item in report.unscheduled:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        click.echo(f"Not scheduled: {len(report.unscheduled)}")
        for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            click.echo(f"  {n:5d}  {scheduler.REASON_TEXT.get(reason, reason)}")


@click.command("remind-meetings")
@click.argument("slug")
@click.option(
    "--after-hours",
    type=click.FloatRange(min=0, max=24 * 365),
    default=24.0,
    show_default=True,
    help="Remind of requests that have waited at least this long.",
)
@with_appcontext
def remind_meetings_command(slug: str, after_hours: float) -> None:
    """E-mail delegates of event SLUG about meeting requests awaiting their answer (once each).

    Safe to run from cron every hour: a request is named in one reminder at most.
    """
    event = _event(slug)
    with mail.links_context():
        report = reminders.remind_pending(
            event, utcnow(), older_than=dt.timedelta(hours=after_hours)
        )
        db.session.commit()
    click.echo(f"Reminded {report.delegates} delegate(s) of {report.requests} waiting request(s).")
