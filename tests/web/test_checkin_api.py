"""The check-in API over HTTP: contract, auth (bearer, session + CSRF), bad input, pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from confapp.extensions import db
from tests.helpers import job_result
from tests.helpers import make_door
from tests.helpers import make_staff
from tests.helpers import sign_in


@pytest.fixture
def setup(app):
    return make_door(app)


def _post(client, bearer, body, slug="cdc"):
    return client.post(
        f"/api/v1/events/{slug}/checkins", json=body, headers={"Authorization": f"Bearer {bearer}"}
    )


def test_checkin_contract(client, setup):
    body = {
        "token": setup["badge"],
        "session_id": None,
        "visit_id": None,
        "scan_id": "abc",
        "scanned_at": None,
    }
    response = _post(client, setup["bearer"], body)
    assert response.status_code == 200
    data = response.get_json()
    assert data["result"] == "ok"
    assert data["delegate"]["full_name"] == "Ana Example"
    assert data["delegate"]["country_name"] == "Kenya"
    assert "email" not in data["delegate"]
    assert data["first_scanned_at"].endswith("Z")
    again = _post(client, setup["bearer"], body).get_json()
    assert again["result"] == "ok" and again["replayed"]
    second = _post(client, setup["bearer"], {**body, "scan_id": "def"}).get_json()
    assert (
        second["result"] == "already_checked_in"
        and second["first_scanned_at"] == data["first_scanned_at"]
    )


def test_session_attendance(client, setup, app):
    from confapp.agenda.models import ProgrammeSession
    from tests.helpers import local_time

    with app.app_context():
        from confapp.events.models import Event

        event = db.session.scalar(db.select(Event).where(Event.slug == "cdc"))
        s = ProgrammeSession(
            event_id=event.id,
            title="Plenary",
            starts_at=local_time(event, 0, "09:00"),
            ends_at=local_time(event, 0, "10:00"),
        )
        db.session.add(s)
        db.session.commit()
        sid = s.id
    assert (
        _post(
            client, setup["bearer"], {"token": setup["badge"], "session_id": sid, "scan_id": "1"}
        ).get_json()["result"]
        == "ok"
    )
    response = client.get(
        f"/api/v1/events/cdc/sessions/{sid}/attendance",
        headers={"Authorization": f"Bearer {setup['bearer']}"},
    )
    assert response.status_code == 200
    assert [a["full_name"] for a in response.get_json()["attendees"]] == ["Ana Example"]
    assert (
        client.get(
            "/api/v1/events/cdc/sessions/999999/attendance",
            headers={"Authorization": f"Bearer {setup['bearer']}"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (None, 400),
        ([1, 2], 400),
        ({"scan_id": "x"}, 422),
        ({"token": "t"}, 422),
        ({"token": 5, "scan_id": "x"}, 422),
        ({"token": "t", "scan_id": "x", "session_id": "one"}, 422),
        ({"token": "t", "scan_id": "x", "session_id": True}, 422),
        ({"token": "t", "scan_id": "x", "session_id": 999999}, 404),
        ({"token": "t", "scan_id": "x", "visit_id": 999999}, 404),
        ({"token": "t", "scan_id": "x", "scanned_at": "soon"}, 422),
        ({"token": "t", "scan_id": "x", "bus_id": 1}, 422),
        ({"token": "t", "scan_id": "x", "visit_id": 1, "bus_id": "A"}, 422),
        ({"token": "t", "scan_id": "x", "visit_id": 1, "bus_id": 0}, 422),
        ({"token": "t", "scan_id": "x" * 100}, 422),
        ({"token": "t", "scan_id": "x", "area": "meetings", "session_id": 1}, 422),
        ({"token": "t", "scan_id": "x", "area": "meetings", "visit_id": 1}, 422),
        ({"token": "t", "scan_id": "x", "area": "bar"}, 422),
        ({"token": "t", "scan_id": "x", "area": 1}, 422),
        ({"token": "t", "scan_id": "x", "area": ["meetings"]}, 422),
    ],
)
def test_bad_input_is_a_clear_4xx(client, setup, body, status):
    if body is None:
        response = client.post(
            "/api/v1/events/cdc/checkins",
            data="not json",
            headers={"Authorization": f"Bearer {setup['bearer']}"},
        )
    else:
        response = _post(client, setup["bearer"], body)
    assert response.status_code == status
    assert response.get_json()["message"]


def test_garbage_token_is_an_answer_not_an_error(client, setup):
    data = _post(client, setup["bearer"], {"token": "x" * 500, "scan_id": "g"}).get_json()
    assert data == {**data, "result": "invalid_token", "delegate": None}


def test_staff_of_one_event_cannot_scan_another(client, setup):
    response = _post(client, setup["other_bearer"], {"token": setup["badge"], "scan_id": "z"})
    assert response.status_code == 403
    assert (
        client.post("/api/v1/events/cdc/checkins", json={"token": "t", "scan_id": "x"}).status_code
        == 401
    )
    assert _post(client, "wrong", {"token": "t", "scan_id": "x"}).status_code == 401


def test_session_auth_needs_csrf(app, setup):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    with app.app_context():
        from confapp.accounts.models import User

        sign_in(client, db.session.get(User, setup["staff_id"]))
    body = {"token": setup["badge"], "scan_id": "s"}
    assert client.post("/api/v1/events/cdc/checkins", json=body).status_code == 400
    page = client.get("/events/cdc/scan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    csrf = html.split('data-csrf="')[1].split('"')[0]
    response = client.post("/api/v1/events/cdc/checkins", json=body, headers={"X-CSRFToken": csrf})
    assert response.status_code == 200 and response.get_json()["result"] == "ok"


def test_search_gives_token_for_manual_checkin(client, setup):
    response = client.get(
        "/api/v1/events/cdc/checkins/search?q=ana",
        headers={"Authorization": f"Bearer {setup['bearer']}"},
    )
    results = response.get_json()["results"]
    assert [r["full_name"] for r in results] == ["Ana Example"]
    assert results[0]["token"] == setup["badge"]
    assert client.get(
        "/api/v1/events/cdc/checkins/search?q=%25",
        headers={"Authorization": f"Bearer {setup['bearer']}"},
    ).get_json() == {"results": []}


def test_openapi_lists_checkin_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/events/{slug}/checkins"]
    assert "get" in paths["/events/{slug}/sessions/{session_id}/attendance"]


def test_scanner_page_and_attendance_pages(app, client, setup):
    _post(client, setup["bearer"], {"token": setup["badge"], "scan_id": "p"})
    with app.app_context():
        from confapp.accounts.models import User
        from confapp.events.models import Event

        event = db.session.scalar(db.select(Event).where(Event.slug == "cdc"))
        organiser = make_staff(event, "org@example.org")
        db.session.commit()
        sign_in(client, db.session.get(User, organiser.id))
    page = client.get("/events/cdc/scan").get_data(as_text=True)
    assert "data-public-key" in page and "<script>" not in page
    assert re.search(r'src="/static/js/scanner\.[0-9a-f]{12}\.js"', page)
    report = client.get("/events/cdc/manage/attendance")
    assert report.status_code == 200 and "Ana Example" in report.get_data(as_text=True)
    csv_body = client.get("/events/cdc/manage/attendance.csv").get_data(as_text=True)
    assert "Ana Example" in csv_body
    detail = client.get("/events/cdc/manage/attendance/detail?checkpoint=entrance")
    assert "Ana Example" in detail.get_data(as_text=True)
    assert client.get("/events/cdc/manage/attendance/detail?checkpoint=bogus").status_code == 404
    bulk = job_result(client, client.post("/events/cdc/manage/certificates"))
    assert bulk.status_code == 200 and bulk.data.startswith(b"%PDF")


def test_signed_badge_naming_an_impossible_id_is_not_registered(client, setup, app):
    """A token whose (validly signed) payload names an id beyond any INTEGER column is a
    clean 'not_registered', not a database error."""
    from confapp.badges import tokens

    with app.app_context():
        from confapp.events.models import Event

        event_id = db.session.scalar(db.select(Event.id).where(Event.slug == "cdc"))
        badge = tokens.issue(app.config["SECRET_KEY"], event_id, 2**32 - 1, 1)
    response = _post(client, setup["bearer"], {"token": badge, "scan_id": "huge-reg"})
    assert response.status_code == 200
    assert response.get_json()["result"] == "not_registered"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_nul_escapes_in_json_are_refused_in_any_encoding(client, setup, encoding):
    body = '{"token": "t\\u0000", "scan_id": "nul-escape"}'.encode(encoding)
    response = client.post(
        "/api/v1/events/cdc/checkins",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {setup['bearer']}"},
    )
    assert response.status_code == 400


@pytest.fixture
def buses(app, setup):
    """Three visits: Ana signed up late for the morning one after its buses were assigned
    (so on Blue, the bus with room); Raj on no visit."""
    from confapp.checkin import services as checkin_services
    from confapp.events.models import Event
    from confapp.registration.models import Registration
    from confapp.visits import services as visits
    from tests.helpers import make_confirmed_registration
    from tests.helpers import make_visit

    when = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with app.app_context():
        event = db.session.scalar(db.select(Event).where(Event.slug == "cdc"))
        ana = db.session.get(Registration, setup["reg_id"])
        morning = make_visit(event, "Brass of Moradabad", buses=(("Red", 1), ("Blue", 1)))
        afternoon = make_visit(event, "Glass of Firozabad", start="13:00", end="18:00")
        raj = make_confirmed_registration(event, "raj@example.org", full_name="Raj Kumar")
        filler = make_confirmed_registration(event, "fill@example.org", full_name="Filler")
        visits.signup(event, morning, filler, now=when)
        visits.assign_buses(morning)
        visits.signup(event, morning, ana, now=when)
        db.session.commit()
        return {
            "morning": morning.id,
            "afternoon": afternoon.id,
            "red": morning.buses[0].id,
            "blue": morning.buses[1].id,
            "raj": checkin_services.badge_token(raj),
            "morning_departs": morning.departs_at,
        }


def test_bus_door_says_which_bus_and_warns_at_the_wrong_one(client, setup, buses):
    scan = {"token": setup["badge"], "visit_id": buses["morning"]}
    right = _post(client, setup["bearer"], {**scan, "scan_id": "b1", "bus_id": buses["blue"]})
    data = right.get_json()
    assert data["result"] == "ok" and data["delegate"]["full_name"] == "Ana Example"
    assert data["bus"] == {"id": buses["blue"], "name": "Blue"} and data["wrong_bus"] is False
    assert data["signed_up_for"] is None
    wrong = _post(client, setup["bearer"], {**scan, "scan_id": "b2", "bus_id": buses["red"]})
    data = wrong.get_json()
    assert data["result"] == "already_checked_in" and data["wrong_bus"] is True
    assert data["bus"]["name"] == "Blue"
    # Without a bus_id (a door for the whole visit) the bus is still named.
    plain = _post(client, setup["bearer"], {**scan, "scan_id": "b3"}).get_json()
    assert plain["bus"]["name"] == "Blue" and plain["wrong_bus"] is False
    # A bus of another visit is refused.
    other = {**scan, "visit_id": buses["afternoon"], "scan_id": "b4", "bus_id": buses["red"]}
    refused = _post(client, setup["bearer"], other)
    assert refused.status_code == 404 and "No bus" in refused.get_json()["message"]
    # The entrance answer keeps its shape: no bus fields.
    door = _post(client, setup["bearer"], {"token": setup["badge"], "scan_id": "e"}).get_json()
    assert "bus" not in door and "signed_up_for" not in door


def test_not_signed_up_names_the_visit_the_person_is_on(client, setup, buses):
    scan = {"token": setup["badge"], "visit_id": buses["afternoon"], "scan_id": "n1"}
    data = _post(client, setup["bearer"], scan).get_json()
    assert data["result"] == "not_signed_up"
    on = data["signed_up_for"]
    assert on["visit_id"] == buses["morning"] and on["title"] == "Brass of Moradabad"
    assert on["bus"] == {"id": buses["blue"], "name": "Blue"}
    assert on["departs_at"] == buses["morning_departs"].isoformat().replace("+00:00", "Z")
    assert data["bus"] is None
    # Someone with no seat on any visit: null.
    nobody = {"token": buses["raj"], "visit_id": buses["afternoon"], "scan_id": "n2"}
    data = _post(client, setup["bearer"], nobody).get_json()
    assert data["result"] == "not_signed_up" and data["signed_up_for"] is None


def test_openapi_describes_the_bus_fields(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "bus_id" in schemas["CheckinRequest"]["properties"]
    result = schemas["CheckinResult"]
    assert result["required"] == ["result", "delegate", "first_scanned_at"]
    assert {"bus", "wrong_bus", "signed_up_for"} <= set(result["properties"])


def test_meetings_area_over_http(app, client, setup):
    body = {"token": setup["badge"], "area": "meetings", "scan_id": "m1"}
    first = _post(client, setup["bearer"], body).get_json()
    assert first["result"] == "ok" and first["checkpoint"] == "area:meetings"
    assert first["delegate"]["full_name"] == "Ana Example"
    assert first["delegate"]["next_meeting"] is None  # no meeting booked
    resent = _post(client, setup["bearer"], body).get_json()
    assert resent["result"] == "ok" and resent["replayed"]
    second = _post(client, setup["bearer"], {**body, "scan_id": "m2"}).get_json()
    assert second["result"] == "ok" and not second["replayed"] and not second["conflict"]
    # The area never checks anyone in at the entrance: the first entrance scan is ok.
    door = _post(client, setup["bearer"], {**body, "area": None, "scan_id": "d1"}).get_json()
    assert door["result"] == "ok" and door["checkpoint"] == "entrance"
    assert "next_meeting" not in door["delegate"]
    refused = _post(client, setup["bearer"], {**body, "session_id": 3, "scan_id": "m3"})
    assert refused.status_code == 422
    assert "area" in refused.get_json()["message"]
    # Staff of another event may not scan at this event's area either.
    assert _post(client, setup["other_bearer"], {**body, "scan_id": "m4"}).status_code == 403
    # The scanner page offers the area; the attendance report counts its scans.
    with app.app_context():
        from confapp.accounts.models import User
        from confapp.events.models import Event

        event = db.session.scalar(db.select(Event).where(Event.slug == "cdc"))
        organiser = make_staff(event, "org@example.org")
        db.session.commit()
        sign_in(client, db.session.get(User, organiser.id))
    scanner = client.get("/events/cdc/scan").get_data(as_text=True)
    assert '<option value="area:meetings">Networking meetings area</option>' in scanner
    report = client.get("/events/cdc/manage/attendance").get_data(as_text=True)
    assert re.search(
        r'id="meetings-area-count">2 scans at the networking meetings area · 1 person<', report
    )


def test_openapi_describes_the_meetings_area(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    area = spec["components"]["schemas"]["CheckinRequest"]["properties"]["area"]
    assert area["anyOf"][0]["enum"] == ["meetings"]
    assert "next_meeting" in spec["components"]["schemas"]["Delegate"]["properties"]
