"""Benchmark: the organiser analytics dashboard on a big event, against its bare queries.

2,000 registrations, 400 sessions, 20,000 scans and 6,000 meeting requests (2,000 of them
booked, 1,500 with feedback, the people of 1,000 scanned at the meetings area in its slot:
2,000 more scans). Prints the median time of the whole page (GET through the
app: the SQL aggregates, the SVG charts, the tables, the template) beside the median time of
the same SQL statements run bare on the database connection (captured from the dashboard
and replayed with their parameters), and the ratio. The target is 300 ms for the page.

Run: python bench/analytics.py [--repeat 15]
Uses a temporary SQLite file unless CONFAPP_DATABASE_URL is set (it must be a scratch
database: the tables are created and filled).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from confapp import create_app  # noqa: E402
from confapp.accounts import team  # noqa: E402
from confapp.accounts.models import EventRoleKind  # noqa: E402
from confapp.accounts.models import User  # noqa: E402
from confapp.agenda.models import ProgrammeSession  # noqa: E402
from confapp.agenda.models import Room  # noqa: E402
from confapp.agenda.models import SessionSignup  # noqa: E402
from confapp.analytics import services  # noqa: E402
from confapp.capacity.models import CapacityPool  # noqa: E402
from confapp.checkin.models import Attendance  # noqa: E402
from confapp.checkin.models import Scan  # noqa: E402
from confapp.events import services as event_services  # noqa: E402
from confapp.extensions import db  # noqa: E402
from confapp.meetings.models import Meeting  # noqa: E402
from confapp.meetings.models import MeetingFeedback  # noqa: E402
from confapp.meetings.models import MeetingRequest  # noqa: E402
from confapp.meetings.models import MeetingSlot  # noqa: E402
from confapp.meetings.models import MeetingTable  # noqa: E402
from confapp.meetings.models import NetworkingProfile  # noqa: E402
from confapp.registration.models import Registration  # noqa: E402
from confapp.visa.models import VisaRequest  # noqa: E402
from confapp.visits.models import Bus  # noqa: E402
from confapp.visits.models import Visit  # noqa: E402
from confapp.visits.models import VisitSignup  # noqa: E402

REGISTRATIONS, SESSIONS, SCANS, REQUESTS = 2000, 400, 20000, 6000
COUNTRIES = "IN NP BD LK KE ET NG GH SN MU FJ BR MX CO PE DE FR GB US JP CN ID VN PH ZA".split()
GENDERS = ["woman", "man", "another_term", "prefer_not_to_say", None]


def build(app) -> tuple[int, int]:
    """The big event; returns (organiser id, event id)."""
    rnd = random.Random(18)
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = event_services.create_event(
            slug="bench", title="Benchmark conference", starts_on=dt.date(2027, 2, 20),
            ends_on=dt.date(2027, 2, 22), timezone="Asia/Kolkata", capacity=2500,
        )  # fmt: skip
        event_services.publish(event)
        organiser = User(email="org@bench.example", full_name="Organiser")
        db.session.add(organiser)
        db.session.flush()
        team.grant_role(organiser, event, EventRoleKind.ORGANISER)
        start = dt.datetime(2027, 2, 20, 3, 0, tzinfo=dt.UTC)
        ins = db.session.execute
        ins(sa.insert(User), [{"email": f"d{i}@bench.example", "full_name": f"D {i}"}
                              for i in range(REGISTRATIONS)])  # fmt: skip
        user_ids = db.session.scalars(
            sa.select(User.id).where(User.email.like("d%@bench.example")).order_by(User.id)
        ).all()
        ins(sa.insert(Registration), [
            {"event_id": event.id, "user_id": uid, "full_name": f"D {i}", "email": f"d{i}@x",
             "status": "confirmed" if i % 10 else rnd.choice(["waitlisted", "cancelled"]),
             "country": rnd.choice(COUNTRIES), "gender": rnd.choice(GENDERS),
             "organisation_type": rnd.choice(["msme", "policy_maker", "cluster_association"]),
             "sector": rnd.choice(["industry", "agriculture", "services"]),
             "category": "delegate", "created_at": start - dt.timedelta(days=rnd.randint(1, 90))}
            for i, uid in enumerate(user_ids)
        ])  # fmt: skip
        regs = db.session.scalars(
            sa.select(Registration.id).where(Registration.event_id == event.id)
        ).all()
        ins(sa.insert(VisaRequest), [{"registration_id": r, "status": rnd.choice(
            ["requested", "approved", "rejected"])} for r in regs[:300]])  # fmt: skip
        ins(sa.insert(Room), [{"event_id": event.id, "name": f"Room {i}", "capacity": 80}
                              for i in range(20)])  # fmt: skip
        rooms = db.session.scalars(sa.select(Room.id).where(Room.event_id == event.id)).all()
        ins(sa.insert(ProgrammeSession), [
            {"event_id": event.id, "title": f"Session {n}", "kind": "parallel",
             "room_id": rooms[n % 20], "starts_at": start + dt.timedelta(minutes=30 * (n // 20)),
             "ends_at": start + dt.timedelta(minutes=30 * (n // 20) + 25)}
            for n in range(SESSIONS)
        ])  # fmt: skip
        sessions = db.session.scalars(
            sa.select(ProgrammeSession.id).where(ProgrammeSession.event_id == event.id)
        ).all()
        ins(sa.insert(SessionSignup), [{"session_id": s, "registration_id": r, "status":
            "confirmed"} for s in sessions[:100] for r in rnd.sample(regs, 20)])  # fmt: skip
        scans = [{"event_id": event.id, "registration_id": r, "checkpoint": "entrance",
                  "first_scanned_at": start + dt.timedelta(minutes=rnd.randint(0, 180))}
                 for r in regs]  # fmt: skip
        for r in regs:  # nine sessions each: 18,000 more scans
            for s in rnd.sample(sessions, 9):
                scans.append({"event_id": event.id, "registration_id": r,
                              "checkpoint": f"session:{s}", "session_id": s,
                              "first_scanned_at": start + dt.timedelta(hours=5)})  # fmt: skip
        ins(sa.insert(Attendance), scans[:SCANS])
        # The scans behind those check-ins (what a door records), for the held meetings'
        # EXISTS lookups to wade through as in a real event.
        ins(sa.insert(Scan), [
            {"event_id": a["event_id"], "scan_id": f"door-{i}", "checkpoint": a["checkpoint"],
             "session_id": a.get("session_id"), "registration_id": a["registration_id"],
             "result": "ok", "scanned_at": a["first_scanned_at"],
             "received_at": a["first_scanned_at"]}
            for i, a in enumerate(scans[:SCANS])
        ])  # fmt: skip
        for v in range(6):
            pool = CapacityPool(capacity=80)
            db.session.add(pool)
            db.session.flush()
            visit = Visit(event_id=event.id, title=f"Visit {v}", capacity_pool_id=pool.id,
                          departs_at=start + dt.timedelta(days=1),
                          returns_at=start + dt.timedelta(days=1, hours=8))  # fmt: skip
            db.session.add(visit)
            db.session.flush()
            db.session.add_all([Bus(visit_id=visit.id, name=f"Bus {b}", seats=40) for b in (1, 2)])
            ins(sa.insert(VisitSignup), [{"visit_id": visit.id, "registration_id": r,
                "status": "confirmed"} for r in regs[v * 80:(v + 1) * 80]])  # fmt: skip
        ins(sa.insert(NetworkingProfile), [{"registration_id": r} for r in regs[:1500]])
        pairs = set()
        while len(pairs) < REQUESTS:
            a, b = rnd.sample(regs, 2)
            pairs.add((a, b))
        ins(sa.insert(MeetingRequest), [
            {"event_id": event.id, "requester_id": a, "invitee_id": b,
             "status": "accepted" if i < 2500 else rnd.choice(["pending", "declined"])}
            for i, (a, b) in enumerate(sorted(pairs))
        ])  # fmt: skip
        requests = db.session.scalars(
            sa.select(MeetingRequest.id).where(MeetingRequest.status == "accepted")
            .order_by(MeetingRequest.id)
        ).all()  # fmt: skip
        ins(sa.insert(MeetingSlot), [{"event_id": event.id, "starts_at": start + dt.timedelta(
            minutes=20 * i), "ends_at": start + dt.timedelta(minutes=20 * i + 15)}
            for i in range(20)])  # fmt: skip
        ins(sa.insert(MeetingTable), [{"event_id": event.id, "name": f"T{i}"} for i in range(100)])
        slots = db.session.scalars(sa.select(MeetingSlot.id)).all()
        tables = db.session.scalars(sa.select(MeetingTable.id)).all()
        ins(sa.insert(Meeting), [
            {"event_id": event.id, "request_id": rid, "slot_id": slots[i // 100],
             "table_id": tables[i % 100]}
            for i, rid in enumerate(requests[:2000])
        ])  # fmt: skip
        # Both people of every other booked meeting scanned at the meetings area during its
        # slot (2,000 scans): 250 of them held by scans alone, without feedback.
        booked = db.session.execute(
            sa.select(MeetingRequest.requester_id, MeetingRequest.invitee_id, MeetingSlot.starts_at)
            .join(Meeting, Meeting.request_id == MeetingRequest.id)
            .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
            .order_by(MeetingRequest.id)
        ).all()  # fmt: skip
        ins(sa.insert(Scan), [
            {"event_id": event.id, "scan_id": f"area-{i}-{who}", "checkpoint": "area:meetings",
             "area": "meetings", "registration_id": who, "result": "ok",
             "scanned_at": at + dt.timedelta(minutes=2), "received_at": at}
            for i, (a, b, at) in enumerate(booked) if i % 2 == 0 for who in (a, b)
        ])  # fmt: skip
        held = db.session.execute(
            sa.select(MeetingRequest.id, MeetingRequest.requester_id)
            .where(MeetingRequest.id.in_(requests[:1500]))
        ).all()  # fmt: skip
        ins(sa.insert(MeetingFeedback), [{"request_id": rid, "registration_id": who,
            "took_place": rnd.random() < 0.9, "rating": rnd.randint(1, 5),
            "cooperation_likely": rnd.random() < 0.5} for rid, who in held])  # fmt: skip
        db.session.commit()
        return organiser.id, event.id


def median_ms(run, repeat: int) -> float:
    """The median wall time of `run()` in milliseconds (after one warm-up run)."""
    run()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    """Build, then time the page and the bare queries."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="confapp-bench-analytics-")
    url = os.environ.get("CONFAPP_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app("testing", {"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    t0 = time.perf_counter()
    organiser_id, event_id = build(app)
    took = time.perf_counter() - t0
    print(f"built in {took:.1f} s on {url.split(':')[0]}: {REGISTRATIONS} registrations, "
          f"{SESSIONS} sessions, {SCANS} scans, {REQUESTS} meeting requests")  # fmt: skip

    client = app.test_client()
    with client.session_transaction() as s, app.app_context():
        s["_user_id"] = db.session.get(User, organiser_id).get_id()
        s["_fresh"] = True

    def page() -> None:
        response = client.get("/events/bench/manage/analytics")
        assert response.status_code == 200, response.status_code

    # The statements one dashboard runs, captured with their parameters, replayed bare.
    statements: list[tuple[str, object]] = []
    with app.app_context():
        from confapp.events.models import Event

        event = db.session.get(Event, event_id)
        now = dt.datetime(2027, 2, 21, tzinfo=dt.UTC)

        def capture(_conn, _cursor, statement, parameters, *_args) -> None:
            statements.append((statement, parameters))

        sa.event.listen(db.engine, "before_cursor_execute", capture)
        services.dashboard(event, now)
        sa.event.remove(db.engine, "before_cursor_execute", capture)
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()

            def bare() -> None:
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()

            bare_ms = median_ms(bare, args.repeat)
        finally:
            raw.close()
        service_ms = median_ms(lambda: services.dashboard(event, now), args.repeat)
    page_ms = median_ms(page, args.repeat)
    size = len(client.get("/events/bench/manage/analytics").data)
    print(f"queries per dashboard:        {len(statements)}")
    print(f"bare aggregate queries:       {bare_ms:8.1f} ms (median of {args.repeat})")
    print(f"dashboard() service:          {service_ms:8.1f} ms  ({service_ms / bare_ms:.2f}x bare)")
    label = f"whole page (GET, {size // 1024} KB):"
    print(f"{label:<30}{page_ms:8.1f} ms  ({page_ms / bare_ms:.2f}x bare)")
    print(f"target: page <= 300 ms: {'met' if page_ms <= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
