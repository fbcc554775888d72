"""Visa commands: `confapp purge-passports SLUG [--force]`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import format_date
from confapp.multilingual import tr
from confapp.visa import services


@click.command("purge-passports")
@click.argument("slug")
@click.option("--force", is_flag=True, help="Purge even though the event has not ended yet.")
@with_appcontext
def purge_passports_command(slug: str, force: bool) -> None:
    """Erase the passport data of an event's visa letter requests (after the event)."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(_("No event with slug %(slug)r.", slug=slug))
    # Organisers read the command in the event's default language, as import-delegates.
    with force_language(event.default_language):
        now = utcnow()
        if not force and not services.event_has_ended(event, now):
            raise click.ClickException(
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
