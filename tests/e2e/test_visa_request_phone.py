"""A delegate on a 360 px phone requests a visa letter: the nationality is already chosen
from their registration, dates are typed as day, month by name and year, the review echoes
the date of birth in words, "Correct my details" fixes a swapped day and month, and the
confirmed request is stored. Nothing runs off the side of the screen, and axe-core finds no
serious or critical issue on the form, the form with errors and the review."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from confapp.extensions import db
from confapp.visa.models import VisaRequest
from tests.e2e.test_accessibility import FAILING_IMPACTS
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_accessibility import describe
from tests.helpers import PASSWORD
from tests.helpers import make_delegate
from tests.helpers import make_event

PHONE = {"width": 360, "height": 740}


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"


def _accessible(page) -> None:
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not serious, describe(serious)


@pytest.fixture
def page(browser):
    """A phone page whose context lets axe-core's injected script run (the app's CSP
    allows scripts from its own origin only)."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_request_with_review_on_a_phone(live_app, page, screenshots):
    with live_app.app_context():
        make_delegate(make_event(), "senegal@example.org", country="SN")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "senegal@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()

    page.goto(f"{base}/events/cdc/visa-letter")
    expect(page.locator("select[name=nationality]")).to_have_value("SN")
    _no_sideways_scroll(page)
    _accessible(page)
    page.screenshot(path=str(screenshots / "visa-request-phone.png"), full_page=True)
    page.get_by_role("button", name="Check my details").click()  # nothing filled in yet
    expect(page.locator(".has-error").first).to_be_visible()
    _no_sideways_scroll(page)
    _accessible(page)

    page.fill("input[name=passport_number]", "A02871546")
    # Meant 3 April 1986 but swapped day and month, as a month-first habit would.
    page.fill("input[name=date_of_birth-day]", "4")
    page.select_option("select[name=date_of_birth-month]", label="March")
    page.fill("input[name=date_of_birth-year]", "1986")
    page.fill("input[name=passport_issued_on-day]", "1")
    page.select_option("select[name=passport_issued_on-month]", label="February")
    page.fill("input[name=passport_issued_on-year]", "2023")
    page.fill("input[name=passport_expires_on-day]", "31")
    page.select_option("select[name=passport_expires_on-month]", label="January")
    page.fill("input[name=passport_expires_on-year]", "2033")
    page.fill("input[name=passport_issue_place]", "Dakar")
    page.get_by_role("button", name="Check my details").click()

    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Born 4 March 1986 — is that right?"
    )
    _no_sideways_scroll(page)
    _accessible(page)
    page.screenshot(path=str(screenshots / "visa-review-phone.png"), full_page=True)
    page.get_by_role("button", name="Correct my details").click()
    expect(page.locator("input[name=date_of_birth-day]")).to_have_value("4")
    page.fill("input[name=date_of_birth-day]", "3")
    page.select_option("select[name=date_of_birth-month]", label="April")
    page.get_by_role("button", name="Check my details").click()
    expect(page.get_by_text("Born 3 April 1986 — is that right?")).to_be_visible()
    page.get_by_role("button", name="Yes, send my request").click()

    expect(page.locator(".flashes")).to_contain_text("Your request has been sent.")
    with live_app.app_context():
        visa = db.session.scalar(sa.select(VisaRequest))
        assert visa.date_of_birth == dt.date(1986, 4, 3)
        assert (visa.nationality, visa.passport_issue_place) == ("SN", "Dakar")
        assert visa.passport_expires_on == dt.date(2033, 1, 31)
