"""Every state-changing route, sent 5 times at once (issue 16): a double-click or a resent
form acts once.

The walk is generic, from ``app.url_map``: every route that accepts POST needs a recipe
in RECIPES (who sends it and with what form) — a new route without one fails
``test_every_state_changing_route_has_a_recipe`` with its name. The same request then goes
5 times at once, over 5 connections, to gunicorn (4 workers) on PostgreSQL, one route
after another on the authorisation matrix's world, and after each burst:
- no answer is a 5xx;
- every capacity pool counts exactly its confirmed holders (registrations, workshop and
  visit seats) and never more than its capacity;
- the burst wrote at most one event-log entry per (kind, subject) and at most one e-mail
  per (recipient, subject): one row per action, however often it was sent.
Skipped with the reason without PostgreSQL or gunicorn.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
import sqlalchemy as sa

from confapp import ROOT
from confapp.extensions import db
from tests.route_world import LAST
from tests.route_world import build_world
from tests.route_world import rule_url
from tests.web.test_visits_race import _free_port

TIMES = 5
YES = {"confirmed": "yes"}  # the second step of ctx.confirm: the action itself
DELEGATE, ORGANISER, ADMIN, STAFF = "delegate", "organiser", "admin", "staff"
_PERSON = {
    "full_name": "Kofi Mensah",
    "organisation": "Kumasi Cluster Association",
    "organisation_type": "cluster_association",
    "job_title": "Director",
    "country": "GH",
    "sector": "industry",
}

# endpoint: (role, form fields) — a valid request where the world allows one. Routes whose
# world holds no object to act on (ids 999999) still go: they must refuse alike 5 times.
RECIPES: dict[str, tuple[str, dict]] = {
    "accounts.accept_invitation": (DELEGATE, {}),
    "accounts.account": (DELEGATE, {"full_name": "Ana Delegate", "language": "fr"}),
    "accounts.invitation": ("anonymous", {"password": "a-long-password-1"}),
    "accounts.login": ("anonymous", {"email": "delegate@example.org", "password": "x" * 12}),
    "accounts.logout": (DELEGATE, {}),
    "accounts.resend_verification": (DELEGATE, {}),
    "accounts.reset": ("anonymous", {"password": "a-long-password-1"}),
    "accounts.reset_request": ("anonymous", {"email": "delegate@example.org"}),
    "agenda.calendar_link": (DELEGATE, {}),
    "analytics.start_report": (ORGANISER, {"fmt": "pdf"}),
    "agenda.cancel_signup": (DELEGATE, {}),
    "agenda.import_csv": (ORGANISER, {}),
    "agenda.publish": (ORGANISER, YES),
    "agenda.room_edit": (ORGANISER, {"name": "Hall A", "capacity": "120"}),
    "agenda.rooms": (ORGANISER, {"name": "Hall B", "capacity": "40"}),
    "agenda.session_action": (ORGANISER, YES),
    "agenda.session_edit": (ORGANISER, {"title": "Workshop on cluster finance (2)"}),
    "agenda.session_new": (
        ORGANISER,
        {
            "title": "Closing plenary",
            "kind": "plenary",
            "day": "2027-02-21",
            "start": "16:00",
            "end": "17:00",
        },
    ),
    "agenda.signup": (DELEGATE, {}),
    "agenda.star": (DELEGATE, {}),
    "agenda.track_edit": (ORGANISER, {"name": "Innovation", "colour": "#225588"}),
    "agenda.tracks": (ORGANISER, {"name": "Finance", "colour": "#885522"}),
    "badges.manage": (ORGANISER, {"layout": "a6"}),
    "badges.reissue": (ORGANISER, {"replaces": "1", **YES}),  # the badge serial shown
    "checkin.certificates_bulk": (ORGANISER, {}),
    "checkin.reissue_certificate": (ORGANISER, {"replaces": "", **YES}),
    "checkin_api.checkin": (STAFF, {}),  # JSON below
    "comms.cancel": (ORGANISER, YES),
    "comms.compose": (ORGANISER, {"subject": "Bus times", "body_markdown": "Buses leave at 8."}),
    "comms.dismiss": (DELEGATE, {}),
    "comms.preferences": (DELEGATE, {}),
    "comms.unsubscribe": ("anonymous", {}),
    "comms_api.create": (ORGANISER, {}),  # JSON below
    "documents.settings": (ORGANISER, {"organiser_name": "Foundation for MSME Clusters"}),
    "events.admin_new": (
        ADMIN,
        {"slug": "second", "title": "Second", "starts_on": "2027-05-01", "ends_on": "2027-05-02"},
    ),
    "events.invitation_revoke": (ORGANISER, YES),
    "events.settings": (ORGANISER, {}),
    "events.team": (ORGANISER, {"email": "newstaff@example.org", "role": "staff"}),
    "events.team_remove": (ORGANISER, YES),
    "mail.send_again": (ORGANISER, {}),
    "mail.send_all_again": (ORGANISER, {}),
    "meetings.add_slots": (
        ORGANISER,
        {"day": "2027-02-21", "start": "14:00", "end": "15:00", "minutes": "20"},
    ),
    "meetings.add_tables": (ORGANISER, {"count": "3"}),
    "meetings.add_tag": (ORGANISER, {"name": "Export finance"}),
    "meetings.answer": (DELEGATE, YES),
    "meetings.availability": (DELEGATE, {}),
    "meetings.delete_slot": (ORGANISER, YES),
    "meetings.delete_tag": (ORGANISER, YES),
    "meetings.edit_tag": (ORGANISER, {"name": "Export finance"}),
    "meetings.feedback": (DELEGATE, {"took_place": "y"}),
    # The first save of a profile (issue 16 #8: 5 at once answered 500 on the unique key).
    "meetings.profile": (DELEGATE, {"offers": "Finance for clusters", "opt_in": "y"}),
    "meetings.schedule": (ORGANISER, YES),
    "meetings.send": (DELEGATE, {"message": "Shall we meet?"}),
    "meetings.set_priority": (ORGANISER, {"priority": "2"}),
    "meetings.settings": (ORGANISER, {"booking_mode": "instant", "max_pending_requests": "20"}),
    "registration.cancel": (DELEGATE, YES),
    "registration.edit": (DELEGATE, {**_PERSON, "full_name": "Ana Delegate"}),
    "registration.import_csv": (ORGANISER, {}),
    "registration.manage_add": (
        ORGANISER,
        {**_PERSON, "email": "kofi@example.org", "category": "delegate"},
    ),
    "registration.manage_bulk": (ORGANISER, {"action": "approve", "ids": "1", **YES}),
    "registration.manage_detail": (ORGANISER, {"category": "speaker", "notes": "VIP"}),
    # A new delegate registering with a double-click: one account, one registration.
    "registration.register": (
        "anonymous",
        {
            **_PERSON,
            "email": "kofi.new@example.org",
            "password": "a-long-password-1",
            "category": "delegate",
        },
    ),
    "visa.manage_decide": (ORGANISER, {"decision": "approve"}),
    "visa.request": (
        DELEGATE,
        {
            "passport_name": "DELEGATE",
            "passport_number": "P1234567",
            "nationality": "KE",
            "date_of_birth": "1980-01-01",
            "passport_issued_on": "2020-01-01",
            "passport_expires_on": "2030-01-01",
            "passport_issue_place": "Nairobi",
            "step": "confirm",  # the review step's Confirm: the POST that stores
        },
    ),
    "visits.add_delegate": (ORGANISER, {"who": "delegate@example.org"}),
    "visits.assign_buses": (ORGANISER, YES),
    "visits.cancel": (DELEGATE, {}),
    "visits.move_signup": (ORGANISER, {"to_visit": "1", **YES}),
    "visits.remove_signup": (ORGANISER, YES),
    "visits.set_bus": (ORGANISER, {"bus_id": "2"}),
    "visits.signup": (DELEGATE, {}),
    "visits.visit_edit": (ORGANISER, {"title": "Visit (retitled)"}),
    "visits.visit_new": (ORGANISER, {"title": "Brassware of Moradabad"}),
}


# Routes whose repeated log entries or e-mails are tolerated (endpoint: why). None now:
# edits read their row again under its lock (confapp.db.lock_and_reread), so an identical
# save repeated at once changes nothing, and a reset asked again within
# PASSWORD_RESET_RESEND_AFTER sends nothing new. A new entry needs a reason in SECURITY.md.
KNOWN_REPEATS: dict[str, str] = {}


@pytest.fixture
def world(app):
    """The shared world of tests/route_world.py."""
    return build_world(app)


def _post_rules(app):
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    return sorted(rules, key=lambda r: (r.endpoint in LAST, r.endpoint))


def test_every_state_changing_route_has_a_recipe(app):
    endpoints = {r.endpoint for r in _post_rules(app)}
    missing = sorted(endpoints - set(RECIPES))
    assert not missing, (
        f"add a recipe to RECIPES in {__file__} for: {', '.join(missing)} "
        "(who sends it, with which form fields)"
    )
    assert not sorted(set(RECIPES) - endpoints), "RECIPES names routes that no longer exist"


# --- invariants ------------------------------------------------------------------------------


def _pool_problems(conn) -> list[str]:
    """Pools whose count is not their confirmed holders, or more than their capacity."""
    holders = sa.text(
        """
        SELECT p.id, p.capacity, p.taken, (
            SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id
             WHERE e.capacity_pool_id = p.id AND r.status = 'confirmed') + (
            SELECT count(*) FROM session_signup s JOIN programme_session ps
                ON ps.id = s.session_id
             WHERE ps.capacity_pool_id = p.id AND s.status = 'confirmed') + (
            SELECT count(*) FROM visit_signup v JOIN visit vi ON vi.id = v.visit_id
             WHERE vi.capacity_pool_id = p.id AND v.status = 'confirmed') AS held
        FROM capacity_pool p
        """
    )
    problems = []
    for pool_id, capacity, taken, held in conn.execute(holders):
        if taken != held or (capacity is not None and taken > capacity):
            problems.append(f"pool {pool_id}: taken {taken}, confirmed {held}, cap {capacity}")
    return problems


def _high_water(conn) -> dict[str, int]:
    return {
        table: conn.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar()  # noqa: S608
        for table in ("event_log_entry", "outbox_message")
    }


def _repeats(conn, marks: dict[str, int]) -> list[str]:
    """Actions the burst recorded more than once: log entries and e-mails."""
    log = conn.execute(
        sa.text(
            "SELECT kind, subject_type, subject_id, count(*) FROM event_log_entry WHERE id > :m"
            " GROUP BY kind, subject_type, subject_id HAVING count(*) > 1"
        ),
        {"m": marks["event_log_entry"]},
    ).all()
    mail = conn.execute(
        sa.text(
            "SELECT recipient, subject, count(*) FROM outbox_message WHERE id > :m"
            " GROUP BY recipient, subject HAVING count(*) > 1"
        ),
        {"m": marks["outbox_message"]},
    ).all()
    return [f"logged {row[0]} {row[1]}:{row[2]} {row[3]} times" for row in log] + [
        f"e-mailed {row[0]} “{row[1]}” {row[2]} times" for row in mail
    ]


# --- the server ------------------------------------------------------------------------------


class _Server:
    def __init__(self, app, database_url: str, tmp_path) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "CONFAPP_ENV": "development",
            "CONFAPP_DATABASE_URL": database_url,
            "CONFAPP_SECRET_KEY": app.config["SECRET_KEY"],
            "CONFAPP_WTF_CSRF_ENABLED": "false",
            "CONFAPP_RATELIMIT_ENABLED": "false",
            "CONFAPP_MAIL_OUTBOX": str(tmp_path / "outbox"),
            "CONFAPP_JOBS_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
        }
        self.log = tmp_path / "gunicorn.log"
        self.proc = subprocess.Popen(  # noqa: S603 - gunicorn from this interpreter
            [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{self.port}"]
            + ["--timeout", "60", "confapp:create_app()"],
            cwd=str(ROOT),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text(errors='replace')}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=20)

    def burst(self, path: str, body: bytes, headers: dict[str, str]) -> list[int]:
        """The same POST `TIMES` times at once, each on its own connection."""
        statuses: list[int] = []
        barrier = threading.Barrier(TIMES)

        def send() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                conn.connect()
                barrier.wait(timeout=30)
                conn.request("POST", path, body=body, headers=headers)
                statuses.append(conn.getresponse().status)
            except OSError as exc:
                statuses.append(599)
                print(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=send) for _ in range(TIMES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        return statuses


def _cookies(app, world) -> dict[str, str]:
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        users = {role: db.session.merge(u) for role, u in world["users"].items()}
        return {
            role: serializer.dumps({"_user_id": u.get_id(), "_fresh": True})
            for role, u in users.items()
        }


def _request(app, world, endpoint: str, cookies: dict[str, str]) -> tuple[bytes, dict]:
    role, fields = RECIPES[endpoint]
    headers = {"Host": "localhost"}
    if role != "anonymous":
        cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
        headers["Cookie"] = f"{cookie_name}={cookies[role]}"
    if endpoint == "checkin_api.checkin":
        import json

        body = json.dumps({"token": world["badge"], "scan_id": "dbl-1"}).encode()
        headers["Content-Type"] = "application/json"
    elif endpoint == "comms_api.create":
        import json

        body = json.dumps(
            {"subject": {"en": "Buses"}, "body_markdown": {"en": "At 8."}, "segment": {}}
        ).encode()
        headers["Content-Type"] = "application/json"
    else:
        body = urllib.parse.urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return body, headers


@pytest.mark.postgres
def test_five_identical_submits_act_once(app, world, database_url, tmp_path):
    if importlib.util.find_spec("gunicorn") is None:
        pytest.skip("gunicorn is not installed")
    from confapp.checkin import services as checkin_services
    from confapp.registration.models import Registration

    with app.app_context():
        world["badge"] = checkin_services.badge_token(
            db.session.get(Registration, world["values"]["reg_id"])
        )
    cookies = _cookies(app, world)
    server = _Server(app, database_url, tmp_path)
    problems: list[str] = []
    acted = 0
    try:
        engine = sa.create_engine(database_url)
        for rule in _post_rules(app):
            path = rule_url(rule, world["values"])
            body, headers = _request(app, world, rule.endpoint, cookies)
            with engine.connect() as conn:
                marks = _high_water(conn)
            statuses = server.burst(path, body, headers)
            with engine.connect() as conn:
                found = _pool_problems(conn)
                if rule.endpoint not in KNOWN_REPEATS:
                    found += _repeats(conn, marks)
                acted += _high_water(conn) != marks
            if any(s >= 500 for s in statuses):
                found.append(f"answers {sorted(statuses)}")
            problems.extend(f"{rule.endpoint} ({path}): {p}" for p in found)
        engine.dispose()
    finally:
        server.stop()
    log = server.log.read_text(errors="replace")
    # The last line of each traceback the server logged: the error a 5xx hid.
    errors = [
        chunk.strip().splitlines()[-1][:300]
        for chunk in log.split("Traceback (most recent call last):")[1:]
    ]
    assert not problems and not errors, "\n".join(problems + sorted(set(errors)))
    assert acted >= 15, f"only {acted} routes wrote a log entry or an e-mail: recipes stale?"
