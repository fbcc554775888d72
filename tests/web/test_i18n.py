"""Choosing a language: ?lang=, the session, the account, Accept-Language, the event's
languages; <html lang dir>; the switcher; formats."""

from __future__ import annotations

import datetime as dt

from confapp import i18n
from confapp.accounts.models import User
from confapp.countries import country_choices
from confapp.countries import country_name
from confapp.extensions import db
from tests.helpers import make_event
from tests.helpers import make_user
from tests.helpers import sign_in


def _event(app, **overrides):
    with app.app_context():
        make_event("cdc", **overrides)
        db.session.commit()


def test_english_by_default_with_ltr(app, client):
    _event(app)
    page = client.get("/events/cdc").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


def test_accept_language_picks_among_the_events_languages(app, client):
    _event(app, default_language="en", languages=["en", "fr"])
    page = client.get("/events/cdc/register", headers={"Accept-Language": "ar, fr;q=0.8"}).get_data(
        as_text=True
    )
    assert '<html lang="fr" dir="ltr">' in page  # Arabic is not offered by this event
    assert "Langue" in page


def test_lang_parameter_chooses_and_is_remembered(app, client):
    _event(app)
    first = client.get("/events/cdc?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in first
    later = client.get("/events/cdc", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in later
    assert client.get("/events/cdc?lang=xx").status_code == 200  # unknown: ignored


def test_a_signed_in_choice_is_stored_on_the_account(app, client):
    _event(app)
    with app.app_context():
        user = make_user("ana@example.org")
        db.session.commit()
        sign_in(client, user)
        user_id = user.id
    client.get("/events/cdc?lang=pt")
    with app.app_context():
        assert db.session.get(User, user_id).language == "pt"
    other = app.test_client()
    with app.app_context():
        sign_in(other, db.session.get(User, user_id))
    assert '<html lang="pt"' in other.get("/events/cdc").get_data(as_text=True)


def test_the_switcher_keeps_the_page_and_its_filters(app, client):
    _event(app)
    page = client.get("/events/cdc/programme?day=2027-02-21&lang=fr").get_data(as_text=True)
    assert 'href="/events/cdc/programme?day=2027-02-21&amp;lang=ar"' in page
    assert 'aria-current="true" lang="fr">Français' in page
    assert "العربية" in page and "Español" in page and "Português" in page


def test_dates_and_countries_follow_the_language(app):
    with app.app_context():
        event = make_event("cdc")
        moment = dt.datetime(2027, 2, 20, 4, 0, tzinfo=dt.UTC)  # 09:30 in New Delhi
        with i18n.force_language("fr"):
            assert i18n.format_local(moment, event, "%A %d %B %Y, %H:%M") == (
                "samedi 20 février 2027, 09:30"
            )
            assert country_name("DE") == "Allemagne"
        with i18n.force_language("ar"):
            text = i18n.format_local(moment, event, "%a %H:%M")
            assert "السبت" in text
        with i18n.force_language("es"):
            assert country_name("CI") == "Côte d’Ivoire"


def test_country_lists_sort_as_readers_expect(app):
    with app.app_context():
        with i18n.force_language("en"):
            names = [name for _code, name in country_choices()]
        assert names.index("Åland Islands") < names.index("Albania")
        assert names.index("Côte d'Ivoire") < names.index("Czechia")
        with i18n.force_language("fr"):
            french = [name for _code, name in country_choices()]
        assert french.index("Égypte") < french.index("Équateur") < french.index("Espagne")


def test_language_of_a_person_falls_back_to_the_event(app):
    with app.app_context():
        event = make_event("cdc", default_language="fr")
        user = make_user("ana@example.org")
        assert i18n.language_of(user, event) == "fr"
        user.language = "ar"
        assert i18n.language_of(user, event) == "ar"
        user.language = "xx"
        assert i18n.language_of(user, event) == "fr"
