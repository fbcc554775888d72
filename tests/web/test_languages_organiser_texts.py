"""Texts organisers read besides the pages' own: the time-zone chooser (cities and countries
in their language, refusals too), the event log's codes (feature, role, channel, what
happened), and the delegate-import command (in the event's default language)."""

from __future__ import annotations

import html

import pytest

from confapp.events import zones
from confapp.events.models import Event
from confapp.extensions import db
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in
from tests.web.test_registration_import import GOOD


@pytest.fixture
def world(app):
    with app.test_request_context():
        event = make_event()
        organiser = make_staff(event, "org@example.org")
        db.session.commit()
        return {"event": event.id, "organiser": organiser.get_id()}


def _zone_option(page: str, name: str) -> str:
    start = page.index(f'<option value="{name}">')
    return html.unescape(page[start : page.index("</option>", start)])


@pytest.mark.parametrize(
    ("language", "city", "country"),
    [("fr", "Calcutta", "Inde"), ("es", "Calcuta", "India"), ("ar", "كالكتا", "الهند")],
)
def test_zone_chooser_names_cities_and_countries_in_the_readers_language(
    client, world, language, city, country
):
    sign_in(client, world["organiser"])
    page = client.get(f"/events/cdc/manage/settings?lang={language}").get_data(as_text=True)
    option = _zone_option(page, "Asia/Kolkata")
    assert "Asia/Kolkata" in option and city in option and country in option
    assert "New Delhi" in option  # the English names people type still match
    english = _zone_option(client.get("/events/cdc/manage/settings?lang=en").text, "Asia/Kolkata")
    assert "كالكتا" not in english and "India" in english


def test_a_zone_typed_in_the_readers_language_is_found_and_refusals_are_translated(app):
    with app.test_request_context("/?lang=fr"):
        from confapp.i18n import force_language

        with force_language("fr"):
            assert zones.resolve("Calcutta") == "Asia/Kolkata"
            with pytest.raises(ValueError, match="Aucun fuseau horaire"):
                zones.resolve("Atlantis")
            with pytest.raises(ValueError, match="Choisissez un fuseau horaire"):
                zones.resolve("")
        with force_language("ar"):
            assert zones.resolve("كالكتا") == "Asia/Kolkata"


def test_event_log_names_features_roles_and_changes_in_the_readers_language(client, world):
    sign_in(client, world["organiser"])
    added = client.post("/events/cdc/manage/programme/rooms", data={"name": "Hall Z"})
    assert added.status_code == 302
    page = html.unescape(client.get("/events/cdc/manage/log?lang=fr").get_data(as_text=True))
    # The feature and the action in words, the code after them (for filters and support).
    assert 'Programme : Salle ajoutée\n      <small class="muted"><code>agenda.rooms</code>' in page
    assert "Room added" not in page
    assert "(organisateur·rice)" in page and "(organiser)" not in page
    assert ">ajouté<" in page and ">create<" not in page
    assert "Programme : Salle ajoutée (agenda.rooms)</option>" in page  # the filter's option
    arabic = html.unescape(client.get("/events/cdc/manage/log?lang=ar").get_data(as_text=True))
    assert "البرنامج: أُضيفت قاعة" in arabic and "<code>agenda.rooms</code>" in arabic
    assert "Room added" not in arabic
    assert "(منظِّم)" in arabic and ">أُضيف<" in arabic


def test_event_log_says_which_of_several_actions_a_detail_names(app, client, world):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        reg_id = make_confirmed_registration(event, "ana@example.org").id
        db.session.commit()
    sign_in(client, world["organiser"])
    done = client.post(
        "/events/cdc/manage/registrations/bulk",
        data={"action": "cancel", "ids": [reg_id], "confirmed": "yes"},
    )
    assert done.status_code == 302
    page = html.unescape(client.get("/events/cdc/manage/log?lang=fr").get_data(as_text=True))
    line = page[page.index("Inscriptions : ") :].split("</p>", 1)[0]
    assert "Inscriptions annulées" in line and "<code>registration.manage_bulk</code>" in line
    assert "(annuler)" not in line  # the label already says it
    spanish = html.unescape(client.get("/events/cdc/manage/log?lang=es").text)
    assert "Inscripciones: Inscripciones canceladas" in spanish


def test_import_command_speaks_the_events_default_language(app, world, runner, tmp_path):
    with app.app_context():
        event = db.session.get(Event, world["event"])
        event.default_language = "fr"
        db.session.commit()
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD.encode("utf-8"))
    result = runner.invoke(args=["import-delegates", "cdc", str(good)])
    assert result.exit_code == 0, result.output
    assert "participant·es importé·es dans cdc" in result.output
    assert "sur la liste d'attente" in result.output
    again = runner.invoke(args=["import-delegates", "cdc", str(good)])
    assert again.exit_code == 1 and "Rien n'a été importé" in again.output


def test_untranslated_page_lists_what_lacks_a_language_with_its_edit_link(app, client, world):
    from confapp.agenda import services as agenda_services

    with app.test_request_context():
        event = db.session.get(Event, world["event"])
        event.languages = ["en", "fr", "ar"]
        event.title_i18n = {"fr": "Nouveaux paradigmes", "ar": "نماذج جديدة"}
        event.tagline, event.description = "", ""
        track = agenda_services.create_track(event, name="Finance", names={"fr": "Financement"})
        db.session.commit()
        track_id = track.id
    sign_in(client, world["organiser"])
    manage = client.get("/events/cdc/manage").get_data(as_text=True)
    assert 'href="/events/cdc/manage/translations"' in manage
    page = html.unescape(client.get("/events/cdc/manage/translations").get_data(as_text=True))
    row = page[page.index("<bdi>Finance</bdi>") :].split("</tr>", 1)[0]
    assert "العربية" in row and "Français" not in row  # only Arabic is missing
    assert f'href="/events/cdc/manage/programme/tracks/{track_id}"' in row
    assert "Nouveaux paradigmes" not in page  # the event's title is translated
    client.post(
        f"/events/cdc/manage/programme/tracks/{track_id}",
        data={
            "name": "Finance",
            "colour": "#4a5568",
            "name__fr": "Financement",
            "name__ar": "تمويل",
        },
    )
    done = client.get("/events/cdc/manage/translations?lang=fr").get_data(as_text=True)
    assert "<bdi>Finance</bdi>" not in done and '<html lang="fr"' in done
