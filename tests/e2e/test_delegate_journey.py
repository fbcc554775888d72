"""A delegate's whole journey in Chromium on a phone: register, confirm the e-mail, star a
session, take a workshop seat, sign up for a cluster visit, request a meeting that the other
delegate accepts in their own browser, download the badge, subscribe to the personal
calendar and read the personal agenda. Real HTTP server, real forms with CSRF tokens."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa

from confapp.agenda import services as agenda_services
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStar
from confapp.extensions import db
from confapp.meetings import services as meeting_services
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Registration
from confapp.visits.models import VisitSignup
from tests.e2e.forms import fill_registration
from tests.e2e.nav import follow_nav
from tests.helpers import PASSWORD
from tests.helpers import Outbox
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_visit
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PLENARY = "Opening plenary: cluster policy after the pandemic"
WORKSHOP = "Workshop: financing common facility centres"
VISIT = "Auto components at Manesar"
ME = "Aïssatou Diallo"
ME_EMAIL = "aissatou@example.org"
OTHER = "Sourav Iyer"
OTHER_EMAIL = "sourav@example.org"


def _set_up_conference(app) -> None:
    """A published event and programme, a visit, meeting slots and tables, and a second
    delegate listed in the networking directory."""
    now = dt.datetime.now(dt.UTC)
    with app.app_context(), app.test_request_context():
        event = make_event("cdc", capacity=100)
        hall = agenda_services.create_room(event, name="Plenary hall", capacity=400)
        studio = agenda_services.create_room(event, name="Seminar room 2", capacity=40)
        agenda_services.create_session(
            event,
            agenda_services.SessionData(
                title=PLENARY,
                kind=SessionKind.PLENARY,
                room_id=hall.id,
                starts_at=local_time(event, 0, "09:30"),
                ends_at=local_time(event, 0, "11:00"),
            ),
            now=now,
        )
        agenda_services.create_session(
            event,
            agenda_services.SessionData(
                title=WORKSHOP,
                kind=SessionKind.WORKSHOP,
                room_id=studio.id,
                seat_limit=20,
                starts_at=local_time(event, 0, "11:30"),
                ends_at=local_time(event, 0, "13:00"),
            ),
            now=now,
        )
        agenda_services.publish_programme(event, now)
        # The visit is on the second day, so it clashes with nothing the delegate picks.
        make_visit(
            event, VISIT, day=1, meeting_point="Main lobby", cluster_location="Manesar, Haryana"
        )
        start = local_time(event, 0, "15:30")
        meeting_services.generate_slots(event, start, start + dt.timedelta(hours=1), 20)
        meeting_services.add_tables(event, 2, location="Networking lounge")
        other = make_confirmed_registration(
            event,
            OTHER_EMAIL,
            full_name=OTHER,
            country="IN",
            organisation="Tiruppur Exporters' Association",
            directory_opt_in=True,
        )
        meeting_services.save_profile(
            event,
            other,
            offers="Knitwear export partners",
            seeks="Finance for a common effluent plant",
            languages="en, hi",
            offer_tag_ids=[],
            seek_tag_ids=[],
            opt_in=True,
            now=now,
        )
        db.session.commit()


def _register(page, base: str) -> None:
    page.goto(f"{base}/events/cdc/register")
    fill_registration(
        page,
        name=ME,
        email=ME_EMAIL,
        opt_in=True,
        organisation="Chambre de Commerce de Thiès",
        job_title="Head of SME Services",
        country="SN",
        sector="agriculture",
        phone="+221 77 412 36 90",
    )
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/events/cdc/my-registration$"))


def _sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_delegate_journey_from_registration_to_personal_agenda(
    live_app, browser, page, screenshots, tmp_path
):
    from playwright.sync_api import expect

    _set_up_conference(live_app)
    base = live_app.config["LIVE_URL"]
    page.set_viewport_size(PHONE)

    # Register (contract field names) and confirm the e-mail address from the outbox.
    _register(page, base)
    expect(page.locator("main")).to_contain_text("Confirmed")
    outbox = Outbox(Path(live_app.config["MAIL_OUTBOX"]))
    verify = [u for m in outbox.to(ME_EMAIL) for u in outbox.links(m) if "/verify/" in u]
    assert verify, "the registration e-mail carries a verification link"
    page.goto(verify[-1])
    expect(page.locator("main")).to_contain_text(re.compile(r"verified|confirmed", re.I))

    # Star the plenary on the programme page.
    page.goto(f"{base}/events/cdc/programme")
    star = page.get_by_role(
        "button", name=re.compile(rf"Add to my agenda\s*: {re.escape(PLENARY)}")
    )
    star.click()
    expect(
        page.get_by_role("button", name=re.compile(rf"In my agenda\s*: {re.escape(PLENARY)}"))
    ).to_have_attribute("aria-pressed", "true")

    # Take a seat in the limited-seat workshop from its page.
    page.get_by_role("link", name=WORKSHOP).click()
    page.get_by_role("button", name="Sign up for a seat").click()
    expect(page.locator("main")).to_contain_text("Your seat is confirmed")

    # Sign up for the cluster visit.
    page.goto(f"{base}/events/cdc/visits")
    card = page.locator("article.card", has_text=VISIT)
    card.get_by_role("button", name="Sign up").click()
    expect(page.locator(".flashes")).to_contain_text(f"Your seat on “{VISIT}” is confirmed")
    expect(page.locator("article.card", has_text=VISIT)).to_contain_text("Your seat is confirmed")

    # Request a meeting through the directory.
    follow_nav(page, "Meetings")
    page.get_by_role("link", name="Find people to meet").click()
    entry = page.locator("ul.directory > li", has_text=OTHER)
    expect(entry).to_contain_text("Knitwear export partners")
    # The form waits behind the card's button.
    expect(entry.get_by_label(f"Message to {OTHER}")).to_be_hidden()
    entry.locator("summary", has_text="Request a meeting").click()
    entry.get_by_label(f"Message to {OTHER}").fill("Could we talk about export finance for Thiès?")
    entry.get_by_role("button", name="Send the request").click()
    expect(page.locator(".flashes")).to_contain_text(f"Request sent to {OTHER}.")

    with live_app.app_context():
        req = db.session.scalar(sa.select(MeetingRequest))
        assert req.status is RequestStatus.PENDING
        assert req.message == "Could we talk about export finance for Thiès?"

    # The other delegate signs in in their own browser and accepts.
    other_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = other_context.new_page()
        other.set_default_timeout(10_000)
        _sign_in(other, base, OTHER_EMAIL, PASSWORD)
        other.goto(f"{base}/events/cdc/meetings")
        request_item = other.locator("ol.requests > li", has_text=f"From {ME}")
        expect(request_item).to_contain_text("export finance for Thiès")
        request_item.get_by_role("button", name="Accept").click()
        expect(other.locator(".flashes")).to_contain_text("Request accepted.")
        expect(other.locator("ol.booked")).to_contain_text(f"With {ME}")
    finally:
        other_context.close()

    with live_app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        assert meeting is not None, "accepting in instant mode books a slot and a table"
        assert db.session.get(MeetingRequest, meeting.request_id).status is RequestStatus.ACCEPTED
        meeting_id, invitee_id = meeting.id, req.invitee_id

    # Back as the first delegate: the badge PDF from "My registration".
    page.goto(f"{base}/events/cdc/my-registration")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download badge (PDF)").click()
    badge = Path(download_info.value.path()).read_bytes()
    assert badge.startswith(b"%PDF")
    text = pdf_text(badge, tmp_path)
    if text is not None:
        assert ME in text
    page.get_by_role("link", name="QR for my phone").click()
    expect(page.get_by_role("img", name=f"Badge QR code of {ME}")).to_be_visible()
    # decode() waits for the image (wait_for_function's polling would eval, which CSP blocks).
    assert page.locator("img.badge-qr").evaluate("i => i.decode().then(() => i.naturalWidth)") > 0
    page.screenshot(path=str(screenshots / "badge.png"))

    # The personal calendar: the secret link shown on my agenda, parsed with icalendar.
    follow_nav(page, "My agenda")
    page.get_by_role("button", name="Get my calendar link").click()
    feed_url = page.input_value("#feed-url")
    assert re.search(r"/events/cdc/calendar/[\w-]+\.ics$", feed_url)
    feed = page.request.get(feed_url)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.body())
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries == {PLENARY, WORKSHOP, f"Meeting: {OTHER}", f"Visit: {VISIT}"}

    # My agenda lists the four, in time order.
    agenda = page.locator("ol.my-agenda")
    titles = agenda.locator("h2").all_inner_texts()
    assert titles == [PLENARY, WORKSHOP, f"Meeting with {OTHER}", f"Visit: {VISIT}"]
    expect(agenda).to_contain_text("★ Starred")
    expect(agenda).to_contain_text("Seat confirmed")
    expect(page.locator("ol.my-agenda li.clash")).to_have_count(0)
    # Without the one-off flash, as a delegate would see the page the next time.
    page.reload()
    page.evaluate("window.scrollTo(0, 0)")  # a reload keeps the scroll position
    page.screenshot(path=str(screenshots / "my-agenda.png"))

    with live_app.app_context():
        me = db.session.scalar(sa.select(Registration).where(Registration.email == ME_EMAIL))
        assert me.user.email_verified_at is not None and me.directory_opt_in
        sessions = {s.title: s.id for s in db.session.scalars(sa.select(ProgrammeSession))}
        assert set(
            db.session.scalars(
                sa.select(SessionStar.session_id).where(SessionStar.registration_id == me.id)
            )
        ) == {sessions[PLENARY]}
        seat = db.session.scalar(
            sa.select(SessionSignup).where(SessionSignup.registration_id == me.id)
        )
        assert seat.session_id == sessions[WORKSHOP] and seat.status is SeatStatus.CONFIRMED
        visit_seat = db.session.scalar(
            sa.select(VisitSignup).where(VisitSignup.registration_id == me.id)
        )
        assert visit_seat.status is SeatStatus.CONFIRMED
        attendees = db.session.get(Meeting, meeting_id).attendees
        assert {a.registration_id for a in attendees} == {me.id, invitee_id}
