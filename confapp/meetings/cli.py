"""`confapp schedule-meetings SLUG` (the batch scheduler, with a progress bar) and
`confapp remind-meetings SLUG` (reminders of requests awaiting an answer, for cron).

What they print is for the event's organisers, in the event's default language, their
--help in the site's (confapp.i18n.TranslatedCommand); the e-mails they send are in each
delegate's own."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from confapp import mail
from confapp.db import utcnow
from confapp.events.cli import event_for_command
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import TranslatedCommand
from confapp.i18n import TranslatedOption
from confapp.i18n import force_language
from confapp.meetings import batch
from confapp.meetings import reminders
from confapp.meetings import scheduler

# scheduler.REASON_TEXT in the organiser's language (the scheduler itself stays Flask-free).
_REASONS = {
    scheduler.NO_COMMON_SLOT: _l("the two delegates have no free slot in common"),
    scheduler.PERSON_FULLY_BOOKED: _l(
        "one of the delegates is fully booked in every slot both could use"
    ),
    scheduler.TABLES_FULL: _l("all tables are taken in the slots both delegates have free"),
    scheduler.BOTH_BUSY: _l("in each common slot one of the two already has another meeting"),
}


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(schedule_meetings_command)
    app.cli.add_command(remind_meetings_command)


@click.command(
    "schedule-meetings",
    cls=TranslatedCommand,
    help=_l("Give accepted requests of event SLUG a slot and a table, as many as possible."),
)
@click.argument("slug")
@click.option(
    "--reschedule",
    is_flag=True,
    cls=TranslatedOption,
    help=_l("Also move meetings an earlier batch run placed (not fixed ones)."),
)
@click.option(
    "--time-limit",
    type=float,
    default=4.0,
    show_default=True,
    cls=TranslatedOption,
    help=_l("Seconds for the improvement phase."),
)
@with_appcontext
def schedule_meetings_command(slug: str, reschedule: bool, time_limit: float) -> None:
    """Give accepted requests of event SLUG a slot and a table, as many as possible."""
    event = event_for_command(slug)
    with force_language(event.default_language), mail.links_context():
        _schedule(event, reschedule, time_limit)


def _schedule(event: Event, reschedule: bool, time_limit: float) -> None:
    """Run the batch scheduler with a progress bar and report what it did."""
    with click.progressbar(length=100, label=_("Scheduling")) as bar:
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
        ngettext(
            "Scheduled %(num)d new meeting; %(total)d in open slots in all.",
            "Scheduled %(num)d new meetings; %(total)d in open slots in all.",
            report.scheduled,
            total=report.total_scheduled,
        )
    )
    click.echo(
        _(
            "Upper bound (by priority weight): %(bound)s. Took %(seconds)s s.",
            bound=report.bound,
            seconds=f"{report.seconds:.1f}",
        )
    )
    if report.unscheduled:
        counts: dict[str, int] = {}
        for item in report.unscheduled:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        click.echo(_("Not scheduled: %(count)d", count=len(report.unscheduled)))
        for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            click.echo(f"  {n:5d}  {_REASONS.get(reason, reason)}")


@click.command(
    "remind-meetings",
    cls=TranslatedCommand,
    help=_l(
        "E-mail delegates of event SLUG about meeting requests awaiting their answer (once "
        "each).\n\nSafe to run from cron every hour: a request is named in one reminder at most."
    ),
)
@click.argument("slug")
@click.option(
    "--after-hours",
    type=click.FloatRange(min=0, max=24 * 365),
    default=24.0,
    show_default=True,
    cls=TranslatedOption,
    help=_l("Remind of requests that have waited at least this many hours."),
)
@with_appcontext
def remind_meetings_command(slug: str, after_hours: float) -> None:
    """E-mail delegates of event SLUG about meeting requests awaiting their answer (once each).

    Safe to run from cron every hour: a request is named in one reminder at most.
    """
    event = event_for_command(slug)
    with force_language(event.default_language), mail.links_context():
        report = reminders.remind_pending(
            event, utcnow(), older_than=dt.timedelta(hours=after_hours)
        )
        db.session.commit()
        if not report.delegates:
            # A sentence of its own: "reminded 0 delegates" reads badly, worst in Arabic.
            click.echo(_("No reminder sent: no meeting request needed one."))
            return
        # Two counts, each with its own plural forms, in a frame each language can order.
        click.echo(
            _(
                "Reminded %(delegates)s of %(requests)s.",
                delegates=ngettext("%(num)d delegate", "%(num)d delegates", report.delegates),
                requests=ngettext(
                    "%(num)d waiting request", "%(num)d waiting requests", report.requests
                ),
            )
        )
