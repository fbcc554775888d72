"""The programme's delegate and organiser pages in Spanish and Portuguese as well: the page
says its language, and no English interface sentence of the English render is left (the
same check as tests/web/test_i18n_area_b.py makes for French and Arabic)."""

from __future__ import annotations

from tests.web.test_i18n_area_b import DELEGATE_PAGES
from tests.web.test_i18n_area_b import ORGANISER_PAGES
from tests.web.test_i18n_area_b import _login
from tests.web.test_i18n_area_b import english_left
from tests.web.test_i18n_area_b import world  # noqa: F401 - the shared fixture

LANGUAGES = ("es", "pt")
# Days of the programme (Saturday 20 February 2027) as each language writes them.
DATES = {"es": ("sábado", "feb"), "pt": ("sábado", "fev")}


def _render(client, url: str, language: str) -> str:
    glue = "&" if "?" in url else "?"
    response = client.get(f"{url}{glue}lang={language}")
    assert response.status_code == 200, (url, language, response.status_code)
    return response.get_data(as_text=True)


def _check_pages(client, urls, world) -> None:  # noqa: F811
    for url in urls:
        url = url.format(**world)
        english = _render(client, url, "en")
        for language in LANGUAGES:
            page = _render(client, url, language)
            assert f'<html lang="{language}" dir="ltr">' in page, url
            left = english_left(english, page, language)
            assert not left, f"{url} in {language}: English left: {sorted(left)}"


def test_agenda_pages_of_a_delegate_in_spanish_and_portuguese(app, world):  # noqa: F811
    client = app.test_client()
    _login(client, world["delegate"])
    _check_pages(client, DELEGATE_PAGES, world)
    for language, words in DATES.items():
        page = _render(client, "/events/cdc/programme", language).lower()
        assert all(word in page for word in words), language


def test_agenda_pages_of_an_organiser_in_spanish_and_portuguese(app, world):  # noqa: F811
    client = app.test_client()
    _login(client, world["organiser"])
    _check_pages(client, ORGANISER_PAGES, world)
