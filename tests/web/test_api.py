"""JSON API v1: events list, OpenAPI document and bearer-token authentication."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint
from flask import jsonify

from confapp import create_app
from confapp.accounts import services as account_services
from confapp.accounts.models import ApiToken
from confapp.accounts.models import EventRoleKind
from confapp.api import openapi
from confapp.api.auth import api_login_required
from confapp.api.auth import current_api_user
from confapp.db import utcnow
from confapp.extensions import csrf
from confapp.extensions import db
from confapp.security import organiser_required
from confapp.security import staff_required
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in


def test_events_lists_published_events(app, client):
    with app.app_context():
        make_event("cdc", city="New Delhi")
        make_event("draft", publish=False)
        db.session.commit()
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    assert response.is_json
    [event] = response.get_json()["events"]
    assert event == {
        "slug": "cdc",
        "title": "Changing paradigms of cluster development",
        "starts_on": "2027-02-20",
        "ends_on": "2027-02-22",
        "timezone": "Asia/Kolkata",
        "city": "New Delhi",
        "country": "IN",
        "url": "http://localhost/events/cdc",
    }


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"]
    assert "/events" in doc["paths"] and "get" in doc["paths"]["/events"]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "API token",
    }
    # Every $ref points at a schema that exists.
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs
    for ref in refs:
        assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]


def test_openapi_registry_collects_paths():
    openapi.add_path("/test-only", "POST", {"summary": "x", "responses": {}})
    try:
        assert openapi.document()["paths"]["/test-only"]["post"]["summary"] == "x"
        with pytest.raises(ValueError):
            openapi.add_path("/test-only", "fetch", {})
    finally:
        openapi.PATHS.pop("/test-only")


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]


# --- authentication -----------------------------------------------------------------


@pytest.fixture
def api_app(_schema, database_url, tmp_path):
    """An app with a few protected test endpoints, built like the real API views."""
    bp = Blueprint("api_test", __name__)

    @bp.get("/api/v1/test/me")
    @api_login_required
    def me(user):
        return jsonify({"email": user.email})

    @bp.get("/api/v1/test/events/<slug>/staff")
    @staff_required
    def staff_only(slug, event, user):
        return jsonify({"event": event.slug, "email": user.email})

    @bp.route("/api/v1/test/events/<slug>/organisers", methods=["GET", "POST"])
    @organiser_required
    def organiser_only(slug, event, user):
        return jsonify({"event": event.slug, "who": current_api_user().email})

    app = create_app("testing", {"DATABASE_URL": database_url, "MAIL_OUTBOX": str(tmp_path / "o")})
    app.register_blueprint(bp)
    # Like the real API blueprint: no global CSRF check, the auth helpers decide.
    csrf.exempt(bp)
    with app.app_context():
        event = make_event("cdc")
        staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
        organiser = make_staff(event, "org@example.org")
        make_user("delegate@example.org")
        tokens = {
            "staff": account_services.issue_api_token(staff, "door", utcnow()),
            "organiser": account_services.issue_api_token(organiser, "laptop", utcnow()),
        }
        db.session.commit()
    app.tokens = tokens
    yield app
    with app.app_context():
        from tests.conftest import _empty_all_tables

        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_api_needs_credentials(api_app):
    client = api_app.test_client()
    response = client.get("/api/v1/test/me")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = client.get("/api/v1/test/me", headers=_bearer("not-a-token"))
    assert bad.status_code == 401


def test_bearer_token_identifies_the_user_and_records_use(api_app):
    client = api_app.test_client()
    response = client.get("/api/v1/test/me", headers=_bearer(api_app.tokens["staff"]))
    assert response.status_code == 200
    assert response.get_json() == {"email": "door@example.org"}
    with api_app.app_context():
        used = db.session.scalar(sa.select(ApiToken).where(ApiToken.label == "door"))
        assert used.last_used_at is not None


def test_event_roles_are_enforced(api_app):
    client = api_app.test_client()
    staff = _bearer(api_app.tokens["staff"])
    organiser = _bearer(api_app.tokens["organiser"])
    assert client.get("/api/v1/test/events/cdc/staff", headers=staff).status_code == 200
    assert client.get("/api/v1/test/events/cdc/staff", headers=organiser).status_code == 200
    forbidden = client.get("/api/v1/test/events/cdc/organisers", headers=staff)
    assert forbidden.status_code == 403
    assert forbidden.get_json()["error"] == "forbidden"
    ok = client.get("/api/v1/test/events/cdc/organisers", headers=organiser)
    assert ok.get_json() == {"event": "cdc", "who": "org@example.org"}
    missing = client.get("/api/v1/test/events/nope/staff", headers=staff)
    assert missing.status_code == 404 and missing.is_json


def test_revoked_token_stops_working(api_app):
    client = api_app.test_client()
    with api_app.app_context():
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.label == "door"))
        account_services.revoke_api_token(token, utcnow())
        db.session.commit()
    response = client.get("/api/v1/test/me", headers=_bearer(api_app.tokens["staff"]))
    assert response.status_code == 401


def test_session_user_is_accepted_and_a_bad_bearer_is_not_overridden(api_app):
    client = api_app.test_client()
    with api_app.app_context():
        from confapp.accounts.models import User

        delegate = db.session.scalar(sa.select(User).where(User.email == "delegate@example.org"))
        sign_in(client, delegate)
    assert client.get("/api/v1/test/me").get_json() == {"email": "delegate@example.org"}
    assert client.get("/api/v1/test/events/cdc/staff").status_code == 403
    assert client.get("/api/v1/test/me", headers=_bearer("wrong")).status_code == 401


def test_session_writes_need_csrf_but_bearer_writes_do_not(api_app):
    api_app.config["WTF_CSRF_ENABLED"] = True
    client = api_app.test_client()
    path = "/api/v1/test/events/cdc/organisers"
    assert client.post(path, headers=_bearer(api_app.tokens["organiser"])).status_code == 200
    with api_app.app_context():
        from confapp.accounts.models import User

        sign_in(client, db.session.scalar(sa.select(User).where(User.email == "org@example.org")))
    refused = client.post(path)
    assert refused.status_code == 400 and refused.is_json


def test_cli_token_works_against_the_api(app, runner):
    with app.app_context():
        make_event("cdc")
        db.session.commit()
    runner.invoke(args=["create-user", "door@example.org", "--role", "staff", "--event", "cdc"])
    token = runner.invoke(args=["create-token", "door@example.org"]).output.strip()
    with app.app_context():
        assert account_services.user_for_api_token(token).email == "door@example.org"
