"""Every route × every role, generated from app.url_map.

Each endpoint must have an entry in EXPECTED: a new route without one fails
`test_every_route_has_an_expectation`. GET requests must answer exactly the expected
status per role; POST requests by a role that may not use the route must be refused
(sign-in redirect, 403 or 404) and change nothing, and by a role that may use it must
never answer 401/403 or a server error.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from confapp.extensions import db
from tests.route_world import ROLES
from tests.route_world import build_world
from tests.route_world import client_for
from tests.route_world import rule_url
from tests.route_world import walk_rules

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
    """The shared world of tests/route_world.py."""
    return build_world(app)


def test_every_route_has_an_expectation(app):
    endpoints = {r.endpoint for r in walk_rules(app)}
    assert endpoints - set(EXPECTED) == set(), "add the new routes to EXPECTED"
    assert set(EXPECTED) - endpoints == set(), "EXPECTED names routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(app, world, role):
    client = client_for(app, world, role)
    index = ROLES.index(role)
    mismatches = []
    for rule in walk_rules(app):
        if "GET" not in rule.methods:
            continue
        expected_row = SPECIAL_GET.get(rule.endpoint) or EXPECTED[rule.endpoint][0]
        url = rule_url(rule, world["values"])
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
    client = client_for(app, world, role)
    problems = []
    for rule in walk_rules(app):
        if "POST" not in rule.methods:
            continue
        allowed = EXPECTED[rule.endpoint][1] or set()
        url = rule_url(rule, world["values"])
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
            client = client_for(app, world, role)
    assert not problems, "\n".join(problems)


def test_matrix_size(app):
    """The matrix covers every route for all six roles (reported in the issue note)."""
    rules = walk_rules(app)
    assert len(rules) * len(ROLES) >= 50 * 6
