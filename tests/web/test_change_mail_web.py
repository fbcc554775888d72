"""Moving a published session through the organiser's edit form e-mails the delegates concerned."""

from __future__ import annotations

import icalendar

from confapp.agenda import services
from confapp.agenda.models import PersonRole
from confapp.agenda.models import SessionKind
from confapp.db import utcnow
from confapp.extensions import db
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


def test_moving_a_session_through_the_edit_form_mails_the_delegates_who_starred_it(
    app, client, outbox
):
    with app.app_context():
        event = make_event()
        hall = services.create_room(event, name="Hall A")
        services.create_room(event, name="Hall B")
        session = services.create_session(
            event,
            services.SessionData(
                title="Finance panel",
                kind=SessionKind.PANEL,
                starts_at=local_time(event, 0, "10:00"),
                ends_at=local_time(event, 0, "11:00"),
                room_id=hall.id,
                people=[services.PersonData("Lucía Fernández", PersonRole.MODERATOR, "IDB", "US")],
            ),
            now=utcnow(),
        )
        services.publish_programme(event, utcnow())
        _, fan = make_delegate(event, "fan@example.org")
        make_delegate(event, "other@example.org")
        services.set_star(fan, session, True, utcnow())
        organiser = make_staff(event, "org@example.org")
        db.session.commit()
        session_id, hall_id = session.id, hall.id
        new_start = local_time(event, 0, "15:00")
        sign_in(client, organiser)
    form = {
        "title": "Finance panel",
        "kind": "panel",
        "starts_at": "2027-02-20T15:00",
        "ends_at": "2027-02-20T16:30",
        "room_id": str(hall_id),
        "track_id": "0",
        "description": "",
        "seat_limit": "",
        "people-0-name": "Lucía Fernández",
        "people-0-role": "moderator",
        "people-0-organisation": "IDB",
        "people-0-country": "US",
    }
    response = client.post(f"/events/cdc/manage/programme/sessions/{session_id}", data=form)
    assert response.status_code == 302
    assert outbox.to("other@example.org") == []
    [message] = outbox.to("fan@example.org")
    assert message["Subject"] == "Changed: Finance panel"
    body = outbox.body(message)
    assert "Saturday 20 February 2027, 10:00–11:00" in body
    assert "→ Saturday 20 February 2027, 15:00–16:30 (Asia/Kolkata)" in body
    assert f"/events/cdc/sessions/{session_id}" in body
    attachment = next(message.iter_attachments())
    cal = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    [vevent] = cal.walk("VEVENT")
    assert vevent.decoded("DTSTART") == new_start and int(vevent["SEQUENCE"]) == 1
