"""The request lifecycle: event loading, access, one commit, refusals, and the event log."""

from __future__ import annotations

import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.eventlog.models import EventLogEntry
from confapp.extensions import db
from confapp.lookups import event_scoped_or_404
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in


def _world(app):
    with app.app_context():
        event = make_event("cdc", capacity=10)
        other = make_event("other")
        organiser = make_staff(event, "org@example.org", EventRoleKind.ORGANISER)
        reg = make_confirmed_registration(event, "ana@example.org")
        elsewhere = make_confirmed_registration(other, "bob@example.org")
        db.session.commit()
        return {"organiser": organiser.id, "reg": reg.id, "elsewhere": elsewhere.id}


def _entries(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(EventLogEntry).order_by(EventLogEntry.id)))


def test_another_events_id_is_not_found(app, client):
    ids = _world(app)
    with app.app_context():
        from confapp.accounts.models import User

        sign_in(client, db.session.get(User, ids["organiser"]))
    assert client.get(f"/events/cdc/manage/registrations/{ids['reg']}").status_code == 200
    assert client.get(f"/events/cdc/manage/registrations/{ids['elsewhere']}").status_code == 404
    with app.app_context():
        from confapp.errors import NotFound
        from confapp.events.models import Event

        event = db.session.scalar(sa.select(Event).where(Event.slug == "cdc"))
        assert event_scoped_or_404(Registration, ids["reg"], event).id == ids["reg"]
        for bad in (ids["elsewhere"], 0, -1, 2**40, "1", True):
            try:
                event_scoped_or_404(Registration, bad, event)
            except NotFound:
                continue
            raise AssertionError(f"{bad!r} was found")


def test_an_organiser_action_is_logged_once_with_its_changes(app, client):
    ids = _world(app)
    with app.app_context():
        from confapp.accounts.models import User

        sign_in(client, db.session.get(User, ids["organiser"]))
    response = client.post(
        "/events/cdc/manage/registrations/bulk",
        data={"action": "cancel", "ids": [ids["reg"]], "confirmed": "yes"},
    )
    assert response.status_code == 302
    (entry,) = _entries(app)
    assert entry.kind == "registration.manage_bulk" and entry.detail == "cancel"
    assert entry.actor_id == ids["organiser"] and entry.actor_role == "organiser"
    changed = {(row["type"], row["id"]): row for row in entry.changes}
    assert changed[("registration", ids["reg"])]["fields"]["status"] == ["confirmed", "cancelled"]
    page = client.get(f"/events/cdc/manage/registrations/{ids['reg']}").get_data(as_text=True)
    shown = "<code>registration.manage_bulk</code>"
    assert shown in page and "History" in page
    log = client.get("/events/cdc/manage/log?kind=registration").get_data(as_text=True)
    assert shown in log and "confirmed" in log and "cancelled" in log
    # Filtered to another person or kind: nothing.
    other = client.get(f"/events/cdc/manage/log?actor={ids['organiser'] + 999}")
    assert shown not in other.get_data(as_text=True)
    assert shown not in client.get("/events/cdc/manage/log?kind=agenda").get_data(as_text=True)
    # Numbers that are not plain ids are ignored, not a server error.
    assert client.get("/events/cdc/manage/log?actor=²&page=9999999999999").status_code == 200


def test_a_refused_action_rolls_back_and_logs_nothing(app, client):
    ids = _world(app)
    with app.app_context():
        from confapp.accounts.models import User

        sign_in(client, db.session.get(User, ids["organiser"]))
    response = client.post(
        "/events/cdc/manage/registrations/bulk",
        data={"action": "explode", "ids": [ids["reg"]]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert _entries(app) == []
    with app.app_context():
        assert db.session.get(Registration, ids["reg"]).status is RegistrationStatus.CONFIRMED


def test_an_unchanged_save_logs_nothing(app, client):
    ids = _world(app)
    with app.app_context():
        from confapp.accounts.models import User

        sign_in(client, db.session.get(User, ids["organiser"]))
        reg = db.session.get(Registration, ids["reg"])
        data = {"category": reg.category.value, "notes": reg.notes or ""}
    client.post(f"/events/cdc/manage/registrations/{ids['reg']}", data=data)
    assert _entries(app) == []
    client.post(f"/events/cdc/manage/registrations/{ids['reg']}", data={**data, "notes": "VIP"})
    (entry,) = _entries(app)
    assert entry.changes[0]["fields"]["notes"][1] == "VIP"


def test_a_delegates_own_cancel_is_in_their_history(app, client):
    ids = _world(app)
    with app.app_context():
        reg = db.session.get(Registration, ids["reg"])
        sign_in(client, reg.user)
    client.post("/events/cdc/my-registration/cancel", data={"confirmed": "yes"})
    (entry,) = _entries(app)
    assert entry.kind == "registration.cancel" and entry.actor_role == "signed_in"
    assert entry.subject_type == "registration" and entry.subject_id == ids["reg"]


def test_unknown_event_and_draft_are_not_found(app, client):
    with app.app_context():
        make_event("draft", publish=False)
        make_user("nobody@example.org")
        db.session.commit()
    assert client.get("/events/nope/register").status_code == 404
    assert client.get("/events/draft/register").status_code == 404


def test_405_says_which_methods_are_allowed(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["Allow"] == "OPTIONS, POST"
    api = client.delete("/api/v1/events")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
