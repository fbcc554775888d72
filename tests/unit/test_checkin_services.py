"""Badge tokens and the check-in service: every result code, idempotency, races."""

from __future__ import annotations

import base64
import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.badges import tokens
from confapp.capacity.models import CapacityPool
from confapp.checkin import answers
from confapp.checkin import door
from confapp.checkin import reports
from confapp.checkin import services
from confapp.checkin.models import MEETINGS_AREA
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.checkin.models import ScanResult
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from tests.helpers import local_time
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff

KEY = "testing-secret-key"


def test_token_round_trip_is_short_and_opaque():
    token = tokens.issue(KEY, 7, 12345, 3)
    assert len(token) == tokens.TOKEN_LENGTH == 120
    assert token.isalnum() and token.isupper()  # QR alphanumeric mode
    claim = tokens.verify(KEY, token, 7)
    assert claim == tokens.BadgeClaim(7, 12345, 3)
    # Lower case and spaces (keyboard wedges, typing) are accepted.
    assert tokens.verify(KEY, " " + token.lower() + "\n", 7) == claim


def test_keys_are_per_event_and_per_secret():
    assert tokens.public_key_bytes(KEY, 1) != tokens.public_key_bytes(KEY, 2)
    assert tokens.public_key_bytes(KEY, 1) != tokens.public_key_bytes("other", 1)
    assert tokens.public_key_bytes(KEY, 1) == tokens.public_key_bytes(KEY, 1)
    assert len(base64.urlsafe_b64decode(tokens.public_key_b64(KEY, 1) + "=")) == 32


def _flip(token: str, index: int) -> str:
    raw = bytearray(base64.b32decode(token))
    raw[index] ^= 0x01
    return base64.b32encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda t: _flip(t, 8), id="altered-registration"),
        pytest.param(lambda t: _flip(t, 10), id="altered-serial"),
        pytest.param(lambda t: _flip(t, 40), id="altered-signature"),
        pytest.param(lambda t: tokens.issue("attacker-key", 1, 5, 1), id="forged-with-other-key"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: "garbage!", id="garbage"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(lambda t: t + "A", id="too-long"),
        pytest.param(lambda t: "1" * 120, id="not-base32"),
        # Characters int(..., 32) would take in a number, which must not pass as base32.
        pytest.param(lambda t: t[:60] + "_" + t[61:], id="underscore"),
        pytest.param(lambda t: "+" + t[1:], id="plus-sign"),
        pytest.param(lambda t: t[:60] + "9" + t[61:], id="digit-9"),
        pytest.param(lambda t: t + " " * 400 + "A", id="long-with-spaces"),
        pytest.param(
            lambda t: base64.b32encode(b"\x02" + base64.b32decode(t)[1:]).decode(), id="bad-version"
        ),
    ],
)
def test_bad_tokens_are_invalid(mutate):
    token = tokens.issue(KEY, 1, 5, 1)
    assert tokens.verify(KEY, mutate(token), 1) is tokens.TokenProblem.INVALID


def test_server_check_accepts_exactly_what_the_public_key_accepts():
    """The server re-signs and compares (Ed25519 is deterministic); scanners verify with
    the public key. Both must agree on genuine, altered and foreign-key tokens."""
    import random

    from cryptography.exceptions import InvalidSignature

    public = tokens._public_key(KEY, 1)
    rng = random.Random(7)
    assert tokens.issue(KEY, 1, 5, 1) == tokens.issue(KEY, 1, 5, 1)  # deterministic
    candidates = [
        tokens.issue(KEY, 1, rng.randrange(1, 10**6), rng.randrange(0, 9)) for _ in range(40)
    ]
    candidates += [_flip(t, rng.randrange(0, tokens.TOKEN_SIZE)) for t in candidates]
    candidates += [tokens.issue("another-key", 1, 9, 1)]
    candidates += [_flip(candidates[0], 0)]  # bad version byte: not even decodable
    for token in candidates:
        parts = tokens.decode(token)
        if parts is None:
            assert tokens.verify(KEY, token, 1) is tokens.TokenProblem.INVALID
            continue
        claim, payload, signature = parts
        try:
            public.verify(signature, payload)
            genuine = claim.event_id == 1
        except InvalidSignature:
            genuine = False
        server = tokens.verify(KEY, token, 1)
        assert isinstance(server, tokens.BadgeClaim) is genuine, token


