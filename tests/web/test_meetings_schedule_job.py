"""'Schedule all' runs as a job: the POST answers with a redirect to the job's page (a GET:
reloading it schedules nothing again), the bar follows every stage of the run, and each
request left out says who is fully booked and what would help."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.jobs.models import Job
from confapp.meetings import batch
from confapp.meetings import services
from confapp.meetings.models import Meeting
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.fixture
def world(app):
    """Three 20-minute slots, two tables; Ana is asked by four people (one too many)."""
    with app.test_request_context():
        event = make_event(meeting_booking_mode=MeetingBookingMode.BATCH)
        start = local_time(event, 0, "15:30")
        services.generate_slots(event, start, start + dt.timedelta(minutes=60), 20)
        services.add_tables(event, 2)
        organiser = make_staff(event, "org@example.org")
        ana = make_confirmed_registration(
            event, "ana@example.org", full_name="Ana Kamau", directory_opt_in=True
        )
        others = [
            make_confirmed_registration(event, f"{n.lower()}@example.org", full_name=f"{n} Diallo")
            for n in ("Bo", "Cy", "Di", "Ed")
        ]
        for other in others:
            req = services.send_request(event, other, ana, "", NOW)
            assert services.accept_request(event, req, ana, NOW) is None
        db.session.commit()
        return {"organiser": organiser, "event": event.id}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_schedule_all_is_a_job_whose_page_reloads_without_scheduling_again(app, client, world):
    sign_in(client, world["organiser"])
    started = client.post("/events/cdc/manage/meetings/schedule", data={})
    assert started.status_code == 302
    page_url = started.headers["Location"]
    assert "/events/cdc/manage/jobs/" in page_url
    first = client.get(page_url).get_data(as_text=True)
    assert "Schedule all meetings" in first and "Scheduling result" in first
    assert "New meetings scheduled: <strong>3</strong>" in first and "Not scheduled (1)" in first
    # Who is fully booked, by name, and what would help.
    assert "Ana Kamau is fully booked in the 3 slots both could use" in first
    assert "another slot" in first.lower()
    with app.app_context():
        meetings, job_count = _count(Meeting), _count(Job)
    again = client.get(page_url).get_data(as_text=True)  # a reload is a GET of the result
    assert "New meetings scheduled: <strong>3</strong>" in again
    with app.app_context():
        assert (_count(Meeting), _count(Job)) == (meetings, job_count) == (3, 1)
    # The request list gives the same reason for the request left out.
    listing = client.get("/events/cdc/manage/meetings/requests?status=unscheduled")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "Ana Kamau is fully booked" in text and text.count('<tr id="request-') == 1
    booked = client.get("/events/cdc/manage/meetings/requests?status=booked")
    assert (
        booked.status_code == 200 and booked.get_data(as_text=True).count('<tr id="request-') == 3
    )


def test_schedule_all_reports_each_stage_of_the_run(app, world):
    seen: list[int] = []
    with app.test_request_context():
        from confapp.events.models import Event

        event = db.session.get(Event, world["event"])
        report = batch.schedule_all(event, NOW, on_percent=lambda done, total: seen.append(done))
        assert report.scheduled == 3
    assert seen == sorted(seen) and seen[0] < 30 and seen[-1] == 100
    # Placing (0-30), booking (70-80) and the e-mails (80-100) each moved the bar.
    assert any(v < 30 for v in seen) and any(70 <= v < 80 for v in seen)
    assert any(80 <= v < 100 for v in seen)


def test_only_organisers_start_schedule_all(app, client, world):
    with app.app_context():
        from confapp.registration.models import Registration

        ana = db.session.scalar(
            sa.select(Registration).where(Registration.full_name == "Ana Kamau")
        )
        sign_in(client, ana.user_id)
    assert client.post("/events/cdc/manage/meetings/schedule", data={}).status_code == 403
    with app.app_context():
        assert _count(Job) == 0 and _count(Meeting) == 0
