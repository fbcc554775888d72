"""Registration commands: `confapp import-delegates SLUG FILE.csv`.

What it prints is in the event's default language (the organisers'), its --help in the
site's (confapp.i18n.TranslatedCommand).
"""

from __future__ import annotations

import sys
from pathlib import Path

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
from confapp.i18n import force_language


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(import_delegates_command)


@click.command(
    "import-delegates",
    cls=TranslatedCommand,
    help=_l("Import a delegation CSV into event SLUG: every row is checked first, all or nothing."),
)
@click.argument("slug")
@click.argument(
    "csv_file", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def import_delegates_command(slug: str, csv_file: Path) -> None:
    """Import a delegation CSV into event SLUG: every row is checked first, all or nothing."""
    event = event_for_command(slug)
    # Organisers read the command in the event's default language (e-mails to delegates
    # are still written in each delegate's).
    with force_language(event.default_language):
        _import(event, csv_file)


def _import(event: Event, csv_file: Path) -> None:
    from confapp.registration.imports import import_delegates

    bars: dict[str, object] = {}

    def start(phase: str, total: int) -> None:
        for bar in bars.values():
            bar.__exit__(None, None, None)
        bars.clear()
        label = _("Checking rows") if phase == "validate" else _("Importing")
        bars[phase] = click.progressbar(length=total, label=label, file=sys.stderr).__enter__()

    def step(amount: int) -> None:
        for bar in bars.values():
            bar.update(amount)

    with mail.links_context():
        try:
            result = import_delegates(
                event,
                csv_file.read_bytes(),
                actor=None,
                now=utcnow(),
                on_validate=step,
                on_import=step,
                on_start=start,
            )
        finally:
            for bar in bars.values():
                bar.__exit__(None, None, None)
        if not result.ok:
            db.session.rollback()
            click.echo(
                ngettext(
                    "Nothing was imported: %(num)d problem found.",
                    "Nothing was imported: %(num)d problems found.",
                    len(result.errors),
                ),
                err=True,
            )
            for error in result.errors:
                click.echo(f"  {error}", err=True)
            sys.exit(1)
        # Counted before the commit expires the objects (no reload per row).
        confirmed = sum(1 for r in result.registrations if r.status.value == "confirmed")
        db.session.commit()
    click.echo(
        ngettext(
            "Imported %(num)d delegate into %(slug)s: %(confirmed)d confirmed, "
            "%(waiting)d on the waiting list.",
            "Imported %(num)d delegates into %(slug)s: %(confirmed)d confirmed, "
            "%(waiting)d on the waiting list.",
            len(result.registrations),
            slug=event.slug,
            confirmed=confirmed,
            waiting=len(result.registrations) - confirmed,
        )
    )
