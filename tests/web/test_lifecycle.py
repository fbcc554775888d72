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


# Answered outside the lifecycle, each for its reason: static files; the OpenAPI document and
# the public event list (no event in the URL); the certificate check (anyone, no event);
# the check-in API's lean bearer path (one query for caller, event and badge); the
# visits' and meetings' organiser APIs on security.staff_required/organiser_required.
OUTSIDE = {
    "static",
    "api.openapi_document",
    "events_api.events",
    "checkin.verify_certificate",
    "checkin.verify_form",
    "checkin_api.checkin",
    "checkin_api.registration_qr",
    "checkin_api.search",
    "checkin_api.session_attendance",
    "meetings_api.list_meetings",
    "visits_api.signups",
    "visits_api.visits",
}


def test_every_page_goes_through_the_lifecycle(app):
    outside = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not hasattr(app.view_functions[rule.endpoint], "lifecycle")
    }
    assert sorted(outside) == sorted(OUTSIDE)


def test_organisers_visit_badge_and_documents_actions_are_logged(app, client):
    from confapp.accounts.models import User
    from confapp.events.models import Event
    from confapp.visits import services as visits
    from tests.helpers import local_time

    ids = _world(app)
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cdc"))
        visit = visits.create_visit(
            event,
            visits.VisitData(
                title="Brassware cluster",
                departs_at=local_time(event, 0, "08:00"),
                returns_at=local_time(event, 0, "18:00"),
                capacity_cap=10,
                buses=[visits.BusData(name="Bus A", seats=10)],
            ),
            now=local_time(event, -30, "08:00"),
        )
        holder = visits.add_by_hand(
            event, visit, db.session.get(Registration, ids["reg"]), now=visit.departs_at,
            notify=False,
        )  # fmt: skip
        db.session.commit()
        visit_id, holder_id = visit.id, holder.id
        sign_in(client, db.session.get(User, ids["organiser"]))
    base = f"/events/cdc/manage/visits/{visit_id}"
    assert client.post(f"{base}/assign-buses").status_code == 302
    removal = f"{base}/signups/{holder_id}/cancel"
    assert client.post(removal, data={"confirmed": "yes"}).status_code == 302
    reissue = f"/events/cdc/manage/registrations/{ids['reg']}/badge/reissue"
    assert client.post(reissue, data={"confirmed": "yes"}).status_code == 302
    settings = {"organiser_name": "Foundation for MSME Clusters", "letter_contact": "x@y.org"}
    assert client.post("/events/cdc/manage/documents", data=settings).status_code == 302
    kinds = [entry.kind for entry in _entries(app)]
    assert kinds == [
        "visits.assign_buses",
        "visits.remove_signup",
        "badges.reissue",
        "documents.settings",
    ]
    # Another event's sign-up id, or one of another visit, is not found.
    assert client.post(f"{base}/signups/{holder_id + 999}/cancel").status_code == 404
