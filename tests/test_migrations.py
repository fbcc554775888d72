"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade

from confapp import create_app
from confapp.extensions import db


def _check(url: str) -> None:
    app = create_app("testing", {"DATABASE_URL": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def _outbox_bytes_move_and_come_back(url: str) -> None:
    """Queued messages keep their bytes when the outbox's bytes move to outbox_content
    (2b6da80334f5), and again when the move is undone."""
    app = create_app("testing", {"DATABASE_URL": url})
    with app.app_context():
        upgrade(revision="790cc0d0c473")
        row = {"recipient": "ana@example.org", "subject": "Hello", "message_id": "<1@x>",
               "mime": b"Subject: Hello\r\n\r\nbody", "status": "queued", "attempts": 0,
               "next_attempt_at": "2027-01-01 00:00:00", "created_at": "2027-01-01 00:00:00",
               "updated_at": "2027-01-01 00:00:00"}  # fmt: skip
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    f"INSERT INTO outbox_message ({', '.join(row)}) "
                    f"VALUES ({', '.join(':' + key for key in row)})"
                ),
                row,
            )
        upgrade(revision="2b6da80334f5")
        with db.engine.connect() as conn:
            moved = conn.execute(
                sa.text(
                    "SELECT m.recipient, c.mime FROM outbox_message m "
                    "JOIN outbox_content c ON c.outbox_message_id = m.id"
                )
            ).all()
        assert [(r, bytes(m)) for r, m in moved] == [("ana@example.org", row["mime"])]
        downgrade(revision="790cc0d0c473")
        with db.engine.connect() as conn:
            back = conn.execute(sa.text("SELECT mime FROM outbox_message")).scalars().all()
        assert [bytes(m) for m in back] == [row["mime"]]
        downgrade(revision="base")
        db.engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'migrations.db'}")


def test_outbox_bytes_survive_their_move_on_sqlite(tmp_path):
    _outbox_bytes_move_and_come_back(f"sqlite:///{tmp_path / 'outbox.db'}")


@pytest.mark.postgres
def test_migrations_match_models_on_postgres():
    base = sa.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"confapp_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        _check(url)
        _outbox_bytes_move_and_come_back(url)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
