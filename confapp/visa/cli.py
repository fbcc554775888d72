"""Visa commands: `confapp purge-passports SLUG [--force]`.

What it prints is in the event's default language (the organisers'), its --help in the
site's (confapp.i18n.TranslatedCommand).
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from confapp.db import utcnow
from confapp.events.cli import event_for_command
from confapp.extensions import db
from confapp.i18n import CommandError
from confapp.i18n import TranslatedCommand
from confapp.i18n import TranslatedOption
from confapp.i18n import force_language
from confapp.i18n import format_date
from confapp.multilingual import tr
from confapp.visa import services


@click.command(
    "purge-passports",
    cls=TranslatedCommand,
    help=_l("Erase the passport data of an event's visa letter requests (after the event)."),
)
@click.argument("slug")
@click.option(
    "--force",
    is_flag=True,
    cls=TranslatedOption,
    help=_l("Purge even though the event has not ended yet."),
)
@with_appcontext
def purge_passports_command(slug: str, force: bool) -> None:
    """Erase the passport data of an event's visa letter requests (after the event)."""
    event = event_for_command(slug)
    # Organisers read the command in the event's default language, as import-delegates.
    with force_language(event.default_language):
        now = utcnow()
        if not force and not services.event_has_ended(event, now):
            raise CommandError(
                _(
                    "%(event)s ends on %(date)s; passport data is kept until the event is "
                    "over. Use --force to purge it now.",
                    event=tr(event, "title"),
                    date=format_date(event.ends_on),
                )
            )
        count = services.purge_passports(event, now)
        db.session.commit()
        click.echo(
            ngettext(
                "Purged the passport data of %(num)s visa letter request.",
                "Purged the passport data of %(num)s visa letter requests.",
                count,
            )
        )


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(purge_passports_command)
