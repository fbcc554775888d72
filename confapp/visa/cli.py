"""Visa commands: `confapp purge-passports SLUG [--force]`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.visa import services


@click.command("purge-passports")
@click.argument("slug")
@click.option("--force", is_flag=True, help="Purge even though the event has not ended yet.")
@with_appcontext
def purge_passports_command(slug: str, force: bool) -> None:
    """Erase the passport data of an event's visa letter requests (after the event)."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with slug {slug!r}.")
    now = utcnow()
    if not force and not services.event_has_ended(event, now):
        raise click.ClickException(
            f"{event.title} ends on {event.ends_on.isoformat()}; passport data is kept until "
            "the event is over. Use --force to purge it now."
        )
    count = services.purge_passports(event, now)
    db.session.commit()
    click.echo(
        f"Purged the passport data of {count} visa letter request{'s' if count != 1 else ''}."
    )


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(purge_passports_command)
