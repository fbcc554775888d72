"""Registering again after cancelling: the same row goes back through the normal rules."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.checkin import door as checkin_door
from confapp.checkin import services as checkin
from confapp.checkin.models import ScanResult
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.registration import services
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_staff


@pytest.fixture
def ctx(app):
    """Services build absolute links for e-mails, so they run inside a request context."""
    with app.test_request_context():
        yield app


def again(reg, now, **details):
    data = {"full_name": reg.full_name, "country": "BR", "organisation": "New Org"}
    data.update(details)
    return services.register(
        reg.event,
        user=reg.user,
        data=data,
        category="delegate",
        source=RegistrationSource.WEB,
        now=now,
    )


def scan(event, token, scan_id, now):
    checkpoint = checkin.resolve_checkpoint(event, None, None)
    staff = make_staff(event, f"door-{scan_id}@example.org")
    return checkin_door.check_in(
        event,
        token=token,
        checkpoint=checkpoint,
        scan_id=scan_id,
        scanned_at=now,
        actor=staff,
        now=now,
    ).result


def test_cancel_then_register_again_confirms_the_same_row_and_revokes_the_old_badge(
    ctx, now, outbox
):
    event = make_event(capacity=2)
    reg = make_registration(event, "back@example.org", now=now)
    db.session.commit()
    old_token = checkin.badge_token(reg)
    services.cancel(reg, actor=reg.user, now=now)
    db.session.commit()
    assert event.pool.taken == 0
    later = now + dt.timedelta(days=1)
    result = again(reg, later)
    db.session.commit()
    assert result.id == reg.id and result.status is S.CONFIRMED
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    assert (reg.country, reg.organisation, reg.badge_serial, reg.status_changed_at) == (
        "BR",
        "New Org",
        2,
        later,
    )
    assert event.pool.taken == 1
    assert scan(event, old_token, "old", later) is ScanResult.REVOKED
    assert scan(event, checkin.badge_token(reg), "new", later) is ScanResult.OK
    subjects = [m["Subject"].strip() for m in outbox.to("back@example.org")]
    assert subjects[-1].startswith("Registration confirmed")


def test_returning_delegate_joins_the_back_of_the_waiting_list(ctx, now):
    event = make_event(capacity=1)
    first, second, third = (
        make_registration(event, f"w{i}@example.org", now=now) for i in range(3)
    )
    db.session.commit()
    assert services.cancel(first, actor=first.user, now=now) == [second]
    db.session.commit()
    assert again(first, now + dt.timedelta(hours=1)).status is S.WAITLISTED
    db.session.commit()
    # The old row keeps its low id but not its old place in line.
    assert [services.waitlist_position(r) for r in (third, first)] == [1, 2]
    assert services.cancel(second, actor=second.user, now=now + dt.timedelta(hours=2)) == [third]
    db.session.commit()
    assert (first.status, third.status, event.pool.taken) == (S.WAITLISTED, S.CONFIRMED, 1)
    assert services.waitlist_position(first) == 1


def test_register_again_needs_approval_where_the_event_does(ctx, now):
    event = make_event(requires_approval=True)
    organiser = make_staff(event, "org@example.org")
    reg = make_registration(event, "ask@example.org", now=now)
    services.approve(reg, actor=organiser, now=now)
    services.cancel(reg, actor=reg.user, now=now)
    db.session.commit()
    assert again(reg, now).status is S.PENDING
    assert event.pool.taken == 0


def test_rejected_and_active_registrations_are_still_refused(ctx, now):
    event = make_event()
    organiser = make_staff(event, "org@example.org")
    turned_down = make_registration(event, "no@example.org", now=now)
    services.reject(turned_down, actor=organiser, now=now)
    active = make_registration(event, "yes@example.org", now=now)
    db.session.commit()
    with pytest.raises(DomainError, match="did not accept your registration"):
        again(turned_down, now)
    with pytest.raises(DomainError, match="already registered"):
        again(active, now)
    db.session.rollback()
    assert (turned_down.status, turned_down.badge_serial, event.pool.taken) == (S.REJECTED, 1, 1)
