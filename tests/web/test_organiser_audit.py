"""Organisers' pages from issue 19, each held by a test: the meeting requests come in pages
with filters (not one page of every request), and saving a form unchanged, with the CRLF
line ends browsers post, logs nothing."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from confapp.eventlog.models import EventLogEntry
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Registration
from confapp.visits import services as visits
from confapp.visits.models import Visit
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in

PEOPLE = 30  # 30 people asking the next nine: 270 requests, more than the demo's 263


def _many_requests(app) -> str:
    with app.app_context():
        event = make_event("cdc", meeting_booking_mode=MeetingBookingMode.BATCH)
        organiser = make_staff(event, "org@example.org")
        regs = [
            make_confirmed_registration(
                event, f"p{i}@example.org", full_name=f"Person {i:02d}", directory_opt_in=True
            )
            for i in range(PEOPLE)
        ]
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        db.session.execute(
            sa.insert(MeetingRequest),
            [
                {
                    "event_id": event.id,
                    "requester_id": regs[i].id,
                    "invitee_id": regs[(i + k) % PEOPLE].id,
                    "status": RequestStatus.ACCEPTED if k % 2 else RequestStatus.PENDING,
                    "priority": 1,
                    "created_at": now,
                }
                for i in range(PEOPLE)
                for k in range(1, 10)
            ],
        )
        db.session.commit()
        return organiser.get_id()


def test_meeting_requests_are_paged_and_filtered(app, client):
    sign_in(client, _many_requests(app))
    manage = client.get("/events/cdc/manage/meetings")
    assert manage.status_code == 200 and len(manage.data) < 40_000  # no request forms on it
    assert manage.text.count('<tr id="request-') == 0
    first = client.get("/events/cdc/manage/meetings/requests?status=all")
    text = first.text
    assert text.count('<tr id="request-') == 50 and "Page 1 of 6" in text
    assert 'rel="next"' in text and len(first.data) < 150_000
    last = client.get("/events/cdc/manage/meetings/requests?status=all&page=6").text
    assert last.count('<tr id="request-') == 20 and 'rel="next"' not in last
    pending = client.get("/events/cdc/manage/meetings/requests?status=pending").text
    assert "120 requests match." in pending
    person = client.get("/events/cdc/manage/meetings/requests?status=all&q=person+07").text
    assert "18 requests match." in person  # nine asked by Person 07, nine asking them


def _log_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(EventLogEntry.id)))


def test_saving_a_visit_unchanged_with_crlf_text_logs_and_sends_nothing(app, client, outbox):
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        visit = visits.create_visit(
            event,
            visits.VisitData(
                title="Brassware cluster",
                description="Line one\nLine two",
                requirements="Closed shoes\nA hat",
                departs_at=local_time(event, 0, "08:00"),
                returns_at=local_time(event, 0, "18:00"),
                buses=[visits.BusData(name="Bus A", seats=10)],
            ),
            now=local_time(event, -30, "08:00"),
        )
        db.session.commit()
        visit_id, bus_id, sequence = visit.id, visit.buses[0].id, visit.sequence
        sign_in(client, organiser.get_id())
    before = _log_count(app)
    form = {
        "title": "Brassware cluster",
        "description": "Line one\r\nLine two",
        "requirements": "Closed shoes\r\nA hat",
        "departs_at": "2027-02-20T08:00",
        "returns_at": "2027-02-20T18:00",
        "status": "open",
        "buses-0-bus_id": str(bus_id),
        "buses-0-name": "Bus A",
        "buses-0-seats": "10",
    }
    saved = client.post(f"/events/cdc/manage/visits/{visit_id}", data=form)
    assert saved.status_code == 302
    assert _log_count(app) == before and outbox.messages() == []
    with app.app_context():
        assert db.session.get(Visit, visit_id).sequence == sequence


def test_saving_a_registration_unchanged_with_crlf_notes_logs_nothing(app, client):
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        reg = make_confirmed_registration(event, "ana@example.org", full_name="Ana Kamau")
        reg.notes = "Arrives late\nVegetarian"
        db.session.commit()
        reg_id = reg.id
        category = reg.category.value
        sign_in(client, organiser.get_id())
    before = _log_count(app)
    saved = client.post(
        f"/events/cdc/manage/registrations/{reg_id}",
        data={"category": category, "notes": "Arrives late\r\nVegetarian", "name_latin": ""},
    )
    assert saved.status_code == 302
    assert _log_count(app) == before
    with app.app_context():
        assert db.session.get(Registration, reg_id).notes == "Arrives late\nVegetarian"
