"""Cookie-authenticated API writes need the page's CSRF token; bearer-token writes do not.

A browser sends the session cookie with cross-site requests too, so a state-changing API
call authenticated by that cookie (the scanner page's check-ins) must carry the page's
CSRF token in X-CSRFToken. Scripts authenticate with a bearer token, which a cross-site
page cannot send, so they need none. Every POST/PUT/PATCH/DELETE rule under /api/ is
walked from app.url_map and must be listed in WRITES, so a new write route cannot
escape these checks. (test_api.py checks the auth helpers on a test blueprint;
test_checkin_api.py the scanner's happy path.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from confapp import create_app
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.accounts.services import issue_api_token
from confapp.agenda.models import ProgrammeSession
from confapp.checkin import services as checkin_services
from confapp.db import utcnow
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Write:
    """How to call one state-changing API route and what a successful call writes."""

    url: Callable[[dict], str]
    body: Callable[[dict, int], dict]  # (world, n): valid bodies; n = 0, 1 each write anew
    page: str  # a page of the app that embeds the CSRF token for the signed-in caller
    role: str  # who may call it (a key of the world's users and tokens)
    tables: tuple[str, ...]  # rows a successful call adds
    status: int = 200  # what a successful call answers


WRITES: dict[str, Write] = {
    "checkin_api.checkin": Write(
        url=lambda w: "/api/v1/events/cdc/checkins",
        # A different delegate each time, so every accepted call adds an attendance row.
        body=lambda w, n: {
            "token": w["badges"][n],
            "session_id": w["session_id"],
            "visit_id": None,
            "scan_id": f"csrf-test-{n}",
            "scanned_at": None,
        },
        page="/events/cdc/scan",
        role="staff",
        tables=("scan", "attendance"),
    ),
    "comms_api.create": Write(
        url=lambda w: "/api/v1/events/cdc/announcements",
        # Published on the site only: each accepted call stores one announcement.
        body=lambda w, n: {
            "subject": {"en": f"Bus times {n}"},
            "body_markdown": {"en": "The bus leaves at 07:30 from Gate 2."},
            "publish": True,
            "email": False,
        },
        page="/events/cdc/manage/announcements/new",
        role="organiser",
        tables=("announcement",),
        status=201,
    ),
}


def _api_writes(app) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods & WRITE_METHODS
    )


# Collected from an app of its own: parametrising needs the routes before any fixture runs.
API_WRITES = _api_writes(create_app("testing", {"DATABASE_URL": "sqlite://"}))
parametrize_writes = pytest.mark.parametrize(
    ("endpoint", "method"), API_WRITES, ids=[f"{m} {e}" for e, m in API_WRITES]
)


@pytest.fixture
def world(app):
    """Event cdc with a door staff member, a user without roles and two delegates' badges."""
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        event = make_event("cdc")
        users = {
            "staff": make_staff(event, "door@example.org", EventRoleKind.STAFF),
            "organiser": make_staff(event, "chair@example.org", EventRoleKind.ORGANISER),
            "nobody": make_user("nobody@example.org"),
        }
        regs = [make_confirmed_registration(event, f"d{i}@example.org") for i in range(2)]
        session = ProgrammeSession(
            event_id=event.id,
            title="Plenary",
            starts_at=local_time(event, 0, "09:00"),
            ends_at=local_time(event, 0, "10:00"),
        )
        db.session.add(session)
        db.session.flush()
        tokens = {
            role: issue_api_token(users[role], "test", utcnow()) for role in ("staff", "organiser")
        }
        db.session.commit()
        return {
            "user_ids": {role: user.id for role, user in users.items()},
            "tokens": tokens,
            "badges": [checkin_services.badge_token(r) for r in regs],
            "session_id": session.id,
        }


def _signed_in(app, world, role):
    client = app.test_client()
    with app.app_context():
        sign_in(client, db.session.get(User, world["user_ids"][role]))
    return client


