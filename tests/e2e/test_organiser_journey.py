"""An organiser's journey in Chromium on a desktop screen: build and publish the programme
through the forms, check it in the public programme and its calendar feed, approve a
pending registration, schedule the accepted meeting requests and print the badges."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa

from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.events.models import Event
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.meetings import services as meeting_services
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingAttendee
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from tests.helpers import PASSWORD
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_staff
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
SESSION = "Cluster development in Africa and Asia: what travels"
ROOM = "Stein Auditorium"
PENDING = "Thabo Nkosi"
DELEGATES = [
    ("ana@example.org", "Ana Wanjiru", "KE"),
    ("raj@example.org", "Raj Kumar", "IN"),
    ("li@example.org", "Li Wei", "CN"),
]


def _set_up(app) -> None:
    """An event that needs approval, in batch meeting mode, with its organiser, a pending
    registration and three delegates whose meeting requests were accepted."""
    now = dt.datetime.now(dt.UTC)
    with app.app_context(), app.test_request_context():
        event = make_event(
            "cdc",
            capacity=100,
            requires_approval=True,
            meeting_booking_mode=MeetingBookingMode.BATCH,
        )
        make_staff(event, "org@example.org")
        pending = make_registration(event, "thabo@example.org", full_name=PENDING, country="ZA")
        assert pending.status is RegistrationStatus.PENDING
        ana, raj, li = (
            make_confirmed_registration(
                event, email, full_name=name, country=country, directory_opt_in=True
            )
            for email, name, country in DELEGATES
        )
        for requester, invitee in ((ana, raj), (ana, li), (raj, li)):
            req = meeting_services.send_request(event, requester, invitee, "", now)
            meeting_services.accept_request(event, req, invitee, now)
        db.session.commit()


def test_organiser_builds_programme_approves_schedules_and_prints(
    live_app, browser, page, tmp_path
):
    from playwright.sync_api import expect

    _set_up(live_app)
    base = live_app.config["LIVE_URL"]
    page.set_viewport_size(DESKTOP)
    main = page.locator("main")

    page.goto(f"{base}/login")
    page.fill("input[name=email]", "org@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/events/cdc/manage")

    # A room and a session through the organiser forms, then publish.
    main.get_by_role("link", name="Programme", exact=True).click()
    main.get_by_role("link", name=re.compile(r"^Rooms")).click()
    page.get_by_label("Name").fill(ROOM)
    page.get_by_label("Capacity (seats)").fill("300")
    page.get_by_label("Where in the venue").fill("India Habitat Centre, ground floor")
    page.get_by_role("button", name="Add room").click()
    expect(page.locator(".flashes")).to_contain_text(f"Room {ROOM} added.")

    page.goto(f"{base}/events/cdc/manage/programme")
    main.get_by_role("link", name="Add a session").click()
    page.get_by_label("Title").fill(SESSION)
    page.get_by_label("Kind").select_option("plenary")
    page.get_by_label("Starts").fill("2027-02-20T09:30")
    page.get_by_label("Ends").fill("2027-02-20T11:00")
    page.get_by_label("Room").select_option(label=ROOM)
    page.fill("#people-0-name", "Ifeoma Okafor")
    page.select_option("#people-0-role", "chair")
    page.fill("#people-0-organisation", "Lagos Cluster Network")
    page.select_option("#people-0-country", "NG")
    page.get_by_role("button", name="Add session").click()
    expect(page.locator(".flashes")).to_contain_text(f"Session “{SESSION}” added.")
    page.get_by_role("button", name="Publish the programme").click()
    expect(page.locator(".flashes")).to_contain_text("The programme is published.")

    with live_app.app_context():
        session = db.session.scalar(sa.select(ProgrammeSession))
        assert session.title == SESSION and session.room_id == db.session.scalar(sa.select(Room.id))
        assert session.starts_at.replace(tzinfo=dt.UTC) == dt.datetime(
            2027, 2, 20, 4, 0, tzinfo=dt.UTC
        )
        assert db.session.scalar(sa.select(Event.programme_published_at)) is not None

    # The public sees it, without signing in: the programme page and the whole-programme feed.
    public = browser.new_context(viewport=DESKTOP)
    try:
        visitor = public.new_page()
        visitor.set_default_timeout(10_000)
        visitor.goto(f"{base}/events/cdc/programme")
        slot = visitor.locator("article.slot", has_text=SESSION)
        expect(slot).to_contain_text("09:30")
        expect(slot).to_contain_text(ROOM)
        expect(slot).to_contain_text("Ifeoma Okafor")
        expect(visitor.locator("main")).not_to_contain_text("Preview")
        ics_url = visitor.get_by_role("link", name="Whole programme (.ics)").get_attribute("href")
        feed = visitor.request.get(f"{base}{ics_url}")
        assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
        events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
        assert [str(e["SUMMARY"]) for e in events] == [SESSION]
        assert events[0].decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(
            2027, 2, 20, 4, 0, tzinfo=dt.UTC
        )
        assert ROOM in str(events[0]["LOCATION"])
    finally:
        public.close()

    # Approve the pending registration from its page.
    page.goto(f"{base}/events/cdc/manage")
    main.get_by_role("link", name="Registrations", exact=True).click()
    page.get_by_role("link", name=PENDING).click()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("1 registration approved.")
    with live_app.app_context():
        thabo = db.session.scalar(sa.select(Registration).where(Registration.full_name == PENDING))
        assert thabo.status is RegistrationStatus.CONFIRMED

    # Meeting slots and tables through the forms, then the batch scheduler's button.
    page.goto(f"{base}/events/cdc/manage")
    main.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_label("From").fill("2027-02-20T15:30")
    page.get_by_label("Until").fill("2027-02-20T16:30")
    page.get_by_label("Minutes per meeting").fill("20")
    page.get_by_role("button", name="Add slots").click()
    expect(page.locator(".flashes")).to_contain_text("3 slots added.")
    page.get_by_label("How many").fill("2")
    page.get_by_label("Where", exact=True).fill("Networking lounge")
    page.get_by_role("button", name="Add tables").click()
    expect(page.locator(".flashes")).to_contain_text("Tables added.")
    expect(main).to_contain_text("Booked meetings (0)")
    page.get_by_role("button", name="Schedule all").click()
    expect(main.get_by_role("heading", name="Scheduling result")).to_be_visible()
    expect(main).to_contain_text("New meetings scheduled: 3")
    expect(main).to_contain_text("Not scheduled (0)")

    with live_app.app_context():
        meetings = db.session.scalars(sa.select(Meeting)).all()
        assert len(meetings) == 3
        assert db.session.scalar(sa.select(sa.func.count(MeetingAttendee.id))) == 6
        assert {m.slot_id for m in meetings} <= set(db.session.scalars(sa.select(MeetingSlot.id)))
        assert {m.table_id for m in meetings} <= set(db.session.scalars(sa.select(MeetingTable.id)))
        # Each pair of delegates meets once; the scheduler never puts a person in two
        # meetings at a time.
        assert len({(a.registration_id, a.slot_id) for m in meetings for a in m.attendees}) == 6

    # Print the badges of everyone confirmed, the approved delegate included.
    page.goto(f"{base}/events/cdc/manage")
    main.get_by_role("link", name="Badges", exact=True).click()
    expect(main).to_contain_text("4 confirmed registrations have a badge")
    page.get_by_label("Layout", exact=True).select_option("a4x4")
    # The PDF is made by a background job (at once here: the tests' queue is immediate);
    # its page then offers the file.
    page.get_by_role("button", name="Download print-ready PDF").click()
    expect(main.locator("#job-report")).to_contain_text("4 badges in this PDF.")
    with page.expect_download() as download_info:
        main.locator("#job-download").click()
    download = download_info.value
    assert download.suggested_filename == "cdc-badges-a4x4.pdf"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF")
    text = pdf_text(body, tmp_path)
    if text is not None:
        for name in [PENDING, *(name for _, name, _ in DELEGATES)]:
            assert name in text
    with live_app.app_context():
        printed = db.session.scalars(sa.select(Registration.badge_printed_at)).all()
        assert len(printed) == 4 and all(printed)
