"""One delegate can never read or change another's registration, badge, meetings or feed.

Delegate pages carry no person's id in their address (they are "mine"); where an id is in
the address (a meeting request, a feed token) it is checked against the signed-in person.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from confapp.agenda import services as agenda_services
from confapp.checkin import services as checkin
from confapp.db import utcnow
from confapp.extensions import db
from confapp.meetings import services as meetings
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import RequestStatus
from confapp.registration.models import Registration
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import sign_in


@pytest.fixture
def people(app):
    with app.test_request_context():
        event = make_event()
        ana = make_confirmed_registration(
            event, "ana@example.org", full_name="Ana Kenya", directory_opt_in=True
        )
        raj = make_confirmed_registration(
            event, "raj@example.org", full_name="Raj India", country="IN", directory_opt_in=True
        )
        eve = make_confirmed_registration(
            event, "eve@example.org", full_name="Eve Outsider", directory_opt_in=True
        )
        request = meetings.send_request(event, ana, raj, "Private note for Raj", utcnow())
        db.session.commit()
        return {
            "ana": ana.id,
            "raj": raj.id,
            "eve": eve.id,
            "users": {"ana": ana.user, "eve": eve.user},
            "request": request.id,
            "badges": {"ana": checkin.badge_token(ana), "eve": checkin.badge_token(eve)},
        }


def test_my_pages_show_only_my_data(app, client, people):
    sign_in(client, people["users"]["eve"])
    for path in ("/events/cdc/my-registration", "/events/cdc/my-agenda", "/events/cdc/meetings"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert "ana@example.org" not in text and "Private note for Raj" not in text, path


def test_my_badge_qr_is_mine(app, client, people):
    import zxingcpp
    from PIL import Image

    sign_in(client, people["users"]["eve"])
    png = client.get("/events/cdc/my-badge.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))]
    assert decoded == [people["badges"]["eve"]]
    assert people["badges"]["ana"] not in decoded


def test_a_third_person_cannot_answer_or_cancel_a_meeting_request(app, client, people):
    sign_in(client, people["users"]["eve"])
    for action in ("accept", "decline", "cancel", "book"):
        response = client.post(f"/events/cdc/meetings/{people['request']}/{action}", data={})
        assert response.status_code in (302, 400, 403, 404), action
    with app.app_context():
        request = db.session.get(MeetingRequest, people["request"])
        assert request.status is RequestStatus.PENDING


def test_feeds_open_only_with_the_exact_secret(app, client, people):
    with app.app_context():
        ana = db.session.get(Registration, people["ana"])
        token = agenda_services.reset_calendar_token(ana) or ana.calendar_token
        db.session.commit()
    assert client.get(f"/events/cdc/calendar/{token}.ics").status_code == 200
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/events/cdc/calendar/{altered}.ics").status_code == 404
    # Nothing else in the event leads to Ana's feed: Eve's pages never show her secret.
    sign_in(client, people["users"]["eve"])
    assert token not in client.get("/events/cdc/my-agenda").get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(Registration.calendar_token).where(Registration.id == people["eve"])
            )
            != token
        )
