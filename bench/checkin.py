"""Check-in throughput and latency under gunicorn, against a bare Flask baseline.

Baseline: a bare Flask endpoint doing one indexed lookup (registration by id) and one
insert (a scan row) on the same database, committed. Both run under gunicorn with the
same workers; clients are threads with their own connections.
Run: python bench/checkin.py [sqlite|postgresql+psycopg://...] (default: both)
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_h6"
WORKERS = 4
DELEGATES = 2000


def baseline_app():
    """gunicorn "bench.checkin:baseline_app()": one indexed lookup + one insert."""
    import datetime as dt

    import sqlalchemy as sa
    from flask import Flask
    from flask import jsonify
    from flask import request

    engine = sa.create_engine(os.environ["CONFAPP_DATABASE_URL"])
    app = Flask(__name__)

    @app.post("/baseline")
    def baseline():
        body = request.get_json()
        with engine.begin() as conn:
            row = conn.execute(sa.text("SELECT id, full_name FROM registration WHERE id = :id"), {"id": body["rid"]}).first()
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            conn.execute(
                sa.text("INSERT INTO scan (event_id, scan_id, checkpoint, result, scanned_at, received_at) "
                        "VALUES (1, :sid, 'baseline', 'ok', :now, :now)"),
                {"sid": body["scan_id"], "now": now},
            )
        return jsonify({"result": "ok", "name": row[1] if row else None})

    return app


def setup(url: str) -> tuple[str, list[tuple[int, str]]]:
    """Fresh schema, one event, a staff token and delegates; returns (bearer, [(rid, badge)])."""
    from confapp import create_app
    from confapp.accounts.services import issue_api_token
    from confapp.checkin.services import badge_token
    from confapp.extensions import db
    from confapp.registration.models import Registration
    from confapp.registration.models import RegistrationStatus
    from tests.helpers import make_event
    from tests.helpers import make_staff

    app = create_app("development", {"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = make_event("bench")
        staff = make_staff(event, "door@example.org")
        from confapp.accounts.models import User

        users = [User(email=f"d{i}@example.org", full_name=f"Delegate {i}") for i in range(DELEGATES)]
        db.session.add_all(users)
        db.session.flush()
        regs = [Registration(event_id=event.id, user_id=u.id, status=RegistrationStatus.CONFIRMED, full_name=u.full_name,
                             email=u.email, country="KE", organisation="Cluster") for u in users]
        db.session.add_all(regs)
        db.session.flush()
        bearer = issue_api_token(staff, "bench", __import__("confapp.db", fromlist=["utcnow"]).utcnow())
        badges = [(r.id, badge_token(r)) for r in regs]
        db.session.commit()
        db.engine.dispose()
    return bearer, badges


def serve(app_spec: str, url: str, port: int) -> subprocess.Popen:
    """Start gunicorn and wait until it answers."""
    env = {**os.environ, "CONFAPP_DATABASE_URL": url, "CONFAPP_SECRET_KEY": "bench-secret",
           "CONFAPP_RATELIMIT_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        env=env, cwd=str(ROOT),
    )
    ready = 0
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/events")
            conn.getresponse().read()
            ready += 1
            if ready >= 3 * WORKERS:  # every worker booted and warm
                return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def load(port: int, path: str, bodies, headers: dict, clients: int, duration: float, pace: float = 0.0):
    """Threads posting bodies for `duration` s (closed loop, or one request per `pace` s each)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def client(n: int) -> None:
        i = n
        mine = []
        while time.perf_counter() < stop:
            body = json.dumps(bodies(i)).encode()
            start = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
            finally:
                conn.close()
            elapsed = time.perf_counter() - start
            mine.append(elapsed)
            i += clients
            if pace:
                time.sleep(max(0.0, pace - elapsed))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return len(latencies) / took, statistics.median(latencies) * 1000, p99, errors[0]


def bench(url: str, label: str) -> None:
    """Throughput ratio and the 50-scanner latency on one database."""
    bearer, badges = setup(url)
    auth = {"Authorization": f"Bearer {bearer}"}
    port = 18700 + (1 if label == "postgresql" else 0)
    base = serve("bench.checkin:baseline_app()", url, port)
    try:
        rate_b, med_b, p99_b, err_b = load(port, "/baseline", lambda i: {"rid": badges[i % len(badges)][0], "scan_id": uuid.uuid4().hex}, {}, 16, 6)
    finally:
        base.terminate()
        base.wait()
    app = serve("confapp:create_app()", url, port)
    try:
        def scan(i):
            return {"token": badges[i % len(badges)][1], "session_id": None, "visit_id": None,
                    "scan_id": uuid.uuid4().hex, "scanned_at": None}

        rate_c, med_c, p99_c, err_c = load(port, "/api/v1/events/bench/checkins", scan, auth, 16, 6)
        # 50 scanners at a brisk door pace (one scan every 0.5 s each).
        rate_l, med_l, p99_l, err_l = load(port, "/api/v1/events/bench/checkins", scan, auth, 50, 8, pace=0.5)
    finally:
        app.terminate()
        app.wait()
    print(f"[{label}] gunicorn -w {WORKERS}, 16 closed-loop clients")
    print(f"  baseline (1 lookup + 1 insert): {rate_b:7.0f} req/s  median {med_b:5.1f} ms  p99 {p99_b:6.1f} ms  errors {err_b}")
    print(f"  check-in API:                   {rate_c:7.0f} req/s  median {med_c:5.1f} ms  p99 {p99_c:6.1f} ms  errors {err_c}")
    print(f"  ratio check-in / baseline: {rate_c / rate_b:.2f}  (target >= 0.80)")
    print(f"  50 scanners, 1 scan / 0.5 s each: {rate_l:5.0f} req/s  median {med_l:5.1f} ms  p99 {p99_l:6.1f} ms  errors {err_l}  (target p99 <= 50 ms)")


if __name__ == "__main__":
    targets = sys.argv[1:] or ["sqlite", PG_URL]
    for target in targets:
        if target == "sqlite":
            folder = tempfile.mkdtemp(prefix="bench-checkin-")
            bench(f"sqlite:///{folder}/bench.db", "sqlite")
        else:
            if target == PG_URL:
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "CREATE DATABASE bench_h6"],
                               capture_output=True, check=False)
            bench(target, "postgresql")
