"""Agenda over HTTP: access rules, forms, programme page, stars, sign-ups, feeds, API, queries."""

from __future__ import annotations

import datetime as dt
import threading
import time

import icalendar
import pytest
import sqlalchemy as sa

from confapp.agenda import services
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStar
from confapp.capacity.models import CapacityPool
from confapp.db import utcnow
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


def add_session(
    event,
    title="Talk",
    day=0,
    start="10:00",
    end="11:00",
    room=None,
    seats=None,
    people=(),
    track=None,
    kind=SessionKind.PARALLEL,
):
    return services.create_session(
        event,
        services.SessionData(
            title=title,
            kind=kind,
            starts_at=local_time(event, day, start),
            ends_at=local_time(event, day, end),
            room_id=room.id if room else None,
            track_id=track.id if track else None,
            seat_limit=seats,
            people=[services.PersonData(n, PersonRole.SPEAKER, "Org", "KE") for n in people],
            description="Some **bold** text",
        ),
        now=utcnow(),
    )


@pytest.fixture
def setup(app):
    """A published event with a room, an organiser, a delegate and one session; ids only."""
    with app.app_context():
        event = make_event()
        room = services.create_room(event, name="Hall A", capacity=50)
        organiser = make_staff(event, "org@example.org")
        delegate, registration = make_delegate(event)
        session = add_session(event, room=room, people=["Ana Example"])
        db.session.commit()
        return {
            "event": event.id,
            "room": room.id,
            "session": session.id,
            "organiser": organiser.get_id(),
            "delegate": delegate.get_id(),
            "registration": registration.id,
        }


# --- access ---------------------------------------------------------------------------------

ORGANISER_PAGES = [
    "/events/cdc/manage/programme",
    "/events/cdc/manage/programme/health",
    "/events/cdc/manage/programme/rooms",
    "/events/cdc/manage/programme/tracks",
    "/events/cdc/manage/programme/sessions/new",
    "/events/cdc/manage/programme/import",
    "/events/cdc/manage/programme/export.csv",
]


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_organiser_pages_refuse_anonymous_and_delegates(client, app, setup, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "/login?next=" in anonymous.headers["Location"]
    sign_in(client, setup["delegate"])
    assert client.get(path).status_code == 403
    assert client.post("/events/cdc/manage/programme/publish").status_code == 403
    assert (
        client.post(f"/events/cdc/manage/programme/sessions/{setup['session']}/cancel").status_code
        == 403
    )


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_organiser_pages_work_for_organisers(client, app, setup, path):
    sign_in(client, setup["organiser"])
    assert client.get(path).status_code == 200


def test_delegate_actions_need_sign_in(client, setup):
    response = client.post(f"/events/cdc/sessions/{setup['session']}/star")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/events/cdc/my-agenda").status_code == 302


def test_signed_in_non_delegate_cannot_star(client, app, setup):
    sign_in(client, setup["organiser"])
    response = client.post(f"/events/cdc/sessions/{setup['session']}/star", follow_redirects=True)
    assert "confirmed registration" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionStar.id))) == 0


def test_posts_need_a_csrf_token(app, setup):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    sign_in(client, setup["delegate"])
    assert client.post(f"/events/cdc/sessions/{setup['session']}/star").status_code == 400


# --- organiser forms ---------------------------------------------------------------------------


def session_form(**overrides):
    values = {
        "title": "Finance panel",
        "kind": "panel",
        "starts_at": "2027-02-20T14:00",
        "ends_at": "2027-02-20T15:30",
        "room_id": "0",
        "track_id": "0",
        "description": "",
        "seat_limit": "",
        "people-0-name": "Lucía Fernández",
        "people-0-role": "moderator",
        "people-0-organisation": "IDB",
        "people-0-country": "US",
        "people-1-name": "",
        "people-1-role": "speaker",
        "people-1-organisation": "",
        "people-1-country": "",
    }
    values.update(overrides)
    return values


