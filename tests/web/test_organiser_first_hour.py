"""Issue 19 for accounts and events: where sign-in lands, the management page's tools, the
time-zone list, the privacy notice, destructive organiser actions that ask first, and the
registrations API's Link header."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.accounts.models import User
from confapp.accounts.team import grant_role
from confapp.events import zones
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import login
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in


def test_sign_in_lands_each_role_where_it_works(app, client):
    with app.app_context():
        later = make_event("later", starts_on=dt.date(2027, 6, 1), ends_on=dt.date(2027, 6, 2))
        soon = make_event("soon")
        past = make_event("past", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 1, 2))
        make_staff(soon, "org@example.org", EventRoleKind.ORGANISER)
        make_staff(soon, "door@example.org", EventRoleKind.STAFF)
        make_confirmed_registration(soon, "delegate@example.org")
        both = make_staff(later, "both@example.org", EventRoleKind.ORGANISER)
        grant_role(both, soon, EventRoleKind.STAFF)  # the sooner event wins
        grant_role(both, past, EventRoleKind.ORGANISER)  # an event that is over does not
        make_user("nobody@example.org")
        db.session.commit()
    expected = {
        "org@example.org": "/events/soon/manage",
        "door@example.org": "/events/soon/scan",
        "delegate@example.org": "/events/soon/my-registration",
        "both@example.org": "/events/soon/scan",
        "nobody@example.org": "/",
    }
    for email, place in expected.items():
        fresh = app.test_client()
        response = login(fresh, email)
        assert response.status_code == 302 and response.headers["Location"] == place, email
    # A safe `next` wins; an unsafe one is ignored.
    assert (
        login(app.test_client(), "org@example.org", next_url="/account").headers["Location"]
        == "/account"
    )
    assert (
        login(app.test_client(), "org@example.org", next_url="//evil.example").headers["Location"]
        == "/events/soon/manage"
    )


def test_several_registrations_land_on_the_events_list(app):
    with app.app_context():
        first = make_event("first")
        second = make_event("second")
        reg = make_confirmed_registration(first, "multi@example.org")
        db.session.add(
            Registration(
                event=second, user=reg.user, email=reg.email, full_name="Multi", country="KE",
                status=S.CONFIRMED,
            )
        )  # fmt: skip
        db.session.commit()
    response = login(app.test_client(), "multi@example.org")
    assert response.headers["Location"] == "/"


def test_the_management_page_links_every_tool(app, client):
    with app.app_context():
        event = make_event("cdc")
        sign_in(client, make_staff(event, "org@example.org", EventRoleKind.ORGANISER))
        db.session.commit()
    page = client.get("/events/cdc/manage").text
    tools = [
        rule.rule.replace("<slug>", "cdc")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/events/<slug>/manage/")
        and "GET" in rule.methods
        and set(rule.arguments) == {"slug"}
        and rule.rule.count("/") == 4  # a tool's own page, not its sub-pages
        and "." not in rule.rule  # downloads are linked from their tool
    ]
    assert "/events/cdc/manage/visits" in tools and "/events/cdc/manage/log" in tools
    for path in tools + ["/events/cdc/scan"]:
        assert f'href="{path}"' in page, path


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("New Delhi", "Asia/Kolkata"), ("asia/kolkata", "Asia/Kolkata"), ("India", "Asia/Kolkata"),
     ("Nairobi", "Africa/Nairobi"), ("Geneva", "Europe/Zurich")],
)  # fmt: skip
def test_time_zones_are_found_by_city_country_or_name(typed, zone):
    assert zones.resolve(typed) == zone


def test_time_zone_list_shows_offsets_and_abbreviations(app, client):
    labels = {z.name: z.label for z in zones.zone_choices(dt.datetime(2027, 1, 15, tzinfo=dt.UTC))}
    assert labels["Asia/Kolkata"].startswith("(UTC+05:30) Asia/Kolkata")
    assert "New Delhi" in labels["Asia/Kolkata"] and "IST" in labels["Asia/Kolkata"]
    assert labels["America/Santiago"].startswith("(UTC-03:00)")  # southern summer
    with pytest.raises(ValueError, match="several zones"):
        zones.resolve("IST", dt.datetime(2027, 1, 15, tzinfo=dt.UTC))  # India and Israel
    with app.app_context():
        event = make_event("cdc")
        sign_in(client, make_staff(event, "org@example.org", EventRoleKind.ORGANISER))
        db.session.commit()
    page = client.get("/events/cdc/manage/settings").text
    assert 'list="timezone-zones"' in page and "<datalist" in page and "New Delhi" in page
    assert 'name="privacy_notice"' in page


def test_settings_take_a_city_as_time_zone_and_refuse_the_unknown(app, client):
    with app.app_context():
        sign_in(client, make_staff(make_event("cdc"), "admin@example.org"))
        db.session.commit()
    data = {
        "title": "Changing paradigms", "starts_on": "2027-02-20", "ends_on": "2027-02-22",
        "timezone": "Nairobi", "public_categories": ["delegate"], "status": "published",
        "visit_clash_policy": "warn",
    }  # fmt: skip
    assert client.post("/events/cdc/manage/settings", data=data).status_code == 302
    bad = client.post("/events/cdc/manage/settings", data={**data, "timezone": "Atlantis"})
    assert "No time zone is called" in bad.text
    with app.app_context():
        assert db.session.scalar(sa.select(Event.timezone)) == "Africa/Nairobi"


def test_the_registration_form_shows_the_privacy_notice(app, client):
    with app.app_context():
        event = make_event("cdc", contact_email="privacy@cdc.example")
        db.session.commit()
        event_id = event.id
    page = client.get("/events/cdc/register").text
    assert "Who sees them" in page and "privacy@cdc.example" in page
    assert page.index("Your data") < page.index('type="submit">Register')
    with app.app_context():
        db.session.get(Event, event_id).privacy_notice = "**Kept 2 years** by the foundation."
        db.session.commit()
    page = client.get("/events/cdc/register").text
    assert "<strong>Kept 2 years</strong> by the foundation." in page
    assert "Who sees them" not in page


def _full_event(app) -> dict:
    with app.app_context():
        event = make_event("cdc", capacity=2)
        organiser = make_staff(event, "org@example.org", EventRoleKind.ORGANISER)
        first = make_confirmed_registration(event, "ana@example.org", full_name="Ana")
        second = make_confirmed_registration(event, "bo@example.org", full_name="Bo")
        waiting = make_user("wait@example.org", full_name="Wanjiru Waiting")
        db.session.add(
            Registration(
                event=event, user=waiting, email=waiting.email, full_name=waiting.full_name,
                country="KE", status=S.WAITLISTED,
            )
        )  # fmt: skip
        db.session.commit()
        return {"organiser": organiser.id, "ids": [first.id, second.id]}


def _statuses(app) -> dict[str, S]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Registration.email, Registration.status)).all())


def test_bulk_cancel_asks_first_and_says_who_gets_the_seats(app, client, outbox):
    world = _full_event(app)
    with app.app_context():
        sign_in(client, db.session.get(User, world["organiser"]))
    form = {"action": "cancel", "ids": [str(i) for i in world["ids"]]}
    before = _statuses(app)
    asked = client.post("/events/cdc/manage/registrations/bulk", data=form)
    assert asked.status_code == 200
    assert "Cancel 2 registrations" in asked.text
    assert "Ana, Bo" in asked.text and "Each person is e-mailed" in asked.text
    assert "Wanjiru Waiting" in asked.text  # who gets a freed place
    assert _statuses(app) == before and outbox.messages() == []
    done = client.post("/events/cdc/manage/registrations/bulk", data={**form, "confirmed": "yes"})
    assert done.status_code == 302
    after = _statuses(app)
    assert after["ana@example.org"] is S.CANCELLED and after["bo@example.org"] is S.CANCELLED
    assert after["wait@example.org"] is S.CONFIRMED
    assert "2 registrations cancelled." in client.get(done.headers["Location"]).text


def test_cancel_from_the_detail_page_asks_first(app, client):
    world = _full_event(app)
    with app.app_context():
        sign_in(client, db.session.get(User, world["organiser"]))
    reg_id = world["ids"][0]
    detail = f"/events/cdc/manage/registrations/{reg_id}"
    assert "Cancel registration…" in client.get(detail).text
    form = {"action": "reject", "ids": str(reg_id), "next": detail}
    asked = client.post("/events/cdc/manage/registrations/bulk", data=form)
    assert "Reject 1 registration" in asked.text and 'value="/events/cdc/manage' in asked.text
    assert _statuses(app)["ana@example.org"] is S.CONFIRMED
    done = client.post("/events/cdc/manage/registrations/bulk", data={**form, "confirmed": "yes"})
    assert _statuses(app)["ana@example.org"] is S.REJECTED
    assert "1 registration rejected." in client.get(done.headers["Location"]).text


def test_registrations_api_links_the_next_page(app, client):
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org", EventRoleKind.ORGANISER)
        for i in range(5):
            make_confirmed_registration(event, f"d{i}@example.org")
        db.session.commit()
        sign_in(client, organiser)
    first = client.get("/api/v1/events/cdc/registrations?per_page=2&status=confirmed")
    assert first.status_code == 200
    target, rel = first.headers["Link"].split(">; ")
    url = urlsplit(target.lstrip("<"))
    assert rel == 'rel="next"' and url.netloc == "localhost"
    assert url.path == "/api/v1/events/cdc/registrations"
    assert parse_qs(url.query) == {"status": ["confirmed"], "per_page": ["2"], "page": ["2"]}
    last = client.get("/api/v1/events/cdc/registrations?per_page=2&page=3")
    assert len(last.json["items"]) == 1 and 'rel="next"' not in last.headers.get("Link", "")
    beyond = client.get("/api/v1/events/cdc/registrations?per_page=2&page=9")
    assert beyond.status_code == 200 and beyond.json["items"] == []
    refused = client.get("/api/v1/events/cdc/registrations?page=٣")
    assert refused.status_code == 422 and refused.json["error"] == "invalid"


def test_saving_unchanged_settings_logs_nothing(app, client):
    from confapp.eventlog.models import EventLogEntry

    with app.app_context():
        sign_in(client, make_staff(make_event("cdc"), "org@example.org"))
        db.session.commit()
    data = {
        "title": "Changing paradigms", "starts_on": "2027-02-20", "ends_on": "2027-02-22",
        "timezone": "New Delhi", "public_categories": ["delegate"], "status": "published",
        "visit_clash_policy": "warn", "partners": "UNIDO | Co-organiser\r\nFISME | Host",
        "privacy_notice": "Kept two years.\r\n",
    }  # fmt: skip
    assert client.post("/events/cdc/manage/settings", data=data).status_code == 302
    with app.app_context():
        first = db.session.scalar(sa.select(sa.func.count(EventLogEntry.id)))
    assert first == 1
    assert client.post("/events/cdc/manage/settings", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(EventLogEntry.id))) == first
