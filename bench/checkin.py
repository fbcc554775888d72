"""Check-in throughput and latency under gunicorn, against a bare Flask baseline.

Baseline: a bare Flask endpoint doing one indexed lookup (registration by id) and one
insert (a scan row) on the same database, committed. The check-in API is measured twice:
first check-ins (every scan a delegate's first at a session door, as at a door in the
morning) and repeats (badges shown again at the entrance, where everyone is already in).
All run under gunicorn with the same sync workers, in alternating rounds; the clients are
one asyncio event loop, each request on a fresh connection (sync workers close it after
every answer anyway).
Run: python bench/checkin.py [sqlite|postgresql+psycopg://...] (default: both)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._gunicorn import Server  # noqa: E402
from bench._gunicorn import app_env  # noqa: E402

PG_DB = "confapp_bench_checkin"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
DELEGATES = 2000
SESSIONS = 30  # first check-ins: DELEGATES x SESSIONS distinct (delegate, door) pairs
CLIENTS = 16
SCANNERS = 50
DURATION = float(os.environ.get("BENCH_DURATION", 6))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))


def baseline_app():
    """gunicorn "bench.checkin:baseline_app()": one indexed lookup + one insert."""
    import datetime as dt

    import sqlalchemy as sa
    from flask import Flask
    from flask import jsonify
    from flask import request

    from confapp.wiring import tune_sqlite

    engine = sa.create_engine(os.environ["CONFAPP_DATABASE_URL"])
    if engine.dialect.name == "sqlite":
        tune_sqlite(engine)  # the same connection settings as the app: a like-for-like baseline
    app = Flask(__name__)

    @app.get("/api/v1/events")
    def ready():
        return jsonify([])

    @app.post("/baseline")
    def baseline():
        body = request.get_json()
        with engine.begin() as conn:
            row = conn.execute(
                sa.text("SELECT id, full_name FROM registration WHERE id = :id"),
                {"id": body["rid"]},
            ).first()
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            conn.execute(
                sa.text(
                    "INSERT INTO scan"
                    " (event_id, scan_id, checkpoint, result, scanned_at, received_at) "
                    "VALUES (1, :sid, 'baseline', 'ok', :now, :now)"
                ),
                {"sid": body["scan_id"], "now": now},
            )
        return jsonify({"result": "ok", "name": row[1] if row else None})

    return app


def setup(url: str) -> tuple[str, list[tuple[int, str]], list[int]]:
    """Fresh schema, one event, a staff token, delegates already through the entrance and
    open sessions; returns (bearer, [(rid, badge)], [session id])."""
    from confapp import create_app
    from confapp.accounts.services import issue_api_token
    from confapp.agenda.models import ProgrammeSession
    from confapp.checkin.models import Attendance
    from confapp.checkin.services import badge_token
    from confapp.db import utcnow
    from confapp.extensions import db
    from confapp.registration.models import Registration
    from confapp.registration.models import RegistrationStatus
    from tests.helpers import local_time
    from tests.helpers import make_event
    from tests.helpers import make_staff

    app = create_app(
        "development",
        {"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False},
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = make_event("bench")
        staff = make_staff(event, "door@example.org")
        from confapp.accounts.models import User

        users = [
            User(email=f"d{i}@example.org", full_name=f"Delegate {i}") for i in range(DELEGATES)
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
                country="KE",
                organisation="Cluster",
            )
            for u in users
        ]
        db.session.add_all(regs)
        db.session.flush()
        now = utcnow()
        bearer = issue_api_token(staff, "bench", now)
        badges = [(r.id, badge_token(r)) for r in regs]
        db.session.add_all(
            Attendance(
                event_id=event.id, registration_id=r.id, checkpoint="entrance", first_scanned_at=now
            )
            for r in regs
        )
        sessions = [
            ProgrammeSession(
                event_id=event.id,
                title=f"Session {n}",
                starts_at=local_time(event, 0, "09:00"),
                ends_at=local_time(event, 0, "10:00"),
            )
            for n in range(SESSIONS)
        ]
        db.session.add_all(sessions)
        db.session.flush()
        session_ids = [session.id for session in sessions]
        db.session.commit()
        db.engine.dispose()
    return bearer, badges, session_ids


def serve(app_spec: str, url: str, work: Path) -> Server:
    """Start gunicorn on a free port and wait until every worker is warm."""
    env = app_env(DATABASE_URL=url, SECRET_KEY="bench-secret", RATELIMIT_ENABLED="false")
    server = Server(env=env, workers=WORKERS, log_path=work / "gunicorn.log", app_spec=app_spec)
    server.wait_ready("/api/v1/events")
    return server


async def _post(port: int, request_head: bytes, body: bytes) -> int:
    # Raw HTTP/1.1 over a fresh connection, as a phone on a sync gunicorn worker gets:
    # an event loop measures latency without a thread pool's GIL hand-offs in it.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request_head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    return int(answer[9:12]) if answer[:5] == b"HTTP/" else 0


def load(
    port: int, path: str, bodies, headers: dict, clients: int, duration: float, pace: float = 0.0
):
    """`clients` concurrent scanners posting bodies for `duration` s: closed loop, or one
    request every `pace` s each, starting at random moments within the first `pace`
    (independent scanners, not a drill that fires all at once)."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: application/json\r\n"
    )
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    latencies: list[float] = []
    errors = [0]

    async def client(n: int, stop: float) -> None:
        i = n
        rng = random.Random(n)
        next_at = time.perf_counter() + (rng.random() * pace if pace else 0.0)
        while True:
            if pace:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += pace
            if time.perf_counter() >= stop:
                return
            body = json.dumps(bodies(i)).encode()
            start = time.perf_counter()
            try:
                status = await _post(port, head.encode(), body)
            except OSError:
                status = 0
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors[0] += 1
            i += clients

    async def main() -> float:
        began = time.perf_counter()
        await asyncio.gather(*(client(n, began + duration) for n in range(clients)))
        return time.perf_counter() - began

    took = asyncio.run(main())
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000 if latencies else float("nan")
    return len(latencies) / took, statistics.median(latencies) * 1000, p99, errors[0]