def test_genuine_token_of_another_event_is_wrong_event():
    assert tokens.verify(KEY, tokens.issue(KEY, 2, 5, 1), 1) is tokens.TokenProblem.WRONG_EVENT


# --- service ---------------------------------------------------------------------------


@pytest.fixture
def world(app_ctx, now):
    event = make_event("cdc")
    other = make_event("other")
    staff = make_staff(event, "door@example.org")
    reg = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
    pool = CapacityPool(capacity=10)
    db.session.add(pool)
    db.session.flush()
    workshop = ProgrammeSession(
        event_id=event.id,
        title="Finance workshop",
        starts_at=local_time(event, 0, "10:00"),
        ends_at=local_time(event, 0, "11:00"),
        capacity_pool_id=pool.id,
    )
    plenary = ProgrammeSession(
        event_id=event.id,
        title="Opening plenary",
        starts_at=local_time(event, 0, "09:00"),
        ends_at=local_time(event, 0, "10:00"),
    )
    vpool = CapacityPool(capacity=30)
    db.session.add_all([workshop, plenary, vpool])
    db.session.flush()
    visit = Visit(
        event_id=event.id,
        title="Leather cluster",
        departs_at=local_time(event, 1, "08:00"),
        returns_at=local_time(event, 1, "17:00"),
        capacity_pool_id=vpool.id,
    )
    db.session.add(visit)
    db.session.flush()
    return {
        "event": event,
        "other": other,
        "staff": staff,
        "reg": reg,
        "workshop": workshop,
        "plenary": plenary,
        "visit": visit,
        "now": now,
    }


def _scan(w, token=None, *, session=None, visit=None, scan_id="s1", at=None, now=None):
    event = w["event"]
    checkpoint = services.resolve_checkpoint(
        event, session.id if session else None, visit.id if visit else None
    )
    return door.check_in(
        event,
        token=token if token is not None else services.badge_token(w["reg"]),
        checkpoint=checkpoint,
        scan_id=scan_id,
        scanned_at=at or now or w["now"],
        actor=w["staff"],
        now=now or w["now"],
    )


