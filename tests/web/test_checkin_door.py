"""One door for check-ins: bearer-token scans go through Flask's dispatch (its hooks and
signals apply), answer with the same refusals and verdicts as ever, and do no cookie work."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import request_finished

from confapp import create_app
from confapp.agenda.models import ProgrammeSession
from confapp.events.models import Event
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_door
from tests.helpers import sign_in

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


def _post(client, body, bearer=None, path=PATH, **kwargs):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return client.post(path, json=body, headers=headers, **kwargs)


def test_a_scan_runs_flasks_hooks_and_signals(database_url, world, tmp_path):
    """The next before_request (an audit log, a rate limit) applies to check-ins too."""
    app = create_app(
        "testing", {"DATABASE_URL": database_url, "MAIL_OUTBOX": str(tmp_path / "outbox")}
    )
    seen, finished = [], []

    @app.before_request
    def note():
        from flask import request

        seen.append(request.endpoint)

    def on_finished(sender, response, **extra):
        finished.append(response.status_code)

    request_finished.connect(on_finished, app)
    try:
        answer = _post(
            app.test_client(), {"token": world["badge"], "scan_id": "hooked"}, world["bearer"]
        )
    finally:
        request_finished.disconnect(on_finished, app)
        with app.app_context():
            db.engine.dispose()
    assert answer.status_code == 200 and answer.get_json()["result"] == "ok"
    assert seen == ["checkin_api.checkin"] and finished == [200]


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
def test_refusals_are_json_with_a_reason(client, world, case):
    body, who, status = ERROR_CASES[case]
    path = "/api/v1/events/nowhere/checkins" if case == "unknown-event" else PATH
    answer = _post(client, body, world.get(who, who), path=path)
    assert answer.status_code == status and answer.is_json
    assert answer.get_json()["message"] and answer.get_json()["error"]
    if status == 401:
        assert answer.headers["WWW-Authenticate"] == 'Bearer realm="confapp"'
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_invalid_json_is_a_400(client, world):
    answer = client.post(
        PATH,
        data=b"{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {world['bearer']}"},
    )
    assert answer.status_code == 400 and "JSON object" in answer.get_json()["message"]


def test_verdicts_repeats_and_resends(client, world):
    first, second = world["sessions"]
    # A minute ago: a live scan (one dated earlier must fall within the event's days).
    moment = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).replace(microsecond=0)
    scan = {"token": world["badge"], "visit_id": None, "scanned_at": moment.isoformat()}
    one = _post(client, {**scan, "session_id": first, "scan_id": "s-1"}, world["bearer"])
    two = _post(client, {**scan, "session_id": second, "scan_id": "s-2"}, world["bearer"])
    assert one.status_code == two.status_code == 200
    answer = one.get_json()
    assert answer["result"] == "ok" and answer["delegate"]["full_name"] == "Ana Example"
    assert answer == {**two.get_json(), "checkpoint": f"session:{first}", "scan_id": "s-1"}
    again = _post(client, {**scan, "session_id": first, "scan_id": "s-3"}, world["bearer"])
    assert again.get_json()["result"] == "already_checked_in" and again.get_json()["conflict"]
    resent = _post(client, {**scan, "session_id": first, "scan_id": "s-1"}, world["bearer"])
    assert resent.get_json()["result"] == "ok" and resent.get_json()["replayed"]


def test_bearer_calls_do_no_cookie_work(client, world):
    """No session cookie is read or written for a bearer call: a signed-in delegate's
    cookie riding along neither authenticates nor changes the answer's headers."""
    sign_in(client, world["staff_id"])
    answer = _post(client, {"token": world["badge"], "scan_id": "c-1"}, world["bearer"])
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" not in answer.headers.get("Vary", "")
    refused = _post(client, {"token": world["badge"], "scan_id": "c-2"}, "not-a-token")
    assert refused.status_code == 401  # the staff cookie came along; the token decides
    # The scanner page's own calls (session, no bearer) still use the cookie.
    page_call = client.post(PATH, json={"token": world["badge"], "scan_id": "c-3"})
    assert page_call.status_code == 200
    assert json.loads(page_call.data)["result"] == "already_checked_in"


def test_a_bearer_calls_language_is_not_a_cookie_users(app, world):
    """A bearer call's texts follow Accept-Language (or ?lang=): no user is looked for
    behind a cookie to choose them, even one Flask-Login could sign in."""
    from flask import session
    from flask_login import login_user

    from confapp.accounts.models import User
    from confapp.i18n import select_locale

    with app.app_context():
        staff = db.session.get(User, world["staff_id"])
        staff.language = "fr"
        db.session.commit()
    headers = {"Authorization": f"Bearer {world['bearer']}", "Accept-Language": "es"}
    with app.test_request_context(PATH, method="POST", headers=headers):
        assert getattr(session, "bearer_call", False)
        login_user(db.session.get(User, world["staff_id"]))  # as a remember-me cookie may
        assert select_locale() == "es"
    with app.test_request_context(PATH, method="POST", headers={"Accept-Language": "es"}):
        login_user(db.session.get(User, world["staff_id"]))
        assert select_locale() == "fr"  # the scanner page's own calls: the account's


def test_flask_refuses_nul_and_oversized_bodies(client, world):
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
