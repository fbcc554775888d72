"""A long programme CSV is imported by a job: the upload answers at once with the job's
page, which then reports what was added, or every bad line with nothing imported."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from confapp.agenda import csvio
from confapp.agenda.models import ProgrammeSession
from confapp.eventlog.models import EventLogEntry
from confapp.events.models import Event
from confapp.extensions import db
from confapp.jobs.models import Job
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in

ROWS = 250  # over IMPORT_JOB_ROWS (200): a job


def _programme(rows: int, bad_line: int | None = None) -> bytes:
    lines = ["title,kind,date,start,end"]
    for i in range(rows):
        kind = "nonsense" if bad_line == i + 2 else "parallel"
        start = dt.datetime(2027, 2, 20, 8, 0) + dt.timedelta(minutes=5 * i)
        end = start + dt.timedelta(minutes=30)
        lines.append(
            f"Talk {i:03d},{kind},{start:%Y-%m-%d},{start:%H:%M},{end:%H:%M}"
            if start.date() == end.date()
            else f"Talk {i:03d},{kind},2027-02-21,09:00,09:30"
        )
    return "\n".join(lines).encode()


def _world(app) -> dict:
    with app.app_context():
        event = make_event()
        organiser = make_staff(event, "org@example.org")
        db.session.commit()
        return {"event": event.id, "organiser": organiser.get_id()}


def _upload(client, content: bytes):
    return client.post(
        "/events/cdc/manage/programme/import",
        data={"file": (io.BytesIO(content), "programme.csv")},
        content_type="multipart/form-data",
    )


def _sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(ProgrammeSession.id)))


def test_a_long_programme_is_imported_by_a_job_whose_page_reports_it(app, client):
    world = _world(app)
    sign_in(client, world["organiser"])
    answer = _upload(client, _programme(ROWS))
    assert answer.status_code == 302 and "/manage/jobs/" in answer.headers["Location"]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="job-done"' in page and "Programme import" in page
    assert f"Imported: {ROWS} added, 0 updated, 0 unchanged." in page
    assert _sessions(app) == ROWS
    with app.app_context():
        job = db.session.scalar(sa.select(Job))
        assert job.kind == "agenda.import" and job.done == job.total == 2 * ROWS
        entry = db.session.scalar(
            sa.select(EventLogEntry).where(EventLogEntry.kind == "agenda.import_csv")
        )
        assert entry is not None and entry.via == "job"
    # Reloading the report imports nothing again.
    client.get(answer.headers["Location"])
    assert _sessions(app) == ROWS


def test_a_long_programme_with_a_bad_line_imports_nothing_and_names_it(app, client):
    world = _world(app)
    sign_in(client, world["organiser"])
    answer = _upload(client, _programme(ROWS, bad_line=180))
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="job-failed"' in page and "Nothing was imported" in page
    assert "Line 180:" in page and "Back" in page
    assert _sessions(app) == 0


def test_a_short_programme_is_still_imported_in_the_request(app, client):
    world = _world(app)
    sign_in(client, world["organiser"])
    answer = _upload(client, _programme(3))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/manage/programme")
    assert _sessions(app) == 3
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0


def test_import_progress_covers_checking_then_applying(app):
    world = _world(app)
    seen: list[tuple[int, int]] = []
    with app.test_request_context():
        event = db.session.get(Event, world["event"])
        csvio.import_csv(
            event,
            _programme(100),
            now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            on_progress=lambda d, t: seen.append((d, t)),
        )
        db.session.rollback()
    assert all(t == 200 for _d, t in seen)
    done = [d for d, _t in seen]
    assert done == sorted(done) and done[0] == 0
    assert any(0 < d < 100 for d in done) and any(100 <= d < 200 for d in done)
