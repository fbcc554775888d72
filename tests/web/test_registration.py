"""Registration through the test client: the delegate's flow, validation, waiting list, approval."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import PASSWORD
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import registration_form
from tests.helpers import sign_in


def _count(model) -> int:
    db.session.remove()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _reg(email: str) -> Registration | None:
    db.session.remove()
    return db.session.scalar(sa.select(Registration).where(Registration.email == email))


@pytest.fixture
def event(app):
    """A published event with 1 seat, public categories delegate/speaker/press."""
    with app.app_context():
        event = make_event(
            capacity=1, edit_deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        )
        db.session.commit()
        return event.slug


def test_full_flow_register_view_edit_cancel(app, client, event, outbox):
    page = client.get(f"/events/{event}/register")
    assert page.status_code == 200
    for name in ("full_name", "email", "password", "country", "interests", "needs_visa_letter"):
        assert f'name="{name}"' in page.text
    response = client.post(
        f"/events/{event}/register", data=registration_form(email="Ana@Example.org")
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event}/my-registration")

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ana@example.org"))
        assert user is not None and user.check_password(PASSWORD)
        reg = _reg("ana@example.org")
        assert reg.status is S.CONFIRMED
        assert reg.source is RegistrationSource.WEB
        assert reg.interests == ["innovation", "finance"]
        assert reg.needs_visa_letter and reg.directory_opt_in

    mine = client.get(f"/events/{event}/my-registration")  # signed in by the registration
    assert mine.status_code == 200
    assert "Confirmed" in mine.text
    assert "Cluster Foundation" in mine.text
    assert f"/events/{event}/visa-letter" in mine.text
    assert f"/events/{event}/my-registration/edit" in mine.text
    [message] = outbox.to("ana@example.org")
    assert message["Subject"].strip().startswith("Registration confirmed")
    assert any("/verify/" in link for link in outbox.links(message))

    edit = client.post(
        f"/events/{event}/my-registration/edit",
        data=registration_form(organisation="New Org", country="GH", needs_visa_letter=None),
    )
    assert edit.status_code == 302
    with app.app_context():
        reg = _reg("ana@example.org")
        assert (reg.organisation, reg.country, reg.needs_visa_letter) == ("New Org", "GH", False)
    assert "visa-letter" not in client.get(f"/events/{event}/my-registration").text

    cancelled = client.post(f"/events/{event}/my-registration/cancel", data={"confirmed": "yes"})
    assert cancelled.status_code == 302
    with app.app_context():
        assert _reg("ana@example.org").status is S.CANCELLED
    page = client.get(f"/events/{event}/my-registration").text
    assert "Cancelled" in page
    assert "Yes, cancel my registration" not in page


def test_signed_in_user_registers_without_password(app, client, event):
    with app.app_context():
        user = make_user("raj@example.org", full_name="Raj")
        db.session.commit()
        sign_in(client, user)
    page = client.get(f"/events/{event}/register")
    assert 'name="password"' not in page.text
    data = registration_form(full_name="Raj Kumar", email=None, password=None)
    assert client.post(f"/events/{event}/register", data=data).status_code == 302
    with app.app_context():
        assert _reg("raj@example.org").full_name == "Raj Kumar"
        assert _count(User) == 1
    # A second attempt goes to the existing registration.
    again = client.get(f"/events/{event}/register")
    assert again.status_code == 302 and again.headers["Location"].endswith("/my-registration")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"full_name": ""}, "Enter your full name."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"password": "short"}, "at least 8"),
        ({"country": "XX"}, "Choose a country from the list."),
        ({"category": "sponsor"}, "Not a valid choice"),
        ({"full_name": "x" * 300}, "longer than 200"),
        ({"email": "EXISTING@example.ORG"}, "already exists"),
        ({"organisation_type": "secret_society"}, "Not a valid choice"),
        ({"interests": ["golf"]}, "not a valid choice"),
    ],
)
def test_invalid_registration_rerenders_and_writes_nothing(
    app, client, event, outbox, overrides, message
):
    with app.app_context():
        make_user("existing@example.org")
        db.session.commit()
    response = client.post(f"/events/{event}/register", data=registration_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert "Please correct" in response.text
    with app.app_context():
        assert _count(Registration) == 0
        assert _count(User) == 1
    assert outbox.messages() == []
    if "already exists" in message:
        assert "/login?next=" in response.text


def test_html_in_name_is_shown_escaped(app, client, event):
    name = '<script>alert("x")</script><b>Bold</b>'
    client.post(f"/events/{event}/register", data=registration_form(full_name=name))
    page = client.get(f"/events/{event}/my-registration").text
    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page
    assert "<b>Bold</b>" not in page


def test_closed_registration_is_refused(app, client):
    with app.app_context():
        make_event("past", registration_closes_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        db.session.commit()
    assert "closed" in client.get("/events/past/register").text
    response = client.post("/events/past/register", data=registration_form())
    assert response.status_code == 409
    assert "Registration for this event is closed." in response.text
    with app.app_context():
        assert _count(Registration) == 0 and _count(User) == 0


def test_draft_event_is_not_found_for_the_public(app, client):
    with app.app_context():
        make_event("draft", publish=False)
        db.session.commit()
    assert client.get("/events/draft/register").status_code == 404


def test_single_public_category_is_hidden_and_defaulted(app, client):
    with app.app_context():
        make_event("solo", public_categories="speaker")
        db.session.commit()
    page = client.get("/events/solo/register").text
    assert '<input type="hidden" name="category" value="speaker">' in page
    data = registration_form()
    assert client.post("/events/solo/register", data=data).status_code == 302
    with app.app_context():
        assert _reg("ana@example.org").category.value == "speaker"


def test_waiting_list_and_automatic_promotion(app, event, outbox):
    first, second, third = (app.test_client() for _ in range(3))
    first.post(f"/events/{event}/register", data=registration_form(email="one@example.org"))
    second.post(f"/events/{event}/register", data=registration_form(email="two@example.org"))
    third.post(f"/events/{event}/register", data=registration_form(email="three@example.org"))
    assert (
        "number 1</strong> on the waiting list"
        in second.get(f"/events/{event}/my-registration").text
    )
    assert (
        "number 2</strong> on the waiting list"
        in third.get(f"/events/{event}/my-registration").text
    )
    assert "position 2" in outbox.body(outbox.to("three@example.org")[0])

    first.post(f"/events/{event}/my-registration/cancel", data={"confirmed": "yes"})
    with app.app_context():
        assert _reg("two@example.org").status is S.CONFIRMED
        assert _reg("three@example.org").status is S.WAITLISTED
    assert "Confirmed" in second.get(f"/events/{event}/my-registration").text
    assert "number 1</strong>" in third.get(f"/events/{event}/my-registration").text
    assert any(
        m["Subject"].strip().startswith("You have a place") for m in outbox.to("two@example.org")
    )
    assert not any(
        m["Subject"].strip().startswith("You have a place") for m in outbox.to("three@example.org")
    )


def test_approval_flow(app, client, outbox):
    with app.app_context():
        review = make_event("review", requires_approval=True, capacity=10)
        organiser = make_staff(review, "org@example.org")
        db.session.commit()
        organiser_id = organiser.get_id()
    client.post("/events/review/register", data=registration_form())
    assert "Pending approval" in client.get("/events/review/my-registration").text
    assert "awaiting approval" in outbox.to("ana@example.org")[0]["Subject"]
    with app.app_context():
        reg_id = _reg("ana@example.org").id

    staff = sign_in(app.test_client(), organiser_id)
    response = staff.post(
        "/events/review/manage/registrations/bulk",
        data={
            "action": "approve",
            "ids": [str(reg_id)],
            "next": f"/events/review/manage/registrations/{reg_id}",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/registrations/{reg_id}")
    with app.app_context():
        reg = _reg("ana@example.org")
        assert reg.status is S.CONFIRMED
        assert reg.decided_by_id is not None
    assert any(
        m["Subject"].strip().startswith("Registration confirmed")
        for m in outbox.to("ana@example.org")
    )
    assert "Confirmed" in client.get("/events/review/my-registration").text


def test_edit_refused_after_deadline(app, client):
    with app.app_context():
        make_event(
            "late",
            edit_deadline=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            registration_closes_at=None,
        )
        db.session.commit()
    client.post("/events/late/register", data=registration_form())
    mine = client.get("/events/late/my-registration").text
    assert "/my-registration/edit" not in mine
    assert "deadline for changes has passed" in mine
    page = client.get("/events/late/my-registration/edit")
    assert page.status_code == 403
    assert "deadline for changing registration details has passed" in page.text
    response = client.post(
        "/events/late/my-registration/edit", data=registration_form(organisation="Changed")
    )
    assert response.status_code == 403
    with app.app_context():
        assert _reg("ana@example.org").organisation == "Cluster Foundation"


def test_my_registration_needs_sign_in(client, event):
    response = client.get(f"/events/{event}/my-registration")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_cancel_without_confirmation_changes_nothing_and_asks(app, client, event, outbox):
    """The first POST of a destructive action only shows what would happen."""
    client.post(f"/events/{event}/register", data=registration_form())
    asked = client.post(f"/events/{event}/my-registration/cancel")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Cancel my registration" in page and 'name="confirmed" value="yes"' in page
    assert "A confirmation e-mail goes to ana@example.org." in page
    with app.app_context():
        assert _reg("ana@example.org").status is S.CONFIRMED
    mine = client.get(f"/events/{event}/my-registration").get_data(as_text=True)
    assert "The place becomes free for someone else to register." in mine
