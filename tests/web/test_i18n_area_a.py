"""Area A in every language: the pages of accounts, events, registration, visa, event log,
documents and mail delivery render in French and Arabic (Spanish and Portuguese for the
delegate's pages) with <html lang dir>, no English interface sentence left (compared with
the English render of the same page), dates written for the locale, and the e-mails of a
registration arrive in the recipient's language."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from confapp.extensions import db
from confapp.registration.models import RegistrationStatus
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import registration_form
from tests.helpers import sign_in

# Text that may stay as it is in every language: the brand, data the tests made, codes.
ALLOWED = re.compile(
    r"confapp|Cluster Development Conference|Cluster Foundation|Kenya Leather Cluster|"
    r"Ana Example|Bea Example|example\.org|Director|vegetarian|New Delhi|Asia/Kolkata|"
    r"Changing paradigms of cluster development|English|Français|Español|Português|"
    r"India Habitat Centre|^Org$|"
    # words written the same way in the other language (fr/pt/es)
    r"^(Menu|Badges|Documents|Programme|Scanner|Sector|Logo|Signature|Contact|Type|Dates|"
    r"Organisation|E-mail|Kenya|Innovation|Description|Sponsor|Actions?)$|^[a-z_,]+$|"
    r"CSV|PDF|QR|\bcdc\b|^[\W\d_]+$"
)


class _Text(HTMLParser):
    """The visible text nodes of a page (scripts, styles and the title excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title", "option"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title", "option") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.nodes.append(text)


def text_nodes(html: str) -> list[str]:
    """The text a reader sees, node by node."""
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def english_left(english: str, translated: str) -> list[str]:
    """Interface sentences of the English page still present, unchanged, in the other."""
    seen = set(text_nodes(translated))
    return sorted(
        node
        for node in set(text_nodes(english))
        if node in seen and re.search(r"[A-Za-z]{3}", node) and not ALLOWED.search(node)
    )


def get(client, path: str, lang: str) -> str:
    response = client.get(path, query_string={"lang": lang})
    assert response.status_code == 200, (path, lang, response.status_code)
    return response.get_data(as_text=True)


def check_page(client, path: str, lang: str) -> str:
    english = get(client, path, "en")
    page = get(client, path, lang)
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in page, path
    left = english_left(english, page)
    assert left == [], f"{path} in {lang}: {left}"
    return page


@pytest.fixture
def event(app):
    with app.app_context():
        event = make_event(
            "cdc",
            starts_on=dt.date(2027, 2, 20),
            ends_on=dt.date(2027, 2, 22),
            contact_email="team@example.org",
        )
        db.session.commit()
        return event.id


DELEGATE_PAGES = ["/", "/events/cdc", "/events/cdc/register", "/login", "/reset-password"]


@pytest.mark.parametrize("lang", ["fr", "ar", "es", "pt"])
def test_public_pages_speak_the_language(client, event, lang):
    for path in DELEGATE_PAGES:
        check_page(client, path, lang)


@pytest.mark.parametrize("lang", ["fr", "ar", "es", "pt"])
def test_a_delegates_own_pages_speak_the_language(app, client, event, lang):
    with app.app_context():
        from confapp.events.models import Event

        reg = make_confirmed_registration(
            db.session.get(Event, event), "ana@example.org", full_name="Ana Example"
        )
        db.session.commit()
        sign_in(client, reg.user)
    for path in ["/account", "/events/cdc/my-registration", "/events/cdc/my-registration/edit"]:
        check_page(client, path, lang)
    for path in ["/events/cdc/visa-letter"]:
        check_page(client, path, lang)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_organiser_pages_speak_the_language(app, client, event, lang):
    with app.app_context():
        from confapp.events.models import Event

        the_event = db.session.get(Event, event)
        organiser = make_staff(the_event, "org@example.org")
        make_confirmed_registration(the_event, "bea@example.org", full_name="Bea Example")
        db.session.commit()
        sign_in(client, organiser)
    for path in [
        "/events/cdc/manage",
        "/events/cdc/manage/registrations",
        "/events/cdc/manage/registrations/new",
        "/events/cdc/manage/registrations/import",
        "/events/cdc/manage/settings",
        "/events/cdc/manage/team",
        "/events/cdc/manage/visa-letters",
        "/events/cdc/manage/log",
        "/events/cdc/manage/mail",
        "/events/cdc/manage/documents",
    ]:
        check_page(client, path, lang)


def test_dates_are_written_for_the_locale(client, event):
    assert "20–22 February 2027" in get(client, "/events/cdc", "en")
    assert "20–22 févr. 2027" in get(client, "/events/cdc", "fr")
    assert "فبراير" in get(client, "/events/cdc", "ar")
    assert "de febrero de 2027" in get(client, "/events/cdc", "es")


def test_error_pages_and_form_errors_are_translated(client, event):
    page = client.get("/nowhere", query_string={"lang": "fr"}).get_data(as_text=True)
    assert "Page introuvable" in page and "Il n&#39;y a rien à cette adresse." in page
    page = client.post(
        "/events/cdc/register?lang=ar", data=registration_form(full_name="", country="")
    ).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "يُرجى تصحيح" in page  # "Please correct the fields marked below."


def test_registration_email_arrives_in_the_registrants_language(app, client, event, outbox):
    client.get("/events/cdc/register", query_string={"lang": "ar"})
    response = client.post("/events/cdc/register", data=registration_form())
    assert response.status_code == 302
    [message] = outbox.to("ana@example.org")
    assert "تأكَّد التسجيل" in message["Subject"]
    assert message["Content-Language"] == "ar"
    body = outbox.body(message)
    assert "المنظِّمون" in body and "Dear" not in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'dir="rtl"' in html
    with app.app_context():
        from confapp.accounts.models import User

        user = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
        assert user.language == "ar"  # later e-mails (worker, CLI) use it too


def test_an_organisers_action_mails_the_delegate_in_their_language(app, client, event, outbox):
    with app.app_context():
        from confapp.events.models import Event
        from confapp.registration import services

        the_event = db.session.get(Event, event)
        reg = make_confirmed_registration(the_event, "bea@example.org", full_name="Bea Example")
        reg.user.language = "fr"
        organiser = make_staff(the_event, "org@example.org")
        db.session.commit()
        # An English-speaking organiser (and no request at all: as from the CLI or worker).
        services.cancel(reg, actor=organiser, now=dt.datetime.now(dt.UTC))
        db.session.commit()
        assert reg.status is RegistrationStatus.CANCELLED
    [message] = outbox.to("bea@example.org")
    assert message["Subject"].startswith("Inscription annulée")
    assert "Les organisateurs ont annulé votre inscription" in outbox.body(message)
