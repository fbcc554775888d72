"""Agenda routes on the request lifecycle: event-scoped ids, the event log, asking first,
repeat-safe delegate actions, and query strings that never answer 500."""

from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.agenda import services
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStar
from confapp.agenda.models import SessionStatus
from confapp.capacity.models import CapacityPool
from confapp.db import utcnow
from confapp.eventlog.models import EventLogEntry
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


def _session(event, title, *, start="10:00", end="11:00", day=0, **data):
    return services.create_session(
        event,
        services.SessionData(
            title=title,
            kind=data.pop("kind", SessionKind.PARALLEL),
            starts_at=local_time(event, day, start),
            ends_at=local_time(event, day, end),
            **data,
        ),
        now=utcnow(),
    )


@pytest.fixture
def world(app):
    """Two published events with programmes; an organiser and two delegates of the first."""
    with app.app_context():
        event = make_event("cdc")
        other = make_event("other")
        room = services.create_room(event, name="Hall A")
        track = services.create_track(event, name="Finance")
        talk = _session(
            event,
            "Talk",
            room_id=room.id,
            people=[services.PersonData("Ana Example", PersonRole.SPEAKER, "Org", "KE")],
        )
        lunch = _session(event, "Lunch", start="13:00", end="14:00", kind=SessionKind.BREAK)
        workshop = _session(
            event, "Workshop", start="15:00", end="16:00", kind=SessionKind.WORKSHOP, seat_limit=1
        )
        foreign = _session(other, "Elsewhere")
        foreign_room = services.create_room(other, name="Far room")
        foreign_track = services.create_track(other, name="Far track")
        organiser = make_staff(event, "org@example.org")
        delegate, registration = make_delegate(event)
        second, second_reg = make_delegate(event, "second@example.org")
        services.publish_programme(event, utcnow())
        services.publish_programme(other, utcnow())
        db.session.commit()
        return {
            "event": event.id,
            "talk": talk.id,
            "lunch": lunch.id,
            "workshop": workshop.id,
            "foreign": foreign.id,
            "foreign_room": foreign_room.id,
            "foreign_track": foreign_track.id,
            "room": room.id,
            "track": track.id,
            "organiser": organiser.id,
            "delegate": delegate.id,
            "registration": registration.id,
            "second": second.id,
            "second_registration": second_reg.id,
        }


def _entries(app) -> list[EventLogEntry]:
    with app.app_context():
        entries = list(db.session.scalars(sa.select(EventLogEntry).order_by(EventLogEntry.id)))
        for entry in entries:
            db.session.expunge(entry)
        return entries


def _route_views(app):
    return {
        rule.endpoint: app.view_functions[rule.endpoint]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("agenda.", "agenda_api."))
    }


def test_every_agenda_page_runs_through_the_lifecycle(app):
    views = _route_views(app)
    assert views, "no agenda routes"
    missing = [name for name, view in views.items() if not hasattr(view, "lifecycle")]
    assert missing == []
    # Delegates' seat changes are logged; organiser routes log by default.
    assert views["agenda.signup"].lifecycle[1] is True
    assert views["agenda.cancel_signup"].lifecycle[1] is True


def test_another_events_ids_are_not_found(app, client, world):
    sign_in(client, world["organiser"])
    foreign = world["foreign"]
    for path in (
        f"/events/cdc/sessions/{foreign}",
        f"/events/cdc/sessions/{foreign}.ics",
        f"/events/cdc/manage/programme/sessions/{foreign}",
        f"/events/cdc/manage/programme/rooms/{world['foreign_room']}",
        f"/events/cdc/manage/programme/tracks/{world['foreign_track']}",
    ):
        assert client.get(path).status_code == 404, path
    for action in ("cancel", "reinstate", "delete"):
        path = f"/events/cdc/manage/programme/sessions/{foreign}/{action}"
        assert client.post(path, data={"confirmed": "yes"}).status_code == 404, path
    sign_in(client, world["delegate"])
    for action in ("star", "signup", "cancel"):
        assert client.post(f"/events/cdc/sessions/{foreign}/{action}").status_code == 404
    with app.app_context():
        elsewhere = db.session.get(ProgrammeSession, foreign)
        assert elsewhere.status is SessionStatus.SCHEDULED
        assert db.session.scalar(sa.select(sa.func.count(SessionStar.id))) == 0
    assert _entries(app) == []


