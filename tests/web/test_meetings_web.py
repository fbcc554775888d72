"""Meetings over HTTP: profile, directory, requests, PDFs, feeds, organiser tools, API, CLI."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
import sqlalchemy as sa

from confapp.agenda import services as agenda_services
from confapp.events.models import MeetingBookingMode
from confapp.extensions import db
from confapp.meetings import services
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingFeedback
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import NetworkingProfile
from confapp.meetings.models import RequestStatus
from confapp.meetings.models import SlotUnavailability
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


@pytest.fixture
def world(app):
    with app.test_request_context():
        event = make_event()
        start = local_time(event, 0, "15:30")
        services.generate_slots(event, start, start + dt.timedelta(minutes=60), 20)
        services.add_tables(event, 2)
        finance = services.add_tag(event, "finance")
        export = services.add_tag(event, "export partners")
        organiser = make_staff(event, "org@example.org")
        ana = make_confirmed_registration(
            event, "ana@example.org", full_name="Ana Kenya", country="KE", directory_opt_in=True
        )
        raj = make_confirmed_registration(
            event, "raj@example.org", full_name="Raj India", country="IN", directory_opt_in=True
        )
        ben = make_confirmed_registration(
            event, "ben@example.org", full_name="Ben Kenya", country="KE", directory_opt_in=True
        )
        db.session.commit()
        return {
            "event": event.id,
            "organiser": organiser,
            "ana": ana.id,
            "raj": raj.id,
            "ben": ben.id,
            "users": {"ana": ana.user, "raj": raj.user, "ben": ben.user},
            "finance": finance.id,
            "export": export.id,
        }


def test_profile_directory_and_explained_recommendations(app, client, world):
    sign_in(client, world["users"]["raj"])
    r = client.post(
        "/events/cdc/meetings/profile",
        data={
            "directory_opt_in": "y",
            "offers": "Export partners for leather goods",
            "seeks": "Finance for a common facility",
            "offer_tags": [str(world["export"])],
            "seek_tags": [str(world["finance"])],
            "languages": ["en", "hi"],
        },
    )
    assert r.status_code == 302
    sign_in(client, world["users"]["ben"])
    client.post(
        "/events/cdc/meetings/profile",
        data={
            "directory_opt_in": "y",
            "offers": "",
            "seeks": "",
            "offer_tags": [str(world["finance"])],
            "languages": "en",
        },
    )
    sign_in(client, world["users"]["ana"])
    r = client.post(
        "/events/cdc/meetings/profile",
        data={
            "directory_opt_in": "y",
            "offers": "Credit lines",
            "seeks": "Export partners",
            "offer_tags": [str(world["finance"])],
            "seek_tags": [str(world["export"])],
            "languages": ["en", "sw"],
        },
    )
    assert r.status_code == 302
    bad = client.post("/events/cdc/meetings/profile", data={"languages": "english"})
    assert bad.status_code == 422
    page = client.get("/events/cdc/meetings/directory").get_data(as_text=True)
    assert "Recommended for you" in page
    rec = page.split("Recommended for you")[1].split("</section>")[0]
    assert "Raj India" in rec and "offers what you look for: export partners" in rec
    assert "looks for what you offer: finance" in rec and "from another region (Asia)" in rec
    assert "Ben Kenya" not in rec  # no complementarity with Ana
    # Filters.
    asia = (
        client.get("/events/cdc/meetings/directory?region=Asia")
        .get_data(as_text=True)
        .split('<ul class="directory">')[1]
    )
    assert "Raj India" in asia and "Ben Kenya" not in asia
    only_africa = client.get("/events/cdc/meetings/directory?region=Africa&q=kenya").get_data(
        as_text=True
    )
    listing = only_africa.split('<ul class="directory">')[1]
    assert "Raj India" not in listing and "Ben Kenya" in listing
    by_tag = (
        client.get("/events/cdc/meetings/directory?tag=export+partners")
        .get_data(as_text=True)
        .split('<ul class="directory">')[1]
    )
    assert "Raj India" in by_tag and "Ben Kenya" not in by_tag


def test_request_accept_my_meetings_pdf_and_feeds(app, client, world, outbox):
    sign_in(client, world["users"]["ana"])
    assert (
        client.post(
            f"/events/cdc/meetings/request/{world['raj']}", data={"message": "Let us talk"}
        ).status_code
        == 302
    )
    with app.app_context():
        req = db.session.scalar(sa.select(MeetingRequest))
        assert req.status is RequestStatus.PENDING and req.message == "Let us talk"
        slots = services.list_slots(_event(world))
        second = slots[1].id
    assert any("Meeting request" in m["Subject"] for m in outbox.to("raj@example.org"))
    # Ana cannot accept her own request; nothing changes.
    client.post(f"/events/cdc/meetings/{req.id}/accept", data={})
    sign_in(client, world["users"]["raj"])
    page = client.get("/events/cdc/meetings").get_data(as_text=True)
    assert "From Ana Kenya" in page and "Let us talk" in page
    assert (
        client.post(
            f"/events/cdc/meetings/{req.id}/accept", data={"slot_id": str(second)}
        ).status_code
        == 302
    )
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        assert meeting.slot_id == second
    page = client.get("/events/cdc/meetings").get_data(as_text=True)
    assert "Ana Kenya" in page and "Table 1" in page and "15:50" in page
    pdf = client.get("/events/cdc/meetings/schedule.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # The personal agenda and personal feed show the meeting.
    agenda = client.get("/events/cdc/my-agenda").get_data(as_text=True)
    assert "Meeting with Ana Kenya" in agenda
    with app.app_context():
        from confapp.registration.models import Registration

        reg = db.session.get(Registration, world["raj"])
        token = agenda_services.reset_calendar_token(reg) or reg.calendar_token
        db.session.commit()
    feed = client.get(f"/events/cdc/calendar/{token}.ics")
    cal = icalendar.Calendar.from_ical(feed.data)
    summaries = [str(c["SUMMARY"]) for c in cal.walk("VEVENT")]
    assert "Meeting: Ana Kenya" in summaries
    # Cancelling a booked meeting asks first: the first POST changes nothing and says who
    # is told; the confirmed POST frees the slot and tells the requester.
    asked = client.post(f"/events/cdc/meetings/{req.id}/cancel", data={})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Cancel the meeting with Ana Kenya" in text
    assert "Ana Kenya is told by e-mail." in text and "15:50" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1
    assert not any("cancelled" in m["Subject"] for m in outbox.to("ana@example.org"))
    done = client.post(f"/events/cdc/meetings/{req.id}/cancel", data={"confirmed": "yes"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0
    assert any("cancelled" in m["Subject"] for m in outbox.to("ana@example.org"))


def _event(world):
    from confapp.events.models import Event

    return db.session.get(Event, world["event"])


def test_availability_page(app, client, world):
    sign_in(client, world["users"]["ana"])
    with app.app_context():
        slots = services.list_slots(_event(world))
        ids = [s.id for s in slots]
    assert client.get("/events/cdc/meetings/availability").status_code == 200
    assert (
        client.post("/events/cdc/meetings/availability", data={"slots": [str(ids[0])]}).status_code
        == 302
    )
    with app.app_context():
        off = set(db.session.scalars(sa.select(SlotUnavailability.slot_id)))
    assert off == set(ids[1:])


def test_feedback_form(app, client, world):
    with app.test_request_context():
        event = _event(world)
        from confapp.registration.models import Registration

        ana, raj = (
            db.session.get(Registration, world["ana"]),
            db.session.get(Registration, world["raj"]),
        )
        req = services.send_request(event, ana, raj, "", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        services.accept_request(event, req, raj, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        # Move the slots into the past so feedback is open.
        for s in services.list_slots(event):
            s.starts_at -= dt.timedelta(days=3650)
            s.ends_at -= dt.timedelta(days=3650)
        db.session.commit()
        req_id = req.id
    sign_in(client, world["users"]["ana"])
    page = client.get("/events/cdc/meetings").get_data(as_text=True)
    assert "Did the meeting with Raj India take place?" in page
    client.post(
        f"/events/cdc/meetings/{req_id}/feedback",
        data={"took_place": "yes", "rating": "4", "cooperation_likely": "y"},
    )
    client.post(
        f"/events/cdc/meetings/{req_id}/feedback", data={"rating": "4"}
    )  # missing answer: refused
    with app.app_context():
        fb = db.session.scalars(sa.select(MeetingFeedback)).all()
        assert len(fb) == 1 and fb[0].rating == 4 and fb[0].cooperation_likely
    sign_in(client, world["organiser"])
    report = client.get("/events/cdc/manage/meetings/report").get_data(as_text=True)
    assert "<svg" in report and "Kenya" in report and "India" in report
    csv_text = client.get("/events/cdc/manage/meetings/report.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 and "KE" in lines[1] and "Asia" in lines[1] and "Africa" in lines[1]


ORGANISER_PAGES = [
    "/events/cdc/manage/meetings",
    "/events/cdc/manage/meetings/report",
    "/events/cdc/manage/meetings/report.csv",
    "/events/cdc/manage/meetings/tables.pdf",
]


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_organiser_pages_refuse_delegates(app, client, world, path):
    assert client.get(path).status_code == 302
    sign_in(client, world["users"]["ana"])
    assert client.get(path).status_code == 403
    assert client.post("/events/cdc/manage/meetings/schedule", data={}).status_code == 403
    assert (
        client.post(
            "/events/cdc/manage/meetings/tables", data={"count": "5", "prefix": "T"}
        ).status_code
        == 403
    )
    sign_in(client, world["organiser"])
    assert client.get(path).status_code == 200


def test_organiser_tools_batch_schedule_and_api(app, client, world, outbox):
    sign_in(client, world["organiser"])
    assert (
        client.post(
            "/events/cdc/manage/meetings/settings",
            data={"meeting_booking_mode": "batch", "max_pending_requests": "5"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/events/cdc/manage/meetings/tables", data={"count": "3", "prefix": "Booth"}
        ).status_code
        == 302
    )
    assert (
        client.post("/events/cdc/manage/meetings/tags", data={"name": "training"}).status_code
        == 302
    )
    assert (
        client.post(
            "/events/cdc/manage/meetings/slots",
            data={
                "starts_at": "2027-02-21T11:00",
                "ends_at": "2027-02-21T12:00",
                "minutes": "30",
                "gap": "0",
            },
        ).status_code
        == 302
    )
    bad = client.post(
        "/events/cdc/manage/meetings/slots",
        data={"starts_at": "2027-02-21T12:00", "ends_at": "2027-02-21T11:00", "minutes": "30"},
    )
    # The form is shown again with the reason at its field; nothing is added.
    assert bad.status_code == 422
    assert "The end must be after the start." in bad.get_data(as_text=True)
    with app.test_request_context():
        event = _event(world)
        assert (
            event.meeting_booking_mode is MeetingBookingMode.BATCH
            and event.max_pending_requests == 5
        )
        assert len(services.list_tables(event)) == 5 and len(services.list_slots(event)) == 5
        from confapp.registration.models import Registration

        ana, raj, ben = (db.session.get(Registration, world[k]) for k in ("ana", "raj", "ben"))
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        for a, b in ((ana, raj), (ana, ben), (raj, ben)):
            req = services.send_request(event, a, b, "", now)
            assert services.accept_request(event, req, b, now) is None
        db.session.commit()
    started = client.post("/events/cdc/manage/meetings/schedule", data={})
    # A job (run at once in tests) whose page is a GET: a reload never schedules again.
    assert started.status_code == 302 and "/manage/jobs/" in started.headers["Location"]
    text = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "New meetings scheduled: <strong>3</strong>" in text
    assert "Not scheduled (0)" in text
    assert client.get("/events/cdc/manage/meetings").status_code == 200
    assert client.get("/events/cdc/manage/meetings/tables.pdf").data.startswith(b"%PDF")
    r = client.get("/api/v1/events/cdc/meetings")
    assert r.status_code == 200
    data = r.get_json()
    assert data["count"] == 3
    first = data["meetings"][0]
    assert set(first["registration_ids"]) <= {world["ana"], world["raj"], world["ben"]}
    assert (
        first["status"] == "scheduled"
        and first["slot"]["starts_at"].endswith("Z")
        and first["table"]["name"]
    )
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/events/{slug}/meetings" in doc["paths"] and "Meeting" in doc["components"]["schemas"]
    assert any("meeting schedule" in m["Subject"] for m in outbox.to("ben@example.org"))


def test_api_refuses_delegates(app, client, world):
    assert client.get("/api/v1/events/cdc/meetings").status_code == 401
    sign_in(client, world["users"]["ana"])
    assert client.get("/api/v1/events/cdc/meetings").status_code == 403


def test_cli_schedule_meetings(app, world):
    with app.test_request_context():
        event = _event(world)
        event.meeting_booking_mode = MeetingBookingMode.BATCH
        from confapp.registration.models import Registration

        ana, raj = (
            db.session.get(Registration, world["ana"]),
            db.session.get(Registration, world["raj"]),
        )
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        req = services.send_request(event, ana, raj, "", now)
        services.accept_request(event, req, raj, now)
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["schedule-meetings", "cdc"])
    assert result.exit_code == 0, result.output
    assert "Scheduled 1 new meeting; 1 in open slots in all." in result.output
    assert "Upper bound" in result.output
    assert runner.invoke(args=["schedule-meetings", "nope"]).exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def test_cli_remind_meetings(app, world, outbox):
    with app.test_request_context():
        event = _event(world)
        from confapp.registration.models import Registration

        ana, raj = (
            db.session.get(Registration, world["ana"]),
            db.session.get(Registration, world["raj"]),
        )
        services.send_request(event, ana, raj, "", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        raj_email = raj.email
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind-meetings", "cdc", "--after-hours", "12"])
    assert result.exit_code == 0, result.output
    assert "Reminded 1 delegate of 1 waiting request." in result.output
    reminder = [m for m in outbox.to(raj_email) if "awaits your answer" in m["Subject"]]
    assert len(reminder) == 1 and "/meetings" in outbox.body(reminder[0])
    again = runner.invoke(args=["remind-meetings", "cdc"]).output
    assert again == "No reminder sent: no meeting request needed one.\n"
    assert runner.invoke(args=["remind-meetings", "nope"]).exit_code != 0
    assert runner.invoke(args=["remind-meetings", "cdc", "--after-hours", "-1"]).exit_code != 0
    assert (
        runner.invoke(args=["remind-meetings", "cdc", "--after-hours", "1e12"]).exit_code == 2
    )  # usage error, no traceback


def test_demo_seed(app):
    with app.test_request_context():
        event = make_event()
        regs = [
            make_confirmed_registration(
                event, f"d{i}@example.org", country=("KE", "IN", "BR")[i % 3]
            )
            for i in range(40)
        ]
        summary = __import__("confapp.meetings.demo", fromlist=["seed_meetings"]).seed_meetings(
            event, regs, dt.datetime(2026, 12, 1, tzinfo=dt.UTC), requests=60
        )
        assert summary["meeting_requests"] == 60 and summary["meetings"] > 0
        assert (
            db.session.scalar(sa.select(sa.func.count(NetworkingProfile.id)))
            == summary["directory"]
        )


def test_bad_input_writes_nothing(app, client, world):
    sign_in(client, world["users"]["ana"])
    r = client.post(f"/events/cdc/meetings/request/{world['raj']}", data={"message": "x" * 1001})
    assert r.status_code == 302
    # Unknown ids are not found (404), like another event's.
    assert client.post("/events/cdc/meetings/request/999999", data={}).status_code == 404
    assert client.post(f"/events/cdc/meetings/request/{world['ana']}", data={}).status_code == 302
    assert (
        client.post("/events/cdc/meetings/999999/accept", data={"slot_id": "abc"}).status_code
        == 404
    )
    assert (
        client.post(
            "/events/cdc/meetings/999999/feedback", data={"took_place": "yes", "rating": "9"}
        ).status_code
        == 404
    )
    assert client.post(
        "/events/cdc/meetings/availability", data={"slots": ["999999", "x"]}
    ).status_code in (200, 302)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(MeetingFeedback.id))) == 0


def _directory_crowd(event, count: int, *, start: int = 0, country: str = "KE", tags=()) -> None:
    """`count` opted-in delegates named "Delegate NNN", each with a profile and tags.

    Rows are built directly (no password hashing) so a hundred of them cost little.
    """
    from confapp.accounts.models import User
    from confapp.meetings.models import ProfileTag
    from confapp.meetings.models import TagSide
    from confapp.registration.models import Registration
    from confapp.registration.models import RegistrationStatus

    for n in range(start, start + count):
        name = f"Delegate {n:03d}"
        user = User(email=f"d{n}@example.org", full_name=name)
        reg = Registration(
            event=event,
            user=user,
            status=RegistrationStatus.CONFIRMED,
            full_name=name,
            email=user.email,
            country=country,
            organisation=f"Cluster {n}",
            directory_opt_in=True,
        )
        db.session.add(reg)
        db.session.flush()
        profile = NetworkingProfile(
            registration_id=reg.id,
            offers=f"Export partners for cluster {n}",
            seeks="Finance",
            languages="en",
        )
        profile.tags = [
            ProfileTag(tag_id=t, side=TagSide.OFFER if i % 2 else TagSide.SEEK)
            for i, t in enumerate(tags)
        ]
        db.session.add(profile)
    db.session.flush()


def _listing(html: str) -> str:
    return html.split('<ul class="directory">')[1].split("</ul>")[0]


def test_directory_pages_keep_filters_and_clamp_the_page(app, client, world):
    with app.app_context():
        event = _event(world)
        _directory_crowd(event, 30, country="IN")  # Delegate 000..029, India
        _directory_crowd(event, 5, start=100, country="KE")
        db.session.commit()
    sign_in(client, world["users"]["ana"])
    # Unfiltered: 3 seeded + 35 = 38 profiles, ordered by name: Ana, Ben, Delegate 000..., Raj last.
    first = client.get("/events/cdc/meetings/directory")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Page 1 of 2" in html and "38 delegates (1–24 shown)" in html
    listing = _listing(html)
    assert listing.count("<li>") == 24
    assert "Ana Kenya" in listing and "Delegate 021" in listing and "Delegate 022" not in listing
    assert (
        'rel="prev"' not in html
        and 'href="/events/cdc/meetings/directory?page=2" rel="next"' in html
    )

    second = client.get("/events/cdc/meetings/directory?page=2").get_data(as_text=True)
    listing = _listing(second)
    assert "Page 2 of 2" in second and "38 delegates (25–38 shown)" in second
    assert listing.count("<li>") == 14
    assert "Delegate 022" in listing and "Raj India" in listing and "Delegate 021" not in listing
    assert (
        'href="/events/cdc/meetings/directory?page=1" rel="prev"' in second
        and 'rel="next"' not in second
    )

    # Filters survive the page links: 30 Indian delegates + Raj = 31 over two pages.
    india = client.get("/events/cdc/meetings/directory?country=IN&q=&page=1").get_data(as_text=True)
    assert "31 delegates (1–24 shown)" in india and "Page 1 of 2" in india
    next_link = "/events/cdc/meetings/directory?country=IN&amp;page=2"
    assert f'href="{next_link}" rel="next"' in india
    india2 = client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    listing = _listing(india2)
    assert "Page 2 of 2" in india2 and listing.count("<li>") == 7
    assert "Delegate 024" in listing and "Raj India" in listing
    assert "Delegate 100" not in listing and "Ana Kenya" not in listing
    assert '<option value="IN" selected>' in india2  # the filter form still shows the filter

    # Out of range or garbage: the nearest real page, never an error.
    for raw, expected in (
        ("999", "Page 2 of 2"),
        ("-3", "Page 1 of 2"),
        ("0", "Page 1 of 2"),
        ("abc", "Page 1 of 2"),
        ("1e9", "Page 1 of 2"),
        ("9" * 40, "Page 2 of 2"),
    ):
        r = client.get(f"/events/cdc/meetings/directory?page={raw}")
        assert r.status_code == 200, raw
        assert expected in r.get_data(as_text=True), raw
    # One page only: no page navigation at all.
    small = client.get("/events/cdc/meetings/directory?country=KE&q=delegate").get_data(
        as_text=True
    )
    assert "5 delegates." in small and "Page 1 of" not in small


def _directory_queries(app, client, path: str) -> tuple[int, str]:
    """SQL statements run while serving `path`, and the page."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_directory_page_runs_the_same_number_of_queries_for_30_or_120_profiles(app, client, world):
    sign_in(client, world["users"]["ana"])
    # Ana has a profile, so the recommendations (which read every profile) run too.
    client.post(
        "/events/cdc/meetings/profile",
        data={
            "directory_opt_in": "y",
            "offers": "Credit lines",
            "seeks": "Export partners",
            "offer_tags": [str(world["finance"])],
            "seek_tags": [str(world["export"])],
            "languages": "en",
        },
    )
    tags = (world["finance"], world["export"])
    with app.app_context():
        _directory_crowd(_event(world), 30, country="IN", tags=tags)
        db.session.commit()
    client.get("/events/cdc/meetings/directory")  # warm caches (e.g. the session's user)
    small, html = _directory_queries(app, client, "/events/cdc/meetings/directory")
    assert "Page 1 of 2" in html and "Recommended for you" in html
    small_2, html = _directory_queries(app, client, "/events/cdc/meetings/directory?page=2")
    assert "Page 2 of 2" in html and "Recommended for you" not in html  # first page only
    with app.app_context():
        _directory_crowd(_event(world), 90, start=30, country="IN", tags=tags)
        db.session.commit()
    large, html = _directory_queries(app, client, "/events/cdc/meetings/directory")
    assert "Page 1 of 6" in html and "Recommended for you" in html
    large_2, html = _directory_queries(app, client, "/events/cdc/meetings/directory?page=2")
    assert "Page 2 of 6" in html and _listing(html).count("<li>") == 24
    assert (large, large_2) == (small, small_2), (
        f"{small}/{small_2} queries for 33 profiles, {large}/{large_2} for 123"
    )
    assert small < 20
    print(
        f"\ndirectory queries (page 1/page 2): {small}/{small_2} for 33 profiles, "
        f"{large}/{large_2} for 123"
    )


