"""The sign-up rush against real app processes: gunicorn, 4 workers, PostgreSQL, 200 clients.

200 confirmed delegates press "sign up" on a 30-seat visit at the same moment, each over
its own HTTP connection with its own signed-in session cookie. Exactly 30 get a seat,
170 are waitlisted in id order, the pool counts 30, and no request fails.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from confapp import ROOT
from confapp.accounts.models import User
from confapp.agenda.models import SeatStatus
from confapp.capacity.models import CapacityPool
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from tests.helpers import make_event
from tests.helpers import make_visit

DELEGATES = 200
SEATS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/events/cdc/visits")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def _prepare(app) -> tuple[int, list[tuple[int, str]]]:
    """Event, visit and 200 confirmed delegates, committed: (visit id, [(reg id, cookie)])."""
    with app.app_context():
        event = make_event(capacity=None)
        visit = make_visit(event, buses=(("Bus 1", SEATS),))
        # Users without passwords: hashing 200 passwords would dominate the test's time.
        users = [
            User(email=f"rush{i:03d}@example.org", full_name=f"Rush {i:03d}")
            for i in range(DELEGATES)
        ]
        db.session.add_all(users)
        db.session.flush()
        regs = [
            Registration(
                event_id=event.id,
                user_id=u.id,
                status=RegistrationStatus.CONFIRMED,
                full_name=u.full_name,
                email=u.email,
                country="IN",
            )
            for u in users
        ]
        db.session.add_all(regs)
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [
            (r.id, serializer.dumps({"_user_id": u.get_id(), "_fresh": True}))
            for u, r in zip(users, regs, strict=True)
        ]
        return visit.id, cookies


@pytest.mark.postgres
def test_signup_rush_on_gunicorn_never_overbooks(app, database_url, tmp_path):
    visit_id, cookies = _prepare(app)
    port = _free_port()
    env = {
        **os.environ,
        "CONFAPP_ENV": "development",
        "CONFAPP_DATABASE_URL": database_url,
        "CONFAPP_SECRET_KEY": app.config["SECRET_KEY"],
        "CONFAPP_WTF_CSRF_ENABLED": "false",
        "CONFAPP_RATELIMIT_ENABLED": "false",
        "CONFAPP_MAIL_OUTBOX": str(tmp_path / "outbox"),
    }
    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "4",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--backlog",
            "512",
            "--timeout",
            "60",
            "confapp:create_app()",
        ],
        cwd=str(ROOT),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "gunicorn.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        _wait_until_up(port, proc, started + 30)
        statuses: dict[int, int] = {}
        errors: list[str] = []
        barrier = threading.Barrier(DELEGATES)

        def press(reg_id: int, cookie: str) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=45)
            try:
                conn.connect()
                barrier.wait(timeout=30)
                conn.request(
                    "POST",
                    f"/events/cdc/visits/{visit_id}/signup",
                    body="group_code=",
                    headers={
                        "Cookie": f"{cookie_name}={cookie}",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = conn.getresponse()
                response.read()
                statuses[reg_id] = response.status
            except Exception as exc:  # noqa: BLE001 - every failure is reported below
                errors.append(f"{reg_id}: {exc!r}")
            finally:
                conn.close()

        threads = [threading.Thread(target=press, args=pair) for pair in cookies]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=50)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert not errors, errors[:5]
    assert len(statuses) == DELEGATES
    assert all(status == 302 for status in statuses.values()), (
        {s: list(statuses.values()).count(s) for s in set(statuses.values())},
        log[-3000:],
    )
    assert elapsed < 60
    with app.app_context():
        rows = db.session.execute(
            sa.select(VisitSignup.id, VisitSignup.registration_id, VisitSignup.status)
            .where(VisitSignup.visit_id == visit_id)
            .order_by(VisitSignup.id)
        ).all()
        assert len(rows) == DELEGATES, "a sign-up was lost"
        confirmed = [r for r in rows if r.status is SeatStatus.CONFIRMED]
        waitlisted = [r for r in rows if r.status is SeatStatus.WAITLISTED]
        assert (len(confirmed), len(waitlisted)) == (SEATS, DELEGATES - SEATS)
        # Seats went in the order the rows were queued: the first 30 ids hold them.
        assert [r.id for r in confirmed] == [r.id for r in rows[:SEATS]]
        visit = db.session.get(Visit, visit_id)
        pool = db.session.get(CapacityPool, visit.capacity_pool_id)
        assert (pool.capacity, pool.taken) == (SEATS, SEATS)
