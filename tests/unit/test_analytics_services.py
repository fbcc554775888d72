"""Dashboard figures on a hand-built event, compared with values counted by hand.

The fixture (event in Asia/Kolkata, UTC+5:30, capacity 10; created is UTC, 2027):

  reg cc status     gender            organisation type          sector      category created
  r1  NP confirmed  woman             msme                       industry    delegate 01-10 20h *
  r2  NP confirmed  man               policy_maker               agriculture delegate 01-10 10h
  r3  MU confirmed  woman             cluster_association        services    speaker  01-10 10h
  r4  BR confirmed  (not given)       msme                       industry    delegate 01-11 10h
  r5  DE confirmed  prefer_not_to_say international_organisation services    press    01-11 10h
  r6  KE waitlisted woman             msme                       industry    delegate 01-11 10h
  r7  KE cancelled  man               msme                       industry    delegate 01-12 10h
  r8  TW confirmed  man               other                      industry    delegate 01-12 10h
  (* 20:00 UTC on 10 January is 01:30 on the 11th in New Delhi.)
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.accounts.models import User
from confapp.agenda import services as agenda_services
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionSignup
from confapp.analytics import services
from confapp.checkin.models import MEETINGS_AREA
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.checkin.models import ScanResult
from confapp.extensions import db
from confapp.meetings.models import Meeting
from confapp.meetings.models import MeetingFeedback
from confapp.meetings.models import MeetingRequest
from confapp.meetings.models import MeetingSlot
from confapp.meetings.models import MeetingTable
from confapp.meetings.models import NetworkingProfile
from confapp.registration.models import Registration
from confapp.visa.models import VisaRequest
from confapp.visits.models import VisitSignup
from tests.helpers import local_time
from tests.helpers import make_event
from tests.helpers import make_visit

UTC = dt.UTC
NOW = dt.datetime(2027, 2, 21, 12, 0, tzinfo=UTC)  # during the event

PEOPLE = [
    # country, status, gender, organisation type, sector, category, created (UTC)
    ("NP", "confirmed", "woman", "msme", "industry", "delegate", (1, 10, 20)),
    ("NP", "confirmed", "man", "policy_maker", "agriculture", "delegate", (1, 10, 10)),
    ("MU", "confirmed", "woman", "cluster_association", "services", "speaker", (1, 10, 10)),
    ("BR", "confirmed", None, "msme", "industry", "delegate", (1, 11, 10)),
    ("DE", "confirmed", "prefer_not_to_say", "international_organisation", "services", "press",
     (1, 11, 10)),
    ("KE", "waitlisted", "woman", "msme", "industry", "delegate", (1, 11, 10)),
    ("KE", "cancelled", "man", "msme", "industry", "delegate", (1, 12, 10)),
    ("TW", "confirmed", "man", "other", "industry", "delegate", (1, 12, 10)),
]  # fmt: skip


def _registration(event, n, country, status, gender, org, sector, category, created, tag=""):
    month, day, hour = created
    # No password: hashing one per person would make the fixture slow.
    user = User(email=f"r{n}{tag}-{event.slug}@example.org", full_name=f"R{n}")
    at = dt.datetime(2027, month, day, hour, tzinfo=UTC)
    reg = Registration(
        event=event,
        user=user,
        status=status,
        full_name=user.full_name,
        email=user.email,
        country=country,
        gender=gender,
        organisation_type=org,
        sector=sector,
        category=category,
        created_at=at,
        status_changed_at=at,
    )
    db.session.add(reg)
    return reg


def _scan(event, reg, checkpoint, at, *, session_id=None, visit_id=None):
    db.session.add(
        Attendance(
            event_id=event.id,
            registration_id=reg.id,
            checkpoint=checkpoint,
            session_id=session_id,
            visit_id=visit_id,
            first_scanned_at=at,
        )
    )


def build(event, tag: str = "") -> dict:
    """The hand-built data above, plus visa letters, scans, sessions, visits, meetings
    (`tag` makes a second copy in the same event: other people, rooms and tables)."""
    r = [None] + [_registration(event, i + 1, *p, tag=tag) for i, p in enumerate(PEOPLE)]
    db.session.flush()
    for reg, status in ((r[1], "requested"), (r[2], "approved"), (r[3], "approved"),
                        (r[4], "rejected")):  # fmt: skip
        db.session.add(VisaRequest(registration=reg, status=status))
    # Entrance: 03:00, 03:05 (the waitlisted r6: counted at the door, not as a confirmed
    # arrival), 03:10, 03:20, 04:01 UTC on the first day.
    day1 = dt.datetime(2027, 2, 20, tzinfo=UTC)
    for reg, minutes in ((r[1], 180), (r[6], 185), (r[2], 190), (r[3], 200), (r[4], 241)):
        _scan(event, reg, "entrance", day1 + dt.timedelta(minutes=minutes))
    hall = Room(event_id=event.id, name=f"Hall A{tag}", capacity=100)
    small = Room(event_id=event.id, name=f"Room B{tag}", capacity=20)
    db.session.add_all([hall, small])
    db.session.flush()

    def session(title, room, start, seats=None, kind=SessionKind.PLENARY):
        return agenda_services.create_session(
            event,
            agenda_services.SessionData(
                title=title,
                kind=kind,
                starts_at=local_time(event, 0, start),
                ends_at=local_time(event, 0, start) + dt.timedelta(hours=1),
                room_id=room.id,
                seat_limit=seats,
            ),
            now=NOW,
        )

    s1 = session("Opening plenary", hall, "09:00")
    s2 = session("Finance workshop", small, "11:00", seats=10, kind=SessionKind.WORKSHOP)
    s3 = session("Cancelled panel", small, "14:00")
    session("Coffee break", hall, "10:15", kind=SessionKind.BREAK)  # not a figure either
    agenda_services.cancel_session(event, s3, now=NOW)
    for reg in (r[1], r[4]):
        db.session.add(SessionSignup(session_id=s2.id, registration_id=reg.id, status="confirmed"))
    db.session.add(SessionSignup(session_id=s2.id, registration_id=r[5].id, status="cancelled"))
    for reg in (r[1], r[2], r[3]):
        _scan(event, reg, f"session:{s1.id}", day1 + dt.timedelta(hours=4), session_id=s1.id)
    _scan(event, r[1], f"session:{s2.id}", day1 + dt.timedelta(hours=6), session_id=s2.id)
    visit = make_visit(event, title=f"Leather cluster{tag}", buses=(("Bus 1", 20), ("Bus 2", 10)))
    for reg, status in ((r[1], "confirmed"), (r[2], "confirmed"), (r[3], "confirmed"),
                        (r[5], "cancelled")):  # fmt: skip
        db.session.add(VisitSignup(visit_id=visit.id, registration_id=reg.id, status=status))
    for reg in (r[1], r[2]):
        _scan(event, reg, f"visit:{visit.id}", day1 + dt.timedelta(days=1), visit_id=visit.id)
    for reg in (r[1], r[2], r[3], r[6]):
        db.session.add(NetworkingProfile(registration_id=reg.id))
    slot = MeetingSlot(
        event_id=event.id,
        starts_at=day1 + dt.timedelta(hours=8),
        ends_at=day1 + dt.timedelta(hours=9),
    )
    tables = [MeetingTable(event_id=event.id, name=f"T{i}{tag}") for i in range(4)]
    db.session.add_all([slot, *tables])
    db.session.flush()
    requests = {}
    for name, a, b, status in (
        ("q1", 1, 3, "accepted"), ("q2", 2, 4, "accepted"), ("q3", 5, 1, "accepted"),
        ("q4", 8, 2, "pending"), ("q5", 4, 1, "declined"), ("q6", 2, 5, "accepted"),
        ("q7", 1, 2, "accepted"),
    ):  # fmt: skip
        requests[name] = MeetingRequest(
            event_id=event.id, requester_id=r[a].id, invitee_id=r[b].id, status=status
        )
    db.session.add_all(requests.values())
    db.session.flush()
    for table, name in zip(tables, ("q1", "q2", "q3", "q6"), strict=True):
        db.session.add(
            Meeting(
                event_id=event.id, request_id=requests[name].id, slot_id=slot.id, table_id=table.id
            )
        )
    for name, reg, took_place, rating, coop in (
        ("q1", 1, True, 5, True), ("q1", 3, True, 4, None), ("q2", 2, True, 3, True),
        ("q2", 4, False, None, None), ("q6", 5, True, 3, False),
    ):  # fmt: skip
        db.session.add(
            MeetingFeedback(
                request_id=requests[name].id,
                registration_id=r[reg].id,
                took_place=took_place,
                rating=rating,
                cooperation_likely=coop,
            )
        )
    db.session.flush()
    return {"r": r, "s1": s1, "s2": s2, "visit": visit, "slot": slot, "requests": requests}


def _q3_held_by_scans(event, built):
    """Both people of q3 (booked, no feedback) scanned at the meetings area in its slot."""
    during = built["slot"].starts_at + dt.timedelta(minutes=5)
    for n in (5, 1):
        _area_scan(event, built["r"][n], during)


@pytest.fixture
def event(app_ctx):
    event = make_event("cdc", capacity=10)
    return event


def test_every_figure_against_hand_counts(event):
    built = build(event)
    d = services.dashboard(event, NOW)

    assert d.capacity == 10
    assert d.status_counts == {
        "pending": 0, "confirmed": 6, "waitlisted": 1, "cancelled": 1, "rejected": 0,
    }  # fmt: skip
    # Days in New Delhi: r1 came at 20:00 UTC on 10 January, 01:30 on the 11th there.
    assert [(x.day.isoformat(), x.total, x.cumulative, x.cumulative_confirmed) for x in d.days] == [
        ("2027-01-10", 2, 2, 2),
        ("2027-01-11", 4, 6, 5),
        ("2027-01-12", 2, 8, 6),
    ]
    assert d.days[1].by_status["waitlisted"] == 1 and d.days[2].by_status["cancelled"] == 1

    assert d.countries == [("NP", 2), ("BR", 1), ("DE", 1), ("MU", 1), ("TW", 1)]
    assert d.top_countries(2) == [("NP", 2), ("BR", 1), ("other", 3)]
    assert d.countries_represented == 5
    assert d.regions == [("002", 1), ("019", 1), ("142", 2), ("150", 1), ("unclassified", 1)]
    assert dict(d.country_groups) == {
        "LDC": 2, "LLDC": 2, "SIDS": 1, "DEVELOPING": 4, "DEVELOPED": 1,
    }  # fmt: skip
    assert dict(d.organisation_types) == {
        "policy_maker": 1, "msme": 2, "cluster_association": 1, "financial_institution": 0,
        "knowledge_institution": 0, "implementing_agency": 0, "international_organisation": 1,
        "other": 1,
    }  # fmt: skip
    assert dict(d.sectors) == {"industry": 3, "agriculture": 1, "services": 2}
    assert dict(d.categories) == {
        "delegate": 4, "speaker": 1, "press": 1, "sponsor": 0, "organising_staff": 0,
    }  # fmt: skip
    assert d.genders == [
        ("woman", 2), ("man", 2), ("another_term", 0), ("prefer_not_to_say", 1), ("not_given", 1),
    ]  # fmt: skip
    assert d.women_share() == pytest.approx(2 / 5)
    assert d.visa == {"requested": 1, "approved": 2, "rejected": 1}

    at = dt.datetime(2027, 2, 20, 3, 0, tzinfo=UTC)
    quarter = dt.timedelta(minutes=15)
    assert d.entrance == [(at, 3), (at + quarter, 1), (at + 2 * quarter, 0),
                          (at + 3 * quarter, 0), (at + 4 * quarter, 1)]  # fmt: skip
    assert (d.confirmed, d.checked_in, d.no_show) == (6, 4, 2)
    assert d.no_show_rate == pytest.approx(2 / 6)

    s1, s2 = built["s1"], built["s2"]
    assert [
        (s.id, s.room, s.room_capacity, s.seat_limit, s.signups, s.attended) for s in d.sessions
    ] == [
        (s1.id, "Hall A", 100, None, 0, 3),
        (s2.id, "Room B", 20, 10, 2, 1),
    ]  # the cancelled panel and the coffee break are left out
    assert d.sessions[0].fill_rate == pytest.approx(0.03)
    assert [(v.id, v.seats, v.signed_up, v.boarded) for v in d.visits] == [
        (built["visit"].id, 30, 3, 2)
    ]

    f = d.funnel
    assert f.steps() == [
        ("profiles", 3), ("requested", 7), ("accepted", 5), ("scheduled", 4), ("held", 2),
    ]  # fmt: skip
    assert (f.cooperation_likely, f.average_rating) == (1, 4.0)
    # Held: q1 NP–MU (Asia–Africa, LDC–other developing), q6 NP–DE (Asia–Europe, LDC–developed).
    assert d.linkage_regions.pairs == {("002", "142"): 1, ("142", "150"): 1}
    assert d.linkage_regions.count("142", "002") == 1 and d.linkage_regions.peak == 1
    assert d.linkage_regions.keys == ["002", "019", "142", "150", "009"]
    assert d.linkage_development.pairs == {("LDC", "OTHER_DEVELOPING"): 1, ("DEVELOPED", "LDC"): 1}
    assert d.south_south == 1


def test_before_the_event_no_show_rate_is_not_given(event):
    build(event)
    d = services.dashboard(event, dt.datetime(2027, 2, 1, tzinfo=UTC))
    assert d.no_show_rate is None and d.no_show == 2


def test_an_empty_event(event):
    d = services.dashboard(event, NOW)
    assert d.days == [] and d.countries == [] and d.regions == [] and d.entrance == []
    assert d.no_show_rate is None and d.women_share() is None and d.funnel.held == 0
    assert d.linkage_regions.peak == 0 and d.sessions == [] and d.visits == []


def _count_queries(run) -> int:
    statements = []

    def on_execute(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
    return len(statements)


def test_query_count_does_not_grow_with_the_data(event):
    _q3_held_by_scans(event, build(event))
    db.session.commit()
    services.dashboard(event, NOW)  # the event's row is loaded again after the commit
    small = _count_queries(lambda: services.dashboard(event, NOW))
    # Eleven times the people, scans, sessions, visits and meetings in the same event, with
    # meetings held by scans at the meetings area in each copy.
    for copy in range(10):
        _q3_held_by_scans(event, build(event, tag=f"x{copy}"))
    db.session.commit()
    d = services.dashboard(event, NOW)
    assert d.confirmed == 66 and d.funnel.held == 33 and len(d.sessions) == 22
    big = _count_queries(lambda: services.dashboard(event, NOW))
    assert big == small
    assert small <= 20


# --- held by scans at the meetings area ----------------------------------------------


def _area_scan(event, reg, at, *, result=ScanResult.OK, area=MEETINGS_AREA):
    db.session.add(
        Scan(
            event_id=event.id,
            scan_id=f"area-{reg.id}-{at.isoformat()}-{area}",
            checkpoint=f"area:{area}" if area else "entrance",
            area=area,
            registration_id=reg.id,
            result=result,
            scanned_at=at,
        )
    )


def _booked(event, slot, table, a, b):
    request = MeetingRequest(
        event_id=event.id, requester_id=a.id, invitee_id=b.id, status="accepted"
    )
    db.session.add(request)
    db.session.flush()
    db.session.add(
        Meeting(event_id=event.id, request_id=request.id, slot_id=slot.id, table_id=table.id)
    )
    return request


def test_held_by_scans_at_the_meetings_area_or_by_feedback(event):
    people = [_registration(event, n, *PEOPLE[0][:6], PEOPLE[0][6], tag="m") for n in range(14)]
    slot = MeetingSlot(
        event_id=event.id,
        starts_at=local_time(event, 0, "10:00"),
        ends_at=local_time(event, 0, "10:20"),
    )
    tables = [MeetingTable(event_id=event.id, name=f"M{i}") for i in range(7)]
    db.session.add_all([slot, *tables])
    db.session.flush()
    p = people
    by_scans = _booked(event, slot, tables[0], p[0], p[1])
    by_feedback = _booked(event, slot, tables[1], p[2], p[3])
    by_both = _booked(event, slot, tables[2], p[4], p[5])
    one_party = _booked(event, slot, tables[3], p[6], p[7])
    outside = _booked(event, slot, tables[4], p[8], p[9])
    not_the_area = _booked(event, slot, tables[5], p[10], p[11])
    refused = _booked(event, slot, tables[6], p[12], p[13])
    at = lambda hhmm: local_time(event, 0, hhmm)  # noqa: E731
    # Both scanned within the slot: 15 minutes before its start counts, so does its end.
    _area_scan(event, p[0], at("09:45"))
    _area_scan(event, p[1], at("10:20"))
    for reg in (p[2], p[3]):
        db.session.add(
            MeetingFeedback(request_id=by_feedback.id, registration_id=reg.id, took_place=True)
        )
    _area_scan(event, p[4], at("10:05"))
    _area_scan(event, p[5], at("10:06"))
    db.session.add(MeetingFeedback(request_id=by_both.id, registration_id=p[4].id, took_place=True))
    _area_scan(event, p[6], at("10:05"))  # the other never came to the area
    _area_scan(event, p[8], at("09:44"))  # a minute too early
    _area_scan(event, p[9], at("10:21"))  # a minute after the end
    _area_scan(event, p[9], at("09:30"))
    _area_scan(event, p[8], at("11:00"))
    _area_scan(event, p[10], at("10:05"), area=None)  # the entrance is not the area
    _area_scan(event, p[11], at("10:05"), area=None)
    _area_scan(event, p[12], at("10:05"))
    _area_scan(event, p[13], at("10:05"), result=ScanResult.REVOKED)  # an old badge
    db.session.flush()

    held = set(db.session.scalars(services.held_requests(event)))
    assert held == {by_scans.id, by_feedback.id, by_both.id}
    assert not held & {one_party.id, outside.id, not_the_area.id, refused.id}
    d = services.dashboard(event, NOW)
    assert d.funnel.scheduled == 7
    assert d.funnel.held == 3  # by_both once, not twice
    # Every held meeting is NP–NP here: one cell of the linkage matrix, three meetings.
    assert d.linkage_regions.pairs == {("142", "142"): 3}


def test_held_by_scans_seeks_the_partial_index_of_area_visits(event):
    """Each party's lookup is one seek in ix_scan_area_visits, not a read of all their scans
    (SQLite's plan; the index holds only scans at an area, so door scans never write it)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plan")
    statement = services.held_requests(event).compile(
        db.engine, compile_kwargs={"literal_binds": True}
    )
    plan = " | ".join(
        row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {statement}"))
    )
    assert plan.count("SEARCH scan USING INDEX ix_scan_area_visits (registration_id=?") == 2, plan
