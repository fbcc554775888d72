"""Shared fixtures: an app per test on SQLite (temp file) or PostgreSQL (TEST_DATABASE_URL).

The schema is created once per run; after each test every table is emptied, so tests
that commit from several threads (races) see a clean database too.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from confapp import create_app
from confapp.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database: PostgreSQL if configured, else a temporary SQLite file."""
    if PG_URL:
        return PG_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app("testing", {"DATABASE_URL": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_schema, database_url, tmp_path: Path):
    """A fresh application bound to the test database, emptied after the test."""
    app = create_app(
        "testing",
        {
            "DATABASE_URL": database_url,
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SERVER_NAME": None,
        },
    )
    yield app
    with app.app_context():
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


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
