"""Registering again over HTTP after cancelling; a rejected registration stays refused."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from confapp.extensions import db
from confapp.registration import services
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_staff
from tests.helpers import registration_form
from tests.helpers import sign_in


def _reg(email: str) -> Registration:
    db.session.remove()
    return db.session.scalar(sa.select(Registration).where(Registration.email == email))


def test_cancelled_delegate_registers_again_from_the_register_page(app, client, outbox):
    with app.test_request_context():
        event = make_event(capacity=5)
        reg = make_registration(event, "back@example.org", organisation="Old Org")
        db.session.commit()
        sign_in(client, reg.user)
    assert (
        client.post("/events/cdc/my-registration/cancel", data={"confirmed": "yes"}).status_code
        == 302
    )
    mine = client.get("/events/cdc/my-registration").text
    assert (
        "This registration is cancelled." in mine
        and 'href="/events/cdc/register">Register again' in mine
    )
    page = client.get("/events/cdc/register")
    assert page.status_code == 200
    assert (
        "You cancelled your registration for this event. You can register again below" in page.text
    )
    assert 'value="Old Org"' in page.text  # starts from the details given last time
    data = registration_form(
        email=None, password=None, full_name="Back Again", organisation="New Org"
    )
    response = client.post("/events/cdc/register", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/events/cdc/my-registration"
    )
    with app.app_context():
        again = _reg("back@example.org")
        assert (again.id, again.status, again.organisation, again.badge_serial) == (
            reg.id,
            S.CONFIRMED,
            "New Org",
            2,
        )
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
        assert again.event.pool.taken == 1
    assert "Your place is confirmed." in client.get("/events/cdc/my-registration").text
    assert outbox.to("back@example.org")[-1]["Subject"].strip().startswith("Registration confirmed")
    # Once active again, the register page sends the delegate to their registration.
    assert client.get("/events/cdc/register").headers["Location"].endswith("/my-registration")


def test_rejected_delegate_is_refused_with_a_clear_message(app, client):
    with app.test_request_context():
        event = make_event()
        organiser = make_staff(event, "org@example.org")
        reg = make_registration(event, "no@example.org")
        services.reject(reg, actor=organiser, now=dt.datetime.now(dt.UTC))
        db.session.commit()
        sign_in(client, reg.user)
    page = client.get("/events/cdc/register")
    assert page.status_code == 200 and "did not accept your registration" in page.text
    assert 'name="full_name"' not in page.text
    assert "Register again" not in client.get("/events/cdc/my-registration").text
    response = client.post(
        "/events/cdc/register", data=registration_form(email=None, password=None)
    )
    assert response.status_code == 409 and "did not accept your registration" in response.text
    with app.app_context():
        assert _reg("no@example.org").status is S.REJECTED
