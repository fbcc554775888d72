"""A certificate's journey in Chromium: the delegate downloads it once scanned in; someone
with the paper opens the printed URL (what the QR code holds) on a 360 px phone and reads
"valid"; the organiser re-issues it through the confirmation page (no JavaScript needed)
and the old number then reads "replaced" on the phone."""

from __future__ import annotations

import datetime as dt
import re

from confapp.extensions import db
from tests.certificates import can_decode_qr
from tests.certificates import decode_qr
from tests.certificates import scan_in
from tests.helpers import PASSWORD
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import pdf_text

PHONE = {"width": 360, "height": 740}


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_load_state()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_download_verify_on_a_phone_reissue_and_read_replaced(live_app, browser, tmp_path):
    with live_app.app_context():
        starts = dt.date.today() - dt.timedelta(days=1)
        event = make_event("cdc", starts_on=starts, ends_on=starts + dt.timedelta(days=2))
        make_staff(event, "org@example.org")
        reg = make_confirmed_registration(
            event,
            "ana@example.org",
            full_name="Aïssatou Diallo",
            organisation="Chambre de Commerce, d'Industrie et d'Agriculture de Thiès",
        )
        scan_in(reg)
        db.session.commit()
    base = live_app.config["LIVE_URL"]

    delegate = browser.new_context(viewport=PHONE).new_page()
    _sign_in(delegate, base, "ana@example.org")
    delegate.goto(f"{base}/events/cdc/my-registration")
    with delegate.expect_download() as download:
        delegate.get_by_role("link", name="Certificate of participation (PDF)").click()
    download.value.save_as(tmp_path / "certificate.pdf")
    pdf = (tmp_path / "certificate.pdf").read_bytes()
    text = pdf_text(pdf, tmp_path) or ""
    number = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert number, text
    number = number.group(0)
    url = f"{base}/certificates/{number}"
    if can_decode_qr():
        assert decode_qr(pdf, tmp_path) == url

    # Someone holding the paper, not signed in, on a phone.
    verifier = browser.new_context(viewport=PHONE).new_page()
    verifier.goto(url)
    verdict = verifier.locator("#verdict")
    assert verdict.get_attribute("data-validity") == "valid"
    assert "Aïssatou Diallo" in verdict.inner_text()
    _fits(verifier)
    verifier.screenshot(path=str(tmp_path / "verify-360.png"), full_page=True)
    # Typing the number by hand, loosely, finds it too.
    verifier.goto(f"{base}/certificates")
    verifier.fill("input[name=number]", number.lower().replace("-", " "))
    verifier.get_by_role("button", name="Check").click()
    assert verifier.locator("#verdict").get_attribute("data-validity") == "valid"

    organiser = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    _sign_in(organiser, base, "org@example.org")
    organiser.goto(f"{base}/events/cdc/manage/attendance")
    organiser.get_by_role("button", name="Re-issue…").click()
    organiser.wait_for_selector("text=What will happen")
    assert number in organiser.content()
    organiser.get_by_role("button", name="Re-issue the certificate").click()
    organiser.wait_for_selector("text=A new certificate was issued")

    verifier.goto(url)
    assert verifier.locator("#verdict").get_attribute("data-validity") == "replaced"
    _fits(verifier)
