"""The scanner page in Chromium: keyboard wedge, green answer, offline queue and sync."""

from __future__ import annotations

import pytest

from confapp.accounts.models import EventRoleKind
from confapp.checkin import services
from confapp.extensions import db
from tests.helpers import PASSWORD
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff

pytestmark = pytest.mark.browser


def test_scanner_online_then_offline_queue_and_sync(live_app, page):
    from playwright.sync_api import expect

    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        raj = make_confirmed_registration(event, "raj@example.org", full_name="Raj Kumar", country="IN")
        db.session.commit()
        with live_app.test_request_context():
            ana_token, raj_token = services.badge_token(ana), services.badge_token(raj)
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-ready='1']")

    page.fill("#wedge", ana_token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#result.result-ok")
    assert page.text_content("#result-name") == "Ana Example"
    assert page.text_content("#result-country") == "Kenya"
    assert page.text_content("#result-title") == "Checked in"

    # A forged code is red without the server's help too.
    page.context.set_offline(True)
    page.fill("#wedge", ana_token[:-4] + "AAAA")
    page.press("#wedge", "Enter")
    page.wait_for_selector("#result.result-bad")

    page.fill("#wedge", raj_token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#result.result-ok")
    expect(page.locator("#queue-status")).to_have_text("1 waiting")

    page.context.set_offline(False)
    expect(page.locator("#queue-status")).to_have_text("0 waiting", timeout=20_000)
    expect(page.locator("#sync-report")).to_contain_text("Synced 1 scan; 0 conflicts")
    with live_app.app_context():
        from confapp.checkin.models import Attendance

        assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 2