def _measure(app_spec: str, url: str, path: str, bodies, headers: dict, work: Path) -> dict:
    server = serve(app_spec, url, work)
    try:
        # Warm every worker's path (statement compilation, keys) before timing it.
        load(server.port, path, bodies, headers, CLIENTS, 1.0)
        closed = load(server.port, path, bodies, headers, CLIENTS, DURATION)
        # 50 scanners at a brisk door pace (one scan every 0.5 s each).
        paced = load(server.port, path, bodies, headers, SCANNERS, DURATION, pace=0.5)
    finally:
        server.stop()
    return {"closed": closed, "paced": paced}


def bench(url: str, label: str) -> None:
    """Throughput ratios and the 50-scanner latency on one database."""
    bearer, badges, session_ids = setup(url)
    auth = {"Authorization": f"Bearer {bearer}"}
    work = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    # One counter for all rounds, so no (delegate, session) pair is scanned twice.
    pairs = itertools.count()

    def plain(i):
        return {"rid": badges[i % len(badges)][0], "scan_id": uuid.uuid4().hex}

    def first(_i):
        n = next(pairs)
        return {
            "token": badges[n % len(badges)][1],
            "session_id": session_ids[n // len(badges)],
            "visit_id": None,
            "scan_id": uuid.uuid4().hex,
            "scanned_at": None,
        }

    def repeat(i):
        return {
            "token": badges[i % len(badges)][1],
            "session_id": None,
            "visit_id": None,
            "scan_id": uuid.uuid4().hex,
            "scanned_at": None,
        }

    path = "/api/v1/events/bench/checkins"
    runs = {"baseline": [], "first": [], "repeat": []}
    # Alternate them so a busy moment of the machine hits all alike.
    for _ in range(ROUNDS):
        runs["baseline"].append(
            _measure("bench.checkin:baseline_app()", url, "/baseline", plain, {}, work)
        )
        runs["first"].append(_measure("confapp:create_app()", url, path, first, auth, work))
        runs["repeat"].append(_measure("confapp:create_app()", url, path, repeat, auth, work))
    print(
        f"[{label}] gunicorn -w {WORKERS} (sync), "
        f"{ROUNDS} alternating rounds of {DURATION:.0f} s each"
    )
    print(
        "  first = each scan a delegate's first at a session door; "
        "repeat = badge shown again at the entrance"
    )
    rates = {}
    for name, results in runs.items():
        rate = statistics.mean(r["closed"][0] for r in results)
        rates[name] = rate
        errors = sum(r["closed"][3] + r["paced"][3] for r in results)
        closed = "  ".join(
            f"{r['closed'][0]:6.0f}/s p50 {r['closed'][1]:5.1f} p99 {r['closed'][2]:6.1f}"
            for r in results
        )
        paced = "  ".join(f"p50 {r['paced'][1]:5.1f} p99 {r['paced'][2]:6.1f}" for r in results)
        print(
            f"  {name:8} {CLIENTS} closed-loop clients: {closed}  "
            f"(mean {rate:.0f} req/s)  errors {errors}"
        )
        print(f"  {name:8} {SCANNERS} scanners, 1 scan / 0.5 s each (ms): {paced}")
    for name in ("first", "repeat"):
        print(
            f"  ratio check-in ({name}) / baseline throughput: "
            f"{rates[name] / rates['baseline']:.2f}  (target >= 0.80)"
        )
    worst = max(r["paced"][2] for name in ("first", "repeat") for r in runs[name])
    print(f"  check-in p99 with {SCANNERS} scanners: {worst:.1f} ms at worst  (target <= 50 ms)")


if __name__ == "__main__":
    targets = sys.argv[1:] or ["sqlite", PG_URL]
    for target in targets:
        if target == "sqlite":
            folder = tempfile.mkdtemp(prefix="bench-checkin-")
            bench(f"sqlite:///{folder}/bench.db", "sqlite")
        else:
            if target == PG_URL:
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {PG_DB}"],
                    capture_output=True,
                    check=False,
                )
            bench(target, "postgresql")
