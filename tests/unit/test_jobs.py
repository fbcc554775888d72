"""The job engine: tasks after the commit, tracked jobs with progress and results, the
sweeps, the periodic tasks, `confapp worker` and the demo's in-process worker."""

from __future__ import annotations

import datetime as dt
import time
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from confapp import create_app
from confapp import jobs
from confapp.db import utcnow
from confapp.extensions import db
from confapp.jobs import housekeeping
from confapp.jobs import runs
from confapp.jobs.models import Job
from confapp.jobs.models import JobStatus
from confapp.mail import queue_mail
from tests.helpers import Outbox
from tests.helpers import make_event
from tests.helpers import make_staff

CALLS: list = []


@jobs.task("tests.record")
def _record(value):
    CALLS.append(value)


@jobs.job("tests.count", title="Counting")
def _count(run: jobs.Run, upto: int, fail: str = ""):
    for i in range(upto):
        run.progress(i + 1, upto)
    run.report = {"counted": upto}
    if fail == "domain":
        from confapp.errors import DomainError

        raise DomainError("Line 3: not a number.")
    if fail == "crash":
        raise RuntimeError("boom")
    run.save_result(
        b"%PDF-1.4 fake", filename="out.pdf", download_name="count.pdf", mime="application/pdf"
    )


COMMITTING: list = []  # the session whose commit runs the call


@jobs.task("tests.holding")
def _holding():
    # Is the committing session still inside its transaction (holding its connection)?
    CALLS.append(COMMITTING[0].get_transaction() is not None)


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


def test_after_commit_runs_once_per_transaction_and_never_after_a_rollback(app_ctx):
    jobs.after_commit("tests.record", 1)
    jobs.after_commit("tests.record", 1)  # the same call twice in one transaction: once
    assert CALLS == []
    db.session.commit()
    assert CALLS == [1]
    jobs.after_commit("tests.record", 2)
    db.session.rollback()
    db.session.commit()
    assert CALLS == [1]


def test_calls_run_once_the_committed_transaction_has_released_its_connection(app_ctx):
    """An immediate-mode task opens a session of its own; were the committing request still
    holding its connection, as many concurrent requests as the pool has connections would
    each wait for a second one forever (seen on PostgreSQL with 60 parallel sign-ups)."""
    make_event()
    jobs.after_commit("tests.holding")
    session = db.session()
    COMMITTING[:] = [session]
    released = []
    sa.event.listen(session, "after_transaction_end", lambda s, t: released.append(t.parent))
    db.session.commit()
    # The deferred call ran after the root transaction ended (its connection closed)...
    assert None in released
    # ...and when it ran, the committing session had no transaction any more.
    assert CALLS == [False]


def test_a_savepoint_released_inside_the_transaction_waits_for_the_real_commit(app_ctx):
    jobs.after_commit("tests.record", 3)
    with db.session.begin_nested():
        make_event()
    assert CALLS == []  # SQLAlchemy's after_commit fired for the savepoint; the work waits
    db.session.commit()
    assert CALLS == [3]


def test_a_tracked_job_reports_progress_keeps_its_result_and_expires(app_ctx):
    event = make_event()
    organiser = make_staff(event, "org@example.org")
    job = jobs.start("tests.count", event=event, user=organiser, upto=5)
    assert job.status is JobStatus.QUEUED
    db.session.commit()  # immediate mode: runs at the commit
    db.session.refresh(job)
    assert job.status is JobStatus.DONE
    assert (job.done, job.total, job.report) == (5, 5, {"counted": 5})
    assert runs.result_path(job).read_bytes() == b"%PDF-1.4 fake"
    snap = runs.snapshot(job)
    assert snap.as_json()["percent"] == 100 and snap.as_json()["finished"]
    assert job.expires_at - job.finished_at == dt.timedelta(seconds=24 * 3600)
    # Past its expiry the row and the file go.
    folder = runs.result_path(job).parent
    assert housekeeping.expire_results(job.expires_at + dt.timedelta(seconds=1)) == 1
    assert not folder.exists()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


@pytest.mark.parametrize(
    ("fail", "error"),
    [
        ("domain", "Line 3: not a number."),
        ("crash", "Something went wrong while running this job; the error was logged."),
    ],
)
def test_a_failed_job_says_why_and_keeps_no_file(app_ctx, fail, error):
    event = make_event()
    job = jobs.start("tests.count", event=event, user=None, upto=3, fail=fail)
    db.session.commit()
    db.session.refresh(job)
    assert job.status is JobStatus.FAILED
    assert job.error == error
    assert job.result_file is None
    assert job.report == {"counted": 3}


def test_a_repeated_enqueue_runs_a_job_once(app_ctx):
    event = make_event()
    job = jobs.start("tests.count", event=event, user=None, upto=2)
    db.session.commit()
    first_finish = db.session.get(Job, job.id).finished_at
    jobs.enqueue("tests.count", job.id)  # e.g. the sweep re-enqueued it
    db.session.expire_all()
    assert db.session.get(Job, job.id).finished_at == first_finish