def test_organiser_adds_a_session_in_local_time(client, app, setup):
    sign_in(client, setup["organiser"])
    response = client.post(
        "/events/cdc/manage/programme/sessions/new", data=session_form(room_id=str(setup["room"]))
    )
    assert response.status_code == 302
    with app.app_context():
        s = db.session.scalar(
            sa.select(ProgrammeSession).where(ProgrammeSession.title == "Finance panel")
        )
        assert s.starts_at == dt.datetime(2027, 2, 20, 8, 30, tzinfo=dt.UTC)  # 14:00 IST
        assert [(p.name, p.role, p.country) for p in s.people] == [
            ("Lucía Fernández", PersonRole.MODERATOR, "US")
        ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2027-02-20T13:00"}, "must end after it starts"),
        ({"room_id": "999"}, "Not a valid choice"),
        (
            {"starts_at": "2027-02-20T10:30", "ends_at": "2027-02-20T11:30", "room_id": "ROOM"},
            "already used by",
        ),
        ({"starts_at": "not a date"}, "Enter a start date and time"),
        ({"people-0-country": "XX"}, "Unknown country code"),
        ({"starts_at": "2027-03-20T10:00", "ends_at": "2027-03-20T11:00"}, "must start between"),
        ({"title": ""}, "This field is required"),
        ({"seat_limit": "-3"}, "Number must be between 1 and 100000"),
    ],
)
def test_bad_session_input_rerenders_with_errors_and_writes_nothing(
    client, app, setup, overrides, message
):
    sign_in(client, setup["organiser"])
    if overrides.get("room_id") == "ROOM":
        overrides["room_id"] = str(setup["room"])
    response = client.post(
        "/events/cdc/manage/programme/sessions/new", data=session_form(**overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ProgrammeSession.id))) == 1


def test_publish_edit_and_changes_page(client, app, setup):
    sign_in(client, setup["organiser"])
    assert client.post("/events/cdc/manage/programme/publish").status_code == 302
    response = client.post(
        f"/events/cdc/manage/programme/sessions/{setup['session']}",
        data=session_form(
            title="Talk",
            kind="parallel",
            starts_at="2027-02-20T12:00",
            ends_at="2027-02-20T13:00",
            room_id=str(setup["room"]),
        ),
    )
    assert response.status_code == 302
    cancel = f"/events/cdc/manage/programme/sessions/{setup['session']}/cancel"
    asked = client.post(cancel).get_data(as_text=True)  # asks first, changes nothing
    assert "Cancel the session and tell its delegates" in asked
    assert "Cancelled" not in client.get("/events/cdc/programme/changes").get_data(as_text=True)
    client.post(cancel, data={"confirmed": "yes"})
    page = client.get("/events/cdc/programme/changes").get_data(as_text=True)
    assert (
        "Talk (Sat 20 Feb 12:00–13:00)" in page
        and "Cancelled: Talk" not in page  # the badge says it once
        and "moved from Sat 20 Feb 10:00–11:00 to Sat 20 Feb 12:00–13:00" in page
    )
    programme = client.get("/events/cdc/programme").get_data(as_text=True)
    assert "Talk" in programme and "status-cancelled" in programme


def test_csv_import_page_shows_row_errors(client, app, setup):
    sign_in(client, setup["organiser"])
    csv_bytes = (
        b"title,kind,date,start,end,room\n"
        b"Ok,parallel,2027-02-21,09:00,10:00,Hall A\n"
        b"Bad,parallel,2027-02-21,09:00,10:00,Nowhere\n"
    )
    import io

    response = client.post(
        "/events/cdc/manage/programme/import",
        data={"file": (io.BytesIO(csv_bytes), "p.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Line 3: Unknown room" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ProgrammeSession.id))) == 1
    export = client.get("/events/cdc/manage/programme/export.csv")
    assert export.mimetype == "text/csv" and "Talk" in export.get_data(as_text=True)


# --- public pages -------------------------------------------------------------------------------


def test_unpublished_programme_is_hidden_from_the_public(client, setup):
    assert "not published yet" in client.get("/events/cdc/programme").get_data(as_text=True)
    assert client.get(f"/events/cdc/sessions/{setup['session']}").status_code == 404
    assert client.get("/events/cdc/programme.ics").status_code == 404
    assert client.get("/api/v1/events/cdc/sessions").status_code == 404


