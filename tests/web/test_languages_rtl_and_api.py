"""Arabic pages keep left-to-right pieces whole (time ranges, Latin names, the time zone);
the meeting schedule PDF reads right to left; the API's human messages follow the
caller's language while the error codes stay the same English identifiers."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from confapp.accounts import services as account_services
from confapp.agenda import services as agenda_services
from confapp.agenda.models import ProgrammeSession
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import LRI
from confapp.i18n import PDI
from confapp.i18n import force_language
from confapp.meetings import services as meeting_services
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingTable
from confapp.registration.models import Registration
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in
from tests.web.test_agenda_web import add_session


@pytest.fixture
def world(app):
    """A published programme (a session 10:00–11:30 in Hall A), meeting slots and tables,
    an organiser with an API token and two delegates; ids."""
    with app.test_request_context():
        event = make_event()
        hall = agenda_services.create_room(event, name="Hall A", capacity=50)
        session = add_session(event, "Cluster finance", start="10:00", end="11:30", room=hall)
        session.title_i18n = {"ar": "تمويل العناقيد الصناعية"}
        agenda_services.publish_programme(event, utcnow())
        start = local_time(event, 0, "15:30")
        meeting_services.generate_slots(event, start, start.replace(hour=start.hour + 1), 20)
        meeting_services.add_tables(event, 2)
        organiser = make_staff(event, "org@example.org")
        token = account_services.issue_api_token(organiser, "laptop", utcnow())
        ana = make_confirmed_registration(
            event, "ana@example.org", full_name="Zed Farleft", country="KE", directory_opt_in=True
        )
        raj = make_confirmed_registration(
            event, "raj@example.org", full_name="Raj India", country="IN", directory_opt_in=True
        )
        db.session.commit()
        return {
            "event": event.id,
            "session": session.id,
            "token": token,
            "ana": ana.id,
            "raj": raj.id,
            "users": {"ana": ana.user, "raj": raj.user},
        }


def _get(client, url: str, language: str) -> str:
    glue = "&" if "?" in url else "?"
    response = client.get(f"{url}{glue}lang={language}")
    assert response.status_code == 200, (url, language)
    return response.get_data(as_text=True)


# 10:00 and 11:30 in Asia/Kolkata are 04:30 and 06:00 UTC on 20 February 2027.
RANGE = re.compile(
    r'<span class="timespan" dir="ltr"><time datetime="2027-02-20T04:30:00Z">([^<]+)</time>–'
    r'<time datetime="2027-02-20T06:00:00Z">([^<]+)</time></span>'
)


def test_arabic_programme_keeps_time_ranges_left_to_right(client, world):
    page = _get(client, "/events/cdc/programme", "ar")
    assert '<html lang="ar" dir="rtl">' in page
    found = RANGE.search(page)
    assert found, "the time range is not isolated left to right"
    # The start comes first inside the isolate: read left to right it is 10:00–11:30.
    assert found.groups() == ("10:00", "11:30")
    assert "<bdi>Hall A</bdi>" in page  # a Latin room name inside an Arabic line
    english = _get(client, "/events/cdc/programme", "en")
    assert RANGE.search(english).groups() == ("10:00", "11:30")


def test_arabic_session_page_isolates_range_zone_and_names(client, world):
    page = _get(client, f"/events/cdc/sessions/{world['session']}", "ar")
    found = RANGE.search(page)
    assert found and found.groups() == ("10:00", "11:30")
    # The day comes before the range, joined with the Arabic comma.
    day = page[: found.start()].rsplit("<dd>", 1)[1]
    assert day.endswith("، ") and "فبراير" in day
    assert "(<bdi>" in page and "Asia/Kolkata (IST, UTC+05:30)" in page
    assert "<bdi>Hall A</bdi>" in page


def test_plain_text_ranges_carry_unicode_isolates_only_in_arabic(app, world):
    with app.test_request_context():
        event = db.session.get(Event, world["event"])
        slot = meeting_services.list_slots(event)[0]
        with force_language("ar"):
            arabic = meeting_services.slot_label(event, slot)
            zone = agenda_services.zone_label(event)
        with force_language("fr"):
            french = meeting_services.slot_label(event, slot)
    assert f"{LRI}15:30–15:50{PDI}" in arabic and "، " in arabic
    assert zone.startswith(LRI) and zone.endswith(PDI)
    assert LRI not in french and french.endswith(", 15:30–15:50")


def test_arabic_change_email_isolates_the_time_range(app, client, world, outbox):
    with app.test_request_context():
        from confapp.accounts.models import User

        ana = db.session.scalar(sa.select(User).where(User.email == "ana@example.org"))
        ana.language = "ar"
        db.session.commit()
    sign_in(client, world["users"]["ana"])
    assert client.post(f"/events/cdc/sessions/{world['session']}/star").status_code in (200, 302)
    with app.test_request_context():
        event = db.session.get(Event, world["event"])
        session = db.session.get(ProgrammeSession, world["session"])
        agenda_services.update_session(
            event,
            session,
            agenda_services.SessionData(
                title=session.title,
                kind=session.kind,
                starts_at=local_time(event, 0, "14:00"),
                ends_at=local_time(event, 0, "15:30"),
                room_id=session.room_id,
                description=session.description,
                people=[],
            ),
            now=utcnow(),
        )
        db.session.commit()
    bodies = [m.get_body(("plain",)).get_content() for m in outbox.to("ana@example.org")]
    changed = [b for b in bodies if "14:00" in b]
    assert changed, bodies
    assert f"{LRI}14:00–15:30{PDI}" in changed[-1]


def _book(client, world) -> None:
    sign_in(client, world["users"]["ana"])
    client.post(f"/events/cdc/meetings/request/{world['raj']}", data={"message": "Hello"})
    sign_in(client, world["users"]["raj"])
    request_id = None
    with client.application.app_context():
        request_id = db.session.scalar(sa.select(MeetingRequest.id))
    slots = None
    with client.application.test_request_context():
        slots = meeting_services.list_slots(db.session.get(Event, world["event"]))
    answer = client.post(f"/events/cdc/meetings/{request_id}/accept", data={"slot_id": slots[0].id})
    assert answer.status_code == 302


def _words(pdf: bytes, tmp_path) -> list[tuple[float, str]]:
    source = tmp_path / "schedule.pdf"
    source.write_bytes(pdf)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], check=True, capture_output=True, timeout=30
    ).stdout.decode("utf-8")
    return [
        (float(x), word)
        for x, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', boxes)
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_meeting_schedule_pdf_in_arabic_runs_right_to_left(client, world, tmp_path):
    _book(client, world)

    def columns(language: str) -> tuple[float, float]:
        response = client.get(f"/events/cdc/meetings/schedule.pdf?lang={language}")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        words = _words(response.data, tmp_path)
        time_x = next(x for x, w in words if "15:30" in w)
        name_x = next(x for x, w in words if "Zed" in w)
        return time_x, name_x

    time_x, name_x = columns("en")
    assert time_x < name_x  # English: the time column first, on the left
    time_x, name_x = columns("ar")
    assert time_x > name_x  # Arabic: the time column first, on the right


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_meeting_schedule_pdf_in_arabic_keeps_brackets_of_latin_runs(client, world, tmp_path):
    """The zone label "Asia/Kolkata (IST, UTC+05:30)" and Latin data in brackets read whole
    in the Arabic schedule: every closing bracket drawn once, where it belongs."""
    from tests.pdf_glyphs import drawn_skeletons

    with client.application.app_context():
        for table in db.session.scalars(sa.select(MeetingTable)):
            table.location = "Hall B (Level 2)"
        registration = db.session.get(Registration, world["ana"])
        registration.organisation = "Kenya Leather Cluster (KLC)"
        db.session.commit()
    _book(client, world)
    response = client.get("/events/cdc/meetings/schedule.pdf?lang=ar")
    assert response.status_code == 200
    source = tmp_path / "schedule.pdf"
    source.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    assert text.count("UTC+05:30)") == 1 and text.count("(IST,") == 1
    lines = drawn_skeletons(response.data)
    # "Times in ..." under the title: the label left to right, the Arabic on its right.
    assert "Asia/Kolkata(IST,UTC+05:30)ع" in lines, lines
    assert not any("(UTC" in line or "30(" in line for line in lines), lines
    # The table "Table 1 (Hall B (Level 2))" reads from the right: its location on the left.
    [row] = [line for line in lines if "Table1" in line]
    assert "(HallB(Level2))Table1" in row and row.count(")") == row.count("(") == 2
    assert any("Cluster(KLC)" in line for line in lines), lines
    english = drawn_skeletons(client.get("/events/cdc/meetings/schedule.pdf?lang=en").data)
    assert "TimesinAsia/Kolkata(IST,UTC+05:30)" in english, english


def test_my_agenda_meeting_entry_in_the_readers_language(client, world):
    _book(client, world)
    sign_in(client, world["users"]["ana"])
    page = html.unescape(_get(client, "/events/cdc/my-agenda", "fr"))
    assert "Rendez-vous d'affaires avec Raj India" in page and "Meeting with" not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Envoyez un jeton d'API valide"), ("es", "Envíe un token de API válido")],
)
def test_api_unauthorised_message_translated_with_the_same_code(client, world, language, expected):
    english = client.get("/api/v1/events/cdc/registrations")
    translated = client.get(
        "/api/v1/events/cdc/registrations", headers={"Accept-Language": language}
    )
    assert english.status_code == translated.status_code == 401
    assert english.json["error"] == translated.json["error"] == "unauthorized"
    assert english.json["message"].startswith("Send a valid API token")
    assert translated.json["message"].startswith(expected)
    query = client.get(f"/api/v1/events/cdc/registrations?lang={language}")
    assert query.json == translated.json


def test_api_validation_messages_translated_with_the_same_codes(client, world):
    bearer = {"Authorization": f"Bearer {world['token']}"}
    french = {**bearer, "Accept-Language": "fr"}
    # An announcement whose body is not an object.
    answer = client.post("/api/v1/events/cdc/announcements", json=[1], headers=french)
    assert answer.status_code == 422
    assert answer.json == {"error": "invalid", "message": "Envoyez un objet JSON."}
    # A check-in naming both a session and a visit.
    scan = {"token": "x", "scan_id": "s1", "session_id": 1, "visit_id": 1}
    english = client.post("/api/v1/events/cdc/checkins", json=scan, headers=bearer)
    translated = client.post("/api/v1/events/cdc/checkins", json=scan, headers=french)
    assert english.status_code == translated.status_code == 422
    assert english.json["error"] == translated.json["error"]
    assert english.json["message"] == "Send session_id or visit_id, not both."
    assert translated.json["message"] == "Envoyez session_id ou visit_id, pas les deux."
    # Paging arguments out of range, in Arabic.
    arabic = {**bearer, "Accept-Language": "ar"}
    paged = client.get("/api/v1/events/cdc/registrations?per_page=0", headers=arabic)
    assert paged.status_code == 422 and paged.json["error"] == "invalid"
    assert "per_page" in paged.json["message"] and "يجب" in paged.json["message"]
    # An unknown event.
    url = "/api/v1/events/nowhere/registrations"
    missing = client.get(url, headers=french)
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    assert missing.json["message"] != client.get(url, headers=bearer).json["message"]


def test_visits_api_in_the_requested_language_and_every_translation_for_organisers(
    app, client, world
):
    from tests.helpers import make_visit

    with app.test_request_context():
        event = db.session.get(Event, world["event"])
        visit = make_visit(event, buses=(("Van", 2),))
        visit.title_i18n = {"fr": "Visite du cluster", "ar": "زيارة العنقود"}
        db.session.commit()
        english_title = visit.title
    public = client.get("/api/v1/events/cdc/visits", headers={"Accept-Language": "fr"})
    assert public.status_code == 200
    [shown] = public.json["visits"]
    assert shown["title"] == "Visite du cluster" and "translations" not in shown
    organiser = client.get(
        "/api/v1/events/cdc/visits?lang=ar",
        headers={"Authorization": f"Bearer {world['token']}"},
    )
    [shown] = organiser.json["visits"]
    assert shown["title"] == "زيارة العنقود"
    assert shown["translations"]["title"] == {
        "en": english_title,
        "fr": "Visite du cluster",
        "ar": "زيارة العنقود",
    }


def test_lists_take_the_arabic_comma_in_arabic_and_the_latin_one_elsewhere(app, client):
    with app.test_request_context():
        event = make_event(slug="lists")
        add_session(event, "Cluster trade", people=("Ana Silva", "Raj Patel"))
        agenda_services.publish_programme(event, utcnow())
        db.session.commit()
    arabic = _get(client, "/events/lists/programme", "ar")
    assert "<bdi>Ana Silva</bdi>\u060c <bdi>Raj Patel</bdi>" in arabic
    french = _get(client, "/events/lists/programme", "fr")
    assert "<bdi>Ana Silva</bdi>, <bdi>Raj Patel</bdi>" in french
    with app.test_request_context(), force_language("ar"):
        from confapp.i18n import join_list

        assert join_list(["a", "b", "c"]) == "a\u060c b\u060c c"
        assert join_list(["a", "b"], "pt") == "a, b"
