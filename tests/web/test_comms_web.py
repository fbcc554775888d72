"""The organiser's compose page, the record and its CSV, the announcements page, feed and
banner, the one-click unsubscribe and the API."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from confapp.accounts.services import issue_api_token
from confapp.comms import render
from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementOptOut
from confapp.comms.models import AnnouncementStatus
from confapp.db import utcnow
from confapp.extensions import db
from confapp.mail.models import OutboxMessage
from tests import comms_world
from tests.helpers import sign_in


@pytest.fixture
def world(app, monkeypatch):
    comms_world.fast_passwords(monkeypatch)
    with app.app_context():
        built = comms_world.build()
        token = issue_api_token(built.organiser, "test", utcnow())
        db.session.commit()
        return {
            "organiser": built.organiser.id,
            "ana": built.people["ana"].user.id,
            "ana_reg": built.people["ana"].id,
            "ben_reg": built.people["ben"].id,
            "visit": built.visit.id,
            "event": built.event.id,
            "token": token,
        }


def as_user(app, client, user_id):
    from confapp.accounts.models import User

    with app.app_context():
        sign_in(client, db.session.get(User, user_id))
    return client


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def form(world, **changes):
    data = {
        "subject": "Bus to {visit_name}",
        "body": "Dear {first_name}, the bus leaves at {visit_time} from Gate 2.",
        "subject__fr": "Bus pour {visit_name}",
        "body__fr": "Bonjour {first_name}, le bus part à {visit_time} de la porte 2.",
        "status": "confirmed",
        "visit_id": str(world["visit"]),
        "email": "y",
        "action": "preview",
    }
    data.update(changes)
    return data


def test_compose_preview_lists_counts_and_sends(app, client, world, outbox):
    as_user(app, client, world["organiser"])
    page = client.get("/events/cdc/manage/announcements/new")
    assert page.status_code == 200 and b'name="body__fr"' in page.data
    # Grouped by language (a fieldset per language), each input says which field it is.
    html = page.get_data(as_text=True)
    assert '<label for="subject__fr">Subject</label>' in html
    assert '<label for="body__fr">Message (Markdown)</label>' in html
    preview = client.post("/events/cdc/manage/announcements/new", data=form(world))
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "2 recipients" in text
    assert "Dear Ana, the bus leaves at" in text or "Bonjour Ana" in text
    listed = client.post(
        "/events/cdc/manage/announcements/new",
        data=form(world, action="recipients", preview_as=str(world["ben_reg"])),
    ).get_data(as_text=True)
    assert "ana@example.org" in listed and "ben@example.org" in listed
    assert "chloe@example.org" not in listed
    assert "Dear Ben, the bus leaves" in listed  # ben reads English (no Spanish text)
    test = client.post("/events/cdc/manage/announcements/new", data=form(world, action="test"))
    assert test.status_code == 200
    (sent_test,) = outbox.to("org@example.org")
    assert sent_test["Subject"].startswith("[Test] ")
    assert count(app, Announcement) == 0
    done = client.post("/events/cdc/manage/announcements/new", data=form(world, action="send"))
    assert done.status_code == 302
    record = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "ana@example.org" in record and "ben@example.org" in record
    assert len(outbox.to("ana@example.org")) == 1
    assert outbox.to("ana@example.org")[0]["Subject"] == "Bus pour Panipat textile cluster"
    csv = client.get(done.headers["Location"] + ".csv")
    assert csv.mimetype == "text/csv" and b"ana@example.org" in csv.data
    manage = client.get("/events/cdc/manage").get_data(as_text=True)
    assert "/events/cdc/manage/announcements" in manage


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"body": "Hello <script>alert(1)</script>"}, "active content"),
        ({"body": "Hello {nickname}"}, "Unknown placeholder {nickname}"),
        ({"country": "NZ"}, "No one matches this segment"),
        ({"country": "XX"}, "not an ISO 3166-1 country code"),
        ({"send_at": "2020-01-01T09:00"}, "The sending time is in the past"),
        ({"subject": ""}, "The subject is empty"),
    ],
)
def test_bad_input_re_renders_with_the_reason_and_stores_nothing(
    app, client, world, outbox, changes, words
):
    as_user(app, client, world["organiser"])
    for action in ("preview", "send"):
        answer = client.post(
            "/events/cdc/manage/announcements/new", data=form(world, action=action, **changes)
        )
        assert answer.status_code == 200
        assert words in answer.get_data(as_text=True)
    assert count(app, Announcement) == 0 and count(app, OutboxMessage) == 0


def test_schedule_then_cancel(app, client, world, outbox):
    as_user(app, client, world["organiser"])
    with app.app_context():
        from confapp.events.models import Event

        event = db.session.get(Event, world["event"])
        later = event.local(utcnow() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    done = client.post(
        "/events/cdc/manage/announcements/new", data=form(world, action="send", send_at=later)
    )
    assert done.status_code == 302
    assert "scheduled" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert outbox.messages() == []
    # The first click asks, saying what will not happen, and cancels nothing.
    asked = client.post(done.headers["Location"] + "/cancel")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "It will not be sent at" in page and 'name="confirmed" value="yes"' in page
    with app.app_context():
        row = db.session.scalar(sa.select(Announcement))
        assert row.status is AnnouncementStatus.SCHEDULED
    cancel = client.post(done.headers["Location"] + "/cancel", data={"confirmed": "yes"})
    assert cancel.status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(Announcement))
        assert row.status is AnnouncementStatus.CANCELLED


def test_delegates_read_announcements_feed_and_dismiss_the_banner(app, client, world):
    as_user(app, client, world["organiser"])
    client.post(
        "/events/cdc/manage/announcements/new",
        data=form(
            world,
            action="send",
            publish="y",
            subject="Lunch moved",
            body="Lunch is at **13:30**.",
            subject__fr="Déjeuner déplacé",
            body__fr="Le déjeuner est à **13 h 30**.",
            visit_id="",
        ),  # fmt: skip
    )
    reader = app.test_client()
    as_user(app, reader, world["ana"])
    detail = reader.get("/events/cdc").get_data(as_text=True)  # ana reads French
    assert "Déjeuner déplacé" in detail and "<strong>13 h 30</strong>" in detail
    assert 'class="comms-banner"' in detail
    mine = reader.get("/events/cdc/my-registration").get_data(as_text=True)
    assert "Déjeuner déplacé" in mine  # the delegate's own page lists it too
    english = app.test_client().get("/events/cdc/announcements?lang=en").get_data(as_text=True)
    assert "Lunch moved" in english and "<strong>13:30</strong>" in english
    assert 'class="comms-banner"' not in english  # signed-out visitors get no banner
    with app.app_context():
        announcement_id = db.session.scalar(sa.select(Announcement.id))
    gone = reader.post(
        f"/events/cdc/announcements/{announcement_id}/dismiss", data={"next": "/events/cdc"}
    )
    assert gone.status_code == 302 and gone.headers["Location"] == "/events/cdc"
    assert 'class="comms-banner"' not in reader.get("/events/cdc").get_data(as_text=True)
    feed = app.test_client().get("/events/cdc/announcements.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.text for e in root.findall("a:entry/a:title", ns)] == ["Lunch moved"]
    assert "&lt;strong&gt;" in feed.get_data(as_text=True)  # HTML content, escaped


def test_one_click_unsubscribe_without_signing_in(app, world):
    with app.app_context():
        token = render.unsubscribe_token(world["ana_reg"], world["event"])
        forged = render.unsubscribe_token(world["ben_reg"], world["event"])[:-3] + "abc"
    anonymous = app.test_client()
    page = anonymous.get(f"/events/cdc/unsubscribe/{token}")
    assert page.status_code == 200 and count(app, AnnouncementOptOut) == 0  # GET only asks
    assert anonymous.get(f"/events/cdc/unsubscribe/{forged}").status_code == 404
    assert anonymous.post(f"/events/cdc/unsubscribe/{forged}").status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True  # RFC 8058: the mail client sends no CSRF token
    one_click = app.test_client().post(
        f"/events/cdc/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    with app.app_context():
        rows = db.session.scalars(sa.select(AnnouncementOptOut.registration_id)).all()
    assert rows == [world["ana_reg"]]
    again = app.test_client().post(f"/events/cdc/unsubscribe/{token}", data={"receive": "yes"})
    assert again.status_code == 200 and count(app, AnnouncementOptOut) == 0


def test_api_creates_and_reports_an_announcement(app, world, outbox):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {world['token']}"}
    body = {
        "subject": {"en": "Bus at 07:30", "fr": "Bus à 7 h 30"},
        "body_markdown": {"en": "Hello {first_name}", "fr": "Bonjour {first_name}"},
        "segment": {"visit_id": world["visit"]},
        "publish": True,
    }
    created = client.post("/api/v1/events/cdc/announcements", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["recipients"] == 2
    status = client.get(
        f"/api/v1/events/cdc/announcements/{created.json['id']}", headers=headers
    ).json
    assert status["status"] == "sent"
    assert status["counts"] == {"queued": 0, "sent": 2, "failed": 0, "opted_out": 0}
    later = (utcnow() + dt.timedelta(hours=3)).isoformat()
    scheduled = client.post(
        "/api/v1/events/cdc/announcements", json={**body, "send_at": later}, headers=headers
    )
    assert scheduled.status_code == 201
    status = client.get(
        f"/api/v1/events/cdc/announcements/{scheduled.json['id']}", headers=headers
    ).json
    assert status["status"] == "scheduled"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"segment": {"colour": "red"}}, "bad_segment"),
        ({"segment": {"country": ["NZ"]}}, "empty_segment"),
        ({"subject": {"en": ""}}, "empty_text"),
        ({"body_markdown": {}}, "empty_text"),
        ({"body_markdown": {"en": "<script>x</script>"}}, "active_content"),
        ({"send_at": "2020-01-01T00:00:00Z"}, "send_at_past"),
        ({"send_at": "next tuesday"}, "invalid"),
        ({"publish": "yes"}, "invalid"),
    ],
)
def test_api_refuses_bad_input_with_422(app, world, changes, code):
    body = {"subject": {"en": "Hi"}, "body_markdown": {"en": "Hello"}, **changes}
    answer = app.test_client().post(
        "/api/v1/events/cdc/announcements",
        json=body,
        headers={"Authorization": f"Bearer {world['token']}"},
    )
    assert answer.status_code == 422
    assert answer.json["error"] == code and answer.json["message"]
    assert count(app, Announcement) == 0


def test_openapi_describes_both_operations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/events/{slug}/announcements"]
    assert "get" in paths["/events/{slug}/announcements/{announcement_id}"]
