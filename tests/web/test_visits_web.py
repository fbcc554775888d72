"""Visits over HTTP: delegate cards, sign-up, clash checks, organiser tools, manifests, API."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import sqlalchemy as sa

from confapp.accounts import services as account_services
from confapp.agenda import services as agenda
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.db import utcnow
from confapp.events.models import ClashPolicy
from confapp.events.models import Event
from confapp.extensions import db
from confapp.visits import services
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_visit
from tests.helpers import sign_in


@pytest.fixture
def world(app):
    """A published event, an organiser, two delegates and one two-seat visit; ids only."""
    with app.app_context():
        event = make_event()
        organiser = make_staff(event, "org@example.org")
        delegate, registration = make_delegate(event)
        other, other_reg = make_delegate(event, "other@example.org")
        visit = make_visit(
            event,
            buses=(("Van", 2),),
            meeting_point="Main lobby",
            requirements="Closed shoes",
            cluster_name="Manesar auto components",
        )
        db.session.commit()
        return {
            "event": event.id,
            "visit": visit.id,
            "organiser": organiser.get_id(),
            "delegate": delegate.get_id(),
            "registration": registration.id,
            "other": other.get_id(),
            "other_reg": other_reg.id,
        }


def signups(app, visit_id):
    with app.app_context():
        return {
            s.registration_id: s.status
            for s in db.session.scalars(
                sa.select(VisitSignup).where(VisitSignup.visit_id == visit_id)
            )
        }


# --- delegates --------------------------------------------------------------------------------


def test_visits_page_signup_waitlist_and_cancel(app, client, world, outbox):
    page = client.get("/events/cdc/visits")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Manesar auto components" in html and "2 of 2 left" in html and "Closed shoes" in html
    assert "Sign in" in html
    sign_in(client, world["delegate"])
    response = client.post(
        f"/events/cdc/visits/{world['visit']}/signup", data={"group_code": "kenya"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"#visit-{world['visit']}"
    )
    assert signups(app, world["visit"]) == {world["registration"]: SeatStatus.CONFIRMED}
    html = client.get("/events/cdc/visits").get_data(as_text=True)
    assert "Your seat is confirmed" in html and "Give up my seat" in html
    # Fill the second seat, then a third delegate is waitlisted.
    other = app.test_client()
    sign_in(other, world["other"])
    other.post(f"/events/cdc/visits/{world['visit']}/signup")
    with app.app_context():
        event = db.session.get(Event, world["event"])
        third_user, third = make_delegate(event, "third@example.org")
        db.session.commit()
        third_id, third_user_id = third.id, third_user.get_id()
    third_client = app.test_client()
    sign_in(third_client, third_user_id)
    third_client.post(f"/events/cdc/visits/{world['visit']}/signup", follow_redirects=False)
    html = third_client.get("/events/cdc/visits").get_data(as_text=True)
    assert "Waiting list: number 1" in html
    client.post(f"/events/cdc/visits/{world['visit']}/cancel")
    assert signups(app, world["visit"])[third_id] is SeatStatus.CONFIRMED
    assert outbox.to("third@example.org")[-1]["Subject"].startswith("A seat is yours")


def test_signup_needs_a_confirmed_registration(app, client, world):
    sign_in(client, world["organiser"])
    response = client.post(f"/events/cdc/visits/{world['visit']}/signup", follow_redirects=True)
    assert "confirmed registration" in response.get_data(as_text=True)
    assert signups(app, world["visit"]) == {}


def test_signup_without_csrf_token_is_refused(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in(client, world["delegate"])
    response = client.post(f"/events/cdc/visits/{world['visit']}/signup")
    assert response.status_code == 400
    assert signups(app, world["visit"]) == {}


def test_missing_id_number_re_renders_with_the_error(app, client, world):
    with app.app_context():
        visit = db.session.get(Visit, world["visit"])
        visit.requires_id_number = True
        db.session.commit()
    sign_in(client, world["delegate"])
    response = client.post(
        f"/events/cdc/visits/{world['visit']}/signup", data={"group_code": "team 1"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "needs the number of the ID document" in html and 'value="team 1"' in html
    assert signups(app, world["visit"]) == {}


def _clashing_workshop(app, world):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        visit = db.session.get(Visit, world["visit"])
        session = agenda.create_session(
            event,
            agenda.SessionData(
                title="Finance workshop",
                kind=SessionKind.WORKSHOP,
                starts_at=visit.departs_at + dt.timedelta(hours=1),
                ends_at=visit.departs_at + dt.timedelta(hours=2),
                seat_limit=5,
            ),
            now=utcnow(),
        )
        registration = db.session.get(agenda.Registration, world["registration"])
        agenda.signup(event, session, registration, now=utcnow())
        db.session.commit()


def test_clash_warning_asks_to_confirm(app, client, world):
    _clashing_workshop(app, world)
    sign_in(client, world["delegate"])
    first = client.post(f"/events/cdc/visits/{world['visit']}/signup", data={"group_code": "g1"})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "overlaps" in html and "Finance workshop" in html and 'name="confirm_clash"' in html
    assert signups(app, world["visit"]) == {}
    second = client.post(
        f"/events/cdc/visits/{world['visit']}/signup",
        data={"group_code": "g1", "confirm_clash": "y"},
    )
    assert second.status_code == 302
    assert signups(app, world["visit"]) == {world["registration"]: SeatStatus.CONFIRMED}


def test_clash_refused_by_policy(app, client, world):
    _clashing_workshop(app, world)
    with app.app_context():
        db.session.get(Event, world["event"]).visit_clash_policy = ClashPolicy.REFUSE
        db.session.commit()
    sign_in(client, world["delegate"])
    response = client.post(
        f"/events/cdc/visits/{world['visit']}/signup",
        data={"confirm_clash": "y"},
        follow_redirects=True,
    )
    assert "do not allow overlapping" in response.get_data(as_text=True)
    assert signups(app, world["visit"]) == {}


def test_visit_ics_and_my_agenda(app, client, world):
    response = client.get(f"/events/cdc/visits/{world['visit']}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    vevent = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(vevent["STATUS"]) == "CONFIRMED" and "Main lobby" in str(vevent["LOCATION"])
    sign_in(client, world["delegate"])
    client.post(f"/events/cdc/visits/{world['visit']}/signup")
    html = client.get("/events/cdc/my-agenda").get_data(as_text=True)
    assert "Visit: Auto components at Manesar" in html
    assert client.get("/events/cdc/visits/999.ics").status_code == 404


# --- organisers ------------------------------------------------------------------------------


def visit_form(**overrides) -> dict:
    data = {
        "title": "Brassware of Moradabad",
        "cluster_name": "Moradabad brassware",
        "cluster_sector": "Metal handicrafts",
        "cluster_location": "Moradabad",
        "departs_at": "2027-02-23T07:00",
        "returns_at": "2027-02-23T20:30",
        "meeting_point": "Gate 2",
        "requirements": "Closed shoes",
        "status": "open",
        "buses-0-name": "Bus 1",
        "buses-0-seats": "40",
        "buses-1-name": "Bus 2",
        "buses-1-seats": "30",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"departs_at": "2020-01-01T07:00", "returns_at": "2020-01-01T19:00"}, "in the past"),
        ({"returns_at": "2027-02-23T06:00"}, "return must be after the departure"),
        ({"buses-0-seats": "-4"}, "Between 1 and 1000 seats"),
        ({"capacity_cap": "-1"}, "cannot be negative"),
        ({"capacity_cap": "500"}, "more than the buses carry"),
        ({"buses-1-name": "", "buses-1-seats": "12"}, "needs a name"),
        ({"departs_at": "not a date"}, "Enter the departure date and time"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_visit_form_input_re_renders_and_writes_nothing(app, client, world, overrides, message):
    sign_in(client, world["organiser"])
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Visit.id)))
    response = client.post("/events/cdc/manage/visits/new", data=visit_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == before


def test_organiser_creates_and_edits_a_visit(app, client, world, outbox):
    sign_in(client, world["organiser"])
    assert client.get("/events/cdc/manage/visits/new").status_code == 200
    response = client.post("/events/cdc/manage/visits/new", data=visit_form())
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.title == "Brassware of Moradabad"))
        assert visit.pool.capacity == 70 and [b.seats for b in visit.buses] == [40, 30]
        event = db.session.get(Event, world["event"])
        assert event.local(visit.departs_at).strftime("%H:%M") == "07:00"
        visit_id = visit.id
    assert "Brassware of Moradabad" in client.get("/events/cdc/manage/visits").get_data(
        as_text=True
    )
    form = client.get(f"/events/cdc/manage/visits/{visit_id}").get_data(as_text=True)
    assert 'value="Bus 1"' in form and 'value="2027-02-23T07:00"' in form
    # Edit the existing visit of the world: more seats promote its waiting list.
    small = world["visit"]
    for user in ("delegate", "other"):
        c = app.test_client()
        sign_in(c, world[user])
        c.post(f"/events/cdc/visits/{small}/signup")
    with app.app_context():
        event = db.session.get(Event, world["event"])
        third_user, third = make_delegate(event, "third@example.org")
        visit = db.session.get(Visit, small)
        services.signup(event, visit, third, now=utcnow())
        db.session.commit()
        bus_id, third_id = visit.buses[0].id, third.id
        departs = event.local(visit.departs_at).strftime("%Y-%m-%dT%H:%M")
        returns = event.local(visit.returns_at).strftime("%Y-%m-%dT%H:%M")
    data = visit_form(
        title="Auto components at Manesar",
        departs_at=departs,
        returns_at=returns,
        **{
            "buses-0-bus_id": str(bus_id),
            "buses-0-name": "Van",
            "buses-0-seats": "3",
            "buses-1-name": None,
            "buses-1-seats": None,
        },
    )
    response = client.post(f"/events/cdc/manage/visits/{small}", data=data)
    assert response.status_code == 302
    assert signups(app, small)[third_id] is SeatStatus.CONFIRMED
    # The seat is told in the save's own transaction; the change itself (new meeting point)
    # by the job that transaction started, so it may come after.
    subjects = [m["Subject"] for m in outbox.to("third@example.org")]
    assert any(s.startswith("A seat is yours") for s in subjects[-2:]), subjects
    # Fewer seats than taken is refused with a clear message.
    response = client.post(
        f"/events/cdc/manage/visits/{small}", data={**data, "buses-0-seats": "1"}
    )
    assert response.status_code == 422 and "already taken" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Visit, small).pool.capacity == 3


def test_organiser_signups_page_add_move_bus_and_manifests(app, client, world):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        second = make_visit(event, "Pottery of Khurja", day=2, buses=(("Van 1", 5),))
        extra = make_confirmed_registration(
            event, "walkin@example.org", full_name="Walk In", phone="+91 99"
        )
        db.session.commit()
        second_id, extra_id = second.id, extra.id
    sign_in(client, world["organiser"])
    visit_id = world["visit"]
    response = client.post(
        f"/events/cdc/manage/visits/{visit_id}/signups/add", data={"who": "walkin@example.org"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/events/cdc/manage/visits/{visit_id}/signups/add", data={"who": "nobody@example.org"}
    )
    assert response.status_code == 422 and "No confirmed registration" in response.get_data(
        as_text=True
    )
    with app.app_context():
        holder = db.session.scalar(sa.select(VisitSignup).where(VisitSignup.visit_id == visit_id))
        bus = db.session.scalar(sa.select(Bus).where(Bus.visit_id == visit_id))
        holder_id, bus_id = holder.id, bus.id
    html = client.get(f"/events/cdc/manage/visits/{visit_id}/signups").get_data(as_text=True)
    assert "Walk In" in html and "Confirmed" in html
    assert (
        client.post(
            f"/events/cdc/manage/visits/{visit_id}/signups/{holder_id}/bus",
            data={"bus_id": str(bus_id)},
        ).status_code
        == 302
    )
    csv_text = client.get(
        f"/events/cdc/manage/visits/{visit_id}/manifest.csv?bus={bus_id}"
    ).get_data(as_text=True)
    assert "Walk In" in csv_text and "Van" in csv_text
    pdf = client.get(f"/events/cdc/manage/visits/{visit_id}/manifest.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert (
        client.get(f"/events/cdc/manage/visits/{visit_id}/manifest.pdf?bus=99999").status_code
        == 404
    )
    assert client.post(f"/events/cdc/manage/visits/{visit_id}/assign-buses").status_code == 302
    move_url = f"/events/cdc/manage/visits/{visit_id}/signups/{holder_id}/move"
    # The first click asks: it says what the delegate leaves and gets, and moves nobody.
    asked = client.post(move_url, data={"visit_id": str(second_id)})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Move Walk In to" in page and "gets a seat on" in page and "is e-mailed" in page
    assert "loses their seat on" in page and 'name="confirmed" value="yes"' in page
    assert extra_id not in signups(app, second_id)
    response = client.post(move_url, data={"visit_id": str(second_id), "confirmed": "yes"})
    assert response.status_code == 302
    assert signups(app, second_id) == {extra_id: SeatStatus.CONFIRMED}
    assert signups(app, visit_id)[extra_id] is SeatStatus.CANCELLED


def test_late_sign_up_rides_a_bus_and_one_without_room_is_flagged(app, client, world):
    """A delegate signing up through the page after buses were assigned gets the bus with
    room; once no bus has room, the organiser's page and the manifest flag them."""
    visit_id = world["visit"]
    sign_in(client, world["organiser"])
    html = client.get(f"/events/cdc/manage/visits/{visit_id}/signups").get_data(as_text=True)
    assert 'id="unseated"' not in html
    with app.app_context():
        event = db.session.get(Event, world["event"])
        visit = db.session.get(Visit, visit_id)
        first = make_confirmed_registration(event, "first@example.org", full_name="First One")
        services.signup(event, visit, first, now=utcnow() - dt.timedelta(days=1))
        db.session.commit()
    html = client.get(f"/events/cdc/manage/visits/{visit_id}/signups").get_data(as_text=True)
    assert "1 confirmed delegate has no bus yet: assign buses" in html
    client.post(f"/events/cdc/manage/visits/{visit_id}/assign-buses")
    delegate = app.test_client()
    sign_in(delegate, world["delegate"])
    assert delegate.post(f"/events/cdc/visits/{visit_id}/signup").status_code == 302
    with app.app_context():
        holder = db.session.scalar(
            sa.select(VisitSignup).where(VisitSignup.registration_id == world["registration"])
        )
        assert db.session.get(Bus, holder.bus_id).name == "Van"
    # The delegate is told which bus: on the visits page and in My agenda (and its feed).
    assert "Your bus: Van" in delegate.get("/events/cdc/visits").get_data(as_text=True)
    assert "Seat confirmed, bus Van" in delegate.get("/events/cdc/my-agenda").get_data(as_text=True)
    with app.app_context():
        # The van loses a seat to a wheelchair space: the next one has no bus with room.
        visit = db.session.get(Visit, visit_id)
        visit.buses[0].seats = 1
        visit.pool.capacity = 3
        db.session.commit()
    other = app.test_client()
    sign_in(other, world["other"])
    other.post(f"/events/cdc/visits/{visit_id}/signup")
    html = client.get(f"/events/cdc/manage/visits/{visit_id}/signups").get_data(as_text=True)
    assert "<strong>1 confirmed delegate has no bus</strong>: every bus is full" in html
    assert html.count('class="no-bus">NO BUS<') == 1
    csv_text = client.get(f"/events/cdc/manage/visits/{visit_id}/manifest.csv").get_data(
        as_text=True
    )
    assert csv_text.strip().splitlines()[-1].split(",")[-2] == "NO BUS"


