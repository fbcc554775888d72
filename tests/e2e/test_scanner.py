"""The scanner page in Chromium: keyboard wedge, green answer, offline queue and sync."""

from __future__ import annotations

import pytest
from flask import request

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
        raj = make_confirmed_registration(
            event, "raj@example.org", full_name="Raj Kumar", country="IN"
        )
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
    # Before the camera runs there is nothing to stop (a `hidden` button stays hidden).
    expect(page.locator("#camera-start")).to_be_visible()
    expect(page.locator("#camera-stop")).to_be_hidden()

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


def test_scanner_repeated_reads_of_one_badge_count_once(live_app, page):
    """A badge read again within the window (camera, double scan) is answered from memory:
    offline it is not queued twice, online the server is not asked twice; a re-type after
    the window counts again."""
    from playwright.sync_api import expect

    from confapp.checkin.models import Attendance

    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        raj = make_confirmed_registration(
            event, "raj@example.org", full_name="Raj Kumar", country="IN"
        )
        db.session.commit()
        raj_id = raj.id
        with live_app.test_request_context():
            ana_token, raj_token = services.badge_token(ana), services.badge_token(raj)
    base = live_app.config["LIVE_URL"]
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/checkins" in r.url else None,
    )
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.clock.install()  # the page's clock, so the test can jump past the repeat window
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-ready='1']")

    def scan(token: str) -> None:
        page.evaluate(
            "document.getElementById('result').className = 'result'"
        )  # see the next answer arrive
        page.fill("#wedge", token)
        page.press("#wedge", "Enter")
        page.wait_for_selector("#result.result-ok, #result.result-warn, #result.result-bad")

    # Online: the second read within the window does not reach the server.
    scan(ana_token)
    expect(page.locator("#result-title")).to_have_text("Checked in")
    scan(ana_token)
    expect(page.locator("#result-title")).to_have_text("Already checked in")
    expect(page.locator("#result-name")).to_have_text("Ana Example")
    assert len(posts) == 1
    # A deliberate re-type after the window asks the server again.
    page.clock.fast_forward(11_000)
    scan(ana_token)
    expect(page.locator("#result-title")).to_have_text("Already checked in")
    assert len(posts) == 2

    # Offline: the same badge twice is one queued scan.
    page.context.set_offline(True)
    expect(page.locator("#connection")).to_have_text("offline")
    scan(raj_token)
    expect(page.locator("#result-reason")).to_have_text(
        f"Genuine badge #{raj_id} — accepted offline, will sync."
    )
    expect(page.locator("#queue-status")).to_have_text("1 waiting")
    scan(raj_token)
    expect(page.locator("#result")).to_have_class("result result-ok")
    expect(page.locator("#result-reason")).to_have_text(
        f"Already scanned — waiting to sync. (badge #{raj_id})"
    )
    expect(page.locator("#queue-status")).to_have_text("1 waiting")
    # After the window it is still waiting in the queue, so still not queued again.
    page.clock.fast_forward(11_000)
    scan(raj_token)
    expect(page.locator("#result-reason")).to_contain_text("Already scanned — waiting to sync.")
    expect(page.locator("#queue-status")).to_have_text("1 waiting")
    assert len(page.evaluate("JSON.parse(localStorage.getItem('confapp-scan-queue:cdc'))")) == 1

    page.context.set_offline(False)
    page.click("#sync-now")
    expect(page.locator("#queue-status")).to_have_text("0 waiting", timeout=20_000)
    expect(page.locator("#sync-report")).to_contain_text("Synced 1 scan; 0 conflicts")
    with live_app.app_context():
        rows = db.session.scalars(db.select(Attendance).order_by(Attendance.registration_id)).all()
        assert [(r.registration_id, r.checkpoint) for r in rows] == [
            (ana.id, "entrance"),
            (raj_id, "entrance"),
        ]


