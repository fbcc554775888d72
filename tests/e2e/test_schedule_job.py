"""An organiser presses "Schedule all" for a large event: the page answers at once with a
progress bar that a real worker (the demo's in-process consumer on a SQLite queue) moves
stage by stage, then the result; reloading the result page schedules nothing again."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from confapp import create_app
from confapp.accounts.models import User
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.jobs.cli import start_in_process
from confapp.jobs.models import Job
from confapp.meetings import services as meetings
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.urls import set_base_url
from tests.helpers import PASSWORD
from tests.helpers import local_time
from tests.helpers import make_event
from tests.helpers import make_staff

pytestmark = pytest.mark.browser

DELEGATES = 800
ASKS = 3  # each delegate asks the next three: 2,400 accepted requests, all placeable
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def worker_app(tmp_path):
    """The app on a free port with a real queue and a worker in the same process."""
    app = create_app(
        "testing",
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "WTF_CSRF_ENABLED": True,
            "JOBS_IMMEDIATE": False,
            "JOBS_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
            "JOBS_RESULTS_DIR": str(tmp_path / "results"),
        },
    )
    with app.app_context():
        db.create_all()
        event = make_event(
            "cdc", capacity=DELEGATES + 10, meeting_booking_mode=MeetingBookingMode.BATCH
        )
        start = local_time(event, 0, "09:00")
        meetings.generate_slots(event, start, start + dt.timedelta(minutes=16 * 20), 20)
        meetings.add_tables(event, 160)
        make_staff(event, "org@example.org")
        now = dt.datetime.now(dt.UTC)
        db.session.execute(
            sa.insert(User),
            [
                {"email": f"d{i}@example.org", "full_name": f"Delegate {i:04d}", "created_at": now}
                for i in range(DELEGATES)
            ],
        )
        users = db.session.execute(
            sa.select(User.id, User.full_name, User.email)
            .where(User.email.like("d%"))
            .order_by(User.id)
        ).all()
        db.session.execute(
            sa.insert(Registration),
            [
                {
                    "event_id": event.id,
                    "user_id": user.id,
                    "status": RegistrationStatus.CONFIRMED,
                    "full_name": user.full_name,
                    "email": user.email,
                    "country": "KE",
                    "organisation": "Kenya Leather Cluster",
                    "interests": [],
                    "directory_opt_in": True,
                    "created_at": now,
                    "updated_at": now,
                    "status_changed_at": now,
                }
                for user in users
            ],
        )
        regs = db.session.scalars(
            sa.select(Registration.id)
            .where(Registration.event_id == event.id)
            .order_by(Registration.id)
        ).all()
        db.session.execute(
            sa.insert(MeetingRequest),
            [
                {
                    "event_id": event.id,
                    "requester_id": regs[i],
                    "invitee_id": regs[(i + k) % len(regs)],
                    "status": RequestStatus.ACCEPTED,
                    "priority": 1,
                    "created_at": now,
                    "responded_at": now,
                }
                for i in range(len(regs))
                for k in range(1, ASKS + 1)
            ],
        )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    set_base_url(app, app.config["LIVE_URL"])
    consumer = start_in_process(app, workers=1)
    yield app
    consumer.stop(graceful=True)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def _count(app, column) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(column)))


def test_schedule_all_shows_its_progress_then_a_result_that_reloads_safely(
    worker_app, page, screenshots
):
    from playwright.sync_api import expect

    base = worker_app.config["LIVE_URL"]
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "org@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(f"{base}/events/cdc/manage")
    page.locator("main").get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("button", name="Schedule all").click()

    main = page.locator("main")
    expect(main.get_by_role("heading", name="Schedule all meetings")).to_be_visible()
    assert main.locator("#job-refresh").is_visible()  # the way without JavaScript
    page.screenshot(path=str(screenshots / "schedule-job-progress-360.png"), full_page=True)
    seen: set[int] = set()
    stages: set[str] = set()
    for _ in range(900):
        if main.locator("#job-done").count():
            break
        try:
            value = page.evaluate(
                "() => { const b = document.getElementById('job-bar');"
                " const n = document.getElementById('job-note');"
                " return b ? [b.value, b.max, n ? n.textContent : ''] : null; }"
            )
        except Exception:  # the page reloads itself when the job ends
            value = None
        if value and 0 < value[0] < value[1] == 100:
            seen.add(int(value[0]))
            stages.add(value[2].strip())
        page.wait_for_timeout(100)
    assert len(seen) >= 2, f"the bar never moved between start and end: {sorted(seen)}"
    assert len(stages - {""}) >= 1, stages

    expect(main.get_by_role("heading", name="Scheduling result")).to_be_visible()
    expect(main).to_contain_text(f"New meetings scheduled: {DELEGATES * ASKS}")
    expect(main).to_contain_text("Not scheduled (0)")
    page.screenshot(path=str(screenshots / "schedule-job-done-360.png"), full_page=True)
    placed = _count(worker_app, Meeting.id)
    assert placed == DELEGATES * ASKS
    page.reload()  # a GET of the result: nothing is scheduled or started again
    expect(main).to_contain_text(f"New meetings scheduled: {DELEGATES * ASKS}")
    assert _count(worker_app, Meeting.id) == placed and _count(worker_app, Job.id) == 1
