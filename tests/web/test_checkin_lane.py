"""The check-in fast lane: it answers bearer-token scans exactly as the Flask view would,
and hands everything else to Flask with the request intact."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.test import run_wsgi_app

from confapp import create_app
from confapp.agenda.models import ProgrammeSession
from confapp.checkin import lane as lane_module
from confapp.checkin.lane import ScanLane
from confapp.events.models import Event
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_door

PATH = "/api/v1/events/cdc/checkins"


@pytest.fixture
def world(app):
    door = make_door(app)
    with app.app_context():
        event = db.session.get(Event, door["event_id"])
        sessions = [
            ProgrammeSession(
                event_id=event.id,
                title=f"Talk {n}",
                starts_at=local_time(event, 0, "09:00"),
                ends_at=local_time(event, 0, "10:00"),
            )
            for n in range(2)
        ]
        db.session.add_all(sessions)
        db.session.commit()
        return {**door, "sessions": [s.id for s in sessions]}


def _call(
    wsgi,
    *,
    body: bytes | None = None,
    json_body=None,
    bearer: str | None = None,
    path: str = PATH,
    method: str = "POST",
    content_type: str = "application/json",
    query: str = "",
    headers=None,
):
    """Run one request through a WSGI callable: (status code, headers, body bytes, status line)."""
    if json_body is not None:
        body = json.dumps(json_body).encode()
    all_headers = dict(headers or {})
    if bearer is not None:
        all_headers["Authorization"] = f"Bearer {bearer}"
    environ = EnvironBuilder(
        path=path,
        method=method,
        data=body,
        content_type=content_type,
        query_string=query,
        headers=all_headers,
    ).get_environ()
    app_iter, status, response_headers = run_wsgi_app(wsgi, environ, buffered=True)
    return int(status.split()[0]), response_headers, b"".join(app_iter), status


def _refuse(environ, start_response):
    raise AssertionError("the lane handed on a request it should have answered")


def _lane_only(app) -> ScanLane:
    """The app's lane with Flask behind it replaced by a tripwire."""
    lane = app.wsgi_app
    assert isinstance(lane, ScanLane)
    return ScanLane(app, _refuse)


def _flask(app):
    return app.wsgi_app.wsgi_app  # Flask's own request handling behind the lane


def _headers(headers) -> list:
    # Flask-Login reads the session after every request, so Flask adds "Vary: Cookie";
    # a bearer-token answer does not depend on cookies (nor is a POST answer cached).
    return sorted((name, value) for name, value in headers.items() if name != "Vary")


def test_lane_is_installed_and_can_be_switched_off(app, database_url):
    assert isinstance(app.wsgi_app, ScanLane)
    plain = create_app("testing", {"DATABASE_URL": database_url, "CHECKIN_FAST_LANE": False})
    assert not isinstance(plain.wsgi_app, ScanLane)


ERROR_CASES = {
    "unknown-token": ({"token": "t", "scan_id": "x"}, "nobody", 401),
    "unknown-event": ({"token": "t", "scan_id": "x"}, "bearer", 404),
    "other-events-staff": ({"token": "t", "scan_id": "x"}, "other_bearer", 403),
    "not-an-object": ([1, 2], "bearer", 400),
    "missing-scan-id": ({"token": "t"}, "bearer", 422),
    "both-ids": ({"token": "t", "scan_id": "x", "session_id": 1, "visit_id": 1}, "bearer", 422),
    "unknown-session": ({"token": "t", "scan_id": "x", "session_id": 999999}, "bearer", 404),
    "bad-time": ({"token": "t", "scan_id": "x", "scanned_at": "soon"}, "bearer", 422),
    "long-scan-id": ({"token": "t", "scan_id": "x" * 100}, "bearer", 422),
}


@pytest.mark.parametrize("case", ERROR_CASES, ids=list(ERROR_CASES))
def test_refusals_are_the_same_byte_for_byte(app, world, case):
    body, who, status = ERROR_CASES[case]
    bearer = world.get(who, who)
    path = "/api/v1/events/nowhere/checkins" if case == "unknown-event" else PATH
    via_lane = _call(_lane_only(app), json_body=body, bearer=bearer, path=path)
    via_flask = _call(_flask(app), json_body=body, bearer=bearer, path=path)
    assert via_lane[0] == via_flask[0] == status
    assert via_lane[3] == via_flask[3]  # the whole status line, reason phrase too
    assert via_lane[2] == via_flask[2] and json.loads(via_lane[2])["message"]
    assert _headers(via_lane[1]) == _headers(via_flask[1])


def test_invalid_json_is_the_same_400(app, world):
    via_lane = _call(_lane_only(app), body=b"{not json", bearer=world["bearer"])
    via_flask = _call(_flask(app), body=b"{not json", bearer=world["bearer"])
    assert via_lane[0] == via_flask[0] == 400
    assert via_lane[2] == via_flask[2]


