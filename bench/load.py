"""Load and races: two gunicorn servers on one PostgreSQL database, three bursts, then an audit.

1. Registration burst: N visitors open the registration form, then all post it at once
   (the event's capacity is below N, so the waiting list fills too).
2. Sign-up rush: confirmed delegates open the visits page, then all press "sign up" on a
   30-seat visit at the same moment.
3. Check-in storm: scanners post badge scans to the check-in API; pairs of scanners read
   the same badges at the same time, other pairs read them again later, and some scans
   are resent with the same scan_id (an offline queue syncing twice).

Every client alternates between the two servers (it fetches a form from one and posts it
to the other), so sessions, CSRF tokens and capacity rules are exercised across
processes. Each phase prints requests, throughput, p50/p99 latency, 5xx and other
unexpected answers; then the database is audited and PASS/FAIL lines printed. The exit
code is 1 on any FAIL (an HTTP 5xx or a transport error is a FAIL).

The database is the benchmark's own: it is created if missing and its schema dropped and
rebuilt with the migrations. A database holding tables this script did not create is
refused unless --reset is given.

Run: python bench/load.py [--database-url URL] [--delegates 300] [--signups 200] ...
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import secrets
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._gunicorn import Server  # noqa: E402
from bench._gunicorn import app_env  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/confapp_load"
SLUG = "load"
DOMAIN = "load.example.org"
PASSWORD = "load-bench-password"  # noqa: S105 - the visitors' throw-away password
# A table created beside the schema: its presence says the database is this script's.
MARKER = "confapp_load_bench"
CLIENT_TIMEOUT = 300.0  # the last of 300 scrypt-hashing registrations waits for the others
_CSRF_INPUT = re.compile(r"<input[^>]*name=\"csrf_token\"[^>]*>")
_VALUE = re.compile(r"value=\"([^\"]*)\"")


@dataclasses.dataclass
class Settings:
    """What to run and how big."""

    database_url: str = DEFAULT_URL
    delegates: int = 300
    # Event places; below `delegates` so the waiting list is exercised (None: unlimited).
    event_capacity: int | None = 250
    signups: int = 200
    seats: int = 30
    scanners: int = 50
    scans: int = 40  # per scanner, resends included
    duration: float | None = None  # seconds of scanning instead of a count
    workers: int = 4
    workers_b: int = 4  # the second server; 0 runs one server only
    threads: int = 1  # 1: gunicorn's sync workers, as the README deploys
    reset: bool = False
    # True: seed into the already-created (empty) schema and never drop anything (tests).
    existing_schema: bool = False


# --- HTTP clients -------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    """One HTTP exchange as the client saw it."""

    status: int  # 0: transport error
    elapsed: float
    headers: http.client.HTTPMessage | None = None
    body: bytes = b""
    error: str = ""

    def location(self) -> str:
        """The Location header, or ''."""
        return (self.headers.get("Location") if self.headers else None) or ""


class Client:
    """A browser-like client: one keep-alive connection per server and a cookie jar.

    Connections open when a request is sent, never ahead of it: a sync gunicorn worker
    that accepts an idle connection blocks on it, and clients waiting at a barrier with
    idle connections open would starve the workers until their timeout.
    """

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.conns: dict[int, http.client.HTTPConnection] = {}
        self.cookies: dict[str, str] = {}
        self.reconnects = 0

    def close(self, server: int | None = None) -> None:
        """Close one connection, or all of them."""
        for key in [server] if server is not None else list(self.conns):
            conn = self.conns.pop(key, None)
            if conn is not None:
                conn.close()

    def request(
        self,
        server: int,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request and read the whole answer; transport errors become status 0."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            conn = self.conns.get(server)
            if conn is None:
                conn = http.client.HTTPConnection(
                    "127.0.0.1", self.ports[server], timeout=CLIENT_TIMEOUT
                )
                self.conns[server] = conn
            # An open socket was kept alive by an earlier exchange; the server may drop it.
            reused = conn.sock is not None
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close(server)
                if reused and attempt == 1:
                    # The server dropped an idle keep-alive connection: a browser retries too.
                    self.reconnects += 1
                    continue
                return Answer(0, time.perf_counter() - started, error=repr(exc))
            except (OSError, http.client.HTTPException) as exc:
                self.close(server)
                return Answer(0, time.perf_counter() - started, error=repr(exc))
            self._keep_cookies(response.headers)
            return Answer(response.status, time.perf_counter() - started, response.headers, data)
        raise AssertionError("unreachable")

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                gone = not morsel.value or morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def csrf_token(page: bytes) -> str | None:
    """The CSRF token of the first form on a page."""
    tag = _CSRF_INPUT.search(page.decode("utf-8", "replace"))
    value = _VALUE.search(tag.group(0)) if tag else None
    return value.group(1) if value else None


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# --- figures ------------------------------------------------------------------------


@dataclasses.dataclass
class Phase:
    """Requests of one phase: latencies, statuses, wall time."""

    name: str
    expected: frozenset[int]
    answers: list[Answer] = dataclasses.field(default_factory=list)
    unexpected: list[Answer] = dataclasses.field(default_factory=list)
    wall: float = 0.0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    def add(self, answer: Answer, ok: bool | None = None) -> None:
        """Record an answer; `ok` overrides the check on the status alone."""
        good = answer.status in self.expected if ok is None else ok
        with self.lock:
            self.answers.append(answer)
            if not good:
                self.unexpected.append(answer)

    @property
    def server_errors(self) -> int:
        """5xx answers."""
        return sum(1 for a in self.answers if a.status >= 500)

    @property
    def transport_errors(self) -> int:
        """Requests that got no HTTP answer."""
        return sum(1 for a in self.answers if a.status == 0)

    def line(self) -> str:
        """requests, req/s, p50/p99, 5xx, other unexpected answers."""
        times = sorted(a.elapsed for a in self.answers)
        n = len(times)
        p50 = times[max(math.ceil(n * 0.50) - 1, 0)] * 1000 if n else float("nan")
        p99 = times[max(math.ceil(n * 0.99) - 1, 0)] * 1000 if n else float("nan")
        rate = n / self.wall if self.wall else float("nan")
        other = len(self.unexpected) - self.server_errors
        return (
            f"{self.name:<34} {n:5d} req  {self.wall:6.1f} s  {rate:7.1f} req/s  "
            f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  5xx {self.server_errors}  unexpected {other}"
        )

    def examples(self) -> list[str]:
        """A few unexpected answers, for the report."""
        seen = []
        for a in self.unexpected[:3]:
            text = a.error or a.body[:200].decode("utf-8", "replace").replace("\n", " ")
            seen.append(f"    {a.status} {a.location()} {text}")
        return seen


def run_together(count: int, prepare, act, timeout: float = 600.0) -> tuple[float, float]:
    """Run prepare(i) in `count` threads, release them all at once into act(i, ready).

    Returns the wall times of the preparation (until the release) and of the burst (from
    the release to the last thread's end). A thread whose preparation failed still meets
    the others at the barrier, with ready=False.
    """
    barrier = threading.Barrier(count + 1)
    failures: list[str] = []

    def body(i: int) -> None:
        ready = False
        try:
            ready = bool(prepare(i))
        except Exception as exc:  # noqa: BLE001 - reported, never lost in a thread
            failures.append(f"prepare {i}: {exc!r}")
        try:
            barrier.wait(timeout=timeout)
            act(i, ready)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"act {i}: {exc!r}")

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    barrier.wait(timeout=timeout)
    released = time.perf_counter()
    for t in threads:
        t.join(timeout)
    ended = time.perf_counter()
    if failures:
        raise RuntimeError(f"{len(failures)} client threads failed: {failures[:5]}")
    return released - started, ended - released


# --- database -----------------------------------------------------------------------


def _app(url: str, secret: str, outbox: Path):
    from confapp import create_app

    return create_app(
        "production",
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secret,
            "RATELIMIT_ENABLED": False,
            "MAIL_URL": None,
            "MAIL_OUTBOX": str(outbox),
        },
    )


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of the URL if it does not exist."""
    target = sa.make_url(url)
    engine = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            )
            if not exists:
                name = target.database.replace('"', '""')
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def prepare_schema(settings: Settings, app) -> None:
    """Empty database or one of ours: rebuild the schema with the migrations; else refuse."""
    from flask_migrate import upgrade

    from confapp.extensions import db

    url = settings.database_url
    if not sa.make_url(url).drivername.startswith("postgresql"):
        raise SystemExit("bench/load.py needs PostgreSQL (--database-url postgresql+psycopg://...)")
    ensure_database(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if tables and MARKER not in tables and not settings.reset:
                raise SystemExit(
                    f"refusing to run: {sa.make_url(url).render_as_string()} "
                    f"holds {len(tables)} tables "
                    f"this benchmark did not create ({', '.join(sorted(tables)[:5])}...). It drops "
                    "the schema: use a database of its own, or pass --reset to wipe this one."
                )
            if tables:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.execute(sa.text(f"CREATE TABLE {MARKER} (created_at timestamptz DEFAULT now())"))
        db.session.commit()
        db.engine.dispose()


@dataclasses.dataclass
class Seed:
    """What the phases need from the database."""

    event_id: int
    visit_id: int
    bearer: str


def seed(settings: Settings, app) -> Seed:
    """An open event (capped), a 30-seat visit and a staff member with an API token."""
    from confapp.accounts import services as accounts
    from confapp.accounts import team
    from confapp.accounts.models import EventRoleKind
    from confapp.accounts.models import User
    from confapp.db import utcnow
    from confapp.events import services as events
    from confapp.events.models import Event
    from confapp.extensions import db
    from confapp.visits import services as visits

    with app.app_context():
        taken = db.session.scalar(
            sa.select(Event.id).where(Event.slug == SLUG)
        ) or db.session.scalar(sa.select(User.id).where(User.email.like(f"%@{DOMAIN}")))
        if taken:
            raise SystemExit(f"the database already holds event {SLUG!r} or users @{DOMAIN}")
        now = utcnow()
        first_day = dt.date.today() + dt.timedelta(days=60)
        event = events.create_event(
            slug=SLUG,
            title="Load test: cluster development conference",
            starts_on=first_day,
            ends_on=first_day + dt.timedelta(days=2),
            timezone="Asia/Kolkata",
            capacity=settings.event_capacity,
            venue="India Habitat Centre",
            city="New Delhi",
            country="IN",
            public_categories="delegate",
        )
        events.publish(event)
        kolkata = event.tz
        day = first_day + dt.timedelta(days=1)
        visit = visits.create_visit(
            event,
            visits.VisitData(
                title="Auto components at Manesar",
                departs_at=dt.datetime.combine(day, dt.time(8, 0), tzinfo=kolkata).astimezone(
                    dt.UTC
                ),
                returns_at=dt.datetime.combine(day, dt.time(17, 0), tzinfo=kolkata).astimezone(
                    dt.UTC
                ),
                buses=[visits.BusData("Bus 1", settings.seats)],
            ),
            now=now,
        )
        staff = accounts.create_user(f"door@{DOMAIN}", "Door Staff")
        team.grant_role(staff, event, EventRoleKind.STAFF)
        bearer = accounts.issue_api_token(staff, "load bench", now)
        db.session.commit()
        result = Seed(event.id, visit.id, bearer)
        db.session.remove()
        db.engine.dispose()
    return result


# --- the phases ---------------------------------------------------------------------


def email_of(i: int) -> str:
    """The e-mail address of visitor i."""
    return f"delegate{i:04d}@{DOMAIN}"


def phase_registration(settings: Settings, clients: list[Client]) -> tuple[Phase, Phase, set[int]]:
    """Every visitor fetches the form from one server, then all post it to the other at once."""
    servers = len(clients[0].ports)
    prep = Phase("1. GET registration form", frozenset({200}))
    burst = Phase("1. POST registration (burst)", frozenset({302}))
    registered: set[int] = set()
    tokens: dict[int, str] = {}
    countries = ("KE", "IN", "BR", "VN", "GH", "PE", "BD", "ET", "MX", "ID")

    def prepare(i: int) -> bool:
        answer = clients[i].request(i % servers, "GET", f"/events/{SLUG}/register")
        token = csrf_token(answer.body) if answer.status == 200 else None
        prep.add(answer, ok=token is not None)
        if token is None:
            return False
        tokens[i] = token
        return True

    def act(i: int, ready: bool) -> None:
        if not ready:
            return
        body = urlencode(
            {
                "csrf_token": tokens[i],
                "full_name": f"Delegate {i:04d}",
                "email": email_of(i),
                "password": PASSWORD,
                "organisation": f"Cluster association {i % 37}",
                "organisation_type": "cluster_association",
                "job_title": "Director",
                "country": countries[i % len(countries)],
                "sector": "industry",
                "phone": "+91 11 0000 0000",
                "interests": ["innovation", "finance"],
                "dietary": "",
                "accessibility": "",
                "directory_opt_in": "y",
                "category": "delegate",
            },
            doseq=True,
        ).encode()
        answer = clients[i].request(
            (i + 1) % servers, "POST", f"/events/{SLUG}/register", body, FORM
        )
        ok = answer.status == 302 and answer.location().endswith(f"/events/{SLUG}/my-registration")
        burst.add(answer, ok=ok)
        if ok:
            registered.add(i)

    prep.wall, burst.wall = run_together(len(clients), prepare, act)
    return prep, burst, registered


def phase_signups(
    clients: list[Client], who: list[int], visit_id: int
) -> tuple[Phase, Phase, set[int]]:
    """Confirmed delegates open the visits page on one server, then all sign up on the other."""
    servers = len(clients[0].ports)
    prep = Phase("2. GET visits page", frozenset({200}))
    rush = Phase("2. POST visit sign-up (rush)", frozenset({302}))
    signed: set[int] = set()
    tokens: dict[int, str] = {}

    def prepare(n: int) -> bool:
        i = who[n]
        answer = clients[i].request(n % servers, "GET", f"/events/{SLUG}/visits")
        action = f"/events/{SLUG}/visits/{visit_id}/signup".encode()
        token = csrf_token(answer.body) if answer.status == 200 and action in answer.body else None
        prep.add(answer, ok=token is not None)
        if token is None:
            return False
        tokens[i] = token
        return True

    def act(n: int, ready: bool) -> None:
        if not ready:
            return
        i = who[n]
        body = urlencode({"csrf_token": tokens[i], "group_code": ""}).encode()
        answer = clients[i].request(
            (n + 1) % servers, "POST", f"/events/{SLUG}/visits/{visit_id}/signup", body, FORM
        )
        ok = answer.status == 302 and answer.location().endswith(
            f"/events/{SLUG}/visits#visit-{visit_id}"
        )
        rush.add(answer, ok=ok)
        if ok:
            signed.add(i)

    prep.wall, rush.wall = run_together(len(who), prepare, act)
    return prep, rush, signed


@dataclasses.dataclass
class ScanLog:
    """What the scanners sent and were told."""

    sent: dict[str, int] = dataclasses.field(default_factory=dict)  # scan_id -> registration id
    answers: dict[str, list[tuple[str, bool]]] = dataclasses.field(
        default_factory=dict
    )  # (result, replayed)
    resends: int = 0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)


