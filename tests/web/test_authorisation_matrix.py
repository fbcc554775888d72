"""Every route × every role, generated from app.url_map.

Each endpoint must have an entry in EXPECTED: a new route without one fails
`test_every_route_has_an_expectation`. GET requests must answer exactly the expected
status per role; POST requests by a role that may not use the route must be refused
(sign-in redirect, 403 or 404) and change nothing, and by a role that may use it must
never answer 401/403 or a server error.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.agenda import services as agenda_services
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import Track
from confapp.agenda.services import SessionData
from confapp.extensions import db
from confapp.jobs.models import Job
from confapp.jobs.models import JobStatus
from confapp.visa.models import VisaRequest
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in

ROLES = ("anonymous", "delegate", "other_organiser", "staff", "organiser", "admin")

# Shorthands for the expected GET status of each role, in ROLES order.
PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
ORGANISER = (302, 403, 403, 403, 200, 200)
ADMIN = (302, 403, 403, 403, 403, 200)
# Pages of a delegate's own registration: others have none, so they are sent to register.
OWN_REGISTRATION = (302, 200, 302, 302, 302, 302)
POST_ONLY = None  # no GET; only the POST rules below apply

# endpoint: (GET statuses per role or POST_ONLY, roles allowed to POST or None for no POST)
ALL = set(ROLES)
SIGNED = ALL - {"anonymous"}
ORGS = {"organiser", "admin"}
EXPECTED: dict[str, tuple[tuple[int, ...] | None, set[str] | None]] = {
    "static": (PUBLIC, None),
    "events.index": (PUBLIC, None),
    "events.detail": (PUBLIC, None),
    "events.manage": (ORGANISER, None),
    "eventlog.log": (ORGANISER, None),
    "mail.log": (ORGANISER, None),
    "mail.send_again": (POST_ONLY, ORGS),
    "mail.send_all_again": (POST_ONLY, ORGS),
    "jobs.show": (ORGANISER, None),
    "jobs.status": (ORGANISER, None),
    # This job kept no file: organisers learn it is gone.
    "jobs.result": ((302, 403, 403, 403, 404, 404), None),
    "events.settings": (ORGANISER, ORGS),
    "events.untranslated": (ORGANISER, None),
    "events.team": (ORGANISER, ORGS),
    "events.team_remove": (POST_ONLY, ORGS),
    "events.invitation_revoke": (POST_ONLY, ORGS),
    # An invitation link that is not one is unknown to everyone.
    "accounts.invitation": ((404,) * 6, ALL),
    "accounts.accept_invitation": (POST_ONLY, SIGNED),
    "events.admin_events": (ADMIN, None),
    "events.admin_new": (ADMIN, {"admin"}),
    # Signed-in people are sent on from the sign-in page.
    "accounts.login": ((200, 302, 302, 302, 302, 302), ALL),
    "accounts.logout": (POST_ONLY, ALL),
    "accounts.account": (SIGNED_IN, SIGNED),
    "accounts.resend_verification": (POST_ONLY, SIGNED),
    # A bad token gets a friendly 400 page for everyone.
    "accounts.verify": ((400,) * 6, None),
    "accounts.reset_request": (PUBLIC, ALL),
    "accounts.reset": ((400,) * 6, ALL),
    "registration.register": (None, ALL),  # per-role GET checked below
    "registration.mine": (OWN_REGISTRATION, None),
    "registration.edit": (OWN_REGISTRATION, {"delegate"}),
    "registration.cancel": (POST_ONLY, {"delegate"}),
    "registration.manage_list": (ORGANISER, None),
    "registration.manage_detail": (ORGANISER, ORGS),
    "registration.manage_add": (ORGANISER, ORGS),
    "registration.manage_bulk": (POST_ONLY, ORGS),
    "registration.export_csv": (ORGANISER, None),
    "registration.export_xlsx": (ORGANISER, None),
    "registration.import_csv": (ORGANISER, ORGS),
    "visa.request": (None, {"delegate"}),
    "visa.letter_pdf": (None, None),
    "visa.manage_list": (ORGANISER, None),
    "visa.manage_decide": (POST_ONLY, ORGS),
    "agenda.programme": (PUBLIC, None),
    "agenda.changes": (PUBLIC, None),
    "agenda.session_detail": (PUBLIC, None),
    "agenda.programme_ics": (PUBLIC, None),
    "agenda.session_ics": (PUBLIC, None),
    "agenda.personal_ics": ((404,) * 6, None),  # a wrong token is never found
    "agenda.my_agenda": (None, None),
    "agenda.calendar_link": (POST_ONLY, {"delegate"}),
    "agenda.star": (POST_ONLY, {"delegate"}),
    "agenda.signup": (POST_ONLY, {"delegate"}),
    "agenda.cancel_signup": (POST_ONLY, {"delegate"}),
    "agenda.manage": (ORGANISER, None),
    "agenda.health": (ORGANISER, None),
    "agenda.export_csv": (ORGANISER, None),
    "agenda.import_csv": (ORGANISER, ORGS),
    "agenda.publish": (POST_ONLY, ORGS),
    "agenda.rooms": (ORGANISER, ORGS),
    "agenda.room_edit": (ORGANISER, ORGS),
    "agenda.tracks": (ORGANISER, ORGS),
    "agenda.track_edit": (ORGANISER, ORGS),
    "agenda.session_new": (ORGANISER, ORGS),
    "agenda.session_edit": (ORGANISER, ORGS),
    "agenda.session_action": (POST_ONLY, ORGS),
    "events_api.events": (PUBLIC, None),
    "api.openapi_document": (PUBLIC, None),
    "agenda_api.sessions": (PUBLIC, None),
    # Badges and check-in.
    "badges.my_badge": (OWN_REGISTRATION, None),
    "badges.my_badge_png": (OWN_REGISTRATION, None),
    "badges.my_badge_pdf": (OWN_REGISTRATION, None),
    "badges.manage": (ORGANISER, ORGS),
    "badges.reissue": (POST_ONLY, ORGS),
    "documents.settings": (ORGANISER, ORGS),
    "documents.image": (None, None),
    "checkin.scan": ((302, 403, 403, 200, 200, 200), None),
    "checkin.scan_worker": (PUBLIC, None),
    "checkin.attendance": (ORGANISER, None),
    "checkin.attendance_detail": (ORGANISER, None),
    "checkin.attendance_csv": (ORGANISER, None),
    "checkin.certificates_bulk": (POST_ONLY, ORGS),
    "checkin.my_certificate": (None, None),
    "checkin.reissue_certificate": (POST_ONLY, ORGS),
    # Certificates are verified by anyone, signed in or not.
    "checkin.verify_form": (PUBLIC, None),
    "checkin.verify_certificate": (None, None),
    "checkin_api.checkin": (POST_ONLY, {"staff", "organiser", "admin"}),
    "checkin_api.session_attendance": ((401, 403, 403, 200, 200, 200), None),
    "checkin_api.search": ((401, 403, 403, 200, 200, 200), None),
    "checkin_api.registration_qr": ((401, 403, 403, 403, 200, 200), None),
    "registrations_api.list_registrations": ((401, 403, 403, 403, 200, 200), None),
    "visits.index": (PUBLIC, None),
    "visits.visit_ics": (PUBLIC, None),
    "visits.signup": (POST_ONLY, {"delegate"}),
    "visits.cancel": (POST_ONLY, {"delegate"}),
    "visits.manage": (ORGANISER, None),
    "visits.visit_new": (ORGANISER, ORGS),
    "visits.visit_edit": (ORGANISER, ORGS),
    "visits.signups": (ORGANISER, None),
    "visits.add_delegate": (POST_ONLY, ORGS),
    "visits.move_signup": (POST_ONLY, ORGS),
    "visits.set_bus": (POST_ONLY, ORGS),
    "visits.remove_signup": (POST_ONLY, ORGS),
    "visits.assign_buses": (POST_ONLY, ORGS),
    "visits.manifest_csv": (ORGANISER, None),
    "visits.manifest_pdf": (ORGANISER, None),
    "visits_api.visits": (PUBLIC, None),
    # The API answers 401 JSON rather than the sign-in redirect.
    "visits_api.signups": ((401, 403, 403, 403, 200, 200), None),
    # Networking meetings: delegate pages (per-role GET below), organiser tools, API.
    "meetings.mine": (None, None),
    "meetings.directory_page": (None, None),
    "meetings.profile": (None, {"delegate"}),
    "meetings.availability": (None, {"delegate"}),
    "meetings.my_pdf": (None, None),
    "meetings.send": (POST_ONLY, {"delegate"}),
    "meetings.answer": (POST_ONLY, {"delegate"}),
    "meetings.feedback": (POST_ONLY, {"delegate"}),
    "meetings.manage": (ORGANISER, None),
    "meetings.add_slots": (POST_ONLY, ORGS),
    "meetings.delete_slot": (POST_ONLY, ORGS),
    "meetings.add_tables": (POST_ONLY, ORGS),
    "meetings.add_tag": (POST_ONLY, ORGS),
    "meetings.delete_tag": (POST_ONLY, ORGS),
    # The world's tag_id names no tag: organisers get 404 (the page itself is tested in
    # tests/web/test_languages_programme_forms.py), everyone else is refused first.
    "meetings.edit_tag": ((302, 403, 403, 403, 404, 404), ORGS),
    "meetings.settings": (POST_ONLY, ORGS),
    "meetings.schedule": (POST_ONLY, ORGS),
    "meetings.set_priority": (POST_ONLY, ORGS),
    "meetings.request_list": (ORGANISER, None),
    "meetings.tables_pdf": (ORGANISER, None),
    "meetings.report": (ORGANISER, None),
    "meetings.report_csv": (ORGANISER, None),
    "meetings_api.list_meetings": ((401, 403, 403, 403, 200, 200), None),
    # Analytics: the organiser dashboard, a figure's CSV, the stats API.
    "analytics.dashboard": (ORGANISER, None),
    "analytics.figure_csv": (ORGANISER, None),
    "analytics.start_report": (POST_ONLY, ORGS),
    # The world's job is not a report: no report file behind it, for organisers too.
    "analytics.report_file": ((302, 403, 403, 403, 404, 404), None),
    "analytics_api.stats": ((401, 403, 403, 403, 200, 200), None),
    # Organiser communications: only organisers write and send; everyone reads what is
    # published; the unsubscribe link is its own authorisation (a wrong one is unknown).
    "comms.manage": (ORGANISER, None),
    "comms.compose": (ORGANISER, ORGS),
    "comms.record": (ORGANISER, None),
    "comms.record_csv": (ORGANISER, None),
    "comms.cancel": (POST_ONLY, ORGS),
    "comms.announcements": (PUBLIC, None),
    "comms.feed": (PUBLIC, None),
    "comms.dismiss": (POST_ONLY, SIGNED),
    "comms.preferences": (POST_ONLY, SIGNED),
    "comms.unsubscribe": ((404,) * 6, ALL),
    "comms_api.create": (POST_ONLY, ORGS),
    "comms_api.status": ((401, 403, 403, 403, 200, 200), None),
}

# Pages whose GET answer depends on more than the role (documented per role).
SPECIAL_GET = {
    # Anyone may open the form; signed-in people with a registration are sent to it.
    "registration.register": (200, 302, 200, 200, 200, 200),
    # The visa page tells people without a registration that they need one; the
    # letter exists only once approved (the world's request is still undecided).
    "visa.request": (302, 200, 200, 200, 200, 200),
    "visa.letter_pdf": (302, 404, 404, 404, 404, 404),
    # Uploaded images are shown to organisers only, and the world has none yet.
    "documents.image": (302, 403, 403, 403, 404, 404),
    # My agenda needs a registration for the event.
    "agenda.my_agenda": (302, 200, 403, 403, 403, 403),
    # A certificate exists only once the delegate was scanned in (not yet in the world).
    "checkin.my_certificate": (302, 404, 404, 404, 404, 404),
    # No certificate was issued in the world: its number is unknown to everyone.
    "checkin.verify_certificate": (404,) * 6,
    # Meeting pages need a confirmed registration for the event.
    "meetings.mine": (302, 200, 403, 403, 403, 403),
    "meetings.directory_page": (302, 200, 403, 403, 403, 403),
    "meetings.profile": (302, 200, 403, 403, 403, 403),
    "meetings.availability": (302, 200, 403, 403, 403, 403),
    "meetings.my_pdf": (302, 200, 403, 403, 403, 403),
}


@pytest.fixture
def world(app):
    """Event A with a delegate, staff and organiser; event B with its own organiser."""
    with app.app_context():
        event = make_event("cdc", capacity=50)
        other = make_event("other")
        organiser = make_staff(event, "org@example.org")
        staff = make_staff(event, "staff@example.org", EventRoleKind.STAFF)
        other_organiser = make_staff(other, "org-b@example.org")
        admin = make_user("admin@example.org", admin=True, full_name="Admin")
        registration = make_confirmed_registration(event, "delegate@example.org")
        visa = VisaRequest(
            registration=registration,
            passport_name="DELEGATE",
            passport_number="P1234567",
            nationality="KE",
            date_of_birth=dt.date(1980, 1, 1),
            status="requested",
        )
        db.session.add(visa)
        room = Room(event_id=event.id, name="Hall A", capacity=100)
        track = Track(event_id=event.id, name="Innovation", colour="#225588")
        db.session.add_all([room, track])
        db.session.flush()
        session = agenda_services.create_session(
            event,
            SessionData(
                title="Workshop on cluster finance",
                kind=SessionKind.WORKSHOP,
                starts_at=local_time(event, 0, "10:00"),
                ends_at=local_time(event, 0, "11:00"),
                room_id=room.id,
                track_id=track.id,
                seat_limit=20,
            ),
            now=dt.datetime.now(dt.UTC),
        )
        agenda_services.publish_programme(event, dt.datetime.now(dt.UTC))
        from confapp.visits.services import signup as visit_signup
        from tests.helpers import make_visit

        visit = make_visit(event, buses=(("Bus 1", 10), ("Bus 2", 10)))
        visit_holder = visit_signup(event, visit, registration, now=dt.datetime.now(dt.UTC))
        from confapp.comms import services as comms_services

        announcement = comms_services.create(
            event,
            comms_services.Draft(subject={"en": "Welcome"}, body={"en": "Hello"}, publish=True),
            user=organiser,
            now=dt.datetime.now(dt.UTC),
        )
        job = Job(event_id=event.id, kind="badges.pdf", status=JobStatus.DONE, done=2, total=2)
        db.session.add(job)
        db.session.commit()
        users = {
            "delegate": registration.user,
            "other_organiser": other_organiser,
            "staff": staff,
            "organiser": organiser,
            "admin": admin,
        }
        values = {
            "slug": "cdc",
            "reg_id": registration.id,
            "request_id": visa.id,
            "session_id": session.id,
            "room_id": room.id,
            "track_id": track.id,
            "token": "not-a-valid-token",
            "filename": "css/app.css",
            "action": "cancel",
            "visit_id": visit.id,
            "signup_id": visit_holder.id,
            "registration_id": registration.id,
            "slot_id": 999999,
            "tag_id": 999999,
            "kind": "logo",
            "role_id": staff.roles[0].id,
            "invitation_id": 999999,
            "message_id": 999999,
            "key": "countries",
            "announcement_id": announcement.id,
            "job_id": job.id,
            "number": "7K3M-Q9ZP-2X4T",
        }
        return {
            "users": {k: db.session.get(type(u), u.id) for k, u in users.items()},
            "values": values,
        }


def _url(rule, values) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", str(values[name]))
        for converter in (
            "int",
            "path",
            "any(cancel, reinstate, delete)",
            "any(accept, decline, cancel, book)",
        ):
            path = path.replace(f"<{converter}:{name}>", str(values[name]))
    return path


# Routes that end the role's standing (signing out, cancelling) are walked last.
LAST = ("registration.cancel", "accounts.logout")


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in LAST, r.endpoint))


def test_every_route_has_an_expectation(app):
    endpoints = {r.endpoint for r in _rules(app)}
    assert endpoints - set(EXPECTED) == set(), "add the new routes to EXPECTED"
    assert set(EXPECTED) - endpoints == set(), "EXPECTED names routes that no longer exist"


def _client_for(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        with app.app_context():
            sign_in(client, world["users"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(app, world, role):
    client = _client_for(app, world, role)
    index = ROLES.index(role)
    mismatches = []
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        expected_row = SPECIAL_GET.get(rule.endpoint) or EXPECTED[rule.endpoint][0]
        url = _url(rule, world["values"])
        status = client.get(url).status_code
        if status != expected_row[index]:
            mismatches.append(f"{rule.endpoint} {url}: {status}, expected {expected_row[index]}")
    assert not mismatches, "\n".join(mismatches)


def _snapshot(app) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables
        }


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(app, world, role):
    client = _client_for(app, world, role)
    problems = []
    for rule in _rules(app):
        if "POST" not in rule.methods:
            continue
        allowed = EXPECTED[rule.endpoint][1] or set()
        url = _url(rule, world["values"])
        before = _snapshot(app)
        response = client.post(url, data={})
        if role in allowed:
            if response.status_code in (401, 403) or response.status_code >= 500:
                problems.append(f"{rule.endpoint}: {response.status_code} for an allowed role")
        else:
            # A refusal is a sign-in redirect, 403/404/405, or a redirect back with a
            # message; in every case the database must be unchanged (checked below).
            # API endpoints answer 401 JSON to callers without credentials.
            refused = response.status_code in (302, 303, 400, 401, 403, 404, 405)
            if not refused:
                problems.append(f"{rule.endpoint}: {response.status_code}, expected a refusal")
            if _snapshot(app) != before:
                problems.append(f"{rule.endpoint}: a refused POST changed the database")
        if role != "anonymous" and rule.endpoint == "accounts.logout":
            client = _client_for(app, world, role)
    assert not problems, "\n".join(problems)


def test_matrix_size(app):
    """The matrix covers every route for all six roles (reported in the issue note)."""
    rules = _rules(app)
    assert len(rules) * len(ROLES) >= 50 * 6
