"""A state change repeated at once (double click, two tabs) happens once.

Five identical requests race; the holder is read again under the pool's lock, so only the
first one frees or takes a seat. Runs on SQLite (serialised writers) and PostgreSQL
(row locks).
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.capacity.models import CapacityPool
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in

RACERS = 5


def _race(app, user_id: int, path: str, data: dict | None = None) -> list[int]:
    barrier = threading.Barrier(RACERS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def go() -> None:
        try:
            with app.app_context():
                client = app.test_client()
                sign_in(client, db.session.get(User, user_id))
                db.session.remove()
                barrier.wait(timeout=30)
                response = client.post(path, data=data or {})
                db.session.remove()
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return statuses


def _counts(app, slug: str) -> tuple[dict[S, int], int]:
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        rows = db.session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
        taken = db.session.get(CapacityPool, event.capacity_pool_id).taken
        return dict(rows), taken


def test_a_repeated_cancel_frees_one_seat(app, outbox):
    with app.app_context():
        event = make_event("full", capacity=2)
        leaving = make_confirmed_registration(event, "leaving@example.org")
        make_confirmed_registration(event, "staying@example.org")
        for i in range(3):
            user = make_user(f"wait{i}@example.org")
            db.session.add(
                Registration(
                    event=event,
                    user=user,
                    email=user.email,
                    full_name=user.full_name,
                    country="KE",
                    status=S.WAITLISTED,
                )
            )
        db.session.commit()
        user_id = leaving.user_id
    statuses = _race(app, user_id, "/events/full/my-registration/cancel", {"confirmed": "yes"})
    assert all(code == 302 for code in statuses)
    counts, taken = _counts(app, "full")
    assert counts[S.CONFIRMED] == 2 == taken
    assert counts[S.WAITLISTED] == 2 and counts[S.CANCELLED] == 1
    assert len(outbox.to("leaving@example.org")) == 1  # one cancellation e-mail


def test_a_repeated_approve_takes_one_seat(app, outbox):
    with app.app_context():
        event = make_event("approval", capacity=5, requires_approval=True)
        organiser = make_staff(event, "org@example.org", EventRoleKind.ORGANISER)
        user = make_user("pending@example.org")
        reg = Registration(
            event=event,
            user=user,
            email=user.email,
            full_name=user.full_name,
            country="KE",
            status=S.PENDING,
        )
        db.session.add(reg)
        db.session.commit()
        ids = {"organiser": organiser.id, "reg": reg.id}
    _race(
        app,
        ids["organiser"],
        "/events/approval/manage/registrations/bulk",
        {"action": "approve", "ids": str(ids["reg"])},
    )
    counts, taken = _counts(app, "approval")
    assert counts == {S.CONFIRMED: 1} and taken == 1
    assert len(outbox.to("pending@example.org")) == 1
