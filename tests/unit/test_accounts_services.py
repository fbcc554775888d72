"""Account services: users, sign-in, passwords, verification, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from confapp.accounts import services
from confapp.accounts.models import ApiToken
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import ValidationFailed
from confapp.extensions import db
from tests.helpers import PASSWORD
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user


def test_create_user_lowercases_and_refuses_duplicates(app_ctx):
    user = services.create_user(" Ana@Example.ORG ", "Ana", "long enough")
    assert user.email == "ana@example.org"
    assert user.check_password("long enough")
    assert not user.is_admin
    with pytest.raises(DomainError) as err:
        services.create_user("ANA@example.org", "Other")
    assert err.value.field == "email"
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_create_user_without_password_and_as_admin(app_ctx):
    user = services.create_user("boss@example.org", "Boss", admin=True)
    assert user.password_hash is None
    assert user.is_admin
    assert not user.check_password("")


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b@c"])
def test_create_user_refuses_bad_addresses(app_ctx, email):
    with pytest.raises(ValidationFailed):
        services.create_user(email, "X")


def test_create_user_refuses_short_password(app_ctx):
    with pytest.raises(ValidationFailed):
        services.create_user("a@example.org", "A", "short")


def test_authenticate(app_ctx, now):
    make_user("ana@example.org")
    assert services.authenticate("ana@example.org", "wrong", now) is None
    assert services.authenticate("bob@example.org", PASSWORD, now) is None
    user = services.authenticate("ANA@example.org ", PASSWORD, now)
    assert user is not None and user.last_login_at == now


def test_authenticate_refuses_accounts_without_password_or_inactive(app_ctx, now):
    services.create_user("nopass@example.org", "N")
    assert services.authenticate("nopass@example.org", "", now) is None
    user = make_user("off@example.org")
    user.is_active_account = False
    assert services.authenticate("off@example.org", PASSWORD, now) is None


def test_change_password_checks_the_old_one_and_bumps_version(app_ctx):
    user = make_user()
    with pytest.raises(ValidationFailed) as err:
        services.change_password(user, "wrong", "new password")
    assert err.value.field == "old_password"
    with pytest.raises(ValidationFailed) as err:
        services.change_password(user, PASSWORD, "short")
    assert err.value.field == "new_password"
    assert user.auth_version == 1
    services.change_password(user, PASSWORD, "new password")
    assert user.check_password("new password")
    assert user.auth_version == 2


def test_reset_token_is_single_use(app):
    with app.test_request_context():
        user = make_user(verified=False)
        url = services.password_reset_url(user)
        token = url.rsplit("/", 1)[1]
        assert services.user_for_reset_token(token, 3600, 3600) is user
        services.reset_password(user, "a new password", dt.datetime.now(dt.UTC))
        assert user.email_verified_at is not None
        assert services.user_for_reset_token(token, 3600, 3600) is None
        assert services.user_for_reset_token(token + "x", 3600, 3600) is None


def test_first_password_links_last_longer(app):
    with app.test_request_context():
        invited = services.create_user("new@example.org", "New")
        token = services.password_reset_url(invited).rsplit("/", 1)[1]
        # Expired for a reset, still fine for choosing a first password.
        assert services.user_for_reset_token(token, -1, 3600) is invited
        invited.set_password("now has one")
        assert services.user_for_reset_token(token, -1, 3600) is None


def test_verify_email(app, now):
    with app.test_request_context():
        user = make_user(verified=False)
        token = services.email_verification_url(user).rsplit("/", 1)[1]
        assert services.verify_email(token, now, 3600) is user
        assert user.email_verified_at == now
        assert services.verify_email(token, now, -1) is None
        assert services.verify_email("garbage", now, 3600) is None


def test_send_verification_queues_mail_after_commit(app, outbox):
    with app.test_request_context():
        user = make_user(verified=False)
        services.send_verification(user)
        assert outbox.messages() == []
        db.session.commit()
    [message] = outbox.to("ana@example.org")
    assert "/verify/" in outbox.body(message)


def test_api_tokens_only_for_staff_organisers_and_admins(app_ctx, now):
    delegate = make_user("delegate@example.org")
    with pytest.raises(NotAllowed):
        services.issue_api_token(delegate, "phone", now)
    event = make_event()
    staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
    admin = make_user("admin@example.org", admin=True)
    raw = services.issue_api_token(staff, "door phone", now)
    assert services.issue_api_token(admin, "laptop", now)
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == staff.id))
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored.token_hash
    assert stored.label == "door phone"


def test_user_for_api_token(app_ctx, now):
    event = make_event()
    staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
    raw = services.issue_api_token(staff, "phone", now)
    assert services.user_for_api_token(raw, now) is staff
    token = db.session.scalar(sa.select(ApiToken))
    assert token.last_used_at == now
    assert services.user_for_api_token(raw[:-1], now) is None
    assert services.user_for_api_token("", now) is None
    services.revoke_api_token(token, now)
    assert services.user_for_api_token(raw, now) is None
