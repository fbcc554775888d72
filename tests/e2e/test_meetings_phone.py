"""The demo delegate on a 360 px phone: the networking directory is a page of compact cards
(24 profiles in at most a quarter of the old 30,000 px), each with its request form behind a
button; the request sent from a card shows on My meetings, whose cards keep every button on
screen and say whose answer each request waits for."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from confapp import create_app
from confapp.demo import data as demo_data
from confapp.demo.seed import seed_demo
from confapp.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
OLD_DIRECTORY_PX = 30_000  # 24 profiles as an unstyled list with open message boxes (issue 19)
DELEGATE = next(email for email, _, kind in demo_data.ACCOUNTS if kind == "delegate")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo conference served for this module; its base URL and event path."""
    folder = tmp_path_factory.mktemp("meetings-phone")
    app = create_app(
        "testing",
        {
            "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
            "MAIL_OUTBOX": str(folder / "outbox"),
            "WTF_CSRF_ENABLED": True,
        },
    )
    with app.app_context():
        db.create_all()
        with app.test_request_context():
            event = seed_demo()
            slug = event.slug
            db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", f"/events/{slug}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def _sign_in(page, base: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login?lang=en")
    page.fill("input[name=email]", DELEGATE)
    page.fill("input[name=password]", demo_data.PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _outside(page) -> list[str]:
    """Buttons, disclosures and lists of the page's content that lie outside the viewport."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                'main button, main .button, main summary, main select')]
            .filter((el) => el.offsetParent !== null && el.checkVisibility())
            // A strip that scrolls sideways in its own box (a named region) is meant to.
            .filter((el) => !el.closest('[role=region][tabindex]'))
            .filter((el) => {
                const box = el.getBoundingClientRect();
                return box.left < 0 || box.right > window.innerWidth + 0.5;
            })
            .map((el) => el.textContent.trim())"""
    )


def test_directory_cards_and_my_meetings_on_a_phone(demo, page, screenshots):
    base, event = demo
    _sign_in(page, base)

    page.goto(f"{base}{event}/meetings/directory")
    cards = page.locator("ul.directory > li > .person")
    expect(cards).to_have_count(24)
    listed = page.evaluate("document.querySelector('ul.directory').getBoundingClientRect().height")
    whole = page.evaluate("document.documentElement.scrollHeight")
    print(f"\ndirectory at 360 px: 24 profiles {listed:.0f} px, whole page {whole} px")
    assert listed <= OLD_DIRECTORY_PX / 4
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # No message box until asked for; job title and organisation on lines of their own.
    assert page.locator("main textarea:visible").count() == 0
    assert page.locator("ul.directory .person-role").count() > 0
    assert page.locator("ul.directory .person-org").count() > 0
    text = page.locator("main").inner_text()
    assert "Msme" not in text and "MSME (enterprise)" in text
    languages = page.locator("ul.directory .person-foot > p:not(.hint)").all_inner_texts()
    # Names, never two-letter codes ("en, hi").
    assert languages and all(t.startswith("Languages: ") for t in languages)
    assert not [t for t in languages if re.search(r"\b[a-z]{2}\b", t)], languages
    assert not _outside(page), _outside(page)
    page.evaluate("window.scrollTo(0, document.querySelector('.recommended').offsetTop)")
    page.screenshot(path=str(screenshots / "directory-phone.png"))

    # A card low on the page: the form opens in place, the answer comes back to that card.
    card = cards.nth(20)
    name = card.locator(".person-name").inner_text()
    ident = card.get_attribute("id")
    card.locator("summary", has_text="Request a meeting").click()
    message = card.locator("textarea")
    expect(message).to_be_visible()
    assert not _outside(page), _outside(page)
    message.fill("Could we talk about export partners?")
    card.get_by_role("button", name="Send the request").click()
    page.wait_for_url(re.compile(rf"#{ident}$"))
    expect(page.locator(".flashes")).to_contain_text(f"Request sent to {name}.")
    box = page.locator(f"#{ident}").bounding_box()
    assert 0 <= box["y"] < PHONE["height"], f"{name}'s card is out of view after sending"
    # The card now says a request is open instead of offering a second one.
    sent_card = page.locator(f"#{ident}")
    expect(sent_card).to_contain_text(f"You have an open request with {name}.")
    expect(sent_card.locator("summary", has_text="Request a meeting")).to_have_count(0)

    # My meetings: cards; no button off screen; whose answer each request waits for.
    page.goto(f"{base}{event}/meetings")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not _outside(page), _outside(page)
    sent = page.locator("li.meeting", has_text=f"To {name}")
    expect(sent.locator(".meeting-status")).to_have_text(f"Waiting for {name} to answer")
    expect(sent.get_by_role("button", name=re.compile("^Withdraw my request"))).to_be_visible()
    incoming = page.locator(
        "li.meeting", has=page.get_by_text("Waiting for your answer", exact=True)
    ).first
    expect(incoming.get_by_role("button", name=re.compile("^Accept"))).to_be_visible()
    expect(incoming.get_by_role("button", name=re.compile("^Decline"))).to_be_visible()
    expect(incoming.get_by_role("button", name=re.compile("^Cancel"))).to_have_count(0)
    expect(incoming).to_contain_text("Decline says no to this request")
    booked = page.locator("ol.booked > li.meeting").first
    expect(booked.get_by_role("button", name=re.compile("^Cancel the meeting"))).to_be_visible()
    page.evaluate(
        "window.scrollTo(0, document.querySelector('ol.requests').getBoundingClientRect().top"
        " + window.scrollY - 90)"
    )
    page.screenshot(path=str(screenshots / "my-meetings-phone.png"))
