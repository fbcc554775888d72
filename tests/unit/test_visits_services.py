"""Visit services: seat order, waitlist, promotion, windows, limits, clashes, buses, manifests."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import icalendar
import pytest
import sqlalchemy as sa

from confapp.agenda import personal
from confapp.agenda import services as agenda
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.capacity.models import CapacityPool
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import ClashPolicy
from confapp.extensions import db
from confapp.visits import ical
from confapp.visits import manifest
from confapp.visits import services
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_visit


@pytest.fixture
def event(app_ctx):
    return make_event()


def delegates(event, n, prefix="d"):
    return [
        make_confirmed_registration(
            event,
            f"{prefix}{i}@example.org",
            full_name=f"Delegate {prefix}{i:03d}",
            phone=f"+91 98{i:08d}",
        )
        for i in range(n)
    ]


def statuses(visit):
    return [s.status for s, _ in services.signups_for(visit)]


# --- seats and waiting list ------------------------------------------------------------------


def test_seats_in_order_then_waiting_list(event, now):
    visit = make_visit(event, buses=(("Van", 2),))
    regs = delegates(event, 4)
    holders = [services.signup(event, visit, r, now=now) for r in regs]
    assert [h.status for h in holders] == [SeatStatus.CONFIRMED] * 2 + [SeatStatus.WAITLISTED] * 2
    assert visit.pool.capacity == 2 and visit.pool.taken == 2
    assert [services.waitlist_position(visit, h) for h in holders] == [None, None, 1, 2]
    with pytest.raises(DomainError, match="already"):
        services.signup(event, visit, regs[0], now=now)


def test_cancellation_promotes_first_in_line_and_emails(event, now, outbox):
    visit = make_visit(event, buses=(("Van", 1),))
    first, second, third = delegates(event, 3)
    for r in (first, second, third):
        services.signup(event, visit, r, now=now)
    db.session.commit()
    promoted = services.cancel(event, visit, first, now=now)
    db.session.commit()
    assert [p.registration_id for p in promoted] == [second.id]
    assert services.get_signup(visit, second).status is SeatStatus.CONFIRMED
    assert services.get_signup(visit, third).status is SeatStatus.WAITLISTED
    assert services.waitlist_position(visit, services.get_signup(visit, third)) == 1
    assert visit.pool.taken == 1
    mails = outbox.to(second.email)
    assert [m["Subject"] for m in mails] == [
        f"Waiting list: {visit.title}",
        f"A seat is yours: {visit.title}",
    ]
    attachment = next(mails[-1].iter_attachments())
    assert "BEGIN:VEVENT" in str(attachment.get_content())
    # Leaving the waiting list promotes nobody; signing up again joins at the back.
    assert services.cancel(event, visit, third, now=now) == []
    services.signup(event, visit, first, now=now)
    services.signup(event, visit, third, now=now)
    queue = [r.id for s, r in services.signups_for(visit) if s.status is SeatStatus.WAITLISTED]
    assert queue == [first.id, third.id]


def test_needs_confirmed_registration_of_the_event(event, now):
    visit = make_visit(event)
    other = make_event("other")
    stranger = make_confirmed_registration(other, "x@example.org")
    with pytest.raises(DomainError, match="confirmed registration"):
        services.signup(event, visit, stranger, now=now)


def test_signup_window_and_status(event, now):
    visit = make_visit(
        event,
        signup_opens_at=now + dt.timedelta(hours=1),
        signup_closes_at=now + dt.timedelta(days=2),
    )
    reg = delegates(event, 1)[0]
    with pytest.raises(DomainError, match="opens on"):
        services.signup(event, visit, reg, now=now)
    with pytest.raises(DomainError, match="closed"):
        services.signup(event, visit, reg, now=now + dt.timedelta(days=2))
    assert (
        services.signup(event, visit, reg, now=now + dt.timedelta(hours=2)).status
        is SeatStatus.CONFIRMED
    )
    closed = make_visit(event, "Closed one", status=VisitStatus.CLOSED)
    with pytest.raises(DomainError, match="closed"):
        services.signup(event, closed, reg, now=now)
    # Without a closing time, sign-up ends at departure.
    late = make_visit(event, "Late", day=2)
    with pytest.raises(DomainError, match="closed"):
        services.signup(event, late, reg, now=late.departs_at)


def test_id_number_required_when_the_visit_says_so(event, now):
    visit = make_visit(event, requires_id_number=True)
    reg = delegates(event, 1)[0]
    with pytest.raises(ValidationFailed) as exc:
        services.signup(event, visit, reg, now=now)
    assert exc.value.field == "id_number"
    assert db.session.scalar(sa.select(sa.func.count(VisitSignup.id))) == 0
    holder = services.signup(
        event, visit, reg, now=now, id_number=" P  1234567 ", group_code="kenya team"
    )
    assert (holder.id_number, holder.group_code) == ("P 1234567", "KENYA TEAM")
    with pytest.raises(ValidationFailed, match="group code"):
        services.signup(event, make_visit(event, "Other"), reg, now=now, group_code="<script>")


def test_per_day_limit(event, now):
    event.visits_per_day_limit = 1
    morning = make_visit(event, "Morning", day=1, start="07:00", end="11:00", buses=(("Van", 1),))
    afternoon = make_visit(event, "Afternoon", day=1, start="14:00", end="18:00")
    next_day = make_visit(event, "Next day", day=2)
    other, reg = delegates(event, 2)
    services.signup(event, morning, other, now=now)
    # A waiting-list place counts too: a promotion must not give two visits on one day.
    assert services.signup(event, morning, reg, now=now).status is SeatStatus.WAITLISTED
    with pytest.raises(DomainError, match="1 visit per day"):
        services.signup(event, afternoon, reg, now=now)
    services.signup(event, next_day, reg, now=now)
    services.cancel(event, morning, reg, now=now)
    assert services.signup(event, afternoon, reg, now=now).status is SeatStatus.CONFIRMED


def _workshop(event, day=1, start="10:00", end="11:00"):
    return agenda.create_session(
        event,
        agenda.SessionData(
            title="Finance workshop",
            kind=SessionKind.WORKSHOP,
            starts_at=local_time(event, day, start),
            ends_at=local_time(event, day, end),
            seat_limit=10,
        ),
        now=dt.datetime.now(dt.UTC),
    )


def test_clash_with_a_session_warns_then_confirms(event, now):
    reg = delegates(event, 1)[0]
    session = _workshop(event)
    agenda.signup(event, session, reg, now=now)
    visit = make_visit(event, day=1, start="08:00", end="17:00")
    with pytest.raises(services.ClashWarning) as warning:
        services.signup(event, visit, reg, now=now)
    assert "Finance workshop" in warning.value.clashes[0]
    assert services.get_signup(visit, reg) is None
    assert (
        services.signup(event, visit, reg, now=now, confirm_clash=True).status
        is SeatStatus.CONFIRMED
    )


def test_clash_refused_when_the_event_says_so(event, now):
    event.visit_clash_policy = ClashPolicy.REFUSE
    reg = delegates(event, 1)[0]
    first = make_visit(event, "First", day=1, start="08:00", end="12:00")
    second = make_visit(event, "Second", day=1, start="11:00", end="15:00")
    services.signup(event, first, reg, now=now)
    with pytest.raises(DomainError, match="do not allow") as exc:
        services.signup(event, second, reg, now=now, confirm_clash=True)
    assert not isinstance(exc.value, services.ClashWarning)
    # Back-to-back is not a clash.
    third = make_visit(event, "Third", day=1, start="12:00", end="16:00")
    services.signup(event, third, reg, now=now)


def test_clash_with_a_booked_meeting(event, now):
    from confapp.meetings.models import Meeting
    from confapp.meetings.models import MeetingAttendee
    from confapp.meetings.models import MeetingRequest
    from confapp.meetings.models import MeetingSlot
    from confapp.meetings.models import MeetingTable
    from confapp.meetings.models import RequestStatus

    event.visit_clash_policy = ClashPolicy.REFUSE
    a, b = delegates(event, 2)
    slot = MeetingSlot(
        event_id=event.id,
        starts_at=local_time(event, 1, "15:00"),
        ends_at=local_time(event, 1, "15:20"),
    )
    table = MeetingTable(event_id=event.id, name="T1")
    request = MeetingRequest(
        event_id=event.id, requester_id=a.id, invitee_id=b.id, status=RequestStatus.ACCEPTED
    )
    db.session.add_all([slot, table, request])
    db.session.flush()
    meeting = Meeting(event_id=event.id, request_id=request.id, slot_id=slot.id, table_id=table.id)
    meeting.attendees = [MeetingAttendee(registration_id=r.id, slot_id=slot.id) for r in (a, b)]
    db.session.add(meeting)
    db.session.flush()
    visit = make_visit(event, day=1, start="13:00", end="18:00")
    with pytest.raises(DomainError, match="networking meeting"):
        services.signup(event, visit, b, now=now)
    request.status = RequestStatus.CANCELLED
    assert services.signup(event, visit, b, now=now).status is SeatStatus.CONFIRMED


# --- organiser edits ----------------------------------------------------------------------------


def _data(visit, **changes):
    values = {
        "title": visit.title,
        "departs_at": visit.departs_at,
        "returns_at": visit.returns_at,
        "capacity_cap": visit.capacity_cap,
        "meeting_point": visit.meeting_point,
        "buses": [services.BusData(b.name, b.seats, b.id) for b in visit.buses],
    }
    values.update(changes)
    return services.VisitData(**values)


def test_capacity_follows_buses_and_promotes(event, now, outbox):
    visit = make_visit(event, buses=(("Van", 2),))
    regs = delegates(event, 5)
    for r in regs:
        services.signup(event, visit, r, now=now)
    db.session.commit()
    buses = [services.BusData("Van", 2, visit.buses[0].id), services.BusData("Car", 2)]
    promoted = services.update_visit(event, visit, _data(visit, buses=buses), now=now)
    db.session.commit()
    assert [r.id for r in promoted] == [regs[2].id, regs[3].id]
    assert (visit.pool.capacity, visit.pool.taken) == (4, 4)
    assert [b.name for b in visit.buses] == ["Van", "Car"]
    assert outbox.to(regs[2].email)[-1]["Subject"].startswith("A seat is yours")
    # A hand-set cap below the buses' seats wins; below the seats taken is refused.
    with pytest.raises(ValidationFailed, match="already taken") as exc:
        services.update_visit(event, visit, _data(visit, capacity_cap=3), now=now)
    assert exc.value.field == "capacity_cap"
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="more than the buses"):
        services.update_visit(event, visit, _data(visit, capacity_cap=9), now=now)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"departs_at": dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)}, "departs_at"),
        ({"returns_at": dt.datetime(2027, 2, 21, 1, tzinfo=dt.UTC)}, "returns_at"),
        ({"capacity_cap": -1}, "capacity_cap"),
        ({"buses": [services.BusData("Bus 1", 0)]}, "buses"),
        ({"buses": [services.BusData("Bus 1", -5)]}, "buses"),
        ({"buses": [services.BusData("", 10)]}, "buses"),
        ({"buses": [services.BusData("A", 10), services.BusData("a", 10)]}, "buses"),
        ({"signup_closes_at": dt.datetime(2027, 2, 21, 12, tzinfo=dt.UTC)}, "signup_closes_at"),
    ],
)
def test_bad_visit_input_is_refused_and_writes_nothing(event, now, changes, field):
    values = {
        "title": "Trip",
        "departs_at": local_time(event, 1, "08:00"),
        "returns_at": local_time(event, 1, "17:00"),
        "buses": [services.BusData("Bus 1", 30)],
    }
    values.update(changes)
    with pytest.raises(ValidationFailed) as exc:
        services.create_visit(event, services.VisitData(**values), now=now)
    assert exc.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Bus.id))) == 0


def test_cancelling_a_visit_bumps_sequence_and_emails(event, now, outbox):
    visit = make_visit(event)
    reg = delegates(event, 1)[0]
    services.signup(event, visit, reg, now=now)
    db.session.commit()
    services.update_visit(event, visit, _data(visit, status=VisitStatus.CANCELLED), now=now)
    db.session.commit()
    assert visit.sequence == 1
    assert outbox.to(reg.email)[-1]["Subject"] == f"Cancelled: {visit.title}"
    cal = icalendar.Calendar.from_ical(ical.visit_ics_bytes(event, visit))
    vevent = next(c for c in cal.walk("VEVENT"))
    assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 1
    with pytest.raises(DomainError, match="cancelled"):
        services.signup(event, visit, delegates(event, 1, "e")[0], now=now)


def test_move_between_visits_promotes_the_source_queue(event, now):
    a = make_visit(event, "A", buses=(("Van", 1),))
    b = make_visit(event, "B", day=2, buses=(("Van", 1),))
    first, second = delegates(event, 2)
    services.signup(event, a, first, now=now)
    services.signup(event, a, second, now=now)
    holder = services.get_signup(a, first)
    # What the confirmation page says before the move: the seat left and who gets it,
    # the seat on B, and who is e-mailed.
    said = services.move_consequences(a, holder, b)
    assert any("loses their seat on “A”" in line for line in said)
    assert any(f"The seat goes to {second.full_name}" in line for line in said)
    assert said[-1].endswith("gets a seat on “B” and is e-mailed its details.")
    moved = services.move(event, holder, b, now=now)
    assert moved.status is SeatStatus.CONFIRMED and moved.visit_id == b.id
    assert holder.status is SeatStatus.CANCELLED
    assert services.get_signup(a, second).status is SeatStatus.CONFIRMED
    assert (a.pool.taken, b.pool.taken) == (1, 1)
    with pytest.raises(ValidationFailed):
        services.move(event, moved, b, now=now)
    # B is now full: moving someone there would put them on its waiting list.
    said = services.move_consequences(a, services.get_signup(a, second), b)
    assert "“B” is full:" in said[-1] and "joins its waiting list" in said[-1]


def test_add_by_hand_skips_window_but_never_overbooks(event, now):
    visit = make_visit(
        event,
        buses=(("Van", 1),),
        signup_closes_at=now - dt.timedelta(hours=1) + dt.timedelta(days=1),
    )
    regs = delegates(event, 2)
    late = now + dt.timedelta(days=2)
    assert services.add_by_hand(event, visit, regs[0], now=late).status is SeatStatus.CONFIRMED
    assert services.add_by_hand(event, visit, regs[1], now=late).status is SeatStatus.WAITLISTED
    assert visit.pool.taken == 1


# --- buses ----------------------------------------------------------------------------------------


def test_plan_buses_balances_and_keeps_groups_together():
    people = [(i, "") for i in range(1, 11)] + [
        (20, "TEAM"),
        (21, "TEAM"),
        (22, "TEAM"),
        (23, "TEAM"),
    ]
    plan, notes = services.plan_buses([(1, 10), (2, 10)], people)
    assert notes == []
    loads = {bus: list(plan.values()).count(bus) for bus in (1, 2)}
    assert loads == {1: 7, 2: 7}
    assert len({plan[i] for i in (20, 21, 22, 23)}) == 1
    # Unequal buses fill in proportion to their seats.
    plan, _ = services.plan_buses([(1, 40), (2, 20)], [(i, "") for i in range(30)])
    assert list(plan.values()).count(1) == 20 and list(plan.values()).count(2) == 10
    # A group larger than any bus is split, with a note; nobody left over when seats suffice.
    plan, notes = services.plan_buses([(1, 3), (2, 3)], [(i, "BIG") for i in range(5)])
    assert "split" in notes[0] and None not in plan.values()
    plan, notes = services.plan_buses([(1, 2)], [(i, "") for i in range(3)])
    assert list(plan.values()).count(None) == 1 and "no bus seat" in notes[-1]


def test_assign_buses_and_set_bus(event, now):
    visit = make_visit(event, buses=(("Bus A", 3), ("Bus B", 3)))
    regs = delegates(event, 6)
    for i, r in enumerate(regs):
        services.signup(event, visit, r, now=now, group_code="PAIR" if i in (0, 5) else "")
    assert services.assign_buses(visit) == []
    holders = {h.registration_id: h for h in db.session.scalars(sa.select(VisitSignup))}
    assert holders[regs[0].id].bus_id == holders[regs[5].id].bus_id
    by_bus = [h.bus_id for h in holders.values()]
    assert by_bus.count(visit.buses[0].id) == 3 and by_bus.count(visit.buses[1].id) == 3
    target = visit.buses[0] if holders[regs[1].id].bus_id == visit.buses[1].id else visit.buses[1]
    with pytest.raises(DomainError, match="full"):
        services.set_bus(visit, holders[regs[1].id], target.id)
    services.set_bus(visit, holders[regs[1].id], None)
    assert holders[regs[1].id].bus_id is None


def _bus_of(visit, registration):
    holder = services.get_signup(visit, registration)
    return {b.id: b.name for b in visit.buses}.get(holder.bus_id)


def test_late_sign_ups_get_a_bus_with_room_balanced_and_with_their_group(event, now):
    visit = make_visit(event, buses=(("Bus A", 4), ("Bus B", 2)))
    early = delegates(event, 3, prefix="e")
    services.signup(event, visit, early[0], now=now, group_code="TEAM")
    for r in early[1:]:
        services.signup(event, visit, r, now=now)
    # Before any assignment a sign-up waits for the organiser's balanced plan.
    assert _bus_of(visit, early[0]) is None
    services.assign_buses(visit)
    loads = [services.manifest_rows(visit, bus) for bus in visit.buses]
    assert [len(rows) for rows in loads] == [2, 1]
    late = delegates(event, 3, prefix="l")
    # The group goes where its member is, although Bus B is emptier by share.
    services.signup(event, visit, late[0], now=now, group_code="TEAM")
    assert _bus_of(visit, late[0]) == _bus_of(visit, early[0])
    # Others go to the bus left least full by share of seats.
    services.signup(event, visit, late[1], now=now)
    services.signup(event, visit, late[2], now=now)
    buses = [_bus_of(visit, r) for r in early + late]
    assert buses.count("Bus A") == 4 and buses.count("Bus B") == 2
    assert services.unseated_count(visit) == 0


def test_a_promoted_delegate_takes_the_bus_seat_given_up(event, now, outbox):
    visit = make_visit(event, buses=(("Bus A", 1), ("Bus B", 1)))
    first, second, third = delegates(event, 3)
    for r in (first, second, third):
        services.signup(event, visit, r, now=now)
    services.assign_buses(visit)
    assert services.get_signup(visit, third).status is SeatStatus.WAITLISTED
    seat = _bus_of(visit, second)
    services.cancel(event, visit, second, now=now)
    assert services.get_signup(visit, third).status is SeatStatus.CONFIRMED
    assert _bus_of(visit, third) == seat
    # Moved in from another visit: a bus there too.
    other = make_visit(event, "Brass of Moradabad", day=2, buses=(("Van", 3),))
    services.assign_buses(other)  # nobody yet: the first arrival waits for the plan
    mover = services.move(event, services.get_signup(visit, first), other, now=now)
    assert mover.bus_id is None
    services.assign_buses(other)
    late = delegates(event, 1, prefix="x")[0]
    services.add_by_hand(event, other, late, now=now)
    assert _bus_of(other, late) == "Van"


def test_no_bus_with_room_is_flagged_on_the_manifest(event, now):
    visit = make_visit(event, buses=(("Bus A", 2),), cap=None)
    regs = delegates(event, 3)
    services.signup(event, visit, regs[0], now=now)
    services.assign_buses(visit)
    # The organiser shrinks the bus below its load by hand elsewhere: simulate a full bus.
    services.signup(event, visit, regs[1], now=now)
    visit.buses[0].seats = 1
    visit.pool.capacity = 3
    db.session.flush()
    holder = services.signup(event, visit, regs[2], now=now)
    assert holder.status is SeatStatus.CONFIRMED and holder.bus_id is None
    assert services.unseated_count(visit) == 1
    rows = services.manifest_rows(visit)
    assert [r.bus for r in rows] == ["Bus A", "Bus A", services.NO_BUS]
    text = manifest.manifest_csv(rows, with_id=False).decode("utf-8-sig")
    assert text.strip().splitlines()[-1].endswith(",NO BUS,")


# --- manifests, calendars, provider, demo ---------------------------------------------------------


def test_manifest_csv_and_pdf(event, now, tmp_path):
    visit = make_visit(
        event,
        "Footwear of Agra",
        buses=(("Coach 1", 2), ("Coach 2", 2)),
        requires_id_number=True,
        requirements="Passport at the gate",
        meeting_point="Main lobby",
    )
    regs = delegates(event, 3)
    regs[0].full_name = "Zoë Ngoné Okafor"
    for i, r in enumerate(regs):
        services.signup(event, visit, r, now=now, id_number=f"P{i}00")
    services.assign_buses(visit)
    rows = services.manifest_rows(visit)
    assert len(rows) == 3 and {r.id_number for r in rows} == {"P000", "P100", "P200"}
    text = manifest.manifest_csv(rows, with_id=True).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "#,Name,Organisation,Country,Phone,ID number,Bus,Group"
    assert any(
        "Zoë Ngoné Okafor,Kenya Leather Cluster,Kenya,+91 9800000000,P000,Coach" in line
        for line in lines
    )
    assert "ID number" not in manifest.manifest_csv(rows, with_id=False).decode("utf-8-sig")
    one_bus = services.manifest_rows(visit, visit.buses[0])
    assert len(one_bus) == 2 and {r.bus for r in one_bus} == {"Coach 1"}
    pdf = manifest.manifest_pdf(
        rows,
        with_id=True,
        title="Footwear of Agra — passenger manifest",
        subtitle="Coach 1",
        requirements=visit.requirements,
    )
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    path = tmp_path / "m.pdf"
    path.write_bytes(pdf)
    extracted = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Footwear of Agra",
        "Zoë Ngoné Okafor",
        "P100",
        "Passport at the gate",
        "3 passengers",
        "ID number",
    ):
        assert expected in extracted


def test_ics_and_personal_entries(app, event, now):
    visit = make_visit(event, meeting_point="Gate 2", cluster_location="Meerut")
    reg = delegates(event, 1)[0]
    services.signup(event, visit, reg, now=now)
    cal = icalendar.Calendar.from_ical(ical.visit_ics_bytes(event, visit))
    vevent = next(c for c in cal.walk("VEVENT"))
    assert str(vevent["SUMMARY"]) == f"Visit: {visit.title}"
    assert str(vevent["STATUS"]) == "CONFIRMED" and int(vevent["SEQUENCE"]) == 0
    assert str(vevent["LOCATION"]) == "Gate 2 (to Meerut)"
    assert vevent.decoded("DTSTART") == visit.departs_at
    ical.register_personal()
    entries = [e for e in personal.personal_entries(event, reg) if e.kind == "visit"]
    assert len(entries) == 1 and entries[0].detail == "Seat confirmed"
    services.cancel(event, visit, reg, now=now)
    assert [e for e in personal.personal_entries(event, reg) if e.kind == "visit"] == []


def test_demo_seed(event, now):
    from confapp.visits.demo import seed_visits

    regs = delegates(event, 40)
    visits = seed_visits(event, regs, now)
    assert 4 <= len(visits) <= 6
    assert all(v.buses for v in visits)
    pools = db.session.scalars(
        sa.select(CapacityPool).where(CapacityPool.id.in_([v.capacity_pool_id for v in visits]))
    )
    assert all(p.taken <= p.capacity for p in pools)
    counts = services.counts(event)
    assert sum(c.get(SeatStatus.WAITLISTED, 0) for c in counts.values()) > 0
    # One visit per delegate and day.
    rows = db.session.execute(
        sa.select(VisitSignup.registration_id, Visit.departs_at)
        .join(Visit)
        .where(VisitSignup.status != SeatStatus.CANCELLED)
    ).all()
    days = [(r, event.local(d).date()) for r, d in rows]
    assert len(days) == len(set(days))


def test_seats_given_up_are_named_in_the_readers_language(event, now):
    """A delegate cancelling reads the visits they give up under their own language's titles."""
    from confapp.i18n import force_language

    visit = make_visit(event, "Auto components at Manesar")
    visit.title_i18n = {"fr": "Composants automobiles à Manesar"}
    (person,) = delegates(event, 1)
    services.signup(event, visit, person, now=now)
    with force_language("fr"):
        (said,) = services.describe_seats_of(person, now=now)
    assert "Composants automobiles à Manesar" in said
    with force_language("en"):
        (said,) = services.describe_seats_of(person, now=now)
    assert "Auto components at Manesar" in said
