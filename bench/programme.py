"""Benchmark: the 400-session programme page against a bare Jinja render of the same data.

Run: /work/venv/bin/python bench/programme.py [--sessions 400] [--repeat 30]
Uses a temporary SQLite file unless CONFAPP_DATABASE_URL is set (it must be a scratch
database: the tables are created and filled).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template  # noqa: E402

from confapp import create_app  # noqa: E402
from confapp.agenda import display  # noqa: E402
from confapp.agenda import services  # noqa: E402
from confapp.agenda.models import PersonRole  # noqa: E402
from confapp.agenda.models import ProgrammeSession  # noqa: E402
from confapp.agenda.models import SessionKind  # noqa: E402
from confapp.agenda.models import SessionPerson  # noqa: E402
from confapp.capacity.models import CapacityPool  # noqa: E402
from confapp.events import services as event_services  # noqa: E402
from confapp.extensions import db  # noqa: E402

ROOMS = 10


def build(app, sessions: int) -> str:
    """A published event whose first day holds `sessions` sessions in 10 rooms."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = event_services.create_event(
            slug="bench",
            title="Benchmark conference",
            starts_on=dt.date(2027, 2, 20),
            ends_on=dt.date(2027, 2, 22),
            timezone="Asia/Kolkata",
            venue="India Habitat Centre",
        )
        event_services.publish(event)
        rooms = [services.create_room(event, name=f"Room {i}", capacity=100) for i in range(ROOMS)]
        tracks = [
            services.create_track(event, name=f"Track {i}", colour="#1f6feb") for i in range(4)
        ]
        minutes = max(600 // max(sessions // ROOMS, 1), 5)
        day = dt.datetime(2027, 2, 20, 8, 0, tzinfo=event.tz).astimezone(dt.UTC)
        kinds = list(SessionKind)
        for n in range(sessions):
            slot, room = divmod(n, ROOMS)
            starts = day + dt.timedelta(minutes=slot * minutes)
            s = ProgrammeSession(
                event_id=event.id,
                title=f"Session {n}: clusters, finance and policy",
                kind=kinds[n % 4],
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=minutes),
                room_id=rooms[room].id,
                track_id=tracks[n % 4].id,
                description="Some *markdown* text.",
                pool=CapacityPool(capacity=30, taken=n % 31) if n % 9 == 0 else None,
            )
            s.people = [
                SessionPerson(
                    name=f"Speaker {n}-{k}",
                    role=PersonRole.SPEAKER,
                    organisation="UNIDO",
                    country="KE",
                    position=k,
                )
                for k in range(2)
            ]
            db.session.add(s)
        db.session.flush()
        services.publish_programme(event, dt.datetime.now(dt.UTC))
        db.session.commit()
        return event.slug


def bare_context(app, slug: str) -> dict:
    """The template context of the page, computed once, kept in memory."""
    from confapp.events.models import Event

    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    loaded = services.load_programme_with(event, for_grid=True, with_descriptions=False)
    sessions, rooms, tracks = loaded.sessions, loaded.rooms, loaded.tracks
    filters = display.Filters()
    days = display.event_days(event)
    by_day = {d: [] for d in days}
    for s in sessions:
        by_day.setdefault(event.local(s.starts_at).date(), []).append(s)
    return dict(
        event=event,
        day=days[0],
        days=days,
        counts={d: len(v) for d, v in by_day.items()},
        grid=display.layout(by_day[days[0]], rooms),
        rooms=rooms,
        tracks=tracks,
        people=loaded.people,
        kinds=list(SessionKind),
        filters=filters,
        registration=None,
        starred=set(),
        seats={},
        zone=services.zone_label(event),
        preview=False,
    )


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    """Print page and bare-render medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("CONFAPP_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app("testing", {"DATABASE_URL": url, "MAIL_OUTBOX": f"{tmp}/outbox"})
    slug = build(app, args.sessions)
    client = app.test_client()
    path = f"/events/{slug}/programme"
    for _ in range(3):
        assert client.get(path).status_code == 200
    size = len(client.get(path).data)
    page: list[float] = []
    bare: list[float] = []
    with app.test_request_context(path):
        context = bare_context(app, slug)
        assert len(context["grid"].items) == args.sessions
        for _ in range(3):
            render_template("agenda/programme.html", **context)
        # Interleaved, so that load from other processes hits both sides alike.
        for _ in range(args.repeat):
            page += timed(lambda: client.get(path), 1)
            bare += timed(lambda: render_template("agenda/programme.html", **context), 1)
    page_ms, bare_ms = statistics.median(page) * 1000, statistics.median(bare) * 1000
    print(
        f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; "
        f"sessions on the page: {args.sessions}; HTML {size / 1024:.0f} KiB"
    )
    print(f"programme page (full request, median of {args.repeat}): {page_ms:.1f} ms")
    print(f"bare Jinja render of the same data in memory:   {bare_ms:.1f} ms")
    print(f"ratio page / bare render: {page_ms / bare_ms:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
