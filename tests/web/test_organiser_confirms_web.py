"""Organisers' destructive actions ask first without JavaScript (issue 19): removing a
delegate from a visit, cancelling a visit, re-issuing a badge. The first POST changes
nothing and says what will happen (who is e-mailed, who gets the seat); the confirmation,
posting the same fields again, acts. Labels say what they do; histories number from the
oldest."""

from __future__ import annotations

import re

import sqlalchemy as sa

from confapp.agenda.models import SeatStatus
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.visits import services as visits
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


def _world(app) -> dict:
    """A one-seat visit on Bus A: Ana has the seat, Bo waits."""
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Kamau")
        bo = make_confirmed_registration(event, "bo@example.org", full_name="Bo Diallo")
        visit = visits.create_visit(
            event,
            visits.VisitData(
                title="Brassware cluster",
                departs_at=local_time(event, 0, "08:00"),
                returns_at=local_time(event, 0, "18:00"),
                capacity_cap=1,
                buses=[visits.BusData(name="Bus A", seats=10)],
            ),
            now=local_time(event, -30, "08:00"),
        )
        now = local_time(event, -10, "08:00")
        seated = visits.add_by_hand(event, visit, ana, now=now, notify=False)
        waiting = visits.add_by_hand(event, visit, bo, now=now, notify=False)
        visits.assign_buses(visit)
        db.session.commit()
        return {
            "organiser": organiser.get_id(),
            "visit": visit.id,
            "seated": seated.id,
            "waiting": waiting.id,
            "ana": ana.id,
        }


def _seats(app, visit_id: int) -> dict[str, SeatStatus]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Registration.full_name, VisitSignup.status)
            .join(VisitSignup, VisitSignup.registration_id == Registration.id)
            .where(VisitSignup.visit_id == visit_id)
        ).all()
        return dict(rows)


def test_removing_a_delegate_from_a_visit_asks_first_and_names_who_gets_the_seat(
    app, client, outbox
):
    world = _world(app)
    sign_in(client, world["organiser"])
    base = f"/events/cdc/manage/visits/{world['visit']}"
    listing = client.get(f"{base}/signups").text
    assert "Remove from visit…" in listing
    before = _seats(app, world["visit"])
    asked = client.post(f"{base}/signups/{world['seated']}/cancel")
    assert asked.status_code == 200
    text = asked.text
    assert "Remove Ana Kamau from the visit" in text  # the button says what it does
    assert "loses their seat on “Brassware cluster” and their place on Bus A" in text
    assert "The seat goes to Bo Diallo, first on the waiting list, who is e-mailed" in text
    assert "Ana Kamau is not e-mailed" in text
    assert f'href="{base}/signups"' in text  # the way back changes nothing
    assert _seats(app, world["visit"]) == before and outbox.messages() == []
    done = client.post(f"{base}/signups/{world['seated']}/cancel", data={"confirmed": "yes"})
    assert done.status_code == 302
    assert _seats(app, world["visit"]) == {
        "Ana Kamau": SeatStatus.CANCELLED,
        "Bo Diallo": SeatStatus.CONFIRMED,
    }
    assert [m["To"] for m in outbox.messages()] == ["bo@example.org"]


def test_removing_someone_from_the_waiting_list_says_so(app, client):
    world = _world(app)
    sign_in(client, world["organiser"])
    base = f"/events/cdc/manage/visits/{world['visit']}"
    asked = client.post(f"{base}/signups/{world['waiting']}/cancel").text
    assert "Bo Diallo leaves the waiting list of “Brassware cluster”" in asked
    assert _seats(app, world["visit"])["Bo Diallo"] is SeatStatus.WAITLISTED


