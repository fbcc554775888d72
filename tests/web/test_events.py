"""Public event pages, the organiser dashboard, settings, team and admin pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from confapp.accounts.models import EventRole
from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.events.models import ClashPolicy
from confapp.events.models import Event
from confapp.events.models import EventPartner
from confapp.events.models import EventStatus
from confapp.extensions import db
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in


def _event(slug="cdc") -> Event:
    return db.session.scalar(sa.select(Event).where(Event.slug == slug))


@pytest.fixture
def setup(app):
    """A published event with an organiser, a staff member and a delegate; a draft."""
    with app.app_context():
        event = make_event("cdc", capacity=100, tagline="Learning from global experiences")
        event.partners.clear()
        make_event("secret", publish=False, title="Secret draft")
        ids = {
            "organiser": make_staff(event, "org@example.org").id,
            "staff": make_staff(event, "door@example.org", EventRoleKind.STAFF).id,
            "delegate": make_user("delegate@example.org").id,
            "admin": make_user("admin@example.org", admin=True).id,
        }
        db.session.commit()
        return ids


# --- public -------------------------------------------------------------------------


def test_index_lists_published_events_only(client, setup):
    page = client.get("/")
    assert page.status_code == 200
    assert "Changing paradigms of cluster development" in page.text
    assert "/events/cdc" in page.text
    assert "Secret draft" not in page.text


def test_event_page_shows_the_event(app, client, setup):
    with app.app_context():
        event = _event()
        event.registration_closes_at = dt.datetime(2099, 1, 31, 12, 30, tzinfo=dt.UTC)
        event.description = "Two days of plenaries.\n\nAnd cluster visits."
        event.partners.append(EventPartner(name="UNIDO", role="Co-organiser"))
        db.session.commit()
    page = client.get("/events/cdc")
    assert page.status_code == 200
    text = page.text
    assert "Learning from global experiences" in text
    assert "20–22 February 2027" in text
    assert "India Habitat Centre" in text and "New Delhi" in text and "India" in text
    assert "UNIDO" in text and "Co-organiser" in text
    assert "And cluster visits." in text
    # 12:30 UTC is 18:00 in Kolkata.
    assert "31 Jan 2099, 18:00" in text and "Asia/Kolkata" in text
    assert "100 of 100 places left" in text
    assert "/events/cdc/register" in text


def test_drafts_are_404_for_the_public_but_visible_to_the_team(app, client, setup):
    assert client.get("/events/secret").status_code == 404
    assert client.get("/events/nope").status_code == 404
    sign_in(client, setup["delegate"])
    assert client.get("/events/secret").status_code == 404
    sign_in(client, setup["admin"])
    page = client.get("/events/secret")
    assert page.status_code == 200 and "Draft" in page.text


def test_event_page_registration_states(app, client, setup):
    with app.app_context():
        _event().registration_opens_at = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
        db.session.commit()
    page = client.get("/events/cdc")
    assert "Not yet open" in page.text and "/events/cdc/register" not in page.text
    with app.app_context():
        event = _event()
        event.registration_opens_at = None
        event.registration_closes_at = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        db.session.commit()
    page = client.get("/events/cdc")
    assert "Closed" in page.text and "/events/cdc/register" not in page.text
    with app.app_context():
        event = _event()
        event.registration_closes_at = None
        event.pool.capacity = 1
        event.capacity = 1
        make_confirmed_registration(event, "first@example.org")
        db.session.commit()
    page = client.get("/events/cdc")
    assert "new registrations join the waiting list" in page.text
    assert "Join the waiting list" in page.text


def test_event_page_links_to_my_registration(app, client, setup):
    with app.app_context():
        reg = make_confirmed_registration(_event(), "ana@example.org")
        db.session.commit()
        sign_in(client, reg.user)
    page = client.get("/events/cdc")
    assert "/events/cdc/my-registration" in page.text
    assert "/events/cdc/register" not in page.text


# --- authorisation ------------------------------------------------------------------

MANAGE_PAGES = ["/events/cdc/manage", "/events/cdc/manage/settings", "/events/cdc/manage/team"]
ADMIN_PAGES = ["/admin/events", "/admin/events/new"]


@pytest.mark.parametrize("path", MANAGE_PAGES + ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, setup, path):
    response = client.get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).path == "/login"
    assert "next=" in location


@pytest.mark.parametrize("path", MANAGE_PAGES + ADMIN_PAGES)
@pytest.mark.parametrize("who", ["delegate", "staff"])
def test_manage_and_admin_pages_refuse_others(app, client, setup, path, who):
    sign_in(client, setup[who])
    assert client.get(path).status_code == 403
    assert client.post(path, data={}).status_code in (403, 405)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_refuse_organisers(app, client, setup, path):
    sign_in(client, setup["organiser"])
    assert client.get(path).status_code == 403


def test_organiser_dashboard(app, client, setup):
    with app.app_context():
        make_confirmed_registration(_event(), "a@example.org")
        make_confirmed_registration(_event(), "b@example.org")
        db.session.commit()
    sign_in(client, setup["organiser"])
    page = client.get("/events/cdc/manage")
    assert page.status_code == 200
    assert "/events/cdc/manage/registrations?status=confirmed" in page.text
    assert "<td>2</td>" in page.text
    for link in (
        "/events/cdc/manage/registrations",
        "/events/cdc/manage/settings",
        "/events/cdc/manage/team",
    ):
        assert link in page.text


# --- settings -----------------------------------------------------------------------


def _settings_form(**overrides):
    data = {
        "title": "Cluster Development Conference",
        "tagline": "Global lessons",
        "description": "About",
        "venue": "India Habitat Centre",
        "venue_address": "Lodhi Road",
        "city": "New Delhi",
        "country": "IN",
        "timezone": "Asia/Kolkata",
        "starts_on": "2027-02-20",
        "ends_on": "2027-02-22",
        "registration_opens_at": "2026-12-01T09:00",
        "registration_closes_at": "2027-02-15T18:00",
        "edit_deadline": "",
        "capacity": "150",
        "requires_approval": "y",
        "public_categories": ["delegate", "speaker"],
        "contact_email": "info@example.org",
        "letter_signatory": "Dr A. Director",
        "letter_purpose": "Attend the conference",
        "partners": "UNIDO | Co-organiser\nCII | Industry partner",
        "status": "published",
        "visit_clash_policy": "refuse",
        "visits_per_day_limit": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_page_prefills_local_times(app, client, setup):
    with app.app_context():
        _event().registration_closes_at = dt.datetime(2027, 2, 15, 12, 30, tzinfo=dt.UTC)
        db.session.commit()
    sign_in(client, setup["organiser"])
    page = client.get("/events/cdc/manage/settings")
    assert page.status_code == 200
    assert 'value="2027-02-15T18:00"' in page.text
    assert 'name="timezone"' in page.text and "Asia/Kolkata" in page.text


def test_settings_save(app, client, setup):
    sign_in(client, setup["organiser"])
    response = client.post("/events/cdc/manage/settings", data=_settings_form())
    assert response.status_code == 302, response.text
    with app.app_context():
        event = _event()
        assert event.title == "Cluster Development Conference"
        assert event.registration_closes_at == dt.datetime(2027, 2, 15, 12, 30, tzinfo=dt.UTC)
        assert event.edit_deadline is None
        assert event.capacity == 150 and event.pool.capacity == 150
        assert event.requires_approval is True
        assert event.public_categories == "delegate,speaker"
        assert [p.name for p in event.partners] == ["UNIDO", "CII"]
        assert event.contact_email == "info@example.org"
        assert event.visit_clash_policy is ClashPolicy.REFUSE
        assert event.visits_per_day_limit == 1
    # Blank capacity means unlimited.
    client.post("/events/cdc/manage/settings", data=_settings_form(capacity="", status="draft"))
    with app.app_context():
        event = _event()
        assert event.capacity is None and event.pool.capacity is None
        assert event.status is EventStatus.DRAFT


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "India/Delhi"}, "No time zone is called"),
        ({"ends_on": "2027-02-01"}, "cannot end before it starts"),
        ({"registration_closes_at": "2026-11-01T09:00"}, "must close after it opens"),
        ({"capacity": "-5"}, "Number must be"),
        ({"capacity": "lots"}, "Not a valid integer"),
        ({"title": ""}, "This field is required"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"partners": "A | B | C | D"}, "Name | Role"),
        ({"public_categories": None}, "at least one category"),
        ({"starts_on": "20/02/2027"}, "Not a valid date"),
        ({"registration_opens_at": "tomorrow"}, "Not a valid datetime"),
        ({"contact_email": "not-an-email"}, "Invalid email"),
        ({"visits_per_day_limit": "0"}, "Number must be"),
        ({"visit_clash_policy": "ignore"}, "Not a valid choice"),
    ],
)
def test_settings_errors_rerender_and_write_nothing(app, client, setup, overrides, message):
    sign_in(client, setup["organiser"])
    response = client.post("/events/cdc/manage/settings", data=_settings_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert 'class="error"' in response.text
    with app.app_context():
        event = _event()
        assert event.title == "Changing paradigms of cluster development"
        assert event.capacity == 100
        assert event.partners == []


def test_settings_capacity_below_taken_is_refused(app, client, setup):
    with app.app_context():
        for n in range(3):
            make_confirmed_registration(_event(), f"d{n}@example.org")
        db.session.commit()
    sign_in(client, setup["organiser"])
    response = client.post("/events/cdc/manage/settings", data=_settings_form(capacity="2"))
    assert response.status_code == 200
    assert "3 places are already taken" in response.text
    with app.app_context():
        event = _event()
        assert event.capacity == 100 and event.pool.capacity == 100
        assert event.title == "Changing paradigms of cluster development"


# --- team ---------------------------------------------------------------------------


def test_team_add_invites_and_remove_asks_first(app, client, setup, outbox):
    sign_in(client, setup["organiser"])
    page = client.get("/events/cdc/manage/team")
    assert "org@example.org" in page.text and "door@example.org" in page.text

    response = client.post(
        "/events/cdc/manage/team",
        data={"add-email": "New@Example.org", "add-full_name": "Nia", "add-role": "staff"},
    )
    assert response.status_code == 302
    with app.app_context():
        # No account and no role until the owner of the address opens the invitation.
        assert db.session.scalar(sa.select(User).where(User.email == "new@example.org")) is None
    [invite] = outbox.to("new@example.org")
    link = next(link for link in outbox.links(invite) if "/invitations/" in link)
    assert "new@example.org" in client.get("/events/cdc/manage/team").text  # pending, listed

    # An existing delegate with a confirmed address becomes organiser at once, and is told.
    client.post(
        "/events/cdc/manage/team",
        data={"add-email": "delegate@example.org", "add-role": "organiser"},
    )
    with app.app_context():
        assert db.session.get(User, setup["delegate"]).is_organiser(_event())
    assert len(outbox.to("delegate@example.org")) == 1

    bad = client.post("/events/cdc/manage/team", data={"add-email": "nope", "add-role": "staff"})
    assert bad.status_code == 200 and "Invalid email" in bad.text

    # The invitation link, opened signed out, makes the account and grants the role.
    visitor = app.test_client()
    path = urlsplit(link).path
    assert "Join the team" in visitor.get(path).text
    accepted = visitor.post(path, data={"full_name": "Nia N", "password": "a long password"})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/scan")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        assert user.role_for(_event()) is EventRoleKind.STAFF and user.is_verified
    assert (
        visitor.post(path, data={"full_name": "X", "password": "a long password"}).status_code
        == 409
    )

    with app.app_context():
        staff_role = db.session.scalar(
            sa.select(EventRole).where(EventRole.user_id == setup["staff"])
        )
        role_id = staff_role.id
    remove = f"/events/cdc/manage/team/{role_id}/remove"
    asked = client.post(remove)
    assert asked.status_code == 200 and "can no longer scan badges" in asked.text
    with app.app_context():
        assert db.session.get(EventRole, role_id) is not None  # the first POST changes nothing
    response = client.post(remove, data={"confirmed": "yes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(EventRole, role_id) is None
        assert db.session.get(User, setup["staff"]) is not None
    assert client.post(remove, data={"confirmed": "yes"}).status_code == 404


def test_team_keeps_the_last_organiser(app, client, setup):
    sign_in(client, setup["admin"])
    with app.app_context():
        role_id = db.session.scalar(
            sa.select(EventRole.id).where(EventRole.user_id == setup["organiser"])
        )
    page = client.post(
        f"/events/cdc/manage/team/{role_id}/remove",
        data={"confirmed": "yes"},
        follow_redirects=True,
    )
    assert "at least one organiser" in page.text
    with app.app_context():
        assert db.session.get(EventRole, role_id) is not None


# --- admin --------------------------------------------------------------------------


def test_admin_lists_all_events_and_creates_one(app, client, setup):
    sign_in(client, setup["admin"])
    page = client.get("/admin/events")
    assert page.status_code == 200
    assert "Secret draft" in page.text and "Changing paradigms" in page.text

    data = {
        "title": "Africa Cluster Forum",
        "slug": "acf-2027",
        "starts_on": "2027-06-01",
        "ends_on": "2027-06-03",
        "timezone": "Africa/Nairobi",
        "city": "Nairobi",
        "country": "KE",
        "capacity": "",
    }
    clash = client.post("/admin/events/new", data={**data, "slug": "cdc"})
    assert clash.status_code == 200 and "already uses this address" in clash.text
    bad = client.post("/admin/events/new", data={**data, "slug": "Bad Slug!"})
    assert "lower-case letters" in bad.text
    response = client.post("/admin/events/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/acf-2027/manage/settings")
    with app.app_context():
        event = _event("acf-2027")
        assert event.status is EventStatus.DRAFT
        assert event.capacity is None and event.timezone == "Africa/Nairobi"
        assert db.session.get(User, setup["admin"]).role_for(event) is EventRoleKind.ORGANISER
        assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 3
