"""Meetings and visits (any registered provider) join "my agenda" and the personal feed."""

from __future__ import annotations

import icalendar
import pytest

from confapp.accounts.models import User
from confapp.agenda import personal
from confapp.agenda import services
from confapp.agenda.ical import CalItem
from confapp.agenda.models import SessionStar
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import sign_in
from tests.web.test_agenda_web import add_session


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr(personal, "_PROVIDERS", {})
    with app.app_context():
        event = make_event()
        user, registration = make_delegate(event)
        session = add_session(event, title="Cluster finance panel", start="10:00", end="11:00")
        db.session.add(SessionStar(registration_id=registration.id, session_id=session.id))
        services.publish_programme(event, local_time(event, 0, "08:00"))
        token = services.ensure_calendar_token(registration)
        starts, ends = local_time(event, 0, "10:30"), local_time(event, 0, "10:50")
        db.session.commit()
        registration_id, user_id = registration.id, user.id

        def meetings(ev, reg):
            if reg.id != registration_id:
                return []
            item = CalItem(
                uid="meeting-1@confapp",
                summary="Meeting with Li Wei",
                starts_at=starts,
                ends_at=ends,
            )
            return [
                personal.PersonalEntry(
                    kind="meeting",
                    title="Meeting with Li Wei",
                    starts_at=starts,
                    ends_at=ends,
                    location="Table 12",
                    url="/events/cdc/meetings",
                    detail="Li Wei, Shenzhen SME Bureau",
                    cal_item=item,
                )
            ]

        personal.register_provider("meeting", meetings)
        return {"user_id": user_id, "token": token}


def test_my_agenda_shows_entries_in_time_order_with_clashes(app, client, world):
    with app.app_context():
        sign_in(client, db.session.get(User, world["user_id"]))
    page = client.get("/events/cdc/my-agenda").get_data(as_text=True)
    assert page.index("Cluster finance panel") < page.index("Meeting with Li Wei")
    assert "Table 12" in page
    assert "overlaps “Meeting with Li Wei”" in page
    assert "overlaps “Cluster finance panel”" in page


def test_personal_feed_contains_entries(client, world):
    response = client.get(f"/events/cdc/calendar/{world['token']}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Cluster finance panel", "Meeting with Li Wei"]