def test_sweep_fails_stalled_jobs_and_requeues_forgotten_ones(app_ctx, monkeypatch):
    event = make_event()
    monkeypatch.setattr(jobs, "after_commit", lambda *a, **k: None)
    from confapp.jobs import engine

    monkeypatch.setattr(engine, "defer", lambda *a, **k: None)
    forgotten = jobs.start("tests.count", event=event, user=None, upto=1)
    stalled = Job(
        event_id=event.id,
        kind="tests.count",
        status=JobStatus.RUNNING,
        started_at=utcnow() - dt.timedelta(hours=2),
        params={"upto": 1},
    )
    db.session.add(stalled)
    db.session.flush()
    forgotten.created_at = utcnow() - dt.timedelta(minutes=10)
    db.session.commit()
    result = housekeeping.sweep_jobs(utcnow())
    assert result == {"requeued": 1, "stalled": 1}
    db.session.expire_all()
    assert db.session.get(Job, forgotten.id).status is JobStatus.DONE
    assert db.session.get(Job, stalled.id).status is JobStatus.FAILED
    assert "worker stopped" in db.session.get(Job, stalled.id).error


def test_jobs_url_chooses_the_queue(app, tmp_path):
    from confapp.jobs.engine import make_huey

    for url, kind in [
        (None, "SqliteHuey"),
        (f"sqlite:///{tmp_path / 'q.db'}", "SqliteHuey"),
        ("redis://127.0.0.1:6379/4", "RedisHuey"),
    ]:
        other = create_app(
            "testing", {"DATABASE_URL": "sqlite://", "JOBS_IMMEDIATE": False, "JOBS_URL": url}
        )
        assert type(make_huey(other)).__name__ == kind
    other = create_app(
        "testing", {"DATABASE_URL": "sqlite://", "JOBS_IMMEDIATE": False, "JOBS_URL": "ftp://x"}
    )
    with pytest.raises(ValueError, match="CONFAPP_JOBS_URL"):
        make_huey(other)


def test_periodic_tasks_are_declared_with_their_schedules(app_ctx):
    from confapp.jobs import engine

    engine.get().register_all()
    cron = {name: spec.cron for name, spec in jobs.TASKS.items() if spec.cron}
    assert cron["meetings.remind"]["minute"] == "7"  # hourly
    assert cron["visa.purge_passports"]["hour"] == "*"
    assert cron["jobs.sweep"]["minute"] == "*"  # every minute


def test_the_sweep_also_restarts_mail_delivery(app_ctx, monkeypatch):
    # Mail sits above jobs: the wiring gives the sweep mail delivery's own.
    from confapp.mail import delivery

    swept = []
    monkeypatch.setattr(housekeeping, "_SWEEPS", [lambda now: swept.append("other")])
    housekeeping.also_sweep(delivery.sweep)
    housekeeping.also_sweep(delivery.sweep)
    monkeypatch.setattr(housekeeping, "sweep_jobs", lambda now: swept.append("jobs"))
    housekeeping.sweep()
    assert swept == ["jobs", "other"]
    assert housekeeping._SWEEPS.count(delivery.sweep) == 1


def test_the_app_gives_the_sweep_mail_deliverys(app_ctx):
    from confapp.mail import delivery

    assert delivery.sweep in housekeeping._SWEEPS


def test_passports_are_purged_after_the_events_retention_day(app_ctx):
    from confapp.visa import jobs as visa_jobs
    from confapp.visa.models import VisaRequest
    from tests.helpers import make_confirmed_registration

    kept = make_event("kept")
    gone = make_event("gone")
    requests = {}
    for event in (kept, gone):
        reg = make_confirmed_registration(event, f"d@{event.slug}.org")
        requests[event.slug] = VisaRequest(
            registration=reg,
            passport_name="X",
            passport_number="P1",
            nationality="KE",
            date_of_birth=dt.date(1980, 1, 1),
            status="requested",
        )
        db.session.add(requests[event.slug])
    today = utcnow().date()
    kept.passport_data_kept_until = today + dt.timedelta(days=2)
    gone.passport_data_kept_until = today - dt.timedelta(days=2)
    db.session.commit()
    assert visa_jobs.purge_expired_passports() == 1
    db.session.expire_all()
    assert requests["gone"].passport_number is None and requests["gone"].purged_at
    assert requests["kept"].passport_number == "P1"


def test_the_demo_runs_a_worker_in_its_own_process(tmp_path, monkeypatch):
    app = create_app(
        "testing",
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
            "JOBS_IMMEDIATE": False,
            "JOBS_URL": f"sqlite:///{tmp_path / 'queue.db'}",
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
        },
    )
    outbox = Outbox(tmp_path / "outbox")
    monkeypatch.setattr("confapp.demo.cli.prepare_demo", lambda app: None)
    monkeypatch.setattr("confapp.demo.cli._report", lambda summary: None)
    # No demo was loaded (prepare_demo is stubbed): the hint about a stale demo reads no table.
    monkeypatch.setattr("confapp.demo.cli.stale_demo_notice", lambda app: None)
    delivered = []

    def fake_server(host, port, served, **kwargs):
        with served.app_context():
            db.create_all()
            msg = EmailMessage()
            msg["From"] = "x@example.org"
            msg["To"] = "lan@example.org"
            msg["Subject"] = "From the demo"
            msg.set_content("hello")
            queue_mail(msg)
            db.session.commit()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not outbox.messages():
            time.sleep(0.1)
        delivered.extend(m["Subject"] for m in outbox.messages())

    monkeypatch.setattr("confapp.demo.cli.run_simple", fake_server)
    result = app.test_cli_runner().invoke(args=["demo", "--port", "5078"])
    assert result.exit_code == 0, result.output
    assert delivered == ["From the demo"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
