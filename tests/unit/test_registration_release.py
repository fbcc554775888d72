"""A cancelled or rejected registration gives its workshop and bus seats to the next in line."""

from __future__ import annotations

import pytest

from confapp.agenda import services as agenda
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.extensions import db
from confapp.registration import services
from confapp.visits import services as visits
from tests.helpers import local_time
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_visit


@pytest.fixture
def ctx(app):
    """Services build absolute links for e-mails, so they run inside a request context."""
    with app.test_request_context():
        yield app


def _workshop(event, now, day=0):
    return agenda.create_session(
        event,
        agenda.SessionData(
            title=f"Workshop day {day}",
            kind=SessionKind.PARALLEL,
            starts_at=local_time(event, day, "10:00"),
            ends_at=local_time(event, day, "11:00"),
            seat_limit=1,
        ),
        now=now,
    )


@pytest.mark.parametrize("how", ["cancel", "reject"])
def test_leaving_the_event_releases_seats_and_promotes_the_next(ctx, now, outbox, how):
    event = make_event()
    organiser = make_staff(event, "org@example.org")
    _, leaver = make_delegate(event, "leaver@example.org")
    _, waiting = make_delegate(event, "waiting@example.org")
    workshop = _workshop(event, now)
    visit = make_visit(event, buses=(("Bus 1", 1),), now=now)
    for reg in (leaver, waiting):
        agenda.signup(event, workshop, reg, now=now)
        visits.signup(event, visit, reg, now=now)
    db.session.commit()
    assert agenda.get_signup(workshop, waiting).status is SeatStatus.WAITLISTED
    assert visits.get_signup(visit, waiting).status is SeatStatus.WAITLISTED

    if how == "cancel":
        services.cancel(leaver, actor=leaver.user, now=now)
    else:
        services.reject(leaver, actor=organiser, now=now)
    db.session.commit()

    assert agenda.get_signup(workshop, leaver).status is SeatStatus.CANCELLED
    assert visits.get_signup(visit, leaver).status is SeatStatus.CANCELLED
    assert agenda.get_signup(workshop, waiting).status is SeatStatus.CONFIRMED
    assert visits.get_signup(visit, waiting).status is SeatStatus.CONFIRMED
    assert workshop.pool.taken == 1 and visit.pool.taken == 1
    subjects = [m["Subject"] for m in outbox.to("waiting@example.org")]
    assert any(workshop.title in s for s in subjects) and any(visit.title in s for s in subjects)
