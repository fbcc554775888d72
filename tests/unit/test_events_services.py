"""Event settings, partners and team services."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.accounts import team
from confapp.accounts.models import EventInvitation
from confapp.accounts.models import EventRole
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.errors import ValidationFailed
from confapp.events import services
from confapp.events.models import EventStatus
from confapp.extensions import db
from confapp.registration import services as registration_services
from confapp.registration.models import RegistrationStatus
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_registration
from tests.helpers import make_staff
from tests.helpers import make_user


def test_update_event_stores_local_times_as_utc(app_ctx, now):
    event = make_event(publish=False)
    services.update_event(
        event,
        {
            "title": "New title",
            "timezone": "Africa/Nairobi",
            "registration_opens_at": dt.datetime(2026, 12, 1, 9, 0),
            "registration_closes_at": dt.datetime(2027, 2, 10, 17, 30),
            "edit_deadline": None,
            "status": "published",
            "public_categories": ["delegate", "press"],
            "partners": "UNIDO | Co-organiser\n\nFoundation for MSME Clusters | Organiser | https://msme.example.org",
        },
        now,
    )
    db.session.commit()
    db.session.expire_all()
    assert event.title == "New title"
    assert event.status is EventStatus.PUBLISHED
    # Nairobi is UTC+3.
    assert event.registration_opens_at == dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
    assert event.registration_closes_at == dt.datetime(2027, 2, 10, 14, 30, tzinfo=dt.UTC)
    assert event.public_categories == "delegate,press"
    assert [(p.name, p.role, p.url) for p in event.partners] == [
        ("UNIDO", "Co-organiser", ""),
        ("Foundation for MSME Clusters", "Organiser", "https://msme.example.org"),
    ]
    assert services.to_local_naive(event.registration_opens_at, event) == dt.datetime(
        2026, 12, 1, 9, 0
    )
    assert services.format_partners(event).splitlines()[0] == "UNIDO | Co-organiser"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"ends_on": dt.date(2027, 2, 1)}, "ends_on"),
        ({"country": "XX"}, "country"),
        ({"capacity": -1}, "capacity"),
        ({"partners": "A | B | C | D"}, "partners"),
        ({"partners": "A | B | javascript:alert(1)"}, "partners"),
        ({"title": "  "}, "title"),
        (
            {
                "registration_opens_at": dt.datetime(2027, 1, 2, 9, 0),
                "registration_closes_at": dt.datetime(2027, 1, 1, 9, 0),
            },
            "registration_closes_at",
        ),
    ],
)
def test_update_event_refuses_bad_values(app_ctx, now, data, field):
    event = make_event()
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        services.update_event(event, data, now)
    assert err.value.field == field


def test_capacity_cannot_go_below_seats_taken(app_ctx, now):
    event = make_event(capacity=3)
    make_confirmed_registration(event, "a@example.org")
    make_confirmed_registration(event, "b@example.org")
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        services.update_event(event, {"capacity": 1, "title": "Changed"}, now)
    assert err.value.field == "capacity"
    db.session.rollback()
    assert event.pool.capacity == 3 and event.capacity == 3
    assert event.title != "Changed"
    services.update_event(event, {"capacity": 2}, now)
    assert event.pool.capacity == 2 and event.capacity == 2


def test_capacity_rise_promotes_the_waiting_list(app, now):
    with app.test_request_context():
        event = make_event(capacity=1)
        first = make_registration(event, "first@example.org", now=now)
        second = make_registration(event, "second@example.org", now=now)
        third = make_registration(event, "third@example.org", now=now)
        assert second.status is RegistrationStatus.WAITLISTED
        promoted = registration_services.change_settings(event, {"capacity": 2}, now)
        assert promoted == [second]
        assert first.status is RegistrationStatus.CONFIRMED
        assert second.status is RegistrationStatus.CONFIRMED
        assert third.status is RegistrationStatus.WAITLISTED
        promoted = registration_services.change_settings(event, {"capacity": None}, now)
        assert promoted == [third]
        assert event.pool.seats_left is None


def test_capacity_rise_calls_fill_from_waitlist(app_ctx, now, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "confapp.registration.states.fill_from_waitlist",
        lambda event, now: calls.append((event.slug, now)) or [],
    )
    event = make_event(capacity=5)
    assert services.update_event(event, {"capacity": 4}, now) is False
    registration_services.change_settings(event, {"capacity": 4}, now)
    registration_services.change_settings(event, {"capacity": 4, "title": "Same capacity"}, now)
    assert calls == []
    registration_services.change_settings(event, {"capacity": 10}, now)
    assert calls == [("cdc", now)]


def test_add_team_member_invites_unproved_addresses(app, outbox, now):
    with app.test_request_context():
        event = make_event()
        invitation = team.add_team_member(
            event, "New@Example.org", EventRoleKind.STAFF, full_name="Nia New", actor=None, now=now
        )
        db.session.commit()
        assert isinstance(invitation, EventInvitation) and invitation.email == "new@example.org"
        assert team.pending_invitations(event, now) == [invitation]
        assert db.session.scalar(sa.select(User).where(User.email == "new@example.org")) is None
        unconfirmed = make_user("late@example.org", verified=False)
        assert isinstance(
            team.add_team_member(
                event, "late@example.org", EventRoleKind.STAFF, actor=None, now=now
            ),
            EventInvitation,
        )
        assert unconfirmed.roles == []
        existing = make_user("old@example.org")
        grant = team.add_team_member(
            event, "old@example.org", EventRoleKind.ORGANISER, actor=None, now=now
        )
        db.session.commit()
        assert isinstance(grant, EventRole) and grant.user is existing
        with pytest.raises(ValidationFailed):
            team.add_team_member(
                event, "OLD@example.org", EventRoleKind.ORGANISER, actor=None, now=now
            )
    [message] = outbox.to("new@example.org")
    assert "invites you" in outbox.body(message) or "invited" in outbox.body(message)
    assert any("/invitations/" in link for link in outbox.links(message))
    [notice] = outbox.to("old@example.org")
    assert "You are now an organiser" in notice["Subject"]


def test_remove_role_keeps_one_organiser(app_ctx):
    event = make_event()
    organiser = make_staff(event, "org@example.org")
    staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
    org_role = organiser.roles[0]
    with pytest.raises(ValidationFailed):
        team.remove_role(org_role)
    team.remove_role(staff.roles[0])
    remaining = db.session.scalars(
        sa.select(EventRole.user_id).where(EventRole.event_id == event.id)
    ).all()
    assert remaining == [organiser.id]
    assert db.session.get(User, staff.id) is not None


def test_passport_data_kept_until_cannot_fall_before_the_event_ends(app_ctx):
    event = make_event(slug="keep")
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with pytest.raises(ValidationFailed) as refused:
        services.update_event(
            event, {"passport_data_kept_until": event.ends_on - dt.timedelta(days=1)}, now
        )
    assert refused.value.field == "passport_data_kept_until"
    assert event.passport_data_kept_until is None
    later = event.ends_on + dt.timedelta(days=30)
    services.update_event(event, {"passport_data_kept_until": later}, now)
    assert event.passport_data_kept_until == later