def _edit_form(app, visit_id: int, **changes) -> dict:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        event = db.session.get(Event, visit.event_id)
        local = "%Y-%m-%dT%H:%M"
        data = {
            "title": visit.title,
            "departs_at": visit.departs_at.astimezone(event.tz).strftime(local),
            "returns_at": visit.returns_at.astimezone(event.tz).strftime(local),
            "capacity_cap": "1",
            "status": visit.status.value,
        }
        for i, bus in enumerate(visit.buses):
            data |= {f"buses-{i}-bus_id": str(bus.id), f"buses-{i}-name": bus.name}
            data[f"buses-{i}-seats"] = str(bus.seats)
    return data | changes


def test_cancelling_a_visit_from_its_form_asks_first_and_says_who_is_emailed(app, client, outbox):
    world = _world(app)
    sign_in(client, world["organiser"])
    url = f"/events/cdc/manage/visits/{world['visit']}"
    form = _edit_form(app, world["visit"], status="cancelled")
    asked = client.post(url, data=form)
    assert asked.status_code == 200
    text = asked.text
    assert "Cancel the visit “Brassware cluster”?" in text
    assert "1 delegate with a seat is e-mailed that the visit is cancelled." in text
    assert "1 delegate on the waiting list is e-mailed too." in text
    assert "Cancel the visit and e-mail 2 delegates" in text
    # The confirmation carries the form's fields; nothing has changed yet.
    assert 'name="buses-0-name" value="Bus A"' in text and 'name="status" value="cancelled"' in text
    with app.app_context():
        assert db.session.get(Visit, world["visit"]).status is VisitStatus.OPEN
    assert outbox.messages() == []
    done = client.post(url, data=form | {"confirmed": "yes"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Visit, world["visit"]).status is VisitStatus.CANCELLED
    # Any other save (the visit already cancelled, or not cancelling) does not ask.
    again = client.post(url, data=form)
    assert again.status_code == 302


def test_an_ordinary_visit_save_does_not_ask(app, client):
    world = _world(app)
    sign_in(client, world["organiser"])
    url = f"/events/cdc/manage/visits/{world['visit']}"
    saved = client.post(url, data=_edit_form(app, world["visit"], meeting_point="Gate 3"))
    assert saved.status_code == 302


def test_reissuing_a_badge_asks_first_and_says_the_old_one_stops_working(app, client):
    world = _world(app)
    sign_in(client, world["organiser"])
    detail = f"/events/cdc/manage/registrations/{world['ana']}"
    assert "Re-issue badge…" in client.get(detail).text
    action = f"{detail}/badge/reissue"
    with app.app_context():
        serial = db.session.get(Registration, world["ana"]).badge_serial
    asked = client.post(action)
    assert asked.status_code == 200
    assert "stops working" in asked.text and "Issue a new badge for Ana Kamau" in asked.text
    with app.app_context():
        assert db.session.get(Registration, world["ana"]).badge_serial == serial
    client.post(action, data={"confirmed": "yes"})
    with app.app_context():
        assert db.session.get(Registration, world["ana"]).badge_serial == serial + 1


def test_meeting_tools_say_what_their_buttons_delete(app, client):
    world = _world(app)
    with app.test_request_context():
        from confapp.meetings import services as meetings

        event = db.session.scalar(sa.select(Event))
        start = local_time(event, 0, "15:30")
        import datetime as dt

        meetings.generate_slots(event, start, start + dt.timedelta(minutes=20), 20)
        meetings.add_tag(event, "finance")
        db.session.commit()
    sign_in(client, world["organiser"])
    page = client.get("/events/cdc/manage/meetings").text
    assert "Delete slot…" in page and "Remove topic…" in page


def test_a_history_numbers_its_newest_first_entries_from_the_oldest(app, client):
    world = _world(app)
    sign_in(client, world["organiser"])
    detail = f"/events/cdc/manage/registrations/{world['ana']}"
    for _ in range(3):
        client.post(f"{detail}/badge/reissue", data={"confirmed": "yes"})
    page = client.get(detail).text
    # Three entries, the newest on top numbered 3: an <ol reversed> counting down.
    assert re.search(r'<ol class="log" reversed start="3">', page)
    log = client.get("/events/cdc/manage/log").text
    assert re.search(r'<ol class="log" reversed start="\d+">', log)