def test_scanner_reopens_with_no_network_and_scans(live_app, page):
    """A service worker keeps the scanner page and its scripts: reloaded offline, the page
    comes from the device (the server sees no request), checks a badge's signature and
    queues it; back online the queue syncs."""
    from playwright.sync_api import expect

    from confapp.checkin.models import Attendance

    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        db.session.commit()
        ana_id = ana.id
        with live_app.test_request_context():
            ana_token = services.badge_token(ana)
    served = []
    live_app.before_request(lambda: served.append(request.path) and None)
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-offline-ready='1']")
    expect(page.locator("#offline-ready")).to_be_visible()

    page.context.set_offline(True)
    served.clear()
    response = page.reload()
    assert response.from_service_worker
    page.wait_for_selector("#scanner[data-ready='1']")
    assert served == []  # nothing reached the server: page, styles and scripts from the device
    expect(page.locator("#connection")).to_have_text("offline")
    assert page.evaluate("typeof window.jsQR") == "function"

    page.fill("#wedge", ana_token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#result.result-ok")
    expect(page.locator("#result-reason")).to_have_text(
        f"Genuine badge #{ana_id} — accepted offline, will sync."
    )
    expect(page.locator("#queue-status")).to_have_text("1 waiting")
    # A forged code is still refused offline (the public key came with the stored page).
    page.fill("#wedge", ana_token[:-4] + "AAAA")
    page.press("#wedge", "Enter")
    page.wait_for_selector("#result.result-bad")

    page.context.set_offline(False)
    page.click("#sync-now")
    expect(page.locator("#queue-status")).to_have_text("0 waiting", timeout=20_000)
    expect(page.locator("#sync-report")).to_contain_text("Synced 1 scan; 0 conflicts")
    with live_app.app_context():
        rows = db.session.scalars(db.select(Attendance)).all()
        assert [(r.registration_id, r.checkpoint) for r in rows] == [(ana_id, "entrance")]


def test_scans_queued_offline_wait_for_a_new_sign_in_instead_of_being_lost(live_app, page):
    """Back online but signed out (the stored page outlived the session): the server does not
    judge the scan, so it stays queued and the page asks to sign in again."""
    from playwright.sync_api import expect

    from confapp.checkin.models import Attendance

    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        db.session.commit()
        with live_app.test_request_context():
            ana_token = services.badge_token(ana)
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-ready='1']")
    page.context.set_offline(True)
    page.fill("#wedge", ana_token)
    page.press("#wedge", "Enter")
    expect(page.locator("#queue-status")).to_have_text("1 waiting")

    page.context.clear_cookies()
    page.context.set_offline(False)
    page.click("#sync-now")
    expect(page.locator("#sync-report")).to_contain_text("Signed out: sign in again")
    expect(page.locator("#queue-status")).to_have_text("1 waiting")
    with live_app.app_context():
        assert db.session.scalars(db.select(Attendance)).all() == []

    page.goto(f"{base}/login?next=/events/cdc/scan")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/events/cdc/scan")
    expect(page.locator("#queue-status")).to_have_text("0 waiting", timeout=20_000)
    with live_app.app_context():
        assert len(db.session.scalars(db.select(Attendance)).all()) == 1


