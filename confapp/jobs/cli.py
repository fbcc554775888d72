"""`confapp worker`: the consumer that runs background jobs beside the web servers."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    """Add this feature's commands to the app's CLI."""
    app.cli.add_command(worker_command)


def _log_to_stderr(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
    for name in ("huey", "confapp"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if verbose else logging.INFO)
        logger.propagate = False


def where(app: Flask) -> str:
    """Where the queue is, in words."""
    url = app.config.get("JOBS_URL")
    if app.config.get("JOBS_IMMEDIATE"):
        return "immediate mode (no queue)"
    if not url:
        from pathlib import Path

        return f"sqlite:///{Path(app.instance_path) / 'jobs.db'}"
    return url


@click.command("worker")
@click.option(
    "-w",
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="How many jobs run at once.",
)
@click.option(
    "--processes",
    is_flag=True,
    help="Run each worker in a process of its own (CPU-bound jobs such as PDFs on several "
    "cores); threads by default.",
)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Do not run the periodic tasks here (when another worker runs them).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every task.")
@with_appcontext
def worker_command(workers: int, processes: bool, no_periodic: bool, verbose: bool) -> None:
    """Run background jobs: e-mail delivery, badge PDFs, imports, periodic tasks.

    Stop it with SIGTERM or Ctrl+C: the jobs in hand finish first (a second signal stops
    at once; a job cut short is found again by the periodic sweep).
    """
    from confapp.jobs import engine as jobs_engine

    app = current_app._get_current_object()
    if app.config.get("JOBS_IMMEDIATE"):
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run in the caller, no worker.")
    _log_to_stderr(verbose)
    consumer = make_consumer(app, workers=workers, processes=processes, periodic=not no_periodic)
    click.echo(
        f"confapp worker: {workers} {'process' if processes else 'thread'}(s) on "
        f"{where(app)}; periodic tasks {'off' if no_periodic else 'on'}.",
        err=True,
    )
    startup_sweep(app)
    jobs_engine.get(app)  # every task registered before the first dequeue
    consumer.run()


def make_consumer(app: Flask, *, workers: int = 2, processes: bool = False, periodic: bool = True):
    """A Huey consumer for the app's queue: SIGTERM and SIGINT stop it gracefully."""
    from confapp.extensions import db
    from confapp.jobs import engine as jobs_engine

    huey = jobs_engine.get(app).huey

    @huey.on_startup("confapp-fork-safe")
    def _fresh_connections() -> None:
        # A forked worker must not share its parent's database connections.
        if processes:
            with app.app_context():
                db.engine.dispose(close=False)

    return huey.create_consumer(
        workers=workers,
        worker_type="process" if processes else "thread",
        periodic=periodic,
        initial_delay=0.05,
        backoff=1.5,
        max_delay=1.0,
        graceful_signal="TERM",
        check_worker_health=True,
    )


def startup_sweep(app: Flask) -> None:
    """Before consuming: hand back what a killed worker held, enqueue what is due."""
    from confapp.jobs import housekeeping

    with app.app_context():
        try:
            housekeeping.sweep()
        except Exception:  # the periodic sweep tries again in a minute
            logging.getLogger("confapp.jobs").exception("start-up sweep failed")


def start_in_process(app: Flask, *, workers: int = 2):
    """Run a consumer on background threads of this process (`confapp demo`); the
    caller stops it with ``consumer.stop(graceful=True)``. None in immediate mode."""
    if app.config.get("JOBS_IMMEDIATE"):
        return None
    consumer = make_consumer(app, workers=workers)
    consumer._set_signal_handlers = lambda: None  # the server in front owns the signals
    consumer.shutdown_timeout = 5
    startup_sweep(app)
    consumer.start()
    return consumer
