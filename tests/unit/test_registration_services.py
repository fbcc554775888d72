"""Registration services without HTTP: status, waiting list, approval, edits, search, export."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.capacity import services as capacity
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.registration import services
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationSource
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_staff
from tests.helpers import make_user


@pytest.fixture
def ctx(app):
    """Services build absolute links for e-mails, so they run inside a request context."""
    with app.test_request_context():
        yield app


def _commit():
    db.session.commit()


def test_register_confirms_then_waitlists_in_order(ctx, now, outbox):
    event = make_event(capacity=2)
    regs = [make_registration(event, f"p{i}@example.org", now=now) for i in range(4)]
    _commit()
    assert [r.status for r in regs] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert [services.waitlist_position(r) for r in regs] == [None, None, 1, 2]
    assert event.pool.taken == 2
    waiting = outbox.to("p3@example.org")
    assert len(waiting) == 1
    assert "waiting list" in waiting[0]["Subject"]
    assert "position 2" in outbox.body(waiting[0])
    confirmed = outbox.to("p0@example.org")[0]
    assert confirmed["Subject"].strip().startswith("Registration confirmed")


def test_confirmation_mail_carries_verification_link_for_unverified_user(ctx, now, outbox):
    event = make_event()
    user = make_user("new@example.org", verified=False)
    services.register(
        event,
        user=user,
        data={"full_name": "New", "country": "BR"},
        category="delegate",
        source=RegistrationSource.WEB,
        now=now,
    )
    _commit()
    body = outbox.body(outbox.to("new@example.org")[0])
    assert "/verify/" in body
    verified = make_user("old@example.org")
    services.register(
        event,
        user=verified,
        data={"full_name": "Old", "country": "BR"},
        category="delegate",
        source=RegistrationSource.WEB,
        now=now,
    )
    _commit()
    assert "/verify/" not in outbox.body(outbox.to("old@example.org")[0])


def test_cancel_promotes_first_in_line_and_mails_them(ctx, now, outbox):
    event = make_event(capacity=1)
    first = make_registration(event, "first@example.org", now=now)
    second = make_registration(event, "second@example.org", now=now)
    third = make_registration(event, "third@example.org", now=now)
    _commit()
    promoted = services.cancel(first, actor=first.user, now=now)
    _commit()
    assert promoted == [second]
    assert first.status is S.CANCELLED
    assert second.status is S.CONFIRMED
    assert third.status is S.WAITLISTED
    assert services.waitlist_position(third) == 1
    assert event.pool.taken == 1
    subjects = [m["Subject"].strip() for m in outbox.to("second@example.org")]
    assert any(s.startswith("You have a place") for s in subjects)
    with pytest.raises(DomainError):
        services.cancel(first, actor=first.user, now=now)


def test_cancel_waitlisted_keeps_seat_count(ctx, now):
    event = make_event(capacity=1)
    make_registration(event, "a@example.org", now=now)
    waiting = make_registration(event, "b@example.org", now=now)
    assert services.cancel(waiting, actor=None, now=now) == []
    assert waiting.status is S.CANCELLED
    assert event.pool.taken == 1


def test_capacity_rise_fills_from_waitlist(ctx, now, outbox):
    event = make_event(capacity=1)
    regs = [make_registration(event, f"w{i}@example.org", now=now) for i in range(4)]
    capacity.set_capacity(event.pool, 3)
    promoted = services.fill_from_waitlist(event, now)
    _commit()
    assert promoted == regs[1:3]
    assert regs[3].status is S.WAITLISTED
    assert event.pool.taken == 3
    assert any("You have a place" in m["Subject"] for m in outbox.to("w2@example.org"))


def test_approval_flow(ctx, now, outbox):
    event = make_event(capacity=1, requires_approval=True)
    organiser = make_staff(event, "org@example.org")
    a = make_registration(event, "a@example.org", now=now)
    b = make_registration(event, "b@example.org", now=now)
    c = make_registration(event, "c@example.org", now=now)
    _commit()
    assert (a.status, b.status, event.pool.taken) == (S.PENDING, S.PENDING, 0)
    assert "awaiting approval" in outbox.to("a@example.org")[0]["Subject"]
    services.approve(a, actor=organiser, now=now)
    services.approve(b, actor=organiser, now=now)
    services.reject(c, actor=organiser, now=now)
    _commit()
    assert (a.status, b.status, c.status) == (S.CONFIRMED, S.WAITLISTED, S.REJECTED)
    assert a.decided_by_id == organiser.id
    assert event.pool.taken == 1
    assert any("not accepted" in m["Subject"] for m in outbox.to("c@example.org"))
    with pytest.raises(DomainError, match="Only pending"):
        services.approve(a, actor=organiser, now=now)
    # Rejecting a confirmed delegate frees the seat for the waiting list.
    assert services.reject(a, actor=organiser, now=now) == [b]
    assert b.status is S.CONFIRMED


def test_one_registration_per_person(ctx, now):
    event = make_event()
    reg = make_registration(event, "a@example.org", now=now)
    with pytest.raises(DomainError, match="already registered"):
        services.register(
            event,
            user=reg.user,
            data={"full_name": "A", "country": "IN"},
            category="delegate",
            source=RegistrationSource.WEB,
            now=now,
        )


def test_database_refuses_a_second_registration(ctx, now):
    event = make_event()
    reg = make_registration(event, "a@example.org", now=now)
    db.session.add(
        Registration(
            event=event,
            user=reg.user,
            email=reg.email,
            status=S.PENDING,
            full_name="Again",
            country="IN",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"registration_closes_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)}, "closed"),
        ({"registration_opens_at": dt.datetime(2026, 12, 24, tzinfo=dt.UTC)}, "not opened"),
        ({"publish": False}, "not published"),
    ],
)
def test_public_registration_refused_outside_window(ctx, now, overrides, message):
    event = make_event(**overrides)
    user = make_user()
    with pytest.raises(DomainError, match=message):
        services.register(
            event,
            user=user,
            data={"full_name": "A", "country": "IN"},
            category="delegate",
            source=RegistrationSource.WEB,
            now=now,
        )
    # Organisers may still add people by hand.
    reg = services.register(
        event,
        user=user,
        data={"full_name": "A", "country": "IN"},
        category="delegate",
        source=RegistrationSource.MANUAL,
        now=now,
    )
    assert reg.status is S.CONFIRMED


def test_category_must_be_public_for_web_registrations(ctx, now):
    event = make_event(public_categories="delegate")
    with pytest.raises(ValidationFailed) as info:
        services.register(
            event,
            user=make_user(),
            data={"full_name": "A", "country": "IN"},
            category="sponsor",
            source=RegistrationSource.WEB,
            now=now,
        )
    assert info.value.field == "category"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"full_name": "", "country": "IN"}, "full_name"),
        ({"full_name": "x" * 201, "country": "IN"}, "full_name"),
        ({"full_name": "A", "country": "XX"}, "country"),
        ({"full_name": "A", "country": "IN", "sector": "mining"}, "sector"),
        ({"full_name": "A", "country": "IN", "interests": ["golf"]}, "interests"),
        ({"full_name": "A", "country": "IN", "organisation_type": "cult"}, "organisation_type"),
    ],
)
def test_clean_details_names_the_bad_field(data, field):
    with pytest.raises(ValidationFailed) as info:
        services.clean_details(data)
    assert info.value.field == field


def test_update_details_until_deadline(ctx, now):
    event = make_event(edit_deadline=now + dt.timedelta(days=1))
    reg = make_registration(event, now=now)
    services.update_details(
        reg, {"full_name": "Ana New", "country": "GH", "interests": ["finance"]}, now
    )
    assert (reg.full_name, reg.country, reg.interests) == ("Ana New", "GH", ["finance"])
    with pytest.raises(DomainError, match="deadline"):
        services.update_details(
            reg, {"full_name": "Late", "country": "GH"}, now + dt.timedelta(days=2)
        )
    assert reg.full_name == "Ana New"


def test_search_filters_and_text(ctx, now):
    event = make_event()
    other = make_event("other")
    make_registration(event, "ana@example.org", full_name="Ana Silva", country="BR", now=now)
    make_registration(
        event,
        "raj@example.org",
        full_name="Raj Kumar",
        country="IN",
        organisation="100%_Cluster",
        now=now,
    )
    make_registration(
        event, "li@example.org", full_name="Li Wei", country="CN", sector="services", now=now
    )
    make_registration(other, "ana2@example.org", full_name="Ana Other", country="BR", now=now)

    def names(**args):
        page = services.search_registrations(event, services.Filters.from_args(args))
        return sorted(r.full_name for r in page.items), page.total

    assert names() == (["Ana Silva", "Li Wei", "Raj Kumar"], 3)
    assert names(q="ANA") == (["Ana Silva"], 1)
    assert names(q="%_") == (["Raj Kumar"], 1)
    assert names(country="br") == (["Ana Silva"], 1)
    assert names(sector="services") == (["Li Wei"], 1)
    assert names(status="confirmed", country="ZZ", sector="bogus")[1] == 3
    page = services.search_registrations(event, None, page=2, per_page=2)
    assert (len(page.items), page.pages, page.page) == (1, 2, 2)


def test_export_rows_honour_filters(ctx, now):
    event = make_event()
    make_registration(
        event,
        "a@example.org",
        full_name="A",
        country="BR",
        interests=["finance", "innovation"],
        now=now,
    )
    make_registration(event, "b@example.org", full_name="B", country="IN", now=now)
    header, rows = services.export_rows(event, services.Filters.from_args({"country": "BR"}))
    assert header[0] == "id" and "email" in header
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["email"] == "a@example.org"
    assert row["interests"] == "innovation;finance"
    assert row["country_name"] == "Brazil"
    assert not any("passport" in column for column in header)


def test_bulk_skips_rows_in_the_wrong_state(ctx, now):
    event = make_event(requires_approval=True)
    organiser = make_staff(event, "org@example.org")
    a = make_registration(event, "a@example.org", now=now)
    b = make_registration(event, "b@example.org", now=now)
    services.approve(a, actor=organiser, now=now)
    done, skipped = services.apply_bulk(
        event, "approve", [a.id, b.id, 9999], actor=organiser, now=now
    )
    assert done == 1
    assert len(skipped) == 2
    assert b.status is S.CONFIRMED
    with pytest.raises(ValidationFailed):
        services.apply_bulk(event, "delete", [a.id], actor=organiser, now=now)
