"""A delegate's journey in Arabic on a 360 px phone: registers, receives the confirmation
e-mail in Arabic, stars a session whose title was entered in Arabic, downloads the badge PDF
(read back by pdftotext); axe-core on the Arabic pages; README screenshots in French and
Arabic (CONFAPP_SCREENSHOTS=1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from confapp.agenda.demo import seed_programme
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionStar
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.e2e.forms import fill_registration
from tests.e2e.test_accessibility import FAILING_IMPACTS
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_accessibility import describe
from tests.helpers import Outbox
from tests.helpers import make_event
from tests.helpers import make_visit
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
ARABIC_TITLE = "العناقيد الصناعية والتمويل الأخضر"


def _world(app) -> tuple[int, str]:
    """An event in five languages with a programme; one session's title entered in Arabic
    (its translation), the others in English only. Returns that session's id and day."""
    with app.app_context():
        event = make_event("cdc", capacity=100, languages=["en", "fr", "es", "pt", "ar"])
        sessions = seed_programme(event)
        chosen = next(s for s in sessions if s.kind is SessionKind.PARALLEL)
        chosen.title_i18n = {"ar": ARABIC_TITLE}
        visit = make_visit(event, requirements="Closed shoes", meeting_point="Main lobby")
        visit.title_i18n = {"ar": "مكونات السيارات في مانيسار"}
        db.session.commit()
        return chosen.id, event.local(chosen.starts_at).date().isoformat()


def _no_serious_violations(page, name: str) -> None:
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"{name} (Arabic): {describe(serious)}"


@pytest.fixture
def phone(browser):
    """A 360 px phone; the CSP is bypassed only so that axe-core can be injected."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_delegate_journey_in_arabic_on_a_phone(live_app, phone, screenshots, tmp_path):
    session_id, day = _world(live_app)
    base = live_app.config["LIVE_URL"]
    page = phone

    # French first, for the README's pair of screenshots.
    page.goto(f"{base}/events/cdc/register?lang=fr")
    assert page.get_attribute("html", "lang") == "fr"
    page.screenshot(path=str(screenshots / "registration-fr-phone.png"), full_page=True)

    page.goto(f"{base}/events/cdc/register?lang=ar")
    assert page.get_attribute("html", "lang") == "ar"
    assert page.get_attribute("html", "dir") == "rtl"
    fill_registration(page, name="ليلى حداد", email="leila@example.org")
    page.screenshot(path=str(screenshots / "registration-ar-phone.png"), full_page=True)
    _no_serious_violations(page, "registration form")
    # The form fits the phone: nothing scrolls sideways in right-to-left either.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/events/cdc/my-registration$"))
    assert page.get_attribute("html", "dir") == "rtl"
    _no_serious_violations(page, "my registration")

    with live_app.app_context():
        registration = db.session.scalar(db.select(Registration))
        assert registration.user.language == "ar"  # the form was read in Arabic
        registration_id = registration.id

    # The confirmation e-mail is written in Arabic.
    outbox = Outbox(Path(live_app.config["MAIL_OUTBOX"]))
    (message,) = outbox.to("leila@example.org")
    assert message["Content-Language"] == "ar"
    body = Outbox.body(message)
    assert re.search(r"[\u0600-\u06FF]{3,}", message["Subject"]), message["Subject"]
    assert "Thank you" not in body and "Dear" not in body
    assert len(re.findall(r"[\u0600-\u06FF]+", body)) > 10, body

    # The programme shows the Arabic title; starring it puts it in the delegate's agenda.
    page.goto(f"{base}/events/cdc/programme?day={day}")
    card = page.locator(f"#session-{session_id}")
    assert ARABIC_TITLE in card.inner_text()
    card.locator(f"form[action$='/sessions/{session_id}/star'] button").click()
    page.wait_for_load_state()
    _no_serious_violations(page, "programme")
    page.screenshot(path=str(screenshots / "programme-ar-phone.png"))
    with live_app.app_context():
        assert db.session.scalar(
            db.select(SessionStar).where(
                SessionStar.session_id == session_id,
                SessionStar.registration_id == registration_id,
            )
        )
    page.goto(f"{base}/events/cdc/my-agenda")
    assert ARABIC_TITLE in page.inner_text("main")

    # The other pages of the delegate's day, in Arabic too.
    for name, path in (("visits", "/events/cdc/visits"), ("my badge", "/events/cdc/my-badge")):
        page.goto(f"{base}{path}")
        assert page.get_attribute("html", "dir") == "rtl"
        _no_serious_violations(page, name)
    page.goto(f"{base}/events/cdc/visits")
    assert "مكونات السيارات في مانيسار" in page.inner_text("main")

    # The badge PDF, downloaded from the registration page, reads back in Arabic.
    page.goto(f"{base}/events/cdc/my-registration")
    with page.expect_download() as download:
        page.locator("a[href$='/my-badge.pdf']").first.click()
    data = Path(download.value.path()).read_bytes()
    text = pdf_text(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    compact = "".join(text.split())
    assert "ليلىحداد" in compact, text
    assert "مشارك" in compact  # the category, in the holder's language
