"""CSRF with protection switched on, security headers and cookie flags."""

from __future__ import annotations

import pytest

from confapp import create_app


@pytest.fixture
def csrf_app(_schema, database_url):
    return create_app("testing", {"DATABASE_URL": database_url, "WTF_CSRF_ENABLED": True})


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/logout",
        "/events/cdc/register",
        "/events/cdc/my-registration/cancel",
        "/events/cdc/manage/registrations/bulk",
        "/events/cdc/manage/registrations/import",
        "/events/cdc/visa-letter",
        "/reset-password",
    ],
)
def test_post_without_csrf_token_is_refused(csrf_app, path):
    response = csrf_app.test_client().post(path, data={"email": "a@b.org", "password": "x"})
    assert response.status_code == 400
    assert b"security token" in response.data


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_json_answers_allow_nothing_to_load(client):
    response = client.get("/api/v1/events")
    assert response.mimetype == "application/json"
    assert (
        response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_production_config_sets_hsts_and_secure_cookies(_schema, database_url, monkeypatch):
    monkeypatch.setenv("CONFAPP_SECRET_KEY", "a-real-secret-for-this-test")
    app = create_app("production", {"DATABASE_URL": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_refuses_to_start_without_secret(monkeypatch):
    monkeypatch.delenv("CONFAPP_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CONFAPP_SECRET_KEY"):
        create_app("production", {"DATABASE_URL": "sqlite://"})


def test_environment_overrides_config(monkeypatch):
    monkeypatch.setenv("CONFAPP_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("CONFAPP_MAIL_URL", "smtp://mail.example.org:587")
    app = create_app("development", {"DATABASE_URL": "sqlite://"})
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["MAIL_URL"] == "smtp://mail.example.org:587"


def test_postgres_url_spellings_use_psycopg3():
    app = create_app("testing", {"DATABASE_URL": "postgres://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