def publish(app, event_id):
    with app.app_context():
        from confapp.events.models import Event

        services.publish_programme(db.session.get(Event, event_id), utcnow())
        db.session.commit()


def test_programme_grid_filters_and_search(client, app, setup):
    with app.app_context():
        from confapp.events.models import Event

        event = db.session.get(Event, setup["event"])
        track = services.create_track(event, name="Finance", colour="#1f6feb")
        room_b = services.create_room(event, name="Hall B")
        add_session(event, "Credit guarantees", room=room_b, track=track, people=["Pedro Alves"])
        add_session(event, "Lunch", start="13:00", end="14:00", kind=SessionKind.BREAK)
        add_session(event, "Day two plenary", day=1, kind=SessionKind.PLENARY)
        db.session.commit()
        track_id = track.id
    publish(app, setup["event"])
    page = client.get("/events/cdc/programme").get_data(as_text=True)
    assert "Asia/Kolkata (IST, UTC+05:30)" in page
    assert "Credit guarantees" in page and "Lunch" in page and "Day two plenary" not in page
    assert (
        'class="prog-grid"' in page and "grid-column: 2 / span 2" in page
    )  # the break spans both rooms
    assert "Day two plenary" in client.get("/events/cdc/programme?day=2027-02-21").get_data(
        as_text=True
    )
    filtered = client.get(f"/events/cdc/programme?track={track_id}").get_data(as_text=True)
    assert "Credit guarantees" in filtered and ">Lunch<" not in filtered
    found = client.get("/events/cdc/programme?q=pedro").get_data(as_text=True)
    assert "Credit guarantees" in found and f'/sessions/{setup["session"]}">Talk' not in found
    assert (
        client.get("/events/cdc/programme?day=garbage&track=x&kind=nope&room=-1").status_code == 200
    )
    detail = client.get(f"/events/cdc/sessions/{setup['session']}").get_data(as_text=True)
    assert "Ana Example" in detail and "<strong>bold</strong>" in detail and "Hall A" in detail


def test_star_toggle_and_my_agenda_with_calendar_link(client, app, setup):
    publish(app, setup["event"])
    sign_in(client, setup["delegate"])
    assert client.post(f"/events/cdc/sessions/{setup['session']}/star").status_code == 302
    page = client.get("/events/cdc/my-agenda").get_data(as_text=True)
    assert "Talk" in page and "Get my calendar link" in page
    client.post("/events/cdc/my-agenda/calendar")
    page = client.get("/events/cdc/my-agenda").get_data(as_text=True)
    with app.app_context():
        from confapp.registration.models import Registration

        token = db.session.get(Registration, setup["registration"]).calendar_token
    assert f"webcal://localhost/events/cdc/calendar/{token}.ics" in page
    anonymous = app.test_client()
    feed = anonymous.get(f"/events/cdc/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.headers["Cache-Control"].startswith("private")
    assert [str(e["summary"]) for e in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")] == [
        "Talk"
    ]
    assert anonymous.get("/events/cdc/calendar/" + "A" * 43 + ".ics").status_code == 404
    client.post("/events/cdc/my-agenda/calendar")  # reset
    assert anonymous.get(f"/events/cdc/calendar/{token}.ics").status_code == 404
    client.post(f"/events/cdc/sessions/{setup['session']}/star")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionStar.id))) == 0