def test_organiser_actions_are_logged_once(app, client, world):
    sign_in(client, world["organiser"])
    response = client.post(
        f"/events/cdc/manage/programme/rooms/{world['room']}",
        data={"name": "Hall Alpha", "capacity": "80", "location": ""},
    )
    assert response.status_code == 302
    (entry,) = _entries(app)
    assert entry.kind == "agenda.room_edit" and entry.actor_id == world["organiser"]
    changed = {(row["type"], row["id"]): row for row in entry.changes}
    assert changed[("room", world["room"])]["fields"]["name"] == ["Hall A", "Hall Alpha"]


def test_delegate_seat_changes_are_logged_and_stars_are_not(app, client, world):
    sign_in(client, world["delegate"])
    client.post(f"/events/cdc/sessions/{world['talk']}/star", data={"star": "1"})
    assert _entries(app) == []
    client.post(f"/events/cdc/sessions/{world['workshop']}/signup")
    client.post(f"/events/cdc/sessions/{world['workshop']}/cancel")
    kinds = [(e.kind, e.subject_type, e.subject_id) for e in _entries(app)]
    assert kinds == [
        ("agenda.signup", "programme_session", world["workshop"]),
        ("agenda.cancel_signup", "programme_session", world["workshop"]),
    ]


# --- asking first ---------------------------------------------------------------------------


