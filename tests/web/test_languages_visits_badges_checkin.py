"""Visits, badges and check-in pages in French and Arabic: <html lang dir>, no English
sentence of the interface left (compared with the English render of the same page), dates
written for the locale; their e-mails in the delegate's language."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest

from confapp.extensions import db
from confapp.visits import services as visit_services
from tests.helpers import Outbox
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_visit

# Dates on these pages fall on Sunday 21 February 2027 (the event's second day).
DATE_WORDS = {"fr": ("févr", "dimanche", "dim."), "ar": ("فبراير", "الأحد")}

_MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S)
_SKIP = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ATTR = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')
_WORD = re.compile(r"[(\"“]?[A-Za-z][A-Za-z'’-]+[)\"”.,:;!?]*")


def interface_sentences(page: str, content: tuple[str, ...] = ()) -> set[str]:
    """Texts of a page's <main> with two words or more (text between tags, and labels read
    aloud), leaving out the organiser-written and delegate-written content given."""
    body = _MAIN.search(page)
    body = _SKIP.sub(" ", body.group(1) if body else page)
    pieces = [*_TAG.split(body), *_ATTR.findall(body)]
    found = set()
    for piece in pieces:
        text = " ".join(html.unescape(piece).split())
        for item in content:
            text = text.replace(item, " ")
        text = " ".join(text.split())
        if sum(1 for word in text.split() if _WORD.fullmatch(word)) >= 2:
            found.add(text)
    return found


def english_left(english: str, translated: str, content: tuple[str, ...]) -> set[str]:
    """Sentences of the English render that the translated render still shows."""
    theirs = " ".join(interface_sentences(translated, content))
    return {s for s in interface_sentences(english, content) if s in theirs}


def render(client, url: str, language: str) -> str:
    glue = "&" if "?" in url else "?"
    response = client.get(f"{url}{glue}lang={language}")
    assert response.status_code == 200, (url, language, response.status_code)
    return response.get_data(as_text=True)


def check_page(client, url: str, content: tuple[str, ...], *, dates: bool = True) -> None:
    english = render(client, url, "en")
    assert '<html lang="en" dir="ltr">' in english
    for language, direction in (("fr", "ltr"), ("ar", "rtl")):
        page = render(client, url, language)
        assert f'<html lang="{language}" dir="{direction}">' in page, url
        left = english_left(english, page, content)
        assert not left, f"{url} in {language} still shows: {sorted(left)}"
        if dates:
            assert any(word in page for word in DATE_WORDS[language]), (url, language)
    render(client, url, "en")  # leave the session in English for the next page


CONTENT = (
    "Auto components at Manesar",
    "Manesar auto components",
    "Main lobby",
    "Closed shoes",
    "Van",
    "Kenya Leather Cluster",
    "Changing paradigms of cluster development",
    "Asia/Kolkata",
    "IST",
    "India Standard Time",
)


@pytest.fixture
def area(app):
    """An event with a visit (a delegate on it), an organiser and a delegate; ids."""
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        delegate, registration = make_delegate(event)
        visit = make_visit(
            event,
            buses=(("Van", 2),),
            meeting_point="Main lobby",
            requirements="Closed shoes",
            cluster_name="Manesar auto components",
            requires_id_number=True,
        )
        db.session.commit()
        return {
            "event": event,
            "title": event.title,
            "visit": visit.id,
            "organiser": organiser.get_id(),
            "delegate": delegate.get_id(),
            "registration": registration.id,
        }


def login_as(client, user_id: str) -> None:
    with client.session_transaction() as s:
        s["_user_id"] = user_id
        s["_fresh"] = True


def test_visit_pages_of_delegates_in_french_and_arabic(client, area):
    login_as(client, area["delegate"])
    check_page(client, "/events/cdc/visits", (*CONTENT, area["title"]))


def test_visit_pages_of_organisers_in_french_and_arabic(client, area):
    login_as(client, area["organiser"])
    content = (*CONTENT, area["title"], "Delegate", "delegate@example.org")
    for url, dates in (
        ("/events/cdc/manage/visits", True),
        ("/events/cdc/manage/visits/new", False),
        (f"/events/cdc/manage/visits/{area['visit']}", False),
        (f"/events/cdc/manage/visits/{area['visit']}/signups", True),
    ):
        check_page(client, url, content, dates=dates)


def test_the_visit_form_takes_a_title_per_language_and_delegates_read_theirs(app, client, area):
    login_as(client, area["organiser"])
    page = client.get(f"/events/cdc/manage/visits/{area['visit']}").get_data(as_text=True)
    assert 'name="title__fr"' in page and 'name="title__ar"' in page
    with app.app_context():
        visit = visit_services.get_visit(db.session.merge(area["event"]), area["visit"])
        visit.title_i18n = {"fr": "Composants automobiles à Manesar", "ar": "مكونات السيارات"}
        db.session.commit()
    login_as(client, area["delegate"])
    assert "Composants automobiles à Manesar" in render(client, "/events/cdc/visits", "fr")
    assert 'lang="ar" dir="auto">مكونات السيارات' in render(client, "/events/cdc/visits", "ar")
    spanish = render(client, "/events/cdc/visits", "es")
    assert "Auto components at Manesar" in spanish  # no Spanish title: the default's


def test_a_delegate_gets_the_visit_e_mail_in_their_language(app, client, area):
    with app.app_context():
        from confapp.registration.models import Registration

        registration = db.session.get(Registration, area["registration"])
        registration.user.language = "ar"
        visit = visit_services.get_visit(db.session.merge(area["event"]), area["visit"])
        visit.title_i18n = {"ar": "مكونات السيارات في مانيسار"}
        db.session.commit()
    login_as(client, area["delegate"])
    client.post(f"/events/cdc/visits/{area['visit']}/signup", data={"id_number": "P1234567"})
    outbox = Outbox(Path(app.config["MAIL_OUTBOX"]))
    (message,) = outbox.to("delegate@example.org")
    subject = message["Subject"]
    assert subject.startswith("مقعد") and subject.endswith(": مكونات السيارات في مانيسار")
    assert message["Content-Language"] == "ar"
    body = Outbox.body(message)
    assert "مقعدكم في هذه الزيارة الميدانية مؤكَّد" in body
    assert "فبراير" in body and "Departs" not in body


# --- badges, check-in, certificates ---------------------------------------------------------


def _scan_in(app, registration_id: int) -> None:
    from confapp.accounts.models import User
    from confapp.checkin import door
    from confapp.checkin import services as checkin
    from confapp.db import utcnow
    from confapp.registration.models import Registration

    with app.app_context():
        reg = db.session.get(Registration, registration_id)
        now = utcnow()
        # The scan path the API runs: the event's organiser scans the badge.
        organiser = db.session.scalar(db.select(User).where(User.email == "org@example.org"))
        door.check_in(
            reg.event,
            token=checkin.badge_token(reg),
            checkpoint=checkin.Checkpoint("entrance"),
            scan_id=f"scan-{registration_id}",
            scanned_at=now,
            actor=organiser,
            now=now,
        )
        db.session.commit()


def test_badge_and_check_in_pages_in_french_and_arabic(app, client, area):
    _scan_in(app, area["registration"])
    login_as(client, area["organiser"])
    command = "confapp badges cdc -o badges.pdf --layout a4x8 --order family --new-only"
    content = (*CONTENT, area["title"], "Delegate", "delegate@example.org", command)
    check_page(client, "/events/cdc/manage/badges", content, dates=False)
    check_page(client, "/events/cdc/manage/attendance", content, dates=False)
    # Scanned today: its time is in the weekday of the run, not the event's.
    check_page(
        client, "/events/cdc/manage/attendance/detail?checkpoint=entrance", content, dates=False
    )
    check_page(
        client,
        f"/events/cdc/manage/attendance/detail?checkpoint=visit:{area['visit']}",
        content,
        dates=False,
    )
    check_page(client, "/events/cdc/scan", content)
    login_as(client, area["delegate"])
    check_page(client, "/events/cdc/my-badge", content, dates=False)


def test_the_scanner_page_carries_its_script_texts_in_the_page_language(client, area):
    login_as(client, area["organiser"])
    page = render(client, "/events/cdc/scan", "ar")
    blob = re.search(
        r'<script type="application/json" id="scanner-text">(.*?)</script>', page, re.S
    )
    import json

    texts = json.loads(html.unescape(blob.group(1)) if "&#34;" in blob.group(1) else blob.group(1))
    assert texts["lang"] == "ar"
    assert texts["titles"]["ok"] == "سُجّل الحضور"
    assert texts["bus"] == "الحافلة: {bus}"
    # One text per plural category Arabic has, for the browser's Intl.PluralRules.
    assert set(texts["plural"]["waiting"]) == {"zero", "one", "two", "few", "many", "other"}
    assert texts["plural"]["scans"]["few"] == "تمّت مزامنة {n} عمليات مسح"
    english = json.loads(
        re.search(
            r'id="scanner-text">(.*?)</script>', render(client, "/events/cdc/scan", "en"), re.S
        ).group(1)
    )
    assert english["plural"]["waiting"] == {"one": "{n} waiting", "other": "{n} waiting"}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ("DÉLÉGUÉ·E", "ATTESTATION DE PARTICIPATION", "Nous certifions que")),
        ("ar", ("مشارك", "شهادة مشاركة", "نشهد بأن")),
    ],
)
def test_badge_and_certificate_in_the_holders_language_read_by_pdftotext(
    app, client, area, tmp_path, language, words
):
    from babel import dates as babel_dates

    from confapp.pdf import VENDORED_FALLBACK_FONTS
    from confapp.registration.models import Registration
    from tests.helpers import pdf_text

    app.config["PDF_FALLBACK_FONTS"] = list(VENDORED_FALLBACK_FONTS)  # no system fonts
    with app.app_context():
        reg = db.session.get(Registration, area["registration"])
        # Certificates are issued once the event has begun: it runs from yesterday.
        reg.event.starts_on = dt.date.today() - dt.timedelta(days=1)
        reg.event.ends_on = reg.event.starts_on  # one day: its month written in full
        # The month as the certificate's dates write it (Arabic runs come out reordered).
        month = babel_dates.format_date(reg.event.ends_on, "MMMM", locale=language)
        reg.user.language = language
        reg.full_name = {"fr": "Aïssatou Diallo", "ar": "محمد عبد الله"}[language]
        db.session.commit()
    _scan_in(app, area["registration"])
    login_as(client, area["delegate"])
    badge = client.get("/events/cdc/my-badge.pdf")
    certificate = client.get("/events/cdc/my-certificate.pdf")
    assert badge.status_code == 200 and certificate.status_code == 200
    badge_text = pdf_text(badge.data, tmp_path)
    if badge_text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    both = badge_text + pdf_text(certificate.data, tmp_path)
    compact = "".join(both.split())
    name = {"fr": "Aïssatou Diallo", "ar": "محمد عبد الله"}[language]
    assert "".join(name.split()) in compact
    country = {"fr": "Kenya", "ar": "كينيا"}[language]
    assert country in compact
    for word in (*words, month):
        assert "".join(word.split()) in compact, (word, both)
    assert "CERTIFICATE" not in both and "Delegate" not in both