def test_workshop_signup_and_cancel_over_http(client, app, setup, outbox):
    with app.app_context():
        from confapp.events.models import Event

        event = db.session.get(Event, setup["event"])
        workshop = add_session(
            event, "Workshop", start="14:00", end="15:00", seats=1, kind=SessionKind.WORKSHOP
        )
        _, other = make_delegate(event, "second@example.org")
        db.session.commit()
        services.signup(event, workshop, other, now=utcnow())
        db.session.commit()
        workshop_id = workshop.id
    publish(app, setup["event"])
    sign_in(client, setup["delegate"])
    client.post(f"/events/cdc/sessions/{workshop_id}/signup")
    page = client.get(f"/events/cdc/sessions/{workshop_id}").get_data(as_text=True)
    assert "Waiting list: number 1" in page
    second = app.test_client()
    with app.app_context():
        from confapp.accounts.models import User

        second_id = db.session.scalar(
            sa.select(User).where(User.email == "second@example.org")
        ).get_id()
    sign_in(second, second_id)
    assert second.post(f"/events/cdc/sessions/{workshop_id}/cancel").status_code == 302
    assert "Your seat is confirmed" in client.get(f"/events/cdc/sessions/{workshop_id}").get_data(
        as_text=True
    )
    assert outbox.to("delegate@example.org")[-1]["Subject"] == "A seat is yours: Workshop"
    again = client.post(f"/events/cdc/sessions/{workshop_id}/signup", follow_redirects=True)
    assert "already signed up" in again.get_data(as_text=True)


# --- feeds --------------------------------------------------------------------------------------


