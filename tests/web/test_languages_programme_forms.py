"""Organiser forms for sessions, tracks and topics take one input per offered language;
delegates read their language (else the default) and the programme search finds a
session by its title in any language."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from confapp.agenda import services
from confapp.agenda.models import ProgrammeChange
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Track
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.meetings.models import NetworkingTag
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in
from tests.web.test_agenda_web import add_session
from tests.web.test_agenda_web import session_form


@pytest.fixture
def world(app):
    """A published event offering every language, an organiser and a delegate; ids."""
    with app.app_context():
        event = make_event()
        organiser = make_staff(event, "org@example.org")
        delegate, _registration = make_delegate(event)
        db.session.commit()
        return {"event": event.id, "organiser": organiser.get_id(), "delegate": delegate.get_id()}


def _page(client, url: str, language: str) -> str:
    glue = "&" if "?" in url else "?"
    response = client.get(f"{url}{glue}lang={language}")
    assert response.status_code == 200, (url, language)
    return response.get_data(as_text=True)


def _publish(app, event_id: int) -> None:
    with app.app_context():
        services.publish_programme(db.session.get(Event, event_id), utcnow())
        db.session.commit()


def test_session_form_takes_title_and_description_per_language(client, app, world):
    sign_in(client, world["organiser"])
    blank = client.get("/events/cdc/manage/programme/sessions/new").get_data(as_text=True)
    for code in ("fr", "es", "pt", "ar"):
        assert f'name="title__{code}"' in blank and f'name="description__{code}"' in blank
    assert 'name="title__en"' not in blank  # the default language is the base input
    base = re.search(r'<input[^>]*id="title"[^>]*>', blank).group(0)
    assert 'dir="auto"' in base and 'lang="en"' in base  # a Latin title on an Arabic page
    answer = client.post(
        "/events/cdc/manage/programme/sessions/new",
        data=session_form(
            title="Finance panel",
            title__fr="Table ronde sur le financement",
            title__ar="حلقة نقاش حول التمويل",
            description="Credit for clusters.",
            description__fr="Le crédit pour les clusters.",
        ),
    )
    assert answer.status_code == 302
    with app.app_context():
        session = db.session.scalar(sa.select(ProgrammeSession))
        assert session.title_i18n == {
            "fr": "Table ronde sur le financement",
            "ar": "حلقة نقاش حول التمويل",
        }
        assert session.description_i18n == {"fr": "Le crédit pour les clusters."}
        session_id = session.id
    edit = client.get(f"/events/cdc/manage/programme/sessions/{session_id}").get_data(as_text=True)
    assert 'value="Table ronde sur le financement"' in edit
    arabic = 'name="title__ar" type="text" value="حلقة نقاش حول التمويل"'
    assert f'lang="ar" maxlength="300" {arabic}' in edit
    _publish(app, world["event"])
    sign_in(client, world["delegate"])
    assert "Table ronde sur le financement" in _page(client, "/events/cdc/programme", "fr")
    assert "حلقة نقاش حول التمويل" in _page(client, "/events/cdc/programme", "ar")
    assert "Finance panel" in _page(client, "/events/cdc/programme", "es")  # the default's
    detail = _page(client, f"/events/cdc/sessions/{session_id}", "fr")
    assert "Le crédit pour les clusters." in detail


def test_a_translation_alone_is_a_change_and_an_unchanged_save_is_not(client, app, world):
    with app.app_context():
        session_id = add_session(db.session.get(Event, world["event"]), "Finance panel").id
        db.session.commit()
    _publish(app, world["event"])
    sign_in(client, world["organiser"])
    url = f"/events/cdc/manage/programme/sessions/{session_id}"
    base = session_form(
        title="Finance panel",
        kind="parallel",
        starts_at="2027-02-20T10:00",
        ends_at="2027-02-20T11:00",
        description="Some **bold** text",
    )
    with app.app_context():
        sequence = db.session.get(ProgrammeSession, session_id).sequence
    assert client.post(url, data={**base, "people-0-name": ""}).status_code == 302
    assert client.post(url, data={**base, "people-0-name": "", "title__pt": "Painel"}).status_code
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        assert session.title_i18n == {"pt": "Painel"}
        assert session.sequence == sequence + 1  # calendars update the translated title
        logged = db.session.scalars(sa.select(ProgrammeChange.details)).all()
        assert any("translations" in (d or {}).get("fields", ()) for d in logged)
    again = client.post(
        url, data={**base, "people-0-name": "", "title__pt": "Painel"}, follow_redirects=True
    )
    assert "Nothing changed." in again.get_data(as_text=True)
    # Clearing the input removes the translation.
    client.post(url, data={**base, "people-0-name": ""})
    with app.app_context():
        assert db.session.get(ProgrammeSession, session_id).title_i18n == {}


def test_programme_search_finds_a_title_in_any_language(client, app, world):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        session = add_session(event, "Credit guarantees")
        session.title_i18n = {"fr": "Garanties de crédit", "ar": "ضمانات الائتمان"}
        session.description_i18n = {"es": "Fondos de garantía para pymes"}
        add_session(event, "Lunch", start="13:00", end="14:00")
        db.session.commit()
    _publish(app, world["event"])
    for query, language in (("garanties", "fr"), ("ضمانات", "ar"), ("pymes", "es")):
        found = _page(client, f"/events/cdc/programme?q={query}", language)
        assert "Lunch" not in found, query
        assert ("Garanties de crédit" if language == "fr" else "ضمانات الائتمان") in found or (
            language == "es" and "Credit guarantees" in found
        ), query
    assert "Credit guarantees" not in _page(client, "/events/cdc/programme?q=nothing", "en")


def test_track_form_takes_a_name_per_language(client, app, world):
    sign_in(client, world["organiser"])
    page = client.get("/events/cdc/manage/programme/tracks").get_data(as_text=True)
    assert 'name="name__fr"' in page and 'name="name__ar"' in page
    answer = client.post(
        "/events/cdc/manage/programme/tracks",
        data={"name": "Finance", "colour": "#1f6feb", "name__fr": "Financement"},
    )
    assert answer.status_code == 302
    with app.app_context():
        track = db.session.scalar(sa.select(Track))
        assert track.name_i18n == {"fr": "Financement"}
        track_id = track.id
    url = f"/events/cdc/manage/programme/tracks/{track_id}"
    assert 'value="Financement"' in client.get(url).get_data(as_text=True)
    form = {"name": "Finance", "colour": "#1f6feb", "name__fr": "Financement", "name__ar": "تمويل"}
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        track = db.session.get(Track, track_id)
        assert track.name_i18n == {"fr": "Financement", "ar": "تمويل"}
        add_session(db.session.get(Event, world["event"]), "Credit", track=track)
        db.session.commit()
    _publish(app, world["event"])
    assert "تمويل" in _page(client, "/events/cdc/programme", "ar")
    assert "Financement" in _page(client, "/events/cdc/programme", "fr")
    too_long = client.post(url, data={**form, "name__fr": "x" * 101})
    assert too_long.status_code == 422
    with app.app_context():
        assert db.session.get(Track, track_id).name_i18n["fr"] == "Financement"


def test_topic_form_takes_a_name_per_language(client, app, world):
    sign_in(client, world["organiser"])
    manage = client.get("/events/cdc/manage/meetings").get_data(as_text=True)
    assert 'name="name__fr"' in manage and 'name="name__ar"' in manage
    answer = client.post(
        "/events/cdc/manage/meetings/tags",
        data={"name": "Finance", "name__fr": "Financement", "name__ar": "التمويل"},
    )
    assert answer.status_code == 302
    with app.app_context():
        tag = db.session.scalar(sa.select(NetworkingTag))
        assert tag.name_i18n == {"fr": "Financement", "ar": "التمويل"}
        tag_id = tag.id
    url = f"/events/cdc/manage/meetings/tags/{tag_id}"
    edit = client.get(url).get_data(as_text=True)
    assert 'value="Financement"' in edit and "التمويل" in edit
    assert f'href="{url}"' in client.get("/events/cdc/manage/meetings").get_data(as_text=True)
    saved = client.post(url, data={"name": "Finance", "name__es": "Financiación"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(NetworkingTag, tag_id).name_i18n == {"es": "Financiación"}
    assert client.post(url, data={"name": ""}).status_code == 422
    sign_in(client, world["delegate"])
    assert client.get(url).status_code == 403
    directory = _page(client, "/events/cdc/meetings/directory", "es")
    assert "Financiación" in directory
