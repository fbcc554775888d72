"""Shared fixtures: one app and one schema per test process, emptied cheaply after each test.

The database is SQLite (a temporary file) or PostgreSQL (TEST_DATABASE_URL). Under
pytest-xdist (`pytest -n auto`) each worker has its own: a SQLite file in the worker's own
temporary folder, or the PostgreSQL database `<name>_gw0`, `<name>_gw1`... created next to
TEST_DATABASE_URL's on first use.

Isolation: the application (`app`) is built once per process; each test gets it with its
configuration restored and its own outbox and upload folders. After a test, only the
tables that hold rows are emptied (found with one query, so a test that touched three
tables pays for three) and, on PostgreSQL, the id sequences it used are reset. Tests
still commit for real: races between threads, servers in subprocesses and a second app
on the same database see the same rows and the same clean slate afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
import werkzeug.security

from confapp import create_app
from confapp.extensions import db
from confapp.extensions import limiter

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _worker_database_url(base: str, worker: str) -> str:
    """The PostgreSQL database of one xdist worker, created (empty) on first use."""
    url = sa.make_url(base)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config):
    """Give each xdist worker its own PostgreSQL database, also for what it starts
    (gunicorn in a subprocess, a second app built with create_app("testing"))."""
    global PG_URL
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and PG_URL.startswith("postgresql"):
        PG_URL = _worker_database_url(PG_URL, worker)
        os.environ["TEST_DATABASE_URL"] = PG_URL


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests with a clear reason when no PostgreSQL is configured."""
    if PG_URL.startswith("postgresql"):
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://user@host/db"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# A password hash is slow on purpose (scrypt: 0.1-0.3 s here), and the suite makes and
# checks thousands. Tests hash with one round of PBKDF2; a check reads the method from the
# hash itself, so signing in, the unknown-address dummy check and every assertion work as
# in production, only faster.
_real_generate_password_hash = werkzeug.security.generate_password_hash


def _quick_password_hash(password: str, method: str = "", salt_length: int = 16) -> str:
    return _real_generate_password_hash(password, "pbkdf2:sha256:1", salt_length)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes():
    patch = pytest.MonkeyPatch()
    patch.setattr("confapp.accounts.models.generate_password_hash", _quick_password_hash)
    patch.setattr("confapp.accounts.services.generate_password_hash", _quick_password_hash)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database: PostgreSQL if configured, else a temporary SQLite file."""
    if PG_URL:
        return PG_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _shared_app(database_url):
    """The process's one application, on a freshly created schema."""
    shared = create_app("testing", {"DATABASE_URL": database_url, "SERVER_NAME": None})
    with shared.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
    # Flask-Limiter keeps its switch and storage on the one Limiter object, and a test that
    # builds its own app with RATELIMIT_ENABLED turns it on for everyone: each test starts
    # from the shared app's state again (see `app`).
    shared.limiter_state = dict(vars(limiter))
    yield shared
    with shared.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def _schema(_shared_app):
    """The schema exists (kept for tests that build their own app on database_url)."""
    return True


def _tables_with_rows(connection: sa.Connection) -> list[sa.Table]:
    """The tables holding rows, children before parents, found with one query."""
    tables = db.metadata.sorted_tables
    probes = sa.union_all(
        *(
            sa.select(sa.literal(table.name).label("name")).where(
                sa.exists(sa.select(sa.literal(1)).select_from(table))
            )
            for table in tables
        )
    )
    found = set(connection.scalars(probes))
    return [table for table in reversed(tables) if table.name in found]


# Sequences that handed out an id since they were last reset (last_value is NULL until
# then): set back so ids start at 1 in every test, as after TRUNCATE ... RESTART IDENTITY.
_RESET_USED_SEQUENCES = sa.text(
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
    " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


def empty_database(engine: sa.Engine) -> None:
    """Empty the tables a test wrote to (DELETE, children first: for a few small tables it
    is much cheaper than TRUNCATE, which rewrites every table it names)."""
    with engine.begin() as connection:
        for table in _tables_with_rows(connection):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            connection.execute(_RESET_USED_SEQUENCES)


def _empty_all_tables() -> None:
    """Empty the tables of the current app's database (for tests that build their own app)."""
    db.session.rollback()
    empty_database(db.engine)


@pytest.fixture
def app(_shared_app, tmp_path: Path):
    """The application bound to the test database, with this test's outbox and upload
    folders; its configuration and per-app caches are restored and the tables the test
    wrote to are emptied afterwards."""
    shared = _shared_app
    vars(limiter).update(shared.limiter_state)
    config = dict(shared.config)
    extensions = dict(shared.extensions)
    shared.config.update(
        {"MAIL_OUTBOX": str(tmp_path / "outbox"), "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    )
    yield shared
    shared.config.clear()
    shared.config.update(config)
    shared.extensions.clear()
    shared.extensions.update(extensions)
    with shared.app_context():
        db.session.rollback()
        db.session.remove()
        empty_database(db.engine)


@pytest.fixture
def app_ctx(app):
    """An application context for service tests."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Click runner for CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def now() -> dt.datetime:
    """A fixed 'now' for service tests: 1 December 2026, 09:00 UTC."""
    return dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def outbox(app):
    """Read the e-mails written to the test outbox (as email.message.EmailMessage)."""
    from tests.helpers import Outbox

    return Outbox(Path(app.config["MAIL_OUTBOX"]))
