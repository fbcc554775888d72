"""The optional gender question: hidden, shown or required as organisers choose."""

from __future__ import annotations

import pytest

from confapp.events.models import Event
from confapp.events.models import FieldMode
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import registration_form
from tests.helpers import sign_in


def _event(app, mode):
    with app.app_context():
        event = make_event("cdc")
        event.gender_field = mode
        db.session.commit()


def _registration(app):
    with app.app_context():
        return db.session.scalar(db.select(Registration))


def test_hidden_by_default(app, client):
    with app.app_context():
        make_event("cdc")
        db.session.commit()
    assert 'name="gender"' not in client.get("/events/cdc/register").get_data(as_text=True)
    client.post("/events/cdc/register", data=registration_form(gender="woman"))
    assert _registration(app).gender is None  # not asked, not stored


def test_shown_and_optional(app, client):
    _event(app, FieldMode.SHOWN)
    html = client.get("/events/cdc/register").get_data(as_text=True)
    assert 'name="gender"' in html and "Prefer not to say" in html
    client.post("/events/cdc/register", data=registration_form(gender=""))
    assert _registration(app).gender is None


@pytest.mark.parametrize("answer", ["woman", "man", "another_term", "prefer_not_to_say"])
def test_each_answer_is_stored(app, client, answer):
    _event(app, FieldMode.SHOWN)
    client.post("/events/cdc/register", data=registration_form(gender=answer))
    assert _registration(app).gender.value == answer


def test_required_refuses_no_answer_and_keeps_nothing(app, client):
    _event(app, FieldMode.REQUIRED)
    page = client.post("/events/cdc/register", data=registration_form(gender=""))
    assert page.status_code in (200, 400)
    assert "Prefer not to say" in page.get_data(as_text=True)
    assert _registration(app) is None
    bad = client.post("/events/cdc/register", data=registration_form(gender="robot"))
    assert bad.status_code in (200, 400) and _registration(app) is None
    client.post("/events/cdc/register", data=registration_form(gender="prefer_not_to_say"))
    assert _registration(app).gender.value == "prefer_not_to_say"


def test_organiser_sets_the_question(app, client):
    import datetime as dt

    from confapp.events import services as event_services

    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        db.session.commit()
        sign_in(client, organiser)
    html = client.get("/events/cdc/manage/settings").get_data(as_text=True)
    assert 'name="gender_field"' in html and "Asked, an answer required" in html
    with app.app_context():
        event = db.session.scalar(db.select(Event))
        assert event.gender_field is FieldMode.HIDDEN
        event_services.update_event(event, {"gender_field": "required"}, dt.datetime.now(dt.UTC))
        db.session.commit()
    assert 'name="gender"' in client.get("/events/cdc/register").get_data(as_text=True)
