"""Demo commands: `confapp seed-demo` and `confapp demo [--port N] [--host H] [--reset]`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from confapp.db import utcnow
from confapp.demo import data
from confapp.demo import seed
from confapp.extensions import db
from confapp.urls import set_base_url


def _echo_accounts() -> None:
    click.echo(f"Demo sign-ins (password for all: {data.PASSWORD}):")
    for email, _password, kind in seed.demo_accounts():
        click.echo(f"  {kind:<10} {email}")


def _seed_with_progress() -> seed.DemoSummary | None:
    if seed.demo_event() is not None:
        return None
    total = sum(c[1] for c in data.COUNTRIES) + len(data.INTERNATIONAL)
    with click.progressbar(length=total, label="Loading the demo delegates") as bar:
        return seed.seed_demo(on_progress=bar.update)


def _report(summary: seed.DemoSummary | None) -> None:
    if summary is None:
        click.echo(f"The demo conference ({data.SLUG}) is already loaded; nothing changed.")
    else:
        click.echo(
            f"Loaded “{summary.title}” ({summary.slug}): "
            f"{summary.registrations} registrations ({summary.confirmed} confirmed) "
            f"from {summary.countries} countries, {summary.visa_requests} visa letter requests, "
            f"{summary.extra.get('sessions', 0)} programme sessions, "
            f"{summary.extra.get('visits', 0)} cluster visits, "
            f"{summary.extra.get('meeting_requests', 0)} meeting requests "
            f"({summary.extra.get('meetings', 0)} meetings booked)."
        )
    _echo_accounts()


def use_demo_address(app: Flask, host: str, port: int) -> None:
    """Links in the demo's e-mails and feeds point at the demo server, unless
    CONFAPP_BASE_URL says otherwise."""
    if app.config.get("BASE_URL_CONFIGURED"):
        return
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104  (a comparison, not a bind)  # nosec B104
    set_base_url(app, f"http://{shown}:{port}")


def prepare_demo(app: Flask) -> seed.DemoSummary | None:
    """Create or upgrade the schema with the migrations and load the demo if it is missing."""
    from flask_migrate import upgrade  # here: Alembic is heavy, see confapp/migrate.py

    with app.app_context():
        upgrade()
        return _seed_with_progress()


def reset_demo(app: Flask) -> None:
    """Erase a demo database (every table, the migrations' mark included) so that it can be
    loaded again around today; refuse if it holds any event besides the demo."""
    with app.app_context():
        if sa.inspect(db.engine).has_table("event"):
            # Plain SQL: the tables may be from an older schema than the models.
            others = list(
                db.session.execute(
                    sa.text("SELECT slug FROM event WHERE slug != :slug ORDER BY slug"),
                    {"slug": data.SLUG},
                ).scalars()
            )
            db.session.rollback()
            if others:
                raise click.ClickException(
                    "This database holds other events besides the demo "
                    f"({', '.join(others[:5])}): --reset only erases a demo database. "
                    "Point CONFAPP_DATABASE_URL at another database to try the demo."
                )
        db.session.remove()
        tables = sa.MetaData()
        tables.reflect(bind=db.engine)
        tables.drop_all(bind=db.engine)
        db.engine.dispose()


def stale_demo_notice(app: Flask) -> str | None:
    """A hint when the loaded demo's registration has closed (it was loaded long ago)."""
    with app.app_context():
        event = seed.demo_event()
        if event is None or event.registration_closes_at is None:
            return None
        if event.registration_closes_at > utcnow():
            return None
        return (
            f"The demo conference was laid out around an earlier day: it runs "
            f"{event.starts_on:%d %B %Y} to {event.ends_on:%d %B %Y} and its registration "
            "has closed. Run `confapp demo --reset` to load it again around today."
        )


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo conference (does nothing if it is already there)."""
    if not sa.inspect(db.engine).has_table("event"):
        raise click.ClickException(
            "The database has no tables yet: run `confapp db upgrade` first (or `confapp demo`)."
        )
    _report(_seed_with_progress())


@click.command("demo")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to serve on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 to try it from a phone on the same network).",
)
@click.option(
    "--reset",
    is_flag=True,
    help="Erase the demo database and load the demo again around today.",
)
@with_appcontext
def demo_command(port: int, host: str, reset: bool) -> None:
    """Create the database, load the demo conference and serve it."""
    app = current_app._get_current_object()
    use_demo_address(app, host, port)
    if reset:
        reset_demo(app)
        click.echo("Erased the demo database; loading the demo again around today.")
    summary = prepare_demo(app)
    _report(summary)
    notice = stale_demo_notice(app) if summary is None else None
    if notice:
        click.echo(notice)
    # E-mail and bulk jobs need a worker: the demo runs one in this process.
    from confapp.jobs.cli import start_in_process

    worker = start_in_process(app)
    click.echo(f"Serving the demo on http://{host}:{port}/events/{data.SLUG} (Ctrl+C to stop).")
    try:
        # Flask refuses app.run() inside its own CLI, so serve with werkzeug directly.
        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
    finally:
        if worker is not None:
            worker.stop(graceful=True)


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_command)
