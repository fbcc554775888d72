"""Repeats are no-ops (issue 16): an edit decided on a row read before another request
committed the same edit reads it again under its lock and changes (and logs) nothing; a
removal repeated after the row is gone does nothing; a password reset asked again soon
e-mails nothing new. The walker in tests/web/test_double_submit.py checks the same with
five real concurrent requests; these hold each rule without a server."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from confapp.accounts import services as accounts
from confapp.accounts import team
from confapp.accounts.models import EventRole
from confapp.accounts.models import EventRoleKind
from confapp.agenda import rooms
from confapp.db import lock_and_reread
from confapp.eventlog import services as eventlog
from confapp.extensions import db
from confapp.mail.models import OutboxMessage
from confapp.registration import services as registration
from confapp.registration.models import Registration
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user


def _logged(event, action):
    recorder = eventlog.Recorder(event_id=event.id, actor=None, actor_role="x", kind="t.edit")
    with recorder:
        action()
        return recorder.finish()


def _committed_meanwhile(table, row_id: int, **values) -> None:
    """Another request's identical edit, committed after this one read the row: a Core
    UPDATE leaves the loaded object's attributes as they were (stale)."""
    db.session.execute(sa.update(table).where(table.c.id == row_id).values(**values))


def test_lock_and_reread_sees_the_committed_row_and_a_deleted_one(app_ctx):
    event = make_event()
    reg = make_confirmed_registration(event, "ana@example.org", organisation="Old")
    db.session.commit()
    _committed_meanwhile(Registration.__table__, reg.id, organisation="New")
    assert reg.organisation == "Old"  # stale
    assert lock_and_reread(reg) is True and reg.organisation == "New"
    db.session.commit()
    db.session.execute(sa.delete(Registration.__table__).where(Registration.id == reg.id))
    assert lock_and_reread(reg) is False


def test_an_identical_details_edit_repeated_logs_nothing(app_ctx, now):
    event = make_event()
    reg = make_confirmed_registration(event, "ana@example.org", organisation="Old")
    db.session.commit()
    _committed_meanwhile(Registration.__table__, reg.id, organisation="New")
    data = {name: getattr(reg, name) for name in ("full_name", "country", "job_title")}
    data["organisation"] = "New"
    entry = _logged(event, lambda: registration.update_details(reg, data, now))
    assert entry is None  # the first request logged it; this repeat changes nothing


def test_an_identical_organiser_edit_repeated_logs_nothing(app_ctx, now):
    event = make_event()
    organiser = make_staff(event, "org@example.org")
    reg = make_confirmed_registration(event, "ana@example.org")
    db.session.commit()
    _committed_meanwhile(Registration.__table__, reg.id, notes="VIP", category="speaker")

    def edit():
        registration.organiser_update(
            reg, category="speaker", notes="VIP", actor=organiser, now=now
        )

    assert _logged(event, edit) is None


def test_an_identical_room_edit_repeated_logs_nothing(app_ctx, now):
    event = make_event()
    room = rooms.create_room(event, name="Hall A", capacity=100)
    db.session.commit()
    _committed_meanwhile(type(room).__table__, room.id, capacity=120)

    def edit():
        rooms.update_room(event, room, name="Hall A", capacity=120, location="", now=now)

    assert _logged(event, edit) is None


def test_a_repeated_team_removal_does_nothing(app_ctx):
    event = make_event()
    make_staff(event, "org@example.org")
    staff = make_user("scan@example.org")
    grant = team.grant_role(staff, event, EventRoleKind.STAFF)
    db.session.commit()
    db.session.execute(sa.delete(EventRole.__table__).where(EventRole.id == grant.id))

    assert _logged(event, lambda: team.remove_role(grant)) is None


def _resets(email: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient == email)
    )


def test_a_reset_asked_again_soon_sends_nothing_new(app):
    with app.test_request_context():
        user = make_user("ana@example.org", password="a-long-password-1")
        db.session.commit()
        start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        assert accounts.request_password_reset("ana@example.org", start, 600) is True
        db.session.commit()
        later = start + dt.timedelta(minutes=5)
        assert accounts.request_password_reset("Ana@example.org", later, 600) is False
        db.session.commit()
        assert _resets("ana@example.org") == 1  # the first link still works
        much_later = start + dt.timedelta(minutes=11)
        assert accounts.request_password_reset("ana@example.org", much_later, 600) is True
        db.session.commit()
        assert _resets("ana@example.org") == 2
        # A new password kills the link that was sent: the next request sends another.
        accounts.reset_password(user, "another-long-password", much_later)
        db.session.commit()
        assert accounts.request_password_reset("ana@example.org", much_later, 600) is True
        db.session.commit()
        assert _resets("ana@example.org") == 3