@pytest.mark.parametrize(
    "path",
    [
        "/events/cdc/manage/visits",
        "/events/cdc/manage/visits/new",
        "/events/cdc/manage/visits/{v}",
        "/events/cdc/manage/visits/{v}/signups",
        "/events/cdc/manage/visits/{v}/manifest.csv",
        "/events/cdc/manage/visits/{v}/manifest.pdf",
    ],
)
def test_organiser_pages_refuse_delegates(client, world, path):
    path = path.format(v=world["visit"])
    assert client.get(path).status_code == 302
    sign_in(client, world["delegate"])
    assert client.get(path).status_code == 403


# --- API ---------------------------------------------------------------------------------------


def test_api_visits_public_and_signups_for_organisers(app, client, world):
    sign_in(client, world["delegate"])
    client.post(f"/events/cdc/visits/{world['visit']}/signup", data={"group_code": "ke"})
    anonymous = app.test_client()
    body = anonymous.get("/api/v1/events/cdc/visits").get_json()
    assert body["event"] == "cdc" and body["timezone"] == "Asia/Kolkata"
    (visit,) = body["visits"]
    assert visit["capacity"] == 2 and visit["seats_left"] == 1 and visit["waiting"] == 0
    assert (
        visit["signup"] == "open"
        and visit["departs_at"].endswith("Z")
        and visit["buses"][0]["name"] == "Van"
    )
    assert visit["ics_url"].endswith(f"/events/cdc/visits/{world['visit']}.ics")
    url = f"/api/v1/events/cdc/visits/{world['visit']}/signups"
    assert anonymous.get(url).status_code == 401
    assert client.get(url).status_code == 403
    with app.app_context():
        from confapp.accounts.models import User

        user = db.session.get(User, int(world["organiser"].split(":")[0]))
        token = account_services.issue_api_token(user, "laptop", utcnow())
        db.session.commit()
    response = anonymous.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["capacity"] == 2 and data["taken"] == 1
    (row,) = data["signups"]
    assert row["status"] == "confirmed" and row["group_code"] == "KE" and row["id_number"] is None
    assert (
        anonymous.get(
            "/api/v1/events/cdc/visits/9999/signups", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 404
    )
    spec = anonymous.get("/api/v1/openapi.json").get_json()
    assert (
        "/events/{slug}/visits" in spec["paths"]
        and "/events/{slug}/visits/{visit_id}/signups" in spec["paths"]
    )
    assert "Visit" in spec["components"]["schemas"]


def test_times_are_stored_in_utc(app, world):
    """Times entered in the form are the event's wall clock (IST), stored in UTC."""
    with app.app_context():
        event = db.session.get(Event, world["event"])
        visit = db.session.get(Visit, world["visit"])
        assert visit.departs_at == local_time(event, 1, "08:00")
        assert visit.departs_at.hour == 2 and visit.departs_at.minute == 30
