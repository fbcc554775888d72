"""Sign-in, sign-out, rate limit, e-mail verification, password reset and the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from confapp import create_app
from confapp.accounts.models import User
from confapp.accounts.services import VERIFY_SALT
from confapp.extensions import db
from confapp.signing import sign
from tests.helpers import PASSWORD
from tests.helpers import login
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_user
from tests.helpers import sign_in


def _user(email: str = "ana@example.org") -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.fixture
def ana(app):
    with app.app_context():
        user = make_user("ana@example.org", verified=False)
        db.session.commit()
        return user.id


def _path(response) -> str:
    return urlsplit(response.headers["Location"]).path


# --- sign-in ------------------------------------------------------------------------


def test_login_page_has_the_contract_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="email"' in page.text and 'name="password"' in page.text


def test_login_succeeds_case_insensitively_and_records_it(app, client, ana):
    response = login(client, "  ANA@Example.org ")
    assert response.status_code == 302
    assert _path(response) == "/"
    account = client.get("/account")
    assert account.status_code == 200
    assert "ana@example.org" in account.text
    with app.app_context():
        assert _user().last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(app, client, ana):
    wrong = login(client, "ana@example.org", "not the password")
    unknown = login(client, "nobody@example.org", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Wrong email or password" in response.text
    assert client.get("/account").status_code == 302
    with app.app_context():
        assert _user().last_login_at is None


def test_login_follows_a_local_next(client, ana):
    response = client.post(
        "/login?next=/account", data={"email": "ana@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com", "///evil.com"])
def test_login_ignores_a_foreign_next(client, ana, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "ana@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location
    assert location == "/"


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert _path(response) == "/login"
    assert "next=%2Faccount" in response.headers["Location"]


def test_logout_ends_the_session(client, ana):
    login(client, "ana@example.org")
    assert client.get("/account").status_code == 200
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_inactive_account_cannot_sign_in(app, client, ana):
    with app.app_context():
        _user().is_active_account = False
        db.session.commit()
    assert "Wrong email or password" in login(client, "ana@example.org").text


def test_login_is_rate_limited_per_address(_schema, database_url, tmp_path):
    app = create_app(
        "testing",
        {
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
        },
    )
    client = app.test_client()
    data = {"email": "nobody@example.org", "password": "wrong password"}
    statuses = [client.post("/login", data=data).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in client.post("/login", data=data).text
    # GET is not limited: the form still shows.
    assert client.get("/login").status_code == 200
    # Another address has its own budget.
    other = client.post("/login", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


# --- e-mail verification ------------------------------------------------------------


def _verify_link(outbox, email="ana@example.org") -> str:
    messages = outbox.to(email)
    assert messages, "no e-mail was sent"
    return next(link for link in outbox.links(messages[-1]) if "/verify/" in link)


def test_resend_and_open_verification_link(app, client, outbox, ana):
    login(client, "ana@example.org")
    page = client.get("/account")
    assert "Not confirmed yet" in page.text
    response = client.post("/account/verify/resend")
    assert response.status_code == 302
    link = _verify_link(outbox)
    opened = client.get(urlsplit(link).path)
    assert opened.status_code == 200
    assert "is confirmed" in opened.text
    with app.app_context():
        assert _user().email_verified_at is not None
    assert "Confirmed" in client.get("/account").text
    # A verified user is not sent another link.
    client.post("/account/verify/resend")
    assert len(outbox.to("ana@example.org")) == 1


def test_tampered_verification_link_fails(app, client, outbox, ana):
    login(client, "ana@example.org")
    client.post("/account/verify/resend")
    path = urlsplit(_verify_link(outbox)).path
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "invalid or has expired" in response.text
    with app.app_context():
        assert _user().email_verified_at is None


def test_expired_verification_link_fails(app, client, ana):
    with app.test_request_context():
        token = sign({"uid": ana, "email": "ana@example.org"}, VERIFY_SALT)
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400
    with app.app_context():
        assert _user().email_verified_at is None


def test_verification_link_for_an_old_address_fails(app, client, ana):
    with app.test_request_context():
        token = sign({"uid": ana, "email": "old@example.org"}, VERIFY_SALT)
    assert client.get(f"/verify/{token}").status_code == 400


# --- password reset -----------------------------------------------------------------


def test_reset_request_answers_the_same_for_unknown_addresses(client, outbox, ana):
    known = client.post("/reset-password", data={"email": "ana@example.org"}, follow_redirects=True)
    unknown = client.post(
        "/reset-password", data={"email": "who@example.org"}, follow_redirects=True
    )
    assert "If an account exists" in known.text
    assert "If an account exists" in unknown.text
    assert len(outbox.to("ana@example.org")) == 1
    assert outbox.to("who@example.org") == []


def test_reset_flow_is_single_use(app, client, outbox, ana):
    # The link is sent once the answer has gone (when the response is closed).
    client.post("/reset-password", data={"email": "ANA@example.org"}).close()
    link = next(
        link
        for link in outbox.links(outbox.to("ana@example.org")[-1])
        if "/reset-password/" in link
    )
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 200 and "at least 8" in short.text.lower()
    differ = client.post(path, data={"password": "new password 1", "confirm": "new password 2"})
    assert "differ" in differ.text
    response = client.post(
        path, data={"password": "brand new secret", "confirm": "brand new secret"}
    )
    assert response.status_code == 302
    # Signed in straight away.
    assert client.get("/account").status_code == 200
    with app.app_context():
        user = _user()
        assert user.check_password("brand new secret")
        assert user.auth_version == 2
        assert user.email_verified_at is not None
    again = client.post(path, data={"password": "another secret 9", "confirm": "another secret 9"})
    assert again.status_code == 400
    assert "already been used" in again.text
    with app.app_context():
        assert _user().check_password("brand new secret")


def test_reset_ends_other_sessions(app, client, outbox, ana):
    other = app.test_client()
    login(other, "ana@example.org")
    assert other.get("/account").status_code == 200
    client.post("/reset-password", data={"email": "ana@example.org"}).close()
    link = next(
        link
        for link in outbox.links(outbox.to("ana@example.org")[-1])
        if "/reset-password/" in link
    )
    client.post(
        urlsplit(link).path, data={"password": "brand new secret", "confirm": "brand new secret"}
    )
    assert other.get("/account").status_code == 302


def test_expired_reset_link_fails(app, client, outbox, ana):
    client.post("/reset-password", data={"email": "ana@example.org"}).close()
    link = next(
        link
        for link in outbox.links(outbox.to("ana@example.org")[-1])
        if "/reset-password/" in link
    )
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    assert client.get(urlsplit(link).path).status_code == 400


# --- account page -------------------------------------------------------------------


def test_account_page_lists_registrations_and_changes_password(app, client):
    with app.test_request_context():
        event = make_event("cdc")
        reg = make_registration(event, "ana@example.org")
        user_id = reg.user_id
        db.session.commit()
    with app.app_context():
        sign_in(client, db.session.get(User, user_id))
    page = client.get("/account")
    assert "Changing paradigms of cluster development" in page.text
    assert "/events/cdc/my-registration" in page.text

    wrong = client.post(
        "/account",
        data={
            "old_password": "nope nope",
            "new_password": "new secret 1",
            "confirm": "new secret 1",
        },
    )
    assert "current password is not right" in wrong.text
    with app.app_context():
        assert db.session.get(User, user_id).check_password(PASSWORD)

    response = client.post(
        "/account",
        data={"old_password": PASSWORD, "new_password": "new secret 1", "confirm": "new secret 1"},
    )
    assert response.status_code == 302
    # Still signed in under the new auth version.
    assert client.get("/account").status_code == 200
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.check_password("new secret 1")
        assert user.auth_version == 2


def test_session_made_before_a_password_change_is_dead(app, client):
    with app.app_context():
        user = make_user("ana@example.org")
        db.session.commit()
        sign_in(client, user)
        user.auth_version += 1
        db.session.commit()
    assert client.get("/account").status_code == 302