def test_ok_then_already_checked_in(world):
    first = _scan(world, scan_id="a")
    assert first.result is ScanResult.OK and first.registration.id == world["reg"].id
    assert first.first_scanned_at == world["now"]
    later = _scan(world, scan_id="b", at=world["now"] + dt.timedelta(minutes=5))
    assert later.result is ScanResult.ALREADY_CHECKED_IN
    assert later.first_scanned_at == world["now"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 2


def test_same_scan_id_is_one_scan(world):
    first = _scan(world, scan_id="same")
    again = _scan(world, scan_id="same")
    assert first.result is again.result is ScanResult.OK
    assert again.replayed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1


def test_earliest_scan_wins_when_offline_scans_arrive_late(world):
    # During the event: a scan dated in the past must fall within the event's days.
    during = local_time(world["event"], 0, "09:30")
    _scan(world, scan_id="online", at=during, now=during)
    earlier = during - dt.timedelta(minutes=10)
    late = _scan(world, scan_id="offline", at=earlier, now=during)
    assert late.result is ScanResult.OK and late.conflict
    assert late.first_scanned_at == earlier
    attendance = db.session.scalar(sa.select(Attendance))
    assert attendance.first_scanned_at == earlier


def test_revoked_after_reissue(world):
    old = services.badge_token(world["reg"])
    new = services.reissue_badge(world["reg"])
    assert _scan(world, old, scan_id="old").result is ScanResult.REVOKED
    assert _scan(world, new, scan_id="new").result is ScanResult.OK


def test_a_repeated_reissue_of_the_same_badge_changes_nothing(world):
    """Two confirmations of one "Re-issue badge" (a double-click) issue one new badge."""
    reg = world["reg"]
    shown = reg.badge_serial
    new = services.reissue_badge(reg, replaces=shown)
    assert reg.badge_serial == shown + 1
    again = services.reissue_badge(reg, replaces=shown)  # the same request, repeated
    assert (again, reg.badge_serial) == (new, shown + 1)
    assert _scan(world, new, scan_id="new").result is ScanResult.OK


def test_revoked_even_when_its_signature_was_just_checked(world):
    """Signature checks are cached per token; revocation is not part of that cache."""
    old = services.badge_token(world["reg"])
    assert _scan(world, old, scan_id="before").result is ScanResult.OK
    services.reissue_badge(world["reg"])
    assert _scan(world, old, session=world["plenary"], scan_id="after").result is ScanResult.REVOKED


def test_decoding_matches_the_standard_library():
    import os

    for _ in range(500):
        raw = bytes([tokens.VERSION]) + os.urandom(tokens.TOKEN_SIZE - 1)
        claim, payload, signature = tokens.decode(base64.b32encode(raw).decode())
        assert payload + signature == raw
        assert (claim.event_id, claim.registration_id) == tuple(
            int.from_bytes(raw[a:b]) for a, b in ((1, 5), (5, 9))
        )


def test_a_race_lost_between_reading_and_writing_is_already_checked_in(world):
    """Two scanners read 'not checked in' at once; the one whose insert comes second finds
    the attendance row taken and answers already_checked_in with the winner's time."""
    event, reg = world["event"], world["reg"]
    checkpoint = services.Checkpoint("entrance")
    conn = db.session.connection()
    stale = services.load_holder(conn, event.id, reg.id, checkpoint)
    assert stale.checked_in_at is None
    assert _scan(world, scan_id="winner").result is ScanResult.OK
    later = world["now"] + dt.timedelta(seconds=1)
    loser = services.record_scan(
        conn,
        event.id,
        token=services.badge_token(reg),
        holder=stale,
        checkpoint=checkpoint,
        scan_id="loser",
        scanned_at=later,
        scanner_id=None,
        now=later,
    )
    assert loser.result is ScanResult.ALREADY_CHECKED_IN and loser.conflict
    assert loser.first_scanned_at == world["now"]
    results = dict(db.session.execute(sa.select(Scan.scan_id, Scan.result)).all())
    assert results == {"winner": ScanResult.OK, "loser": ScanResult.ALREADY_CHECKED_IN}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1


def test_serial_never_issued_is_invalid(world):
    reg = world["reg"]
    token = tokens.issue(KEY, reg.event_id, reg.id, reg.badge_serial + 1)
    assert _scan(world, token).result is ScanResult.INVALID_TOKEN


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (RegistrationStatus.CANCELLED, ScanResult.CANCELLED),
        (RegistrationStatus.REJECTED, ScanResult.CANCELLED),
        (RegistrationStatus.PENDING, ScanResult.NOT_REGISTERED),
        (RegistrationStatus.WAITLISTED, ScanResult.NOT_REGISTERED),
    ],
)
def test_registration_status(world, status, expected):
    world["reg"].status = status
    db.session.flush()
    outcome = _scan(world)
    assert outcome.result is expected
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_unknown_registration_is_not_registered(world):
    token = tokens.issue(KEY, world["event"].id, 999999, 1)
    assert _scan(world, token).result is ScanResult.NOT_REGISTERED


def test_invalid_and_wrong_event(world):
    assert _scan(world, "nonsense", scan_id="x").result is ScanResult.INVALID_TOKEN
    other_token = tokens.issue(KEY, world["other"].id, world["reg"].id, 1)
    outcome = _scan(world, other_token, scan_id="y")
    assert outcome.result is ScanResult.WRONG_EVENT and outcome.registration is None


