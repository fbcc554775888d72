"""The header on a 360 px phone: one line with a Menu that opens without JavaScript, by
keyboard too, with a visible focus; on a 1366 px screen every link in one bar."""

from __future__ import annotations

import pytest

from confapp.accounts import team
from confapp.accounts.models import EventRoleKind
from confapp.extensions import db
from tests.helpers import PASSWORD
from tests.helpers import make_event
from tests.helpers import make_staff

pytestmark = pytest.mark.browser

LINKS = ["Programme", "Visits", "My agenda", "Meetings", "Manage", "Scan", "Rohan Mehta"]


def _sign_in(live_app, page) -> str:
    with live_app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        organiser.full_name = "Rohan Mehta"
        team.grant_role(organiser, event, EventRoleKind.STAFF)
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "org@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return base


def _header_height(page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_phone_header_is_one_line_with_a_menu(live_app, browser, javascript, screenshots):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        base = _sign_in(live_app, page)
        page.goto(f"{base}/events/cdc")
        nav = page.get_by_role("navigation", name="Main")
        # One line: brand, the event (shortened to fit) and Menu; links wait in the menu.
        assert _header_height(page) <= 60
        assert nav.get_by_role("link", name="confapp").is_visible()
        assert nav.locator(".nav-event").is_visible()
        for name in LINKS:
            assert not nav.get_by_role("link", name=name, exact=True).is_visible()
        page.screenshot(path=str(screenshots / "header-phone.png"))
        page.click("details.nav-menu > summary")
        for name in LINKS:
            assert nav.get_by_role("link", name=name, exact=True).is_visible()
        assert nav.get_by_role("button", name="Sign out").is_visible()
        page.screenshot(path=str(screenshots / "header-phone-menu.png"))
        # Taps land: the menu covers the page rather than pushing it.
        assert _header_height(page) <= 60
        nav.get_by_role("link", name="Visits", exact=True).click()
        page.wait_for_url("**/events/cdc/visits")
    finally:
        context.close()


def test_menu_works_by_keyboard_with_a_visible_focus(live_app, page):
    page.set_viewport_size({"width": 360, "height": 740})
    base = _sign_in(live_app, page)
    page.goto(f"{base}/events/cdc")
    for _ in range(3):  # skip link, brand, event
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "document.activeElement.tagName + ':' + document.activeElement.textContent"
    )
    assert focused == "SUMMARY:Menu"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    assert page.locator("details.nav-menu").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Programme"
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/cdc/programme")


def test_wide_screen_shows_every_link_in_one_bar(live_app, page, screenshots):
    page.set_viewport_size({"width": 1366, "height": 600})
    base = _sign_in(live_app, page)
    page.goto(f"{base}/events/cdc")
    nav = page.get_by_role("navigation", name="Main")
    assert not page.locator("details.nav-menu > summary").is_visible()
    tops = set()
    for name in LINKS:
        link = nav.get_by_role("link", name=name, exact=True)
        assert link.is_visible()
        tops.add(round(link.bounding_box()["y"]))
    assert len(tops) == 1 and _header_height(page) <= 60
    assert nav.get_by_role("link", name="Changing paradigms of cluster development").is_visible()
    # Keyboard: the links are reached in order, the hidden summary is skipped.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Programme"
    page.screenshot(path=str(screenshots / "header-wide.png"))


@pytest.mark.parametrize("lang", ["fr", "es", "pt", "ar"])
def test_wide_screen_keeps_one_bar_in_every_language(live_app, page, lang):
    """Translated labels are longer ("Rendez-vous d'affaires", "Se déconnecter"): on a 1366 px
    screen the organiser's links still share one bar, the event's name giving way."""
    page.set_viewport_size({"width": 1366, "height": 600})
    base = _sign_in(live_app, page)
    page.goto(f"{base}/events/cdc?lang={lang}")
    nav = page.locator("header nav.nav")  # its name is translated too
    links = nav.locator(".nav-links > a, .nav-links button")
    assert links.count() == len(LINKS) + 1  # and Sign out
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) == 1, f"{lang}: links on {len(tops)} rows"
    assert _header_height(page) <= 60
    assert nav.locator(".nav-event").is_visible()
