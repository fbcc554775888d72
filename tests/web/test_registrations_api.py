"""GET /api/v1/events/<slug>/registrations: contract, auth, filters, pagination, query count."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.accounts.services import issue_api_token
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.events.models import RegistrationCategory
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visa.models import VisaRequest
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff

URL = "/api/v1/events/cdc/registrations"
FIELDS = {
    "id",
    "full_name",
    "name_latin",
    "organisation",
    "organisation_type",
    "job_title",
    "country",
    "country_name",
    "sector",
    "category",
    "status",
    "created_at",
    "status_changed_at",
    "updated_at",
    "needs_visa_letter",
    "badge_serial",
    "qr_url",
}


def _add(event: Event, name: str, *, status=RegistrationStatus.CONFIRMED, **fields) -> Registration:
    """A registration row with a password-less user (hashing 100 passwords would be slow)."""
    email = fields.pop("email", f"{name.lower().replace(' ', '.')}@example.org")
    user = User(email=email, full_name=name)
    reg = Registration(
        event=event,
        user=user,
        status=status,
        full_name=name,
        email=email,
        country=fields.pop("country", "KE"),
        **fields,
    )
    db.session.add(reg)
    return reg


@pytest.fixture
def setup(app):
    with app.app_context():
        event = make_event("cdc")
        other = make_event("other")
        organiser = make_staff(event, "org@example.org")
        staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
        other_organiser = make_staff(other, "org-b@example.org")
        ana = make_confirmed_registration(
            event,
            "ana@example.org",
            full_name="Ana Example",
            organisation="Kenya Leather Cluster",
            job_title="Director",
            needs_visa_letter=True,
        )
        db.session.add(
            VisaRequest(
                registration=ana,
                passport_name="ANA EXAMPLE",
                passport_number="P7654321",
                nationality="KE",
                date_of_birth=dt.date(1980, 1, 1),
            )
        )
        make_confirmed_registration(other, "zoe@example.org", full_name="Zoe Other")
        tokens = {
            "organiser": issue_api_token(organiser, "laptop", utcnow()),
            "staff": issue_api_token(staff, "door", utcnow()),
            "other_organiser": issue_api_token(other_organiser, "other", utcnow()),
        }
        db.session.commit()
        return {"tokens": tokens, "ana_id": ana.id}


def _get(client, token, url=URL, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, query_string=params, headers=headers)


def test_organiser_lists_registrations_and_fetches_the_qr_png(client, setup):
    token = setup["tokens"]["organiser"]
    response = _get(client, token)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["total"], data["page"], data["per_page"]) == (1, 1, 100)
    [item] = data["items"]
    assert set(item) == FIELDS
    assert item["id"] == setup["ana_id"]
    assert item["full_name"] == "Ana Example"
    assert item["status"] == "confirmed" and item["category"] == "delegate"
    assert item["country_name"] == "Kenya" and item["needs_visa_letter"] is True
    assert item["created_at"].endswith("Z") and item["status_changed_at"].endswith("Z")
    assert item["qr_url"] == f"http://localhost/api/v1/events/cdc/registrations/{item['id']}/qr.png"
    png = client.get(item["qr_url"], headers={"Authorization": f"Bearer {token}"})
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    # The PNG needs the token too.
    assert client.get(item["qr_url"]).status_code == 401


def test_no_passport_data_or_secrets(client, setup):
    response = _get(client, setup["tokens"]["organiser"])
    text = response.get_data(as_text=True)
    for secret in (
        "P7654321",
        "ANA EXAMPLE",
        "1980-01-01",
        "ana@example.org",
        "password",
        "passport",
    ):
        assert secret not in text


def test_only_the_events_organisers(client, setup):
    # One test rather than one per caller: the seeded world (password hashes) is the cost.
    for token, status in [
        (setup["tokens"]["staff"], 403),
        (setup["tokens"]["other_organiser"], 403),
        (None, 401),
        ("not-a-token", 401),
    ]:
        response = _get(client, token)
        assert response.status_code == status, token
        assert response.get_json()["message"]
        assert "items" not in response.get_json()


def test_unknown_event_is_404(client, setup):
    response = _get(client, setup["tokens"]["organiser"], "/api/v1/events/nope/registrations")
    assert response.status_code == 404


def test_filters(client, app, setup):
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cdc"))
        old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        _add(
            event,
            "Raj Patel",
            status=RegistrationStatus.WAITLISTED,
            organisation="Pune Auto Cluster",
            updated_at=old,
        )
        _add(
            event,
            "Ben Mensah",
            status=RegistrationStatus.PENDING,
            organisation="100% Cocoa",
            category=RegistrationCategory.SPEAKER,
            updated_at=old,
        )
        _add(
            event,
            "Lin Tran",
            email="lin@vn-cluster.example",
            category=RegistrationCategory.PRESS,
            updated_at=old,
        )
        db.session.commit()
    token = setup["tokens"]["organiser"]

    def names(**params):
        response = _get(client, token, **params)
        assert response.status_code == 200, response.get_json()
        data = response.get_json()
        assert data["total"] == len(data["items"])
        return sorted(item["full_name"] for item in data["items"])

    assert names() == ["Ana Example", "Ben Mensah", "Lin Tran", "Raj Patel"]
    assert names(status="waitlisted") == ["Raj Patel"]
    assert names(status="confirmed") == ["Ana Example", "Lin Tran"]
    assert names(category="speaker") == ["Ben Mensah"]
    assert names(status="confirmed", category="press") == ["Lin Tran"]
    assert names(q="raj") == ["Raj Patel"]  # name, any case
    assert names(q="auto clu") == ["Raj Patel"]  # organisation
    assert names(q="vn-cluster") == ["Lin Tran"]  # e-mail
    assert names(q="100%") == ["Ben Mensah"]  # % is a character, not a wildcard
    assert names(q="0%") == ["Ben Mensah"]
    assert names(q="%") == ["Ben Mensah"]
    assert names(q="nobody") == []
    assert names(updated_since="2026-06-01T00:00:00Z") == ["Ana Example"]
    assert names(updated_since="2025-12-31T23:00:00") == [
        "Ana Example",
        "Ben Mensah",
        "Lin Tran",
        "Raj Patel",
    ]
    # 2026-01-01T03:00+05:30 is 21:30 UTC the day before, so the older rows count too.
    assert len(names(updated_since="2026-01-01T03:00:00+05:30")) == 4
    assert len(names(updated_since="2026-01-01T06:00:00+05:30")) == 1


def test_bad_filters_are_422_with_a_reason(client, setup):
    for params, word in [
        ({"status": "approved"}, "status"),
        ({"category": "vip"}, "category"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+01:00"}, "updated_since"),  # before year 1 in UTC
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "501"}, "per_page"),
        ({"per_page": "-1"}, "per_page"),
    ]:
        response = _get(client, setup["tokens"]["organiser"], **params)
        assert response.status_code == 422, params
        body = response.get_json()
        assert body["error"] == "invalid" and word in body["message"], params


def test_pagination(client, app, setup):
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cdc"))
        for n in range(4):
            _add(event, f"Person {n}")
        db.session.commit()
    token = setup["tokens"]["organiser"]
    pages = [_get(client, token, per_page=2, page=p).get_json() for p in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5] * 4
    assert [p["page"] for p in pages] == [1, 2, 3, 4] and all(p["per_page"] == 2 for p in pages)
    ids = [[item["id"] for item in p["items"]] for p in pages]
    assert [len(i) for i in ids] == [2, 2, 1, 0]
    flat = [i for page in ids for i in page]
    assert flat == sorted(flat) and len(set(flat)) == 5
    assert _get(client, token, per_page=500).get_json()["per_page"] == 500


def test_constant_number_of_queries_per_page(client, app, setup):
    token = setup["tokens"]["organiser"]
    with app.app_context():
        event_id = db.session.scalar(sa.select(Event.id).where(Event.slug == "cdc"))
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for_full_page(expected: int) -> int:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            response = _get(client, token, per_page=500)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200 and len(response.get_json()["items"]) == expected
        return len(statements)

    def grow_to(total: int) -> None:
        with app.app_context():
            event = db.session.get(Event, event_id)
            have = db.session.scalar(
                sa.select(sa.func.count()).where(Registration.event_id == event_id)
            )
            for n in range(have, total):
                _add(event, f"Person {n}", needs_visa_letter=n % 2 == 0)
            db.session.commit()

    _get(client, token)  # the first call records the token's use (a write); not measured
    grow_to(10)
    small = queries_for_full_page(10)
    grow_to(100)
    large = queries_for_full_page(100)
    assert small == large, statements
    assert large <= 6, large
