"""`confapp create-user` and `confapp create-token`."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from confapp.accounts.models import ApiToken
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.extensions import db
from tests.helpers import make_event
from tests.helpers import make_user


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_create_organiser_with_generated_password(app, runner):
    with app.app_context():
        make_event("cdc")
        db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "Org@Example.org",
            "--role",
            "organiser",
            "--event",
            "cdc",
            "--name",
            "Olu Org",
        ]
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    with app.app_context():
        user = _user("org@example.org")
        assert user.full_name == "Olu Org"
        assert user.check_password(password)
        assert [(r.event.slug, r.role) for r in user.roles] == [("cdc", EventRoleKind.ORGANISER)]
        assert not user.is_admin


def test_create_user_reuses_an_account_and_sets_the_given_password(app, runner):
    with app.app_context():
        make_event("cdc")
        make_user("ana@example.org")
        db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "ana@example.org",
            "--role",
            "staff",
            "--event",
            "cdc",
            "--password",
            "chosen password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Password:" not in result.output
    with app.app_context():
        user = _user("ana@example.org")
        assert user.check_password("chosen password")
        assert user.roles[0].role is EventRoleKind.STAFF
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_create_admin(app, runner):
    result = runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin", "--password", "a good password"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _user("root@example.org").is_admin


def test_create_user_bad_input(app, runner):
    no_event = runner.invoke(args=["create-user", "a@example.org", "--role", "organiser"])
    assert no_event.exit_code != 0 and "--event" in no_event.output
    unknown = runner.invoke(
        args=["create-user", "a@example.org", "--role", "staff", "--event", "nope"]
    )
    assert unknown.exit_code != 0 and "No event" in unknown.output
    bad_role = runner.invoke(args=["create-user", "a@example.org", "--role", "king"])
    assert bad_role.exit_code != 0
    bad_email = runner.invoke(args=["create-user", "not-an-email", "--role", "admin"])
    assert bad_email.exit_code != 0 and "e-mail" in bad_email.output.lower()
    short = runner.invoke(
        args=["create-user", "a@example.org", "--role", "admin", "--password", "short"]
    )
    assert short.exit_code != 0 and "8 characters" in short.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_token_prints_a_token(app, runner):
    runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin", "--password", "a good password"]
    )
    result = runner.invoke(args=["create-token", "root@example.org", "--label", "scanner"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiToken))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert stored.label == "scanner"


def test_create_token_refuses_delegates_and_unknown_users(app, runner):
    with app.app_context():
        make_user("delegate@example.org")
        db.session.commit()
    delegate = runner.invoke(args=["create-token", "delegate@example.org"])
    assert delegate.exit_code != 0 and "only for staff" in delegate.output
    unknown = runner.invoke(args=["create-token", "ghost@example.org"])
    assert unknown.exit_code != 0 and "No account" in unknown.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
