"""Property-based tests of /api/v1 with schemathesis, driven by the app's own OpenAPI document.

Every operation in /api/v1/openapi.json gets generated requests (valid and invalid input)
against a realistic event, as an organiser, a door staff member, a caller with a wrong
token and an anonymous caller. Every answer must not be a server error and must match
the document: a documented status code, the documented content type and body schema.
Bounded and derandomised (40 examples per operation) so CI is fast and repeatable; the
problems it found are pinned as plain examples at the end.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from confapp import create_app
from confapp.accounts.models import EventRoleKind
from confapp.accounts.services import issue_api_token
from confapp.agenda import services as agenda_services
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import Track
from confapp.agenda.services import PersonData
from confapp.agenda.services import SessionData
from confapp.checkin import door as checkin_door
from confapp.checkin import services as checkin_services
from confapp.db import utcnow
from confapp.extensions import db
from confapp.meetings import services as meeting_services
from confapp.visits import services as visit_services
from tests.conftest import _empty_all_tables
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_visit

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CALLERS = ("organiser", "staff", "other_organiser", "anonymous", "bad_token")

# The document is static (features register their operations at import), so it is read
# once, from the app itself, at collection; each test then calls the app bound to the
# test database. Operations are parametrised here with plain hypothesis rather than
# schemathesis' pytest plugin (@schema.parametrize, from_fixture), which on pytest 9.2
# gives every item the same node id or fails on a removed pytest internal.
SCHEMA = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app("testing", {"DATABASE_URL": "sqlite://"})
)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def api_app(_schema, database_url, tmp_path_factory):
    """One app and one seeded world for all operations: seeding per test would dominate."""
    app = create_app(
        "testing",
        {
            "DATABASE_URL": database_url,
            "MAIL_OUTBOX": str(tmp_path_factory.mktemp("outbox")),
            "SERVER_NAME": None,
        },
    )
    app.world = _seed(app)
    yield app
    with app.app_context():
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _seed(app) -> dict:
    """A published event with a programme, visits, registrations, meetings and scans."""
    now = dt.datetime.now(dt.UTC)
    with app.test_request_context():
        event = make_event("cdc", capacity=50)
        other = make_event("other")
        make_event("draft", publish=False)
        organiser = make_staff(event, "org@example.org")
        staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
        other_organiser = make_staff(other, "org-b@example.org")
        regs = [
            make_confirmed_registration(
                event,
                f"{name.lower()}@example.org",
                full_name=f"{name} Example",
                country=country,
                directory_opt_in=True,
            )
            for name, country in (("Ana", "KE"), ("Raj", "IN"), ("Ben", "GH"), ("Lin", "VN"))
        ]
        outsider = make_confirmed_registration(other, "zoe@example.org", full_name="Zoe Other")
        room = Room(event_id=event.id, name="Hall A", capacity=100)
        track = Track(event_id=event.id, name="Innovation", colour="#225588")
        db.session.add_all([room, track])
        db.session.flush()
        plenary = agenda_services.create_session(
            event,
            SessionData(
                title="Opening plenary",
                kind=SessionKind.PLENARY,
                starts_at=local_time(event, 0, "09:00"),
                ends_at=local_time(event, 0, "10:00"),
                room_id=room.id,
                track_id=track.id,
                description="**Welcome**",
                people=[PersonData(name="Dr Meera Rao", organisation="UNIDO", country="IN")],
            ),
            now=now,
        )
        workshop = agenda_services.create_session(
            event,
            SessionData(
                title="Workshop on cluster finance",
                kind=SessionKind.WORKSHOP,
                starts_at=local_time(event, 0, "10:30"),
                ends_at=local_time(event, 0, "12:00"),
                room_id=room.id,
                seat_limit=2,
            ),
            now=now,
        )
        agenda_services.signup(event, workshop, regs[0], now=now)
        agenda_services.publish_programme(event, now)
        visit = make_visit(event, buses=(("Bus 1", 2),), requires_id_number=True)
        for reg in regs[:3]:  # two seats and one on the waiting list
            visit_services.signup(event, visit, reg, now=now, id_number="P123")
        start = local_time(event, 1, "15:30")
        meeting_services.generate_slots(event, start, start + dt.timedelta(minutes=60), 20)
        meeting_services.add_tables(event, 2)
        request = meeting_services.send_request(event, regs[0], regs[1], "Finance?", now)
        meeting_services.accept_request(event, request, regs[1], now)
        meeting_services.send_request(event, regs[2], regs[3], "", now)  # still pending
        checkin_door.check_in(
            event,
            token=checkin_services.badge_token(regs[0]),
            checkpoint=checkin_services.resolve_checkpoint(event, plenary.id, None),
            scan_id="seed-1",
            scanned_at=now,
            actor=staff,
            now=now,
        )
        tokens = {
            "organiser": issue_api_token(organiser, "laptop", utcnow()),
            "staff": issue_api_token(staff, "door", utcnow()),
            "other_organiser": issue_api_token(other_organiser, "other", utcnow()),
        }
        db.session.commit()
        return {
            "tokens": tokens,
            "slugs": ["cdc", "other", "draft"],
            "session_id": [plenary.id, workshop.id],
            "visit_id": [visit.id],
            "reg_id": [r.id for r in regs] + [outsider.id],
            "badges": [checkin_services.badge_token(r) for r in regs + [outsider]],
        }


def _realistic(case, data, world) -> None:
    """Mostly swap generated path values for real ones, so the 200 answers are exercised too."""
    params = case.path_parameters or {}
    if "slug" in params:
        # The seeded event first and most often, then another event, an unpublished one
        # and the generated value.
        slug = data.draw(st.sampled_from(["cdc", "cdc", "other", "draft", None]), label="slug")
        params["slug"] = slug or params["slug"]
    for name in ("session_id", "visit_id", "reg_id"):
        if name in params:
            value = data.draw(st.sampled_from([*world[name], None]), label=name)
            params[name] = value or params[name]
    if (
        case.method.upper() == "POST"
        and isinstance(case.body, dict)
        and data.draw(st.booleans(), label="real badge")
    ):
        case.body["token"] = data.draw(st.sampled_from(world["badges"]), label="badge")
        case.body["scan_id"] = data.draw(st.text(min_size=1, max_size=64), label="scan_id")
        where = data.draw(
            st.sampled_from(["entrance", "session_id", "visit_id"]), label="checkpoint"
        )
        case.body["session_id"] = case.body["visit_id"] = None
        if where != "entrance":
            case.body[where] = data.draw(st.sampled_from(world[where]), label=where)


def test_every_operation_is_exercised():
    """The document lists every /api/v1 rule of the app, so all are fuzzed.

    (Schemathesis skips the document's own path: test_api.py checks the document.)
    """
    app = SCHEMA.app
    documented = {(op.method.upper(), op.path) for op in OPERATIONS}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_document":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            served |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_api_conforms_to_its_openapi_document(api_app, operation):
    world = api_app.world
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=strategy, data=st.data())
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case, data):
        _realistic(case, data, world)
        caller = data.draw(st.sampled_from(CALLERS), label="caller")
        headers = {}
        if caller == "bad_token":
            headers["Authorization"] = "Bearer not-a-real-token"
        elif caller != "anonymous":
            headers["Authorization"] = f"Bearer {world['tokens'][caller]}"
        case.call_and_validate(headers=headers, checks=CHECKS, app=api_app)

    run()


# --- What the fuzzing found, pinned as plain examples ---------------------------------


def test_ids_beyond_the_database_range_are_not_found(api_app):
    """Every <int:...> in every URL stops at the largest id a row can have (a 500 before)."""
    client = api_app.test_client()
    rules = [r for r in api_app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) >= 20
    for rule in rules:
        # The first id past PostgreSQL's INTEGER; other parts get a plausible value.
        path = re.sub(r"<[^>]+>", "cdc", re.sub(r"<int:\w+>", str(2**31), rule.rule))
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code == 404, (rule.rule, response.status_code)
        largest = client.open(path.replace(str(2**31), str(2**31 - 1)), method=method)
        assert largest.status_code < 500, (rule.rule, largest.status_code)


@pytest.mark.parametrize("field", ["session_id", "visit_id"])
def test_checkin_ids_beyond_the_database_range_are_a_clear_4xx(api_app, field):
    world = api_app.world
    body = {"token": world["badges"][0], "scan_id": f"huge-{field}", field: 2**63}
    response = api_app.test_client().post(
        "/api/v1/events/cdc/checkins",
        json=body,
        headers={"Authorization": f"Bearer {world['tokens']['staff']}"},
    )
    assert response.status_code in (404, 422) and response.get_json()["message"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/api/v1/events/cdc/checkins", {"json": {"token": "t", "scan_id": "a\x00b"}}, 400),
        (
            "POST",
            "/api/v1/events/cdc/checkins",
            {"json": {"token": "t\x00", "scan_id": "nul"}},
            400,
        ),
        ("GET", "/api/v1/events/cdc/checkins/search", {"query_string": {"q": "an\x00a"}}, 400),
        ("GET", "/api/v1/events/c%00dc/visits", {}, 404),
        ("GET", "/api/v1/events/cdc/sessions", {"query_string": {"x\x00": "1"}}, 400),
        # Pages too: PostgreSQL refuses NUL in any text it stores or compares.
        ("POST", "/login", {"data": {"email": "a\x00@example.org", "password": "x"}}, 400),
        ("GET", "/events/c%00dc", {}, 404),
    ],
    ids=["scan_id", "token", "search", "slug", "query-name", "form", "page-path"],
)
def test_nul_characters_are_refused_before_the_database(api_app, method, path, kwargs, status):
    headers = {"Authorization": f"Bearer {api_app.world['tokens']['staff']}"}
    response = api_app.test_client().open(path, method=method, headers=headers, **kwargs)
    assert response.status_code == status
    if path.startswith("/api/"):
        assert response.get_json()["message"]