def test_programme_feed_etag_and_last_modified_give_304(client, app, setup):
    publish(app, setup["event"])
    first = client.get("/events/cdc/programme.ics")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (
        client.get("/events/cdc/programme.ics", headers={"If-None-Match": etag}).status_code == 304
    )
    assert (
        client.get("/events/cdc/programme.ics", headers={"If-Modified-Since": modified}).status_code
        == 304
    )
    single = client.get(f"/events/cdc/sessions/{setup['session']}.ics")
    assert single.status_code == 200
    assert (
        client.get(
            f"/events/cdc/sessions/{setup['session']}.ics",
            headers={"If-None-Match": single.headers["ETag"]},
        ).status_code
        == 304
    )
    with app.app_context():
        from confapp.events.models import Event

        event = db.session.get(Event, setup["event"])
        time.sleep(1.1)  # Last-Modified has one-second resolution
        services.cancel_session(
            event, db.session.get(ProgrammeSession, setup["session"]), now=utcnow()
        )
        db.session.commit()
    changed = client.get("/events/cdc/programme.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"STATUS:CANCELLED" in changed.data and b"SEQUENCE:1" in changed.data
    assert (
        client.get("/events/cdc/programme.ics", headers={"If-Modified-Since": modified}).status_code
        == 200
    )


def test_api_lists_the_published_programme(client, app, setup):
    publish(app, setup["event"])
    body = client.get("/api/v1/events/cdc/sessions").get_json()
    assert body["timezone"] == "Asia/Kolkata" and body["event"] == "cdc"
    (session,) = body["sessions"]
    assert session["title"] == "Talk" and session["starts_at"] == "2027-02-20T04:30:00Z"
    assert session["starts_local"] == "2027-02-20T10:00:00+05:30"
    assert session["room"]["name"] == "Hall A" and session["people"][0]["name"] == "Ana Example"
    assert session["url"].endswith(f"/events/cdc/sessions/{setup['session']}")
    assert session["ics_url"].endswith(f"/events/cdc/sessions/{setup['session']}.ics")
    assert client.get("/api/v1/events/nope/sessions").status_code == 404


# --- query count --------------------------------------------------------------------------------


def _programme_queries(app, client, sessions: int) -> int:
    with app.app_context():
        event = make_event(
            f"q{sessions}", starts_on=dt.date(2027, 2, 20), ends_on=dt.date(2027, 2, 22)
        )
        rooms = [services.create_room(event, name=f"Room {i}") for i in range(10)]
        tracks = [services.create_track(event, name=f"Track {i}") for i in range(3)]
        for n in range(sessions):
            day, slot = divmod(n // 10, 14)
            start = dt.time(8 + slot // 2, 30 * (slot % 2))
            starts = local_time(event, day % 3, start.strftime("%H:%M"))
            db.session.add(
                ProgrammeSession(
                    event_id=event.id,
                    title=f"Session {n}",
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=30),
                    room_id=rooms[n % 10].id,
                    track_id=tracks[n % 3].id,
                    pool=CapacityPool(capacity=20, taken=0) if n % 7 == 0 else None,
                )
            )
        db.session.flush()
        for s in db.session.scalars(
            sa.select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
        ):
            s.people.append(services_person(f"Speaker {s.id}"))
        services.publish_programme(event, utcnow())
        db.session.commit()
        slug = event.slug
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/events/{slug}/programme")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def services_person(name):
    from confapp.agenda.models import SessionPerson

    return SessionPerson(name=name, role=PersonRole.SPEAKER)


def test_programme_page_query_count_is_constant(app, client):
    small = _programme_queries(app, client, 40)
    large = _programme_queries(app, client, 400)
    assert small == large
    assert large <= 6


# --- race ---------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_race_for_the_last_workshop_seats_never_overbooks(app):
    seats, contenders = 3, 12
    with app.app_context():
        event = make_event()
        workshop = add_session(event, "Hot workshop", seats=seats, kind=SessionKind.WORKSHOP)
        services.publish_programme(event, utcnow())
        users = [
            make_delegate(event, f"racer{i}@example.org")[0].get_id() for i in range(contenders)
        ]
        db.session.commit()
        workshop_id = workshop.id
        pool_id = workshop.capacity_pool_id
    barrier = threading.Barrier(contenders)
    codes: list[int] = []

    def run(user):
        with app.app_context():
            client = app.test_client()
            sign_in(client, user)
            barrier.wait()
            codes.append(client.post(f"/events/cdc/sessions/{workshop_id}/signup").status_code)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302] * contenders
    with app.app_context():
        confirmed = db.session.scalar(
            sa.select(sa.func.count(SessionSignup.id)).where(
                SessionSignup.session_id == workshop_id,
                SessionSignup.status == SeatStatus.CONFIRMED,
            )
        )
        waiting = db.session.scalar(
            sa.select(sa.func.count(SessionSignup.id)).where(
                SessionSignup.session_id == workshop_id,
                SessionSignup.status == SeatStatus.WAITLISTED,
            )
        )
        assert (confirmed, waiting) == (seats, contenders - seats)
        assert db.session.get(CapacityPool, pool_id).taken == seats


def test_openapi_document_describes_the_sessions_endpoint(app):
    from confapp.api import openapi

    document = openapi.document()
    operation = document["paths"]["/events/{slug}/sessions"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Programme"
    )
    assert "ProgrammeSession" in document["components"]["schemas"]


def test_demo_programme_seeds_and_every_page_renders(client, app):
    from confapp.agenda.demo import seed_programme

    with app.app_context():
        event = make_event()
        organiser = make_staff(event, "org@example.org").get_id()
        sessions = seed_programme(event)
        db.session.commit()
        assert len(sessions) > 30 and event.programme_published_at is not None
        assert len({s.room_id for s in sessions if s.room_id}) >= 6
        assert len({s.track_id for s in sessions if s.track_id}) == 6
        assert len({s.starts_at.astimezone(event.tz).date() for s in sessions}) == 3
        assert (
            sum(1 for s in sessions if s.kind is SessionKind.WORKSHOP and s.capacity_pool_id) == 3
        )
        report = services.health(event)
        assert report["person_clashes"]  # the demo shows a clash on the health page
        first = sessions[1].id
    sign_in(client, organiser)
    for path in [
        "/events/cdc/programme",
        "/events/cdc/programme?day=2027-02-21",
        f"/events/cdc/sessions/{first}",
        "/events/cdc/programme/changes",
        "/events/cdc/manage/programme",
        "/events/cdc/manage/programme/health",
        f"/events/cdc/manage/programme/sessions/{first}",
        "/events/cdc/programme.ics",
    ]:
        assert client.get(path).status_code == 200, path


def test_a_forged_host_never_reaches_feeds_or_links(client, app, setup):
    """Absolute URLs and UIDs come from BASE_URL, never from the request's Host header."""
    publish(app, setup["event"])
    forged = {"Host": "evil.example"}
    body = client.get("/events/cdc/programme.ics", headers=forged).get_data(as_text=True)
    assert "evil.example" not in body
    assert "@localhost" in body and "http://localhost/events/cdc/sessions/" in body
    api = client.get("/api/v1/events", headers=forged).get_json()
    assert api["events"][0]["url"] == "http://localhost/events/cdc"