def test_bus_door_names_the_bus_and_the_visit_and_hides_cancelled_sessions(
    live_app, page, screenshots
):
    """At a bus: the green answer names the person's bus, the wrong bus turns amber; someone
    with no seat on this visit is told which visit they are on. Cancelled sessions are gone
    from the checkpoints."""
    import datetime as dt

    from playwright.sync_api import expect

    from confapp.agenda.models import ProgrammeSession
    from confapp.agenda.models import SessionStatus
    from confapp.visits import services as visits
    from tests.helpers import local_time
    from tests.helpers import make_visit

    when = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        filler = make_confirmed_registration(event, "fill@example.org", full_name="Filler")
        morning = make_visit(event, "Brass of Moradabad", buses=(("Red", 1), ("Blue", 1)))
        afternoon = make_visit(event, "Glass of Firozabad", start="13:00", end="18:00")
        visits.signup(event, morning, filler, now=when)
        visits.assign_buses(morning)
        visits.signup(event, morning, ana, now=when)  # late: Blue, the bus with room
        for title, status in (("Opening plenary", None), ("Dropped panel", "cancelled")):
            db.session.add(
                ProgrammeSession(
                    event_id=event.id,
                    title=title,
                    starts_at=local_time(event, 0, "09:00"),
                    ends_at=local_time(event, 0, "10:00"),
                    status=SessionStatus(status) if status else SessionStatus.SCHEDULED,
                )
            )
        db.session.commit()
        ids = {"morning": morning.id, "afternoon": afternoon.id}
        ids["red"], ids["blue"] = morning.buses[0].id, morning.buses[1].id
        with live_app.test_request_context():
            token = services.badge_token(ana)
            filler_token = services.badge_token(filler)
    base = live_app.config["LIVE_URL"]
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-ready='1']")
    options = page.locator("#checkpoint option").all_text_contents()
    assert any("Opening plenary" in o for o in options)
    assert not any("Dropped panel" in o for o in options)
    assert any(o.endswith("08:00 · Blue · Brass of Moradabad") for o in options)

    def scan_at(value: str, code: str = token) -> None:
        page.select_option("#checkpoint", value)
        page.evaluate("document.getElementById('result').className = 'result'")
        page.fill("#wedge", code)
        page.press("#wedge", "Enter")
        page.wait_for_selector("#result.result-ok, #result.result-warn, #result.result-bad")

    scan_at(f"visit:{ids['morning']}:bus:{ids['red']}")
    expect(page.locator("#result")).to_have_class("result result-warn")
    expect(page.locator("#result-title")).to_have_text("Wrong bus")
    expect(page.locator("#result-bus")).to_have_text("Belongs on Blue")
    page.locator("#result").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "scanner-wrong-bus.png"))
    scan_at(f"visit:{ids['morning']}:bus:{ids['blue']}")
    expect(page.locator("#result")).to_have_class("result result-warn")  # a repeat: amber
    expect(page.locator("#result-title")).to_have_text("Already checked in")
    expect(page.locator("#result-bus")).to_have_text("Bus: Blue")
    scan_at(f"visit:{ids['afternoon']}")
    expect(page.locator("#result-title")).to_have_text("Not signed up")
    expect(page.locator("#result-bus")).to_have_text("Their visit: Brass of Moradabad")
    expect(page.locator("#result-reason")).to_contain_text("Has a seat on Brass of Moradabad")
    expect(page.locator("#result-reason")).to_contain_text("leaves Sun 08:00, Blue")
    page.screenshot(path=str(screenshots / "scanner-not-signed-up.png"))
    # The right bus: green, and the answer names it.
    scan_at(f"visit:{ids['morning']}:bus:{ids['red']}", filler_token)
    expect(page.locator("#result")).to_have_class("result result-ok")
    expect(page.locator("#result-title")).to_have_text("Checked in")
    expect(page.locator("#result-bus")).to_have_text("Bus: Red")


def test_scanner_first_load_in_chromium_transfers_at_most_100_kb(live_app, page):
    """What Chromium itself receives on a first visit (Resource Timing transfer sizes: headers
    and bodies as sent, compressed), page and every script, style and icon it loads."""
    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    # Staff land on the scanner after signing in, which would install its service worker
    # before the measured visit: sign in towards the event page so that visit is the first.
    page.goto(f"{base}/login?next=/events/cdc")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    # A first visit: nothing from the browser's cache (the sign-in page loaded the stylesheet).
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-ready='1']")
    entries = page.evaluate(
        """() => [...performance.getEntriesByType("navigation"),
                  ...performance.getEntriesByType("resource")]
                 .map((e) => [e.name, e.transferSize, e.decodedBodySize])"""
    )
    loaded = {name.removeprefix(base): (sent, raw) for name, sent, raw in entries}
    print("\nScanner first load in Chromium (bytes sent, decoded):")
    for name, (sent, raw) in loaded.items():
        print(f"  {name:60} {sent:8} {raw:8}")
    assert any("jsQR.min" in name for name in loaded) and any("noble" in name for name in loaded)
    assert all(sent > 0 for sent, _raw in loaded.values()), "all from the network, none cached"
    total = sum(sent for sent, _raw in loaded.values())
    print(f"  total {total} bytes")
    assert total <= 100_000