def test_limited_session_needs_confirmed_signup(world):
    workshop, reg = world["workshop"], world["reg"]
    assert _scan(world, session=workshop, scan_id="1").result is ScanResult.NOT_SIGNED_UP
    db.session.add(
        SessionSignup(session_id=workshop.id, registration_id=reg.id, status=SeatStatus.WAITLISTED)
    )
    db.session.flush()
    assert _scan(world, session=workshop, scan_id="2").result is ScanResult.NOT_SIGNED_UP
    signup = db.session.scalar(sa.select(SessionSignup))
    signup.status = SeatStatus.CONFIRMED
    db.session.flush()
    assert _scan(world, session=workshop, scan_id="3").result is ScanResult.OK
    # Open sessions need no sign-up.
    assert _scan(world, session=world["plenary"], scan_id="4").result is ScanResult.OK


def test_visit_needs_confirmed_signup(world):
    visit, reg = world["visit"], world["reg"]
    assert _scan(world, visit=visit, scan_id="1").result is ScanResult.NOT_SIGNED_UP
    db.session.add(
        VisitSignup(visit_id=visit.id, registration_id=reg.id, status=SeatStatus.CONFIRMED)
    )
    db.session.flush()
    assert _scan(world, visit=visit, scan_id="2").result is ScanResult.OK
    assert [r.id for r, _ in reports.attendees(world["event"], f"visit:{visit.id}")] == [reg.id]


def test_checkpoints_are_separate(world):
    assert _scan(world, scan_id="1").result is ScanResult.OK
    assert _scan(world, session=world["plenary"], scan_id="2").result is ScanResult.OK


def test_bad_input_is_refused(world):
    event, other = world["event"], world["other"]
    with pytest.raises(ValidationFailed):
        services.resolve_checkpoint(event, world["plenary"].id, world["visit"].id)
    other_session = ProgrammeSession(
        event_id=other.id,
        title="x",
        starts_at=world["now"],
        ends_at=world["now"] + dt.timedelta(hours=1),
    )
    db.session.add(other_session)
    db.session.flush()
    with pytest.raises(ValidationFailed):
        services.resolve_checkpoint(event, other_session.id, None)
    with pytest.raises(door.ScanRefused, match="scan_id"):
        _scan(world, scan_id="")
    with pytest.raises(door.ScanRefused, match="scan_id"):
        _scan(world, scan_id="x" * 65)
    with pytest.raises(ValidationFailed):
        services.parse_scanned_at("yesterday", world["now"])
    # The future is clamped; naive times are UTC.
    assert services.parse_scanned_at("2099-01-01T00:00:00Z", world["now"]) == world["now"]
    assert services.parse_scanned_at("2026-12-01T08:00:00", world["now"]) == world[
        "now"
    ] - dt.timedelta(hours=1)


def test_certificates_only_for_attendees(world):
    event = world["event"]
    absent = make_confirmed_registration(event, "absent@example.org")
    boarded_only = make_confirmed_registration(event, "bus@example.org")
    db.session.add(
        VisitSignup(
            visit_id=world["visit"].id, registration_id=boarded_only.id, status=SeatStatus.CONFIRMED
        )
    )
    db.session.flush()
    _scan(world, scan_id="1")
    _scan(world, services.badge_token(boarded_only), visit=world["visit"], scan_id="2")
    ids = reports.attended_registration_ids(event)
    assert world["reg"].id in ids
    assert absent.id not in ids and boarded_only.id not in ids
    csv_text = reports.delegate_csv(event).decode("utf-8-sig")
    assert "Ana Example" in csv_text and csv_text.count("\n") == 4


