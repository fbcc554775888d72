"""A delegate on a 360 px phone stars sessions far down the programme: after each reload the
page is back at the session, breaks offer no star, and My agenda can take a star away."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from confapp.agenda.demo import seed_programme
from confapp.agenda.models import SessionKind
from confapp.extensions import db
from tests.helpers import PASSWORD
from tests.helpers import make_delegate
from tests.helpers import make_event

PHONE = {"width": 360, "height": 740}


def _world(app) -> list[tuple[int, str, SessionKind]]:
    with app.app_context():
        event = make_event()
        make_delegate(event, "phone@example.org")
        made = seed_programme(event)
        db.session.commit()
        first_day = event.local(made[0].starts_at).date()
        return [
            (s.id, s.title, s.kind) for s in made if event.local(s.starts_at).date() == first_day
        ]


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => {
            const box = document.querySelector(sel).getBoundingClientRect();
            return box.top >= 0 && box.top < window.innerHeight;
        }""",
        selector,
    )


def test_starring_on_a_phone_keeps_the_session_in_view(live_app, page, screenshots):
    day = _world(live_app)
    base = live_app.config["LIVE_URL"]
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "phone@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.goto(f"{base}/events/cdc/programme")
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * PHONE["height"]

    attendable = [(i, t) for i, t, kind in day if kind is not SessionKind.BREAK]
    breaks = [i for i, _, kind in day if kind is SessionKind.BREAK]
    assert breaks, "the demo day has breaks"
    for ident in breaks:
        assert page.locator(f"#session-{ident} button.star").count() == 0

    # Two sessions low on the page, one after the other, as a delegate would.
    for ident, title in (attendable[-3], attendable[-1]):
        card = f"#session-{ident}"
        page.locator(card).scroll_into_view_if_needed()
        page.locator(f"{card} button.star").click()
        page.wait_for_url(re.compile(rf"#session-{ident}$"))
        expect(page.locator(f"{card} button.star")).to_contain_text("In my agenda")
        assert _in_view(page, card), f"{title} is out of view after starring"
        expect(page.locator(".flashes")).to_contain_text(f"“{title}” added to your agenda")
    page.screenshot(path=str(screenshots / "agenda-star-phone.png"))

    # My agenda lists both, each with a button that takes the star away.
    page.goto(f"{base}/events/cdc/my-agenda")
    removing = attendable[-3]
    page.get_by_role(
        "button", name=re.compile(rf"Remove from my agenda\s*: {re.escape(removing[1])}")
    ).click()
    expect(page.locator(".flashes")).to_contain_text(f"“{removing[1]}” removed from your agenda")
    expect(page.locator(f"#session-{removing[0]}")).to_have_count(0)
    expect(page.locator(f"#session-{attendable[-1][0]}")).to_have_count(1)
