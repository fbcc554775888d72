"""Benchmark: importing a delegation CSV (validate every row, then register all or none).

Run: python bench/imports.py [--sizes 1000,5000] [--profile]
Each size is imported into a fresh SQLite database in a temporary folder, through the same
service as `confapp import-delegates` and the web import (welcome e-mails written to the
outbox in the same transaction). Goal: 5,000 rows in at most 10 s, and the time per row at
5,000 no worse than at 1,000 (linear, not superlinear).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNTRIES = ("KE", "IN", "BR", "NP", "EG", "VN", "MX", "SN", "BD", "PE")
NAMES = ("Ana Wanjiru", "Raj Kumar", "Zoë Abara", "محمد الهاشمي", "राजेश शर्मा", "张磊")


def make_csv(rows: int) -> bytes:
    """A delegation file of `rows` valid rows (every column of the contract)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["full_name", "email", "organisation", "organisation_type", "job_title", "country",
         "sector", "phone", "interests", "dietary", "needs_visa_letter", "directory_opt_in"]
    )  # fmt: skip
    for i in range(rows):
        writer.writerow(
            [f"{NAMES[i % len(NAMES)]} {i}", f"delegate{i}@bench.example", "Cluster Foundation",
             "cluster_association", "Director", COUNTRIES[i % len(COUNTRIES)], "industry",
             "+254 700 000000", "innovation;finance", "", "no", "yes"]
        )  # fmt: skip
    return out.getvalue().encode()


def run(rows: int, profile: bool) -> float:
    """Import `rows` rows into a fresh database; the wall time of the import and commit."""
    import sqlalchemy as sa

    from confapp import create_app
    from confapp.events import services as event_services
    from confapp.extensions import db
    from confapp.registration.imports import import_delegates

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        app = create_app(
            "testing",
            {
                "DATABASE_URL": url,
                "SQLALCHEMY_DATABASE_URI": url,
                "MAIL_OUTBOX": f"{folder}/out",
                # A real queue with no worker: the time is the import's own.
                "JOBS_IMMEDIATE": False,
                "JOBS_URL": f"sqlite:///{folder}/jobs.db",
            },
        )
        data = make_csv(rows)
        with app.app_context():
            db.create_all()
            starts = dt.date.today() + dt.timedelta(days=60)
            event = event_services.create_event(
                slug="bench", title="Bench", starts_on=starts, ends_on=starts, timezone="UTC",
                capacity=rows + 10,
            )  # fmt: skip
            event_services.publish(event)
            db.session.commit()
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started = time.perf_counter()
            result = import_delegates(event, data, actor=None, now=dt.datetime.now(dt.UTC))
            assert result.ok, result.errors[:3]
            db.session.commit()
            elapsed = time.perf_counter() - started
            if profiler is not None:
                import pstats

                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            assert len(result.registrations) == rows
            # The welcome e-mails: written by the job the import queued, as a worker runs it.
            from confapp.jobs import engine
            from confapp.mail.models import OutboxMessage

            huey = engine.get(app).huey
            started = time.perf_counter()
            while (task := huey.dequeue()) is not None:
                if task.name == "registration.welcome_mails":
                    huey.execute(task)
            mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
            took = time.perf_counter() - started
            assert mails == rows, mails
            print(f"        worker: {rows} welcome e-mails written in {took:.1f} s "
                  f"({rows / took:.0f}/s)")  # fmt: skip
            db.session.remove()
            db.engine.dispose()
    return elapsed


def main() -> int:
    """Print the time at each size, rows/s and the per-row growth; exit 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    times = {}
    for size in sizes:
        times[size] = run(size, args.profile and size == max(sizes))
        print(f"{size:>6} rows: {times[size]:6.2f} s  ({size / times[size]:6.0f} rows/s)")
    ok = True
    small, large = min(sizes), max(sizes)
    if small != large:
        growth = (times[large] / large) / (times[small] / small)
        print(f"time per row at {large} / at {small}: {growth:.2f} (1.00 = linear)")
        ok &= growth <= 1.5
    if 5000 in times:
        print(f"goal: 5000 rows in <= 10 s: {'met' if times[5000] <= 10 else 'MISSED'}")
        ok &= times[5000] <= 10
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
