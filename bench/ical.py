"""Benchmark: programme.ics cold build vs the same events built directly with icalendar,
and the warm (cached) feed request.

Run: /work/venv/bin/python bench/ical.py [--sessions 400] [--repeat 20]
Uses a temporary SQLite file unless CONFAPP_DATABASE_URL is set (a scratch database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import icalendar  # noqa: E402
from programme import build  # noqa: E402

from confapp import create_app  # noqa: E402
from confapp.agenda import feeds  # noqa: E402
from confapp.agenda import ical  # noqa: E402
from confapp.agenda import services  # noqa: E402
from confapp.events.models import Event  # noqa: E402
from confapp.extensions import db  # noqa: E402


def baseline(rows: list[dict], timezone: str, name: str) -> bytes:
    """The same calendar written straight with icalendar from in-memory data."""
    tz = ZoneInfo(timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//baseline//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    cal.add_component(
        icalendar.Timezone.from_tzinfo(
            tz, tzid=timezone, first_date=dt.date(2027, 1, 1), last_date=dt.date(2027, 12, 31)
        )
    )
    for r in rows:
        e = icalendar.Event()
        e.add("uid", r["uid"])
        e.add("dtstamp", r["stamp"])
        e.add("created", r["created"])
        e.add("last-modified", r["stamp"])
        e.add("sequence", r["sequence"])
        e.add("dtstart", r["start"].astimezone(tz))
        e.add("dtend", r["end"].astimezone(tz))
        e.add("summary", r["summary"])
        e.add("status", r["status"])
        e.add("location", r["location"])
        e.add("url", r["url"])
        e.add("description", r["description"])
        e.add("categories", r["categories"])
        cal.add_component(e)
    return cal.to_ical()


def median_ms(fn, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return statistics.median(out) * 1000


def main() -> None:
    """Print cold, baseline and warm figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("CONFAPP_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app("testing", {"DATABASE_URL": url, "MAIL_OUTBOX": f"{tmp}/outbox"})
    slug = build(app, args.sessions)
    with app.test_request_context("/"):
        event = db.session.scalar(db.select(Event).where(Event.slug == slug))
        items = feeds.session_items(event, services.load_programme(event), "localhost")
        rows = [
            dict(
                uid=i.uid,
                stamp=i.last_modified,
                created=i.created,
                sequence=i.sequence,
                start=i.starts_at,
                end=i.ends_at,
                summary=i.summary,
                status="CONFIRMED",
                location=i.location,
                url=i.url,
                description=i.description,
                categories=list(i.categories),
            )
            for i in items
        ]

        def cold():
            feeds.clear_cache()
            ical.vtimezone.cache_clear()
            db.session.expunge_all()
            fresh = db.session.get(Event, event.id)
            return feeds.programme_feed(fresh)

        def cold_zone_known():
            feeds.clear_cache()
            db.session.expunge_all()
            return feeds.programme_feed(db.session.get(Event, event.id))

        cold_ms = median_ms(cold, args.repeat)
        known_ms = median_ms(cold_zone_known, args.repeat)
        base_ms = median_ms(lambda: baseline(rows, event.timezone, event.title), args.repeat)
        size = len(cold().body)
    client = app.test_client()
    path = f"/events/{slug}/programme.ics"
    first = client.get(path)
    assert first.status_code == 200
    warm_ms = median_ms(lambda: client.get(path), args.repeat * 5)
    etag = first.headers["ETag"]
    not_modified_ms = median_ms(
        lambda: client.get(path, headers={"If-None-Match": etag}), args.repeat * 5
    )
    print(f"sessions: {args.sessions}; feed {size / 1024:.0f} KiB")
    print(f"cold build (query + convert + VTIMEZONE + serialise), median: {cold_ms:.1f} ms")
    print(f"cold build with the zone's VTIMEZONE already computed:         {known_ms:.1f} ms")
    print(f"baseline, same events straight with icalendar from memory:     {base_ms:.1f} ms")
    print(f"ratio cold / baseline: {cold_ms / base_ms:.2f}x (target <= 1.3x)")
    print(f"warm request (cached, 200 with body), median: {warm_ms:.2f} ms (target < 5 ms)")
    print(f"conditional request answered 304, median:     {not_modified_ms:.2f} ms")


if __name__ == "__main__":
    main()
