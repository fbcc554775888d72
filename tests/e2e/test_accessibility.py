"""Accessibility: axe-core (vendored in tests/e2e/vendor/axe-core) on every public page,
the delegate's pages, the scanner and the organisers' main pages and forms, filled with
the demo conference; any serious or critical violation fails, and no page scrolls sideways.
Also: the programme's list on a 360 px phone and its grid on wide screens fit the screen."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from confapp import create_app
from confapp.accounts.models import User
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.checkin import door as checkin_door
from confapp.demo import data as demo_data
from confapp.demo.seed import demo_event
from confapp.demo.seed import seed_demo
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Visit

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SLUG = demo_data.SLUG
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
FAILING_IMPACTS = {"serious", "critical"}

# (name, who is signed in, path with {ids} from the demo data, viewport). Pages whose only
# difference is already covered are left out to keep the run short: the delegate's programme,
# session and visits pages carry everything the anonymous ones do plus the star and sign-up
# forms; a form with its errors shown covers the empty form; edit forms share the new-item
# template.
E = f"/events/{SLUG}"
PAGES: list[tuple[str, str, str, dict]] = [
    ("home", "anonymous", "/", WIDE),
    ("event", "anonymous", E, PHONE),
    ("event-menu-open", "delegate", E, PHONE),
    ("register-errors", "anonymous", f"{E}/register", PHONE),
    ("login-errors", "anonymous", "/login", PHONE),
    ("programme-changes", "anonymous", f"{E}/programme/changes", PHONE),
    ("not-found", "anonymous", f"{E}/sessions/999999", PHONE),
    ("programme-grid", "delegate", f"{E}/programme", WIDE),
    ("programme-list", "delegate", f"{E}/programme", PHONE),
    ("session-cancelled", "delegate", f"{E}/sessions/{{session}}", PHONE),
    ("session-workshop", "delegate", f"{E}/sessions/{{workshop}}", PHONE),
    ("visits", "delegate", f"{E}/visits", PHONE),
    ("my-registration", "delegate", f"{E}/my-registration", PHONE),
    ("my-registration-edit", "delegate", f"{E}/my-registration/edit", PHONE),
    ("my-agenda", "delegate", f"{E}/my-agenda", PHONE),
    ("my-meetings", "delegate", f"{E}/meetings", PHONE),
    # Filtered to one country: every profile is the same markup, and all 176 make axe slow.
    ("directory", "delegate", f"{E}/meetings/directory?country=KE", PHONE),
    ("meeting-profile", "delegate", f"{E}/meetings/profile", PHONE),
    ("meeting-availability", "delegate", f"{E}/meetings/availability", PHONE),
    ("my-badge", "delegate", f"{E}/my-badge", PHONE),
    ("visa-letter", "delegate", f"{E}/visa-letter", PHONE),
    ("account", "delegate", "/account", PHONE),
    ("scanner-warn", "staff", f"{E}/scan", PHONE),
    ("scanner-bad", "staff", f"{E}/scan", PHONE),
    ("manage", "organiser", f"{E}/manage", WIDE),
    ("manage-settings", "organiser", f"{E}/manage/settings", WIDE),
    ("registrations", "organiser", f"{E}/manage/registrations", WIDE),
    ("registration-detail", "organiser", f"{E}/manage/registrations/{{registration}}", WIDE),
    ("registration-new", "organiser", f"{E}/manage/registrations/new", WIDE),
    ("programme-manage", "organiser", f"{E}/manage/programme", WIDE),
    ("session-new", "organiser", f"{E}/manage/programme/sessions/new", WIDE),
    ("rooms", "organiser", f"{E}/manage/programme/rooms", WIDE),
    ("visits-manage", "organiser", f"{E}/manage/visits", WIDE),
    ("visit-new", "organiser", f"{E}/manage/visits/new", WIDE),
    ("visit-signups", "organiser", f"{E}/manage/visits/{{visit}}/signups", WIDE),
    ("meetings-manage", "organiser", f"{E}/manage/meetings", WIDE),
    ("meetings-report", "organiser", f"{E}/manage/meetings/report", PHONE),
    ("badges", "organiser", f"{E}/manage/badges", WIDE),
    ("attendance", "organiser", f"{E}/manage/attendance", PHONE),
    ("visa-letters", "organiser", f"{E}/manage/visa-letters", WIDE),
    # Analytics: charts (SVG), their tables and the held meetings' heat maps; Arabic last,
    # since ?lang= is remembered for the organiser's later pages.
    ("analytics", "organiser", f"{E}/manage/analytics", WIDE),
    ("analytics-phone-ar", "organiser", f"{E}/manage/analytics?lang=ar", PHONE),
]

EMAILS = {kind: email for email, _, kind in demo_data.ACCOUNTS}


def _add_states(event) -> dict:
    """Put the demo in the states pages have to show too: cancelled sessions (a break and a
    talk), meetings reported as held (the report's heat map), delegates checked in; returns
    the ids the paths need."""
    from confapp.agenda import services as agenda_services
    from confapp.checkin import services as checkin_services
    from confapp.meetings import services as meeting_services

    later = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)  # after the event: feedback is open
    sessions = db.session.scalars(
        db.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()
    cancelled = [
        next(s for s in sessions if s.kind is kind)
        for kind in (SessionKind.BREAK, SessionKind.PARALLEL)
    ]
    for session in cancelled:
        agenda_services.cancel_session(event, session, now=later)
    workshop = next(s for s in sessions if s.kind is SessionKind.WORKSHOP and s.capacity_pool_id)
    # A bigger venue on the first day: ten rooms in parallel make the grid wider than a screen.
    first = next(s for s in sessions if s.kind is SessionKind.PARALLEL and s is not cancelled[1])
    for name in ("Jasmine", "Neem", "Peepal", "Tamarind"):
        room = agenda_services.create_room(event, name=name, capacity=40, location="Annexe")
        agenda_services.create_session(
            event,
            agenda_services.SessionData(
                title=f"Clusters in practice: the {name} room",
                kind=SessionKind.PARALLEL,
                starts_at=first.starts_at,
                ends_at=first.ends_at,
                room_id=room.id,
            ),
            now=later,
        )
    for _meeting, _slot, _table, request in meeting_services.event_meetings(event)[:40]:
        requester = db.session.get(Registration, request.requester_id)
        meeting_services.submit_feedback(
            event, request, requester, later, took_place=True, rating=4, cooperation_likely=True
        )
    # Thirty delegates and the demo delegate are in (so scanning the latter again warns).
    delegate = db.session.scalar(
        db.select(Registration).where(Registration.email == EMAILS["delegate"])
    )
    registrations = db.session.scalars(
        db.select(Registration)
        .where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
        .order_by(Registration.id)
        .limit(30)
    ).all()
    entrance = checkin_services.resolve_checkpoint(event, None, None)
    # Scanned before the test's own scans: the earliest scan of a badge is the check-in. A
    # live scan (a past time must fall within the event's days), by the demo's staff member.
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    scanner = db.session.scalar(db.select(User).where(User.email == EMAILS["staff"]))
    for number, registration in enumerate(dict.fromkeys([delegate, *registrations])):
        checkin_door.check_in(
            event,
            token=checkin_services.badge_token(registration),
            checkpoint=entrance,
            scan_id=f"a11y-{number}",
            scanned_at=earlier,
            actor=scanner,
            now=earlier,
        )
    return {
        "session": cancelled[1].id,
        "workshop": workshop.id,
        "visit": db.session.scalar(db.select(Visit.id).order_by(Visit.id)),
        "registration": delegate.id,
        "token": checkin_services.badge_token(delegate),
    }


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo conference served once for the whole module: (base URL, ids for paths)."""
    folder = tmp_path_factory.mktemp("a11y")
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
            seed_demo()
            ids = _add_states(demo_event())
            db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def pages(browser, demo_site):
    """One page per role, signed in once, reused by every check of that role."""
    base, _ = demo_site
    made = {}
    for who in ("anonymous", "delegate", "staff", "organiser"):
        # The app's CSP allows scripts from its own origin only; Playwright injects axe as
        # an inline <script>, which that policy blocks, so these contexts bypass the CSP.
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(15_000)
        page = context.new_page()
        if who != "anonymous":
            page.goto(f"{base}/login")
            page.fill("input[name=email]", EMAILS[who])
            page.fill("input[name=password]", demo_data.PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/login" not in url)
        made[who] = page
    yield made
    for page in made.values():
        page.context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page: its violations (rule id, impact, help, target selectors)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, { resultTypes: ["violations"] });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }"""
    )


def describe(violations: list[dict]) -> str:
    """One line per violation with up to five of its targets."""
    lines = []
    for v in violations:
        more = f" (+{len(v['targets']) - 5} more)" if len(v["targets"]) > 5 else ""
        lines.append(f"{v['impact']}: {v['id']} — {v['help']}: {', '.join(v['targets'][:5])}{more}")
    return "\n".join(lines)


def _act(page, name: str, ids: dict) -> None:
    """Bring the page into the state a check is about (errors shown, scanner answers)."""
    if name == "register-errors":
        page.get_by_role("button", name="Register").click()
        page.wait_for_selector(".has-error")
    elif name == "login-errors":
        page.fill("input[name=email]", "nobody@example.org")
        page.fill("input[name=password]", "wrong password")
        page.click("button[type=submit]")
        page.wait_for_selector(".flash-error, .error")
    elif name == "event-menu-open":
        page.click("details.nav-menu > summary")
        page.wait_for_selector("details.nav-menu[open]")
    elif name.startswith("scanner-"):
        page.wait_for_selector("#scanner[data-ready='1']")
        token = ids["token"] if name == "scanner-warn" else "A" * 120
        page.fill("#wedge", token)
        page.press("#wedge", "Enter")
        page.wait_for_selector(
            "#result.result-warn" if name == "scanner-warn" else "#result.result-bad"
        )


@pytest.mark.parametrize(("name", "who", "path", "viewport"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violations(demo_site, pages, name, who, path, viewport):
    base, ids = demo_site
    page = pages[who]
    page.set_viewport_size(viewport)
    response = page.goto(base + path.format(**ids))
    expected = 404 if name == "not-found" else 200
    assert response.status == expected, f"{path}: HTTP {response.status}"
    _act(page, name, ids)
    # Small screens too: no page scrolls sideways (wide tables scroll in their own box).
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], (
        f"{name}: {scroll_width} px wide at {viewport['width']} px"
    )
    violations = axe_violations(page)
    if violations:
        print(f"\n{name} ({path}):\n{describe(violations)}")
    serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not serious, (
        f"{name}: serious or critical accessibility violations:\n{describe(serious)}"
    )


@pytest.mark.parametrize(
    ("who", "width"),
    [("anonymous", 360), ("delegate", 360), ("delegate", 960), ("anonymous", 1280)],
    ids=["list-360", "list-360-signed-in", "grid-960", "grid-1280"],
)
def test_programme_fits_the_screen(demo_site, pages, who, width):
    """The page never scrolls sideways: the list on a 360 px phone (with the delegate's star
    buttons too), and the room x time grid (from 60rem = 960 px) of a ten-room day, which
    scrolls inside its own box instead. Every session title is shown."""
    base, _ = demo_site
    page = pages[who]
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(f"{base}{E}/programme")
    grid = page.evaluate("getComputedStyle(document.querySelector('.prog-grid')).display")
    assert grid == ("grid" if width >= 960 else "block")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide on a {width} px screen"
    titles = page.locator(".slot h3")
    assert titles.count() >= 10
    for index in range(titles.count()):
        title = titles.nth(index)
        box = title.bounding_box()
        assert title.is_visible() and box["width"] > 0 and box["height"] > 0, title.inner_text()
        if grid == "block":  # in the grid, titles beyond the edge are reached by scrolling it
            assert 0 <= box["x"] and box["x"] + box["width"] <= width + 0.5, (
                title.inner_text(),
                box,
            )
    if grid == "grid":
        wrap = page.locator(".prog-scroll")
        assert wrap.get_attribute("tabindex") == "0", "the scrolling grid takes the keyboard focus"
        assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), "ten rooms do not fit"