def test_organiser_sets_request_priority(app, client, world):
    from confapp.accounts.models import EventRoleKind
    from confapp.registration.models import Registration

    with app.test_request_context():
        event = _event(world)
        ana, raj, ben = (db.session.get(Registration, world[k]) for k in ("ana", "raj", "ben"))
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        open_id = services.send_request(event, ana, raj, "", now).id
        declined = services.send_request(event, ben, raj, "", now)
        services.decline_request(event, declined, raj, now)
        declined_id = declined.id
        staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
        db.session.commit()
    url = f"/events/cdc/manage/meetings/requests/{open_id}/priority"

    def priority(request_id=open_id):
        with app.app_context():
            return db.session.get(MeetingRequest, request_id).priority

    # Signed out, a delegate, door staff: refused, nothing changes.
    assert client.post(url, data={"priority": "3"}).status_code == 302
    sign_in(client, world["users"]["ana"])
    assert client.post(url, data={"priority": "3"}).status_code == 403
    sign_in(client, staff)
    assert client.post(url, data={"priority": "3"}).status_code == 403
    assert priority() == 1

    sign_in(client, world["organiser"])
    page = client.get("/events/cdc/manage/meetings").get_data(as_text=True)
    assert "Open requests (1)" in page
    listed = client.get("/events/cdc/manage/meetings/requests").get_data(as_text=True)
    assert f'id="priority-{open_id}"' in listed
    response = client.post(url, data={"priority": "3"}, follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Priority set to Top." in text
    assert '<option value="3" selected>Top</option>' in text
    assert priority() == 3

    for bad in ("7", "abc", ""):
        response = client.post(url, data={"priority": bad})
        assert response.status_code == 400, bad
        assert "Priority not changed" in response.get_data(as_text=True)
        assert priority() == 3
    # Declined requests are never scheduled: refused with a message.
    declined_url = f"/events/cdc/manage/meetings/requests/{declined_id}/priority"
    text = client.post(declined_url, data={"priority": "2"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "only pending or accepted requests have a priority" in text
    assert priority(declined_id) == 1


def test_priority_form_needs_the_csrf_token(app, client, world):
    from confapp.registration.models import Registration

    with app.test_request_context():
        event = _event(world)
        ana, raj = (db.session.get(Registration, world[k]) for k in ("ana", "raj"))
        request_id = services.send_request(
            event, ana, raj, "", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        ).id
        db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in(client, world["organiser"])
    url = f"/events/cdc/manage/meetings/requests/{request_id}/priority"
    assert client.post(url, data={"priority": "2"}).status_code == 400
    page = client.get("/events/cdc/manage/meetings").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post(url, data={"priority": "2", "csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(MeetingRequest, request_id).priority == 2


def test_the_hourly_reminder_job_reminds_once(app, world, outbox):
    """`confapp remind-meetings` as the worker's periodic task (meetings.remind, hourly):
    every published event still on, each waiting request named in one reminder at most."""
    from confapp import jobs
    from confapp.meetings import jobs as meeting_jobs
    from confapp.registration.models import Registration

    with app.test_request_context():
        event = _event(world)
        ana, raj = (
            db.session.get(Registration, world["ana"]),
            db.session.get(Registration, world["raj"]),
        )
        services.send_request(event, ana, raj, "", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        raj_email = raj.email
        db.session.commit()
        assert jobs.TASKS["meetings.remind"].cron["minute"] == "7"  # every hour at :07
        assert meeting_jobs.remind_all() == {"delegates": 1, "requests": 1}
        assert meeting_jobs.remind_all() == {"delegates": 0, "requests": 0}
    reminder = [m for m in outbox.to(raj_email) if "awaits your answer" in m["Subject"]]
    assert len(reminder) == 1


def test_country_pairs_are_ordered_by_name_in_the_readers_language(app, client, world):
    # Switzerland (CH) and Germany (DE): by code CH comes first, by English name Germany.
    with app.test_request_context():
        event = _event(world)
        swiss = make_confirmed_registration(
            event, "urs@example.org", country="CH", directory_opt_in=True
        )
        german = make_confirmed_registration(
            event, "eva@example.org", country="DE", directory_opt_in=True
        )
        now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        req = services.send_request(event, swiss, german, "", now)
        services.accept_request(event, req, german, now)
        for s in services.list_slots(event):
            s.starts_at -= dt.timedelta(days=3650)
            s.ends_at -= dt.timedelta(days=3650)
        services.submit_feedback(
            event, req, swiss, now, took_place=True, rating=5, cooperation_likely=True
        )
        db.session.commit()
    sign_in(client, world["organiser"])
    page = client.get("/events/cdc/manage/meetings/report").get_data(as_text=True)
    rows = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert rows == ["Germany", "Switzerland"]
    assert "Cooperation likely in 1 meeting." in page
    french = client.get("/events/cdc/manage/meetings/report?lang=fr").get_data(as_text=True)
    assert re.findall(r'<th scope="row">([^<]+)</th>', french) == ["Allemagne", "Suisse"]
