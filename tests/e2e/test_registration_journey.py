"""A delegate registers from a phone, confirms the e-mail link and sees the registration;
an organiser approves a pending registration. Real Chromium, real HTTP server."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from tests.e2e.forms import fill_registration
from tests.helpers import Outbox
from tests.helpers import make_event
from tests.helpers import make_staff

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def test_delegate_registers_on_a_phone_and_confirms_email(live_app, page, screenshots):
    with live_app.app_context():
        make_event("cdc", capacity=100)
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    page.set_viewport_size(PHONE)

    page.goto(f"{base}/events/cdc")
    page.get_by_role("link", name=re.compile("Register", re.I)).first.click()
    fill_registration(page, name="Wanjiru Kamau <b>", email="Wanjiru@Example.org")
    page.screenshot(path=str(screenshots / "registration-phone.png"), full_page=True)
    page.get_by_role("button", name=re.compile("Register", re.I)).click()

    page.wait_for_url(re.compile(r"/events/cdc/my-registration$"))
    assert "Confirmed" in page.content() or "confirmed" in page.content()
    # The name is shown escaped, never as markup.
    assert "Wanjiru Kamau <b>" in page.inner_text("main")
    page.screenshot(path=str(screenshots / "my-registration-phone.png"), full_page=True)

    outbox = Outbox(__import__("pathlib").Path(live_app.config["MAIL_OUTBOX"]))
    messages = outbox.to("wanjiru@example.org")
    assert messages, "a confirmation e-mail was written"
    verify_links = [u for u in outbox.links(messages[-1]) if "/verify/" in u]
    assert verify_links
    page.goto(verify_links[0])
    assert re.search(r"verified|confirmed", page.inner_text("main"), re.I)

    with live_app.app_context():
        reg = db.session.scalar(db.select(Registration))
        assert reg.status is RegistrationStatus.CONFIRMED
        assert reg.user.email == "wanjiru@example.org"
        assert reg.user.email_verified_at is not None


def test_organiser_approves_a_pending_registration(live_app, page):
    with live_app.app_context():
        event = make_event("cdc", capacity=10, requires_approval=True)
        make_staff(event, "org@example.org")
        db.session.commit()
    base = live_app.config["LIVE_URL"]

    page.goto(f"{base}/events/cdc/register")
    fill_registration(page, name="Thabo Nkosi", email="thabo@example.org")
    page.get_by_role("button", name=re.compile("Register", re.I)).click()
    page.wait_for_url(re.compile(r"/my-registration$"))
    assert "pending" in page.inner_text("main").lower()

    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "org@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.goto(f"{base}/events/cdc/manage/registrations?status=pending")
    assert "Thabo Nkosi" in page.inner_text("main")
    page.check("input[name=ids]")
    page.get_by_role("button", name=re.compile("Approve", re.I)).first.click()
    page.wait_for_load_state()

    with live_app.app_context():
        reg = db.session.scalar(db.select(Registration))
        assert reg.status is RegistrationStatus.CONFIRMED
        assert reg.status_changed_at <= dt.datetime.now(dt.UTC)