@pytest.mark.postgres
def test_two_scanners_at_once_record_one_checkin(app):
    """Threads on PostgreSQL: many scanners, different scan ids, one attendance."""
    with app.app_context():
        event = make_event("race")
        staff = make_staff(event, "door@example.org")
        reg = make_confirmed_registration(event, "ana@example.org")
        db.session.commit()
        event_id, staff_id, token = event.id, staff.id, services.badge_token(reg)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def scanner(n):
        try:
            with app.app_context():
                from confapp.accounts.models import User
                from confapp.events.models import Event

                ev = db.session.get(Event, event_id)
                actor = db.session.get(User, staff_id)
                barrier.wait()
                now = dt.datetime.now(dt.UTC)
                outcome = door.check_in(
                    ev,
                    token=token,
                    checkpoint=services.Checkpoint("entrance"),
                    scan_id=f"scanner-{n}",
                    scanned_at=now,
                    actor=actor,
                    now=now,
                )
                db.session.commit()
                results.append(outcome.result)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scanner, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results).count(ScanResult.OK) >= 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 8


@pytest.mark.postgres
def test_same_scan_id_from_two_threads_is_one_scan(app):
    with app.app_context():
        event = make_event("race2")
        staff = make_staff(event, "door@example.org")
        reg = make_confirmed_registration(event, "ana@example.org")
        db.session.commit()
        event_id, staff_id, token = event.id, staff.id, services.badge_token(reg)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def scanner():
        try:
            with app.app_context():
                from confapp.accounts.models import User
                from confapp.events.models import Event

                ev = db.session.get(Event, event_id)
                actor = db.session.get(User, staff_id)
                barrier.wait()
                now = dt.datetime.now(dt.UTC)
                outcome = door.check_in(
                    ev,
                    token=token,
                    checkpoint=services.Checkpoint("entrance"),
                    scan_id="resent",
                    scanned_at=now,
                    actor=actor,
                    now=now,
                )
                db.session.commit()
                results.append(outcome.result)
                db.session.remove()
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=scanner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [ScanResult.OK] * 4
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 1


# --- the networking meetings area ------------------------------------------------------


def _area_scan(w, token=None, *, scan_id, at=None, now=None):
    return door.check_in(
        w["event"],
        token=token if token is not None else services.badge_token(w["reg"]),
        checkpoint=services.Checkpoint.for_area(MEETINGS_AREA),
        scan_id=scan_id,
        scanned_at=at or now or w["now"],
        actor=w["staff"],
        now=now or w["now"],
    )


def _area_rows():
    return db.session.execute(
        sa.select(Scan.scan_id, Scan.checkpoint, Scan.area, Scan.result)
        .where(Scan.area.is_not(None))
        .order_by(Scan.id)
    ).all()


def test_meetings_area_is_ok_every_time_and_each_scan_is_a_row(world):
    during = local_time(world["event"], 0, "14:00")
    later = during + dt.timedelta(hours=3)
    answers = [
        _area_scan(world, scan_id=f"m{i}", at=during + dt.timedelta(hours=i), now=later)
        for i in range(3)
    ]
    assert [a.result for a in answers] == [ScanResult.OK] * 3
    assert [a.first_scanned_at for a in answers] == [
        during + dt.timedelta(hours=i) for i in range(3)
    ]
    assert {a.checkpoint for a in answers} == {"area:meetings"}
    assert not any(a.conflict for a in answers)
    assert _area_rows() == [(f"m{i}", "area:meetings", "meetings", ScanResult.OK) for i in range(3)]
    # The area is no door: nobody is checked in anywhere by it.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    # An entrance check-in before does not make the area's scan a repeat either.
    assert _scan(world, scan_id="door").result is ScanResult.OK
    assert _area_scan(world, scan_id="m9").result is ScanResult.OK


def test_meetings_area_resend_is_one_scan(world):
    first = _area_scan(world, scan_id="same")
    again = _area_scan(world, scan_id="same")
    assert first.result is ScanResult.OK and again.result == ScanResult.OK
    assert again.replayed and again.first_scanned_at == first.first_scanned_at
    assert again.registration.id == world["reg"].id
    assert len(_area_rows()) == 1
    # The same scan_id at the entrance is another scan: refused, not silently merged.
    with pytest.raises(door.ScanRefused) as refused:
        _scan(world, scan_id="same")
    assert refused.value.status == 409


