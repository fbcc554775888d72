"""Validation messages, flashes and the sign-in prompt in the reader's language: confapp's
own field messages, WTForms' built-in ones (WTForms' Arabic catalog leaves some in English)
and the flash after registering."""

from __future__ import annotations

import html
import re

import pytest

from confapp.extensions import db
from tests.helpers import make_event
from tests.helpers import make_user
from tests.helpers import registration_form

LANGUAGES = ("fr", "es", "pt", "ar")

# One bad value per field; each gives one message under its field.
BAD = {
    "empty name": {"full_name": ""},
    "empty e-mail": {"email": ""},
    "empty password": {"password": ""},
    "no country": {"country": ""},
    "bad e-mail": {"email": "not-an-email"},
    "name too long": {"full_name": "x" * 300},
    "unknown category": {"category": "sponsor"},
    "unknown interest": {"interests": ["golf"]},
}


@pytest.fixture
def event(app):
    with app.app_context():
        event = make_event()
        make_user("existing@example.org")
        db.session.commit()
        return event.slug


def _error(app, client, slug: str, overrides: dict, language: str) -> str:
    answer = client.post(
        f"/events/{slug}/register?lang={language}", data=registration_form(**overrides)
    )
    assert answer.status_code == 200
    messages = re.findall(r'<p class="error" id="[^"]+">([^<]+)</p>', answer.text)
    assert len(messages) == 1, messages
    return html.unescape(messages[0])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_field_message_is_in_the_readers_language(app, client, event, language):
    for case, overrides in BAD.items():
        english = _error(app, client, event, overrides, "en")
        translated = _error(app, client, event, overrides, language)
        assert translated and translated != english, (case, translated)
        if language == "ar":
            assert re.search("[\u0600-\u06ff]", translated), (case, translated)


def test_wtforms_plural_message_follows_the_number_in_arabic(app, client, event):
    message = _error(app, client, event, {"full_name": "x" * 300}, "ar")
    assert message == "لا يمكن أن يزيد الحقل على 200 حرف."


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Vous êtes inscrit·e"), ("es", "Está inscrito/a"), ("ar", "تم تسجيلك")],
)
def test_the_flash_after_registering_is_translated(app, client, event, language, expected):
    form = registration_form(email=f"new-{language}@example.org")
    answer = client.post(f"/events/{event}/register?lang={language}", data=form)
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).text
    assert expected in page
    assert "You are registered" not in page


def test_the_sign_in_prompt_is_translated(client, event):
    client.get("/?lang=fr")
    answer = client.get(f"/events/{event}/my-registration")
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).text
    assert "Connectez-vous pour continuer." in page
    assert "Please sign in" not in page