def test_scanner_at_the_meetings_area_counts_every_visit_and_names_the_next_meeting(live_app, page):
    """The checkpoint chooser offers the networking meetings area: each scan there (after
    the repeat window) is a visit of its own, online and queued offline, and the answer
    names the person's next meeting."""
    import datetime as dt

    from playwright.sync_api import expect

    from confapp.checkin.models import Attendance
    from confapp.checkin.models import Scan
    from confapp.db import utcnow
    from confapp.meetings.models import Meeting
    from confapp.meetings.models import MeetingRequest
    from confapp.meetings.models import MeetingSlot
    from confapp.meetings.models import MeetingTable

    with live_app.app_context():
        event = make_event("cdc")
        make_staff(event, "door@example.org", EventRoleKind.STAFF)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        bo = make_confirmed_registration(event, "bo@example.org", full_name="Bo Partner")
        start = utcnow().replace(second=0, microsecond=0) + dt.timedelta(hours=2)
        slot = MeetingSlot(
            event_id=event.id, starts_at=start, ends_at=start + dt.timedelta(minutes=20)
        )
        table = MeetingTable(event_id=event.id, name="T7", location="Hall B")
        db.session.add_all([slot, table])
        db.session.flush()
        request_ = MeetingRequest(
            event_id=event.id, requester_id=bo.id, invitee_id=ana.id, status="accepted"
        )
        db.session.add(request_)
        db.session.flush()
        db.session.add(
            Meeting(event_id=event.id, request_id=request_.id, slot_id=slot.id, table_id=table.id)
        )
        db.session.commit()
        with live_app.test_request_context():
            ana_token = services.badge_token(ana)
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "door@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.clock.install()
    page.goto(f"{base}/events/cdc/scan")
    page.wait_for_selector("#scanner[data-ready='1']")
    page.select_option("#checkpoint", label="Networking meetings area")

    def scan() -> None:
        page.evaluate("document.getElementById('result').className = 'result'")
        page.fill("#wedge", ana_token)
        page.press("#wedge", "Enter")
        page.wait_for_selector("#result.result-ok, #result.result-warn, #result.result-bad")

    scan()
    expect(page.locator("#result")).to_have_class("result result-ok")
    expect(page.locator("#result-name")).to_have_text("Ana Example")
    expect(page.locator("#result-meeting")).to_contain_text(
        ", \u2068T7 (Hall B)\u2069, with \u2068Bo Partner\u2069."
    )
    # Within the repeat window: answered from memory, still ok (not "already checked in").
    scan()
    expect(page.locator("#result-title")).to_have_text("Checked in")
    # Back for the next meeting: another visit, ok again.
    page.clock.fast_forward(11_000)
    scan()
    expect(page.locator("#result-title")).to_have_text("Checked in")
    # Offline, two visits after the window are two queued scans.
    page.context.set_offline(True)
    expect(page.locator("#connection")).to_have_text("offline")
    page.clock.fast_forward(11_000)
    scan()
    page.clock.fast_forward(11_000)
    scan()
    expect(page.locator("#result")).to_have_class("result result-ok")
    expect(page.locator("#queue-status")).to_have_text("2 waiting")
    page.context.set_offline(False)
    page.click("#sync-now")
    expect(page.locator("#queue-status")).to_have_text("0 waiting", timeout=20_000)
    expect(page.locator("#sync-report")).to_contain_text("Synced 2 scans; 0 conflicts")
    with live_app.app_context():
        rows = db.session.execute(db.select(Scan.checkpoint, Scan.area, Scan.result)).all()
        assert [(c, a, r.value) for c, a, r in rows] == [("area:meetings", "meetings", "ok")] * 4
        assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0