def phase_checkins(
    settings: Settings, ports: list[int], bearer: str, badges: list[tuple[int, str]]
) -> tuple[Phase, ScanLog, int]:
    """Scanners post scans; pairs read the same badges in step, and every 10th scan is a resend."""
    servers = len(ports)
    storm = Phase(f"3. POST check-in ({settings.scanners} scanners)", frozenset({200}))
    log = ScanLog()
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    path = f"/api/v1/events/{SLUG}/checkins"
    scanners = [Client(ports) for _ in range(settings.scanners)]

    def prepare(k: int) -> bool:
        return True

    def act(k: int, _ready: bool) -> None:
        # Scanners 2m and 2m+1 walk the same shuffled badges: two doors reading one badge.
        order = list(range(len(badges)))
        random.Random(k // 2).shuffle(order)
        stop = time.perf_counter() + (settings.duration or 0)
        previous: dict | None = None
        j = 0
        while time.perf_counter() < stop if settings.duration else j < settings.scans:
            resend = j % 10 == 9 and previous is not None
            if resend:
                body = previous  # the offline queue sends the last scan again
            else:
                reg_id, token = badges[order[(j - j // 10) % len(order)]]
                body = {
                    "token": token,
                    "session_id": None,
                    "visit_id": None,
                    "scan_id": uuid.uuid4().hex,
                    "scanned_at": None,
                }
                with log.lock:
                    log.sent[body["scan_id"]] = reg_id
            answer = scanners[k].request(
                (k + j) % servers, "POST", path, json.dumps(body).encode(), headers
            )
            result = None
            if answer.status == 200:
                reply = json.loads(answer.body)
                result = reply.get("result")
                with log.lock:
                    log.answers.setdefault(body["scan_id"], []).append(
                        (result, bool(reply.get("replayed")))
                    )
                    log.resends += resend
            storm.add(
                answer,
                ok=answer.status == 200
                and result in ("ok", "already_checked_in", "not_registered"),
            )
            previous = None if resend else body
            j += 1
        scanners[k].close()

    _, storm.wall = run_together(settings.scanners, prepare, act)
    return storm, log, sum(c.reconnects for c in scanners)


# --- audit --------------------------------------------------------------------------


@dataclasses.dataclass
class Check:
    """One PASS/FAIL line."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """PASS|FAIL name: detail."""
        return f"{'PASS' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def audit(
    settings: Settings,
    app,
    seeded: Seed,
    registered: set[int],
    signed: set[int],
    log: ScanLog,
    phases: list[Phase],
) -> list[Check]:
    """Compare the database with what the clients were told."""
    from confapp.accounts.models import User
    from confapp.agenda.models import SeatStatus
    from confapp.capacity.models import CapacityPool
    from confapp.checkin.models import Attendance
    from confapp.checkin.models import Scan
    from confapp.events.models import Event
    from confapp.extensions import db
    from confapp.registration.models import Registration
    from confapp.registration.models import RegistrationStatus
    from confapp.visits.models import Visit
    from confapp.visits.models import VisitSignup

    checks: list[Check] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append(Check(name, bool(ok), detail))

    server_errors = sum(p.server_errors for p in phases)
    transport = sum(p.transport_errors for p in phases)
    unexpected = sum(len(p.unexpected) for p in phases) - server_errors - transport
    check(
        "HTTP",
        server_errors == transport == unexpected == 0,
        f"{server_errors} 5xx, {transport} transport errors, {unexpected} other unexpected answers",
    )

    with app.app_context():
        s = db.session
        event = s.get(Event, seeded.event_id)
        regs = s.execute(
            sa.select(
                Registration.id, Registration.email, Registration.status, Registration.user_id
            )
            .where(Registration.event_id == event.id)
            .order_by(Registration.id)
        ).all()
        emails = {r.email for r in regs}
        wanted = {email_of(i) for i in registered}
        check(
            "registrations",
            len(regs) == len(registered) and emails == wanted,
            f"{len(regs)} rows for {len(registered)} successful posts of {settings.delegates}; "
            f"{len(wanted - emails)} missing, {len(emails - wanted)} unexplained",
        )
        dupes = (
            s.execute(
                sa.select(sa.func.lower(User.email))
                .group_by(sa.func.lower(User.email))
                .having(sa.func.count() > 1)
            )
            .scalars()
            .all()
        )
        users = s.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.email.like(f"delegate%@{DOMAIN}"))
        )
        per_user = len({r.user_id for r in regs})
        check(
            "accounts",
            not dupes and users == len(registered) and per_user == len(regs),
            f"{users} delegate accounts, {len(dupes)} duplicated e-mails, "
            f"{per_user} users for {len(regs)} registrations",
        )
        confirmed = [r for r in regs if r.status is RegistrationStatus.CONFIRMED]
        waiting = [r for r in regs if r.status is RegistrationStatus.WAITLISTED]
        pool = s.get(CapacityPool, event.capacity_pool_id)
        cap = settings.event_capacity
        want_confirmed = len(regs) if cap is None else min(cap, len(regs))
        check(
            "event places",
            pool.taken == len(confirmed) == want_confirmed
            and len(confirmed) + len(waiting) == len(regs)
            and (cap is None or pool.taken <= cap),
            f"capacity {cap if cap is not None else 'unlimited'}, pool.taken {pool.taken}, "
            f"{len(confirmed)} confirmed, {len(waiting)} waitlisted",
        )

        visit = s.get(Visit, seeded.visit_id)
        vpool = s.get(CapacityPool, visit.capacity_pool_id)
        rows = s.execute(
            sa.select(VisitSignup.id, VisitSignup.registration_id, VisitSignup.status)
            .where(VisitSignup.visit_id == visit.id)
            .order_by(VisitSignup.id)
        ).all()
        reg_by_email = {r.email: r.id for r in regs}
        wanted_regs = {reg_by_email.get(email_of(i)) for i in signed}
        seated = [r for r in rows if r.status is SeatStatus.CONFIRMED]
        queued = [r for r in rows if r.status is SeatStatus.WAITLISTED]
        check(
            "visit sign-ups",
            len(rows) == len(signed) and {r.registration_id for r in rows} == wanted_regs,
            f"{len(rows)} rows for {len(signed)} successful posts, "
            f"{len(rows) - len({r.registration_id for r in rows})} duplicated",
        )
        check(
            "visit seats",
            vpool.taken == len(seated) == min(settings.seats, len(rows))
            and len(seated) + len(queued) == len(rows)
            and vpool.capacity == settings.seats,
            f"{vpool.capacity} seats, pool.taken {vpool.taken}, "
            f"{len(seated)} confirmed, {len(queued)} waitlisted",
        )
        check(
            "visit queue order",
            [r.id for r in seated] == [r.id for r in rows[: len(seated)]],
            "the seats went to the first rows queued",
        )

        scans = s.execute(
            sa.select(
                Scan.scan_id, Scan.registration_id, Scan.result, Scan.scanned_at, Scan.id
            ).where(Scan.event_id == event.id, Scan.checkpoint == "entrance")
        ).all()
        by_id = {row.scan_id: row for row in scans}
        check(
            "scans",
            len(scans) == len(by_id) == len(log.sent) and set(by_id) == set(log.sent),
            f"{len(scans)} rows for {len(log.sent)} distinct scan_ids sent "
            f"({sum(len(v) for v in log.answers.values())} answers, {log.resends} resends)",
        )
        mismatched = sum(
            1
            for sid, told in log.answers.items()
            for result, _ in told
            if sid not in by_id or by_id[sid].result.value != result
        )
        replays_ok = all(
            replayed == (n > 0)
            for told in log.answers.values()
            for n, (_, replayed) in enumerate(told)
        )
        check(
            "scan answers",
            mismatched == 0 and replays_ok,
            f"{mismatched} answers differ from the stored scan; "
            f"resends answered as replays: {replays_ok}",
        )
        status_of = {r.id: r.status for r in regs}
        wrong = 0
        for sid, told in log.answers.items():
            admitted = status_of.get(log.sent[sid]) is RegistrationStatus.CONFIRMED
            for result, _ in told:
                wrong += result not in (
                    ("ok", "already_checked_in") if admitted else ("not_registered",)
                )
        check(
            "scan verdicts", wrong == 0, f"{wrong} verdicts not matching the registration's status"
        )

        attendance = s.execute(
            sa.select(
                Attendance.registration_id, Attendance.first_scanned_at, Attendance.first_scan_id
            ).where(Attendance.event_id == event.id, Attendance.checkpoint == "entrance")
        ).all()
        scanned_in = {
            log.sent[sid]
            for sid in log.sent
            if status_of.get(log.sent[sid]) is RegistrationStatus.CONFIRMED
        }
        attendees = [a.registration_id for a in attendance]
        check(
            "attendance",
            len(attendees) == len(set(attendees)) == len(scanned_in)
            and set(attendees) == scanned_in,
            f"{len(attendees)} rows for {len(scanned_in)} distinct confirmed badges scanned "
            f"({len({log.sent[sid] for sid in log.sent})} badges scanned in all)",
        )
        earliest: dict[int, dt.datetime] = {}
        scan_pk = {row.id: row for row in scans}
        for row in scans:
            if row.result.value in ("ok", "already_checked_in"):
                earliest[row.registration_id] = min(
                    earliest.get(row.registration_id, row.scanned_at), row.scanned_at
                )
        off = sum(
            1
            for a in attendance
            if a.first_scanned_at != earliest.get(a.registration_id)
            or a.first_scan_id not in scan_pk
            or scan_pk[a.first_scan_id].registration_id != a.registration_id
        )
        check(
            "first arrival",
            off == 0,
            f"{off} attendance rows not pointing at the earliest scan of that badge",
        )
        s.remove()
        db.engine.dispose()
    return checks


# --- the whole run ------------------------------------------------------------------


@dataclasses.dataclass
class Report:
    """Figures and verdicts of one run."""

    phases: list[Phase]
    checks: list[Check]
    notes: list[str]

    @property
    def passed(self) -> bool:
        """Every check passed (5xx and transport errors are checks too)."""
        return all(c.ok for c in self.checks)


def run(settings: Settings, out=print, work: Path | None = None) -> Report:
    """Prepare the database, start the servers, run the three phases and audit the result.

    `work` receives the servers' logs and the e-mails they write (default: a new temp folder).
    """
    from confapp.badges import tokens as badge_tokens
    from confapp.extensions import db
    from confapp.registration.models import Registration
    from confapp.registration.models import RegistrationStatus

    secret = secrets.token_urlsafe(32)
    work = work or Path(tempfile.mkdtemp(prefix="confapp-load-"))
    app = _app(settings.database_url, secret, work / "outbox-bench")
    if not settings.existing_schema:
        prepare_schema(settings, app)
    seeded = seed(settings, app)
    env = app_env(
        ENV="production",
        DATABASE_URL=settings.database_url,
        SECRET_KEY=secret,
        RATELIMIT_ENABLED="false",
        MAIL_OUTBOX=str(work / "outbox"),
    )
    servers = [
        Server(env=env, workers=w, threads=settings.threads, log_path=work / f"gunicorn-{n}.log")
        for n, w in enumerate((settings.workers, settings.workers_b))
        if w > 0
    ]
    notes: list[str] = []
    phases: list[Phase] = []
    try:
        for server in servers:
            server.wait_ready(f"/events/{SLUG}/register")
        ports = [server.port for server in servers]
        listening = ", ".join(f"127.0.0.1:{s.port} ({s.workers} workers)" for s in servers)
        out(f"servers: {listening}; logs in {work}")

        clients = [Client(ports) for _ in range(settings.delegates)]
        prep1, burst, registered = phase_registration(settings, clients)
        phases += [prep1, burst]
        for phase in (prep1, burst):
            out(phase.line())

        with app.app_context():
            rows = db.session.execute(
                sa.select(
                    Registration.id,
                    Registration.email,
                    Registration.status,
                    Registration.badge_serial,
                )
                .where(Registration.event_id == seeded.event_id)
                .order_by(Registration.id)
            ).all()
            event_key = (secret, seeded.event_id)
            badges = [(r.id, badge_tokens.issue(*event_key, r.id, r.badge_serial)) for r in rows]
            confirmed_emails = {r.email for r in rows if r.status is RegistrationStatus.CONFIRMED}
            db.session.remove()
        who = [i for i in sorted(registered) if email_of(i) in confirmed_emails][: settings.signups]
        if len(who) < settings.signups:
            notes.append(f"only {len(who)} confirmed delegates for {settings.signups} sign-ups")
        prep2, rush, signed = phase_signups(clients, who, seeded.visit_id)
        phases += [prep2, rush]
        for phase in (prep2, rush):
            out(phase.line())
        reconnects = sum(c.reconnects for c in clients)
        for client in clients:
            client.close()

        storm, log, scan_reconnects = phase_checkins(settings, ports, seeded.bearer, badges)
        if reconnects + scan_reconnects:
            notes.append(
                f"{reconnects + scan_reconnects} requests resent on a fresh connection "
                "after the server closed an idle keep-alive one"
            )
        phases.append(storm)
        out(storm.line())
    finally:
        for server in servers:
            server.stop()
    for phase in phases:
        for example in phase.examples():
            notes.append(f"{phase.name}: {example.strip()}")
    checks = audit(settings, app, seeded, registered, signed, log, phases)
    if any(p.server_errors for p in phases):
        notes.append("server log tail:\n" + "\n".join(s.log_tail(2000) for s in servers))
    for note in notes:
        out(f"note: {note}")
    for c in checks:
        out(c.line())
    return Report(phases, checks, notes)


def header(settings: Settings) -> str:
    """Machine and settings."""
    # The server's maintenance database: the benchmark's own may not exist yet.
    engine = sa.create_engine(sa.make_url(settings.database_url).set(database="postgres"))
    try:
        with engine.connect() as conn:
            version = conn.scalar(sa.text("SHOW server_version"))
    except sa.exc.OperationalError:
        version = "?"
    finally:
        engine.dispose()
    scan_plan = (
        f"{settings.duration:.0f} s" if settings.duration else f"{settings.scans} scans each"
    )
    servers = (
        f"{settings.workers} + {settings.workers_b}"
        if settings.workers_b
        else f"{settings.workers}"
    )
    return "\n".join(
        [
            f"confapp load bench — {platform.node()}: {os.cpu_count()} cores, "
            f"{platform.machine()}, "
            f"Python {platform.python_version()}, PostgreSQL {version}",
            f"database {sa.make_url(settings.database_url).render_as_string()}; "
            f"gunicorn workers {servers} "
            f"(threads {settings.threads}); rate limit off; CONFAPP_ENV=production",
            f"{settings.delegates} visitors register "
            f"(event capacity {settings.event_capacity or 'unlimited'}), "
            f"{settings.signups} sign up for {settings.seats} visit seats, "
            f"{settings.scanners} scanners × {scan_plan} (every 10th a resend)",
        ]
    )


def parse_args(argv: list[str] | None = None) -> Settings:
    """Command-line options into Settings."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    d = Settings()
    p.add_argument(
        "--database-url",
        default=d.database_url,
        help="PostgreSQL database of its own; created if missing, its schema dropped and rebuilt",
    )
    p.add_argument(
        "--reset",
        action="store_true",
        help="wipe the database (schema public) even if it holds tables this script did not create",
    )
    p.add_argument(
        "--delegates", type=int, default=d.delegates, help="visitors registering at once"
    )
    p.add_argument(
        "--event-capacity",
        type=int,
        default=d.event_capacity,
        help="event places, 0 for unlimited (default: below --delegates, so some are waitlisted)",
    )
    p.add_argument(
        "--signups", type=int, default=d.signups, help="confirmed delegates signing up at once"
    )
    p.add_argument("--seats", type=int, default=d.seats, help="seats on the visit")
    p.add_argument("--scanners", type=int, default=d.scanners, help="concurrent badge scanners")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--scans", type=int, default=d.scans, help="requests per scanner")
    group.add_argument(
        "--duration", type=float, default=None, help="seconds of scanning instead of --scans"
    )
    p.add_argument(
        "--workers", type=int, default=d.workers, help="gunicorn workers of the first server"
    )
    p.add_argument(
        "--workers-b",
        type=int,
        default=None,
        help="workers of the second server (default: as --workers; 0: one server only)",
    )
    p.add_argument(
        "--threads", type=int, default=d.threads, help="threads per worker (1: sync workers)"
    )
    a = p.parse_args(argv)
    return Settings(
        database_url=a.database_url,
        delegates=a.delegates,
        event_capacity=a.event_capacity or None,
        signups=a.signups,
        seats=a.seats,
        scanners=a.scanners,
        scans=a.scans,
        duration=a.duration,
        workers=a.workers,
        workers_b=a.workers if a.workers_b is None else a.workers_b,
        threads=a.threads,
        reset=a.reset,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every check passed."""
    settings = parse_args(argv)
    print(header(settings), flush=True)
    report = run(settings, out=lambda line: print(line, flush=True))
    print("RESULT: PASS" if report.passed else "RESULT: FAIL")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
