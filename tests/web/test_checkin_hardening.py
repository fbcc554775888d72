"""Check-in hardening (issue 16 #10, #11): a scan_id reused for another badge is a
conflict the scanner shows, and a scan dated outside the event is refused."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.checkin import services as checkin_services
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.events.models import Event
from confapp.extensions import db
from tests.helpers import make_confirmed_registration
from tests.helpers import make_door


@pytest.fixture
def door(app):
    values = make_door(app)
    with app.app_context():
        event = db.session.get(Event, values["event_id"])
        raj = make_confirmed_registration(event, "raj@example.org", full_name="Raj Example")
        db.session.commit()
        values["other_badge"] = checkin_services.badge_token(raj)
        values["other_reg_id"] = raj.id
    return values


def _scan(client, door, **body):
    return client.post(
        "/api/v1/events/cdc/checkins",
        json={"session_id": None, "visit_id": None, "scanned_at": None, **body},
        headers={"Authorization": f"Bearer {door['bearer']}"},
    )


def _checked_in(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Attendance.registration_id)))


def test_a_scan_id_reused_for_another_badge_is_a_conflict(app, client, door):
    first = _scan(client, door, token=door["badge"], scan_id="dup-1")
    assert first.status_code == 200 and first.get_json()["result"] == "ok"
    # The same scan_id with another person's badge: not a resend of the first scan.
    reused = _scan(client, door, token=door["other_badge"], scan_id="dup-1")
    assert reused.status_code == 409
    assert reused.get_json()["error"] == "scan_id_conflict"
    assert "dup-1" in reused.get_json()["message"]
    assert "Ana" not in reused.get_data(as_text=True)  # never the first person's answer
    assert _checked_in(app) == {door["reg_id"]}
    # A true resend is still one scan, and the second badge goes in with a fresh id.
    again = _scan(client, door, token=door["badge"], scan_id="dup-1")
    assert again.status_code == 200 and again.get_json()["replayed"]
    fresh = _scan(client, door, token=door["other_badge"], scan_id="dup-2")
    assert fresh.get_json()["result"] == "ok"
    assert _checked_in(app) == {door["reg_id"], door["other_reg_id"]}


def test_a_scan_id_reused_at_another_checkpoint_is_a_conflict(app, client, door):
    from confapp.agenda.models import ProgrammeSession
    from tests.helpers import local_time

    with app.app_context():
        event = db.session.get(Event, door["event_id"])
        session = ProgrammeSession(
            event_id=event.id,
            title="Plenary",
            starts_at=local_time(event, 0, "09:00"),
            ends_at=local_time(event, 0, "10:00"),
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    assert _scan(client, door, token=door["badge"], scan_id="s-1").status_code == 200
    moved = _scan(client, door, token=door["badge"], scan_id="s-1", session_id=session_id)
    assert moved.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 1


DURING = dt.datetime(2027, 2, 21, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("when", "now"),
    [
        ("1970-01-01T00:00:00Z", DURING),
        ("2027-02-18T12:00:00Z", DURING),  # two days before the first day
        # Two days after the last, synced a week later (the future is clamped to now).
        ("2027-02-24T12:00:00Z", dt.datetime(2027, 3, 1, tzinfo=dt.UTC)),
    ],
)
def test_a_scan_dated_outside_the_event_is_refused(app, client, door, monkeypatch, when, now):
    monkeypatch.setattr("confapp.checkin.api.utcnow", lambda: now)
    refused = _scan(client, door, token=door["badge"], scan_id="old", scanned_at=when)
    assert refused.status_code == 422
    assert "scanned_at" in refused.get_json()["message"]
    assert _checked_in(app) == set()


def test_scans_within_the_event_and_its_margin_count(app, client, door, monkeypatch):
    monkeypatch.setattr("confapp.checkin.api.utcnow", lambda: DURING)
    # The evening before the first day (Asia/Kolkata) is within the margin.
    early = _scan(client, door, token=door["badge"], scan_id="e", scanned_at="2027-02-19T13:00:00Z")
    assert early.status_code == 200
    assert early.get_json()["first_scanned_at"] == "2027-02-19T13:00:00Z"


def test_a_live_scan_counts_before_the_event(app, client, door):
    """Staff try the scanners before the event: a scan dated now always counts."""
    now = dt.datetime.now(dt.UTC).isoformat()
    live = _scan(client, door, token=door["badge"], scan_id="try", scanned_at=now)
    assert live.status_code == 200 and live.get_json()["result"] == "ok"