def _page_token(client, page: str) -> str:
    """The CSRF token a page hands its scripts (data-csrf) or forms (csrf_token)."""
    response = client.get(page)
    assert response.status_code == 200, page
    html = response.get_data(as_text=True)
    match = re.search(r'data-csrf="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def _counts(app, tables) -> dict[str, int]:
    with app.app_context():
        return {
            name: db.session.scalar(
                sa.select(sa.func.count()).select_from(db.metadata.tables[name])
            )
            for name in tables
        }


def _all_counts(app) -> dict[str, int]:
    return _counts(app, [t.name for t in db.metadata.sorted_tables])


def _send(client, endpoint, method, world, n, headers=None):
    spec = WRITES[endpoint]
    return client.open(
        spec.url(world), method=method, json=spec.body(world, n), headers=headers or {}
    )


def test_every_api_write_route_is_listed(app):
    assert _api_writes(app) == API_WRITES
    assert API_WRITES, "no state-changing API route found: is the API mounted?"
    assert {endpoint for endpoint, _ in API_WRITES} == set(WRITES), (
        "list new API write routes in WRITES"
    )


def _refused(response) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert body["error"] == "csrf_failed"
    assert "CSRF" in body["message"] and "X-CSRFToken" in body["message"]


def _accepted(app, spec, before, response, calls=1) -> None:
    assert response.status_code == spec.status, response.get_data(as_text=True)
    after = _counts(app, spec.tables)
    assert all(after[t] == before[t] + calls for t in spec.tables), (before, after)


@parametrize_writes
def test_cookie_write_without_a_valid_csrf_token_is_refused(app, world, endpoint, method):
    spec = WRITES[endpoint]
    client = _signed_in(app, world, spec.role)
    own_token = _page_token(client, spec.page)  # the session now holds a CSRF secret
    # A token minted for another session of the same user does not match this one.
    other_token = _page_token(_signed_in(app, world, spec.role), spec.page)
    assert other_token != own_token
    before = _all_counts(app)
    attempts = {
        "missing": {},
        "forged": {"X-CSRFToken": "forged"},
        "another session's": {"X-CSRFToken": other_token},
        "in the wrong header": {"X-Requested-With": own_token},
    }
    for label, headers in attempts.items():
        _refused(_send(client, endpoint, method, world, 0, headers))
        assert _all_counts(app) == before, f"a refused write ({label} token) changed the database"
    # Refusals do not sign the caller out: the right token still works.
    before = _counts(app, spec.tables)
    ok = _send(client, endpoint, method, world, 0, {"X-CSRFToken": own_token})
    _accepted(app, spec, before, ok)


@parametrize_writes
def test_cookie_write_without_a_csrf_session_is_refused(app, world, endpoint, method):
    """A session that never loaded a page has no CSRF secret yet: nothing to match."""
    spec = WRITES[endpoint]
    client = _signed_in(app, world, spec.role)
    before = _all_counts(app)
    _refused(_send(client, endpoint, method, world, 0))
    assert _all_counts(app) == before


@parametrize_writes
def test_cookie_write_with_the_page_token_succeeds(app, world, endpoint, method):
    spec = WRITES[endpoint]
    client = _signed_in(app, world, spec.role)
    token = _page_token(client, spec.page)  # as static/js/scanner.js reads data-csrf
    before = _counts(app, spec.tables)
    responses = [
        _send(client, endpoint, method, world, n, {"X-CSRFToken": token}) for n in range(2)
    ]
    _accepted(app, spec, before, responses[-1], calls=2)
    assert responses[0].status_code == spec.status


@parametrize_writes
def test_bearer_write_needs_no_csrf_token(app, world, endpoint, method):
    spec = WRITES[endpoint]
    bearer = {"Authorization": f"Bearer {world['tokens'][spec.role]}"}
    before = _counts(app, spec.tables)
    _accepted(app, spec, before, _send(app.test_client(), endpoint, method, world, 0, bearer))
    # A session cookie riding along does not bring the CSRF check back: the token decides.
    client = _signed_in(app, world, "nobody")
    _page_token(client, "/account")
    before = _counts(app, spec.tables)
    _accepted(app, spec, before, _send(client, endpoint, method, world, 1, bearer))


@parametrize_writes
def test_bad_bearer_is_not_rescued_by_a_session_cookie(app, world, endpoint, method):
    """A wrong token is refused even with a signed-in staff cookie (and its CSRF token) along."""
    spec = WRITES[endpoint]
    client = _signed_in(app, world, spec.role)
    csrf = _page_token(client, spec.page)
    before = _all_counts(app)
    response = _send(
        client, endpoint, method, world, 0, {"Authorization": "Bearer wrong", "X-CSRFToken": csrf}
    )
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    assert _all_counts(app) == before
