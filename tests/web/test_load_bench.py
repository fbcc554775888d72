"""bench/load.py at a small size: two gunicorn servers on PostgreSQL, three bursts, an audit.

The benchmark seeds into the test database's existing schema (existing_schema=True: it
drops nothing) and the `app` fixture empties every table afterwards, as for any test.
That needs no CREATE DATABASE privilege, cannot leave a stray database behind when a
run fails, and cannot wipe the test schema. The benchmark's refusal to touch a database
it did not create is tested below; its drop-and-migrate path runs with the real thing
(`python bench/load.py`).
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from bench import load
from confapp.agenda.models import SeatStatus
from confapp.checkin.models import Attendance
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import VisitSignup


@pytest.mark.postgres
def test_small_load_run_passes_its_audit(app, database_url, tmp_path):
    settings = load.Settings(
        database_url=database_url,
        delegates=40,
        event_capacity=32,
        signups=30,
        seats=10,
        scanners=10,
        scans=20,
        workers=2,
        workers_b=1,
        existing_schema=True,
    )
    lines: list[str] = []
    started = time.monotonic()
    report = load.run(settings, out=lines.append, work=tmp_path)
    elapsed = time.monotonic() - started

    text = "\n".join(lines)
    assert report.passed, text
    assert sum(p.server_errors for p in report.phases) == 0, text
    # Every request of every phase was made and answered.
    assert [len(p.answers) for p in report.phases] == [40, 40, 30, 30, 200], text
    assert {c.name for c in report.checks} >= {
        "HTTP",
        "registrations",
        "event places",
        "visit seats",
        "attendance",
    }
    assert elapsed < 60, text
    # The same outcome, read independently of the benchmark's audit.
    with app.app_context():
        statuses = db.session.scalars(sa.select(Registration.status)).all()
        assert (
            statuses.count(RegistrationStatus.CONFIRMED),
            statuses.count(RegistrationStatus.WAITLISTED),
        ) == (32, 8)
        seats = db.session.scalars(sa.select(VisitSignup.status)).all()
        assert (seats.count(SeatStatus.CONFIRMED), seats.count(SeatStatus.WAITLISTED)) == (10, 20)
        attendees = db.session.scalars(sa.select(Attendance.registration_id)).all()
        assert attendees and len(attendees) == len(set(attendees)) <= 32


@pytest.mark.postgres
def test_refuses_a_database_it_did_not_create(app, database_url):
    # The test database holds confapp's tables; drop a marker a bench run may have left
    # in it so that it looks like any database the benchmark did not create.
    with app.app_context():
        db.session.execute(sa.text(f"DROP TABLE IF EXISTS {load.MARKER}"))
        db.session.commit()
    settings = load.Settings(database_url=database_url)
    with pytest.raises(SystemExit, match="refusing to run"):
        load.prepare_schema(settings, app)
    with app.app_context():
        assert "registration" in sa.inspect(db.engine).get_table_names()