def test_cancelling_a_session_asks_first_naming_who_is_emailed(app, client, world, outbox):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        workshop = db.session.get(ProgrammeSession, world["workshop"])
        registration = db.session.get(Registration, world["second_registration"])
        services.signup(event, workshop, registration, now=utcnow())
        db.session.commit()
    before = len(outbox.messages())
    sign_in(client, world["organiser"])
    path = f"/events/cdc/manage/programme/sessions/{world['workshop']}/cancel"
    asked = client.post(path)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Second" in page and "e-mailed" in page  # who is told
    assert "No seat is given up: the 1 confirmed seat and 0 waiting-list places" in page
    assert "Cancel the session and tell its delegates" in page
    assert 'name="confirmed" value="yes"' in page
    with app.app_context():
        assert db.session.get(ProgrammeSession, world["workshop"]).status is SessionStatus.SCHEDULED
    assert len(outbox.messages()) == before and _entries(app) == []
    assert client.post(path, data={"confirmed": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(ProgrammeSession, world["workshop"]).status is SessionStatus.CANCELLED
    assert [m["Subject"] for m in outbox.to("second@example.org")][-1] == "Cancelled: Workshop"
    (entry,) = _entries(app)
    assert entry.kind == "agenda.session_action" and entry.detail == "cancel"


def test_deleting_a_draft_session_asks_first(app, client):
    with app.app_context():
        event = make_event("draft")
        session = _session(event, "Draft talk")
        organiser = make_staff(event, "org@example.org")
        db.session.commit()
        ids = (session.id, organiser.id)
    sign_in(client, ids[1])
    manage = client.get("/events/draft/manage/programme").get_data(as_text=True)
    assert "Delete session…" in manage and "Cancel session…" in manage  # labels say what
    path = f"/events/draft/manage/programme/sessions/{ids[0]}/delete"
    page = client.post(path).get_data(as_text=True)
    assert "Delete the session" in page and "removed for good" in page
    with app.app_context():
        assert db.session.get(ProgrammeSession, ids[0]) is not None
    assert client.post(path, data={"confirmed": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(ProgrammeSession, ids[0]) is None


# --- delegates on the programme -------------------------------------------------------------


def test_starring_returns_to_the_same_session_and_breaks_have_no_star(app, client, world):
    sign_in(client, world["delegate"])
    response = client.post(
        f"/events/cdc/sessions/{world['talk']}/star",
        data={"star": "1", "next": "/events/cdc/programme?day=2027-02-20#top"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/events/cdc/programme?day=2027-02-20#session-{world['talk']}"
    )
    page = client.get("/events/cdc/programme").get_data(as_text=True)
    assert f'id="session-{world["talk"]}"' in page
    talk_card = page.split(f'id="session-{world["talk"]}"', 1)[1].split("</article>", 1)[0]
    assert "In my agenda" in talk_card
    lunch_card = page.split(f'id="session-{world["lunch"]}"', 1)[1].split("</article>", 1)[0]
    assert "agenda" not in lunch_card.lower()  # a break gets no star button
    # A double click asks for the same state twice: still starred.
    client.post(f"/events/cdc/sessions/{world['talk']}/star", data={"star": "1"})
    refused = client.post(
        f"/events/cdc/sessions/{world['lunch']}/star", data={"star": "1"}, follow_redirects=True
    )
    assert "Breaks are for everyone" in refused.get_data(as_text=True)
    with app.app_context():
        stars = db.session.scalars(sa.select(SessionStar.session_id)).all()
        assert stars == [world["talk"]]


def test_my_agenda_has_an_unstar_button(app, client, world):
    sign_in(client, world["delegate"])
    client.post(f"/events/cdc/sessions/{world['talk']}/star", data={"star": "1"})
    page = client.get("/events/cdc/my-agenda").get_data(as_text=True)
    assert "Remove from my agenda" in page and 'name="star" value="0"' in page
    response = client.post(
        f"/events/cdc/sessions/{world['talk']}/star",
        data={"star": "0", "next": "/events/cdc/my-agenda"},
    )
    assert response.headers["Location"].endswith(f"/events/cdc/my-agenda#session-{world['talk']}")
    assert "Your agenda is empty" in client.get("/events/cdc/my-agenda").get_data(as_text=True)


def test_time_elements_carry_utc_to_the_second(app, client, world):
    """HTML's <time datetime> takes no microseconds; every agenda page writes UTC seconds."""
    sign_in(client, world["organiser"])
    client.post(
        f"/events/cdc/manage/programme/sessions/{world['talk']}/cancel", data={"confirmed": "yes"}
    )
    sign_in(client, world["delegate"])
    client.post(f"/events/cdc/sessions/{world['talk']}/star", data={"star": "1"})
    for path in (
        "/events/cdc/programme",
        f"/events/cdc/sessions/{world['talk']}",
        "/events/cdc/programme/changes",
        "/events/cdc/my-agenda",
    ):
        found = re.findall(r'<time datetime="([^"]*)"', client.get(path).get_data(as_text=True))
        assert found, path
        for value in found:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value), (path, value)


# --- numbers and dates people did not expect --------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "track=²",
        "track=٣",
        "room=1" + "0" * 24,
        "track=-1&room=1e3",
        "day=٢٠٢٧-٠٢-٢٠",
        "day=0001-01-01",
        "day=9999-12-31",
        "day=2027-02-20%00",
        "day=" + "9" * 30,
        "kind=%00&q=%00",
        "q=" + "x" * 5000,
    ],
)
def test_odd_query_strings_never_answer_500(app, client, world, query):
    # NUL never gets past the request guard (400); everything else is ignored (200).
    expected = 400 if "%00" in query else 200
    assert client.get(f"/events/cdc/programme?{query}").status_code == expected
    sign_in(client, world["delegate"])
    assert client.get(f"/events/cdc/programme?{query}").status_code == expected


@pytest.mark.parametrize(
    "path",
    [
        "/events/cdc/sessions/" + "9" * 25,
        "/events/cdc/sessions/" + "9" * 25 + ".ics",
        "/events/cdc/sessions/²",
        "/events/cdc/calendar/%00.ics",
        "/events/cdc/calendar/" + "é" * 40 + ".ics",
        "/events/cdc/manage/programme/sessions/" + "9" * 25,
        "/events/cdc/manage/programme/rooms/" + "9" * 25,
    ],
)
def test_odd_ids_answer_404(app, client, world, path):
    sign_in(client, world["organiser"])
    assert client.get(path).status_code == 404


# --- repeated actions -------------------------------------------------------------------------

RACERS = 5


def _race(app, user_id: int, path: str, data: dict | None = None) -> list[tuple[int, str]]:
    """Fire the same POST from RACERS clients of one user at once; (status, flash text)."""
    barrier = threading.Barrier(RACERS)
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def go() -> None:
        try:
            with app.app_context():
                client = app.test_client()
                sign_in(client, db.session.get(User, user_id))
                db.session.remove()
                barrier.wait(timeout=30)
                response = client.post(path, data=data or {})
                db.session.remove()
            # A new app context: the first one's `g` still holds the signed-in user.
            with app.app_context():
                shown = client.get(response.headers.get("Location", "/")).get_data(as_text=True)
                db.session.remove()
            with lock:
                answers.append((response.status_code, shown))
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return answers


def _seats(app, session_id: int) -> tuple[dict[SeatStatus, int], int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(SessionSignup.status, sa.func.count())
            .where(SessionSignup.session_id == session_id)
            .group_by(SessionSignup.status)
        ).all()
        pool_id = db.session.get(ProgrammeSession, session_id).capacity_pool_id
        return dict(rows), db.session.get(CapacityPool, pool_id).taken


def _full_workshop_with_a_queue(app, world) -> None:
    """The delegate holds the workshop's one seat; the second delegate waits for it."""
    with app.app_context():
        event = db.session.get(Event, world["event"])
        workshop = db.session.get(ProgrammeSession, world["workshop"])
        for key in ("registration", "second_registration"):
            registration = db.session.get(Registration, world[key])
            services.signup(event, workshop, registration, now=utcnow())
        db.session.commit()


def _workshop_race_gives_one_seat_once(app, world, outbox) -> None:
    _full_workshop_with_a_queue(app, world)
    answers = _race(app, world["delegate"], f"/events/cdc/sessions/{world['workshop']}/cancel")
    assert [code for code, _ in answers] == [302] * RACERS
    given_up = [text for _, text in answers if "You are no longer signed up" in text]
    repeats = [text for _, text in answers if "already given up" in text]
    assert len(given_up) == 1 and len(repeats) == RACERS - 1
    counts, taken = _seats(app, world["workshop"])
    assert counts == {SeatStatus.CANCELLED: 1, SeatStatus.CONFIRMED: 1} and taken == 1
    assert [m["Subject"] for m in outbox.to("second@example.org")].count(
        "A seat is yours: Workshop"
    ) == 1
    assert [e.kind for e in _entries(app)] == ["agenda.cancel_signup"]


def test_a_repeated_workshop_cancel_gives_the_seat_away_once(app, world, outbox):
    _workshop_race_gives_one_seat_once(app, world, outbox)


@pytest.mark.postgres
def test_a_repeated_workshop_cancel_gives_the_seat_away_once_on_postgresql(app, world, outbox):
    _workshop_race_gives_one_seat_once(app, world, outbox)


def _signup_again_race(app, world) -> None:
    _full_workshop_with_a_queue(app, world)
    sign_in(app.test_client(), world["second"]).post(
        f"/events/cdc/sessions/{world['workshop']}/cancel"
    )
    answers = _race(app, world["second"], f"/events/cdc/sessions/{world['workshop']}/signup")
    assert [code for code, _ in answers] == [302] * RACERS
    joined = [text for _, text in answers if "you are on the waiting list" in text]
    assert len(joined) == 1
    counts, taken = _seats(app, world["workshop"])
    assert counts == {SeatStatus.CONFIRMED: 1, SeatStatus.WAITLISTED: 1} and taken == 1


def test_signing_up_again_five_times_at_once_joins_once(app, world):
    _signup_again_race(app, world)


@pytest.mark.postgres
def test_signing_up_again_five_times_at_once_joins_once_on_postgresql(app, world):
    _signup_again_race(app, world)