def test_meetings_area_refuses_like_the_entrance(world):
    old = services.badge_token(world["reg"])
    services.reissue_badge(world["reg"])
    assert _area_scan(world, old, scan_id="old").result is ScanResult.REVOKED
    assert _area_scan(world, scan_id="new").result is ScanResult.OK
    assert _area_scan(world, "garbage", scan_id="bad").result is ScanResult.INVALID_TOKEN
    foreign = make_confirmed_registration(world["other"], "bo@example.org")
    wrong = _area_scan(world, services.badge_token(foreign), scan_id="foreign")
    assert wrong.result is ScanResult.WRONG_EVENT and wrong.registration is None
    world["reg"].status = RegistrationStatus.CANCELLED
    db.session.flush()
    cancelled = _area_scan(world, scan_id="gone")
    assert cancelled.result is ScanResult.CANCELLED and cancelled.first_scanned_at is None
    assert [row.result for row in _area_rows()] == [
        ScanResult.REVOKED,
        ScanResult.OK,
        ScanResult.INVALID_TOKEN,
        ScanResult.WRONG_EVENT,
        ScanResult.CANCELLED,
    ]


def test_meetings_area_answer_names_the_next_meeting(world):
    from confapp.meetings.models import Meeting
    from confapp.meetings.models import MeetingRequest
    from confapp.meetings.models import MeetingSlot
    from confapp.meetings.models import MeetingTable

    event, reg = world["event"], world["reg"]
    bo = make_confirmed_registration(event, "bo@example.org", full_name="Bo Partner")
    cy = make_confirmed_registration(event, "cy@example.org", full_name="Cy Later")
    slots = [
        MeetingSlot(
            event_id=event.id,
            starts_at=local_time(event, 0, hhmm),
            ends_at=local_time(event, 0, hhmm) + dt.timedelta(minutes=20),
        )
        for hhmm in ("14:00", "15:00")
    ]
    table = MeetingTable(event_id=event.id, name="T7", location="Hall B")
    db.session.add_all([*slots, table])
    db.session.flush()
    for slot, other, status in ((slots[0], bo, "accepted"), (slots[1], cy, "accepted")):
        request = MeetingRequest(
            event_id=event.id, requester_id=other.id, invitee_id=reg.id, status=status
        )
        db.session.add(request)
        db.session.flush()
        db.session.add(
            Meeting(event_id=event.id, request_id=request.id, slot_id=slot.id, table_id=table.id)
        )
    db.session.flush()
    conn = db.session.connection()
    at = local_time(event, 0, "14:05")
    first = services.next_meeting_json(conn, event.id, reg.id, at)
    assert first["with"]["full_name"] == "Bo Partner"
    assert first["table"] == {"name": "T7", "location": "Hall B"}
    assert first["starts_at"] == answers.utc_text(slots[0].starts_at)
    # Once the first slot has ended, the next one; after the last, none.
    later = services.next_meeting_json(conn, event.id, reg.id, local_time(event, 0, "14:20"))
    assert later["with"]["full_name"] == "Cy Later"
    assert services.next_meeting_json(conn, event.id, bo.id, at)["with"]["full_name"] == (
        "Ana Example"
    )
    assert services.next_meeting_json(conn, event.id, reg.id, local_time(event, 0, "16:00")) is None
    # Through the door: the delegate in the answer carries it.
    body = {
        "token": services.badge_token(reg),
        "area": MEETINGS_AREA,
        "scan_id": "next",
        "scanned_at": at.isoformat(),
    }
    answer = door.scan(conn, event.slug, body, user_id=world["staff"].id, now=at).json()
    assert answer["result"] == "ok" and answer["checkpoint"] == "area:meetings"
    assert answer["delegate"]["next_meeting"]["with"]["full_name"] == "Bo Partner"
