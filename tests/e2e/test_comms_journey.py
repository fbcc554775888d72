"""An organiser writes an announcement, previews it, sends it to the people signed up for
a visit; the delivery log shows the messages; a delegate reads it on the event page (and
in the banner) in a browser, at 1366 and 360 px."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from confapp.agenda.models import SeatStatus
from confapp.extensions import db
from confapp.visits.models import VisitSignup
from tests.helpers import PASSWORD
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_visit

SHOTS = Path(os.environ.get("CONFAPP_SHOT_DIR", "/tmp"))
PHONE = {"width": 360, "height": 740}
WIDE = {"width": 1366, "height": 900}


def sign_in(page, base, address):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", address)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()


def test_organiser_sends_to_a_visit_and_a_delegate_reads_it(live_app, browser):
    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "org@example.org")
        visit = make_visit(event, "Panipat textile cluster",
                           now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))  # fmt: skip
        for name in ("ana", "ben", "cy"):
            reg = make_confirmed_registration(event, f"{name}@example.org",
                                              full_name=f"{name.title()} Kamau")  # fmt: skip
            if name != "cy":
                db.session.add(VisitSignup(visit_id=visit.id, registration_id=reg.id,
                                           status=SeatStatus.CONFIRMED))  # fmt: skip
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    page = browser.new_page(viewport=WIDE)
    try:
        sign_in(page, base, "org@example.org")
        page.goto(f"{base}/events/cdc/manage")
        page.get_by_role("link", name="Announcements", exact=True).click()
        page.get_by_role("link", name="New announcement").click()
        page.fill("input[name=subject]", "Bus to {visit_name}")
        page.fill(
            "textarea[name=body]",
            "Dear {first_name},\n\nThe bus leaves at **07:30** from Gate 2 ({visit_time}).",
        )
        page.select_option("select[name=visit_id]", label="Panipat textile cluster")
        page.check("input[name=publish]")
        page.get_by_role("button", name="Preview and count").click()
        page.wait_for_selector("text=2 recipients")
        preview = page.locator(".comms-message")
        assert "Bus to Panipat textile cluster" in preview.inner_text()
        assert preview.locator("strong", has_text="07:30").count() == 1
        page.screenshot(path=str(SHOTS / "comms-compose-1366.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(SHOTS / "comms-compose-360.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the compose page scrolls sideways ({width} px)"
        page.set_viewport_size(WIDE)
        page.get_by_role("button", name="Send or schedule").click()
        page.wait_for_selector("text=The announcement is on its way to 2 people.")
        record = page.inner_text("main")
        assert "ana@example.org" in record and "ben@example.org" in record
        assert "cy@example.org" not in record
        page.goto(f"{base}/events/cdc/manage/mail")
        log = page.inner_text("main")
        assert log.count("Bus to Panipat textile cluster") == 2
        assert "ana@example.org" in log and "ben@example.org" in log
    finally:
        page.close()
    reader = browser.new_page(viewport=PHONE)
    try:
        sign_in(reader, base, "cy@example.org")
        reader.goto(f"{base}/events/cdc")
        banner = reader.locator(".comms-banner")
        assert "Bus to Panipat textile cluster" in banner.inner_text()
        item = reader.locator(".comms-item").first
        assert "The bus leaves at 07:30 from Gate 2" in item.inner_text()
        reader.screenshot(path=str(SHOTS / "comms-event-360.png"), full_page=True)
        banner.get_by_role("button", name="Dismiss").click()
        reader.wait_for_url(f"{base}/events/cdc")
        assert reader.locator(".comms-banner").count() == 0
        assert "Bus to Panipat textile cluster" in reader.inner_text(".comms-item")
    finally:
        reader.close()
