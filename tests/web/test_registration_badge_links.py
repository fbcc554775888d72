"""My registration links the certificate once attended; organisers re-issue a badge."""

from __future__ import annotations

import datetime as dt

from confapp.checkin.models import Attendance
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


def test_certificate_link_appears_after_a_check_in(app, client):
    with app.app_context():
        event = make_event("cdc", starts_on=dt.date.today() - dt.timedelta(days=1))
        reg = make_confirmed_registration(event)
        db.session.commit()
        sign_in(client, reg.user)
        event_id, reg_id = event.id, reg.id
    assert "my-certificate.pdf" not in client.get("/events/cdc/my-registration").text
    assert client.get("/events/cdc/my-certificate.pdf").status_code == 404
    with app.app_context():
        db.session.add(
            Attendance(
                event_id=event_id,
                registration_id=reg_id,
                checkpoint="entrance",
                first_scanned_at=dt.datetime.now(dt.UTC),
            )
        )
        db.session.commit()
    assert "my-certificate.pdf" in client.get("/events/cdc/my-registration").text
    response = client.get("/events/cdc/my-certificate.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_organiser_reissues_a_badge_from_the_registration_page(app, client):
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        reg = make_confirmed_registration(event)
        db.session.commit()
        sign_in(client, organiser)
        reg_id, serial = reg.id, reg.badge_serial
    page = client.get(f"/events/cdc/manage/registrations/{reg_id}").text
    action = f"/events/cdc/manage/registrations/{reg_id}/badge/reissue"
    assert f'action="{action}"' in page
    asked = client.post(action)  # asks first, changes nothing
    assert asked.status_code == 200 and "Issue a new badge for" in asked.text
    with app.app_context():
        assert db.session.get(Registration, reg_id).badge_serial == serial
    assert client.post(action, data={"confirmed": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, reg_id).badge_serial == serial + 1