def test_verdicts_are_the_same_through_both_doors(app, world):
    """The same delegate at two sessions, one scan through each door: identical answers
    but for the checkpoint and the scan id, and the same headers."""
    first, second = world["sessions"]
    # One scan time for both (a minute ago: a live scan, whatever today is).
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).replace(microsecond=0)
    scan = {"token": world["badge"], "visit_id": None, "scanned_at": at.isoformat()}
    via_lane = _call(
        _lane_only(app),
        json_body={**scan, "session_id": first, "scan_id": "lane-1"},
        bearer=world["bearer"],
    )
    via_flask = _call(
        _flask(app),
        json_body={**scan, "session_id": second, "scan_id": "flsk-1"},
        bearer=world["bearer"],
    )
    assert via_lane[0] == via_flask[0] == 200
    lane_answer, flask_answer = json.loads(via_lane[2]), json.loads(via_flask[2])
    assert lane_answer["result"] == "ok" and lane_answer["delegate"]["full_name"] == "Ana Example"
    assert lane_answer == {**flask_answer, "checkpoint": f"session:{first}", "scan_id": "lane-1"}
    assert _headers(via_lane[1]) == _headers(via_flask[1])
    assert via_lane[1]["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    # Repeats and resends through the lane.
    again = json.loads(
        _call(
            _lane_only(app),
            json_body={**scan, "session_id": first, "scan_id": "lane-2"},
            bearer=world["bearer"],
        )[2]
    )
    assert again["result"] == "already_checked_in" and again["conflict"]
    resent = json.loads(
        _call(
            _lane_only(app),
            json_body={**scan, "session_id": first, "scan_id": "lane-1"},
            bearer=world["bearer"],
        )[2]
    )
    assert resent["result"] == "ok" and resent["replayed"]


class _Recorder:
    """Stands in for Flask behind the lane: notes what reached it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.bodies.append(
            environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
        )
        start_response("204 No Content", [])
        return [b""]


@pytest.mark.parametrize(
    ("case", "request_kwargs"),
    [
        ("no-bearer", {"json_body": {"token": "t", "scan_id": "x"}}),
        (
            "empty-bearer",
            {"json_body": {"token": "t", "scan_id": "x"}, "headers": {"Authorization": "Bearer "}},
        ),
        (
            "basic-auth",
            {
                "json_body": {"token": "t", "scan_id": "x"},
                "headers": {"Authorization": "Basic eDp5"},
            },
        ),
        (
            "query-string",
            {"json_body": {"token": "t", "scan_id": "x"}, "bearer": "b", "query": "a=%00"},
        ),
        ("nul-escape", {"body": b'{"token": "t\\u0000", "scan_id": "x"}', "bearer": "b"}),
        ("utf-16", {"body": '{"token": "t", "scan_id": "x"}'.encode("utf-16"), "bearer": "b"}),
        (
            "not-json",
            {
                "body": b"token=t",
                "bearer": "b",
                "content_type": "application/x-www-form-urlencoded",
            },
        ),
        ("too-big", {"json_body": {"token": "t" * 5000, "scan_id": "x"}, "bearer": "b"}),
        ("get", {"method": "GET", "bearer": "b"}),
        (
            "other-route",
            {
                "json_body": {"token": "t"},
                "bearer": "b",
                "path": "/api/v1/events/cdc/checkins/search",
            },
        ),
        (
            "odd-slug",
            {"json_body": {"token": "t"}, "bearer": "b", "path": "/api/v1/events/CDC/checkins"},
        ),
    ],
)
def test_everything_else_goes_to_flask_with_its_body(app, case, request_kwargs):
    recorder = _Recorder()
    status, *_ = _call(ScanLane(app, recorder), **request_kwargs)
    assert status == 204 and len(recorder.bodies) == 1
    sent = request_kwargs.get("body")
    if sent is None and "json_body" in request_kwargs:
        sent = json.dumps(request_kwargs["json_body"]).encode()
    assert recorder.bodies[0] == (sent or b"")


def test_flask_still_refuses_what_the_lane_hands_on(client, world):
    """Through the whole app: NUL is refused by the input guard, a big body by the size limit."""
    auth = {"Authorization": f"Bearer {world['bearer']}"}
    nul = client.post(
        PATH,
        data=b'{"token": "t\\u0000", "scan_id": "x"}',
        content_type="application/json",
        headers=auth,
    )
    assert nul.status_code == 400 and "NUL" in nul.get_json()["message"]
    client.application.config["MAX_CONTENT_LENGTH"] = 1000
    big = client.post(PATH, json={"token": "t" * 5000, "scan_id": "x"}, headers=auth)
    assert big.status_code == 413 and big.is_json


def test_lane_respects_a_small_size_limit(app):
    app.config["MAX_CONTENT_LENGTH"] = 64
    recorder = _Recorder()
    status, *_ = _call(
        ScanLane(app, recorder), json_body={"token": "t" * 100, "scan_id": "x"}, bearer="b"
    )
    assert status == 204 and len(recorder.bodies) == 1


def test_a_failure_in_the_lane_is_handled_by_flask(app, world, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(lane_module, "answer_scan", broken)
    status, _headers, body, _line = _call(
        app.wsgi_app,
        json_body={"token": world["badge"], "scan_id": "after-failure"},
        bearer=world["bearer"],
    )
    # The Flask view (which calls checkin.api.answer_scan itself) answered, body intact.
    assert status == 200 and json.loads(body)["result"] == "ok"
    assert "fast lane failed" in caplog.text
