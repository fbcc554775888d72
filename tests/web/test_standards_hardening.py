"""Standards the red team checked with other people's parsers (issue 16 #14): a visit's
.ics answers 304 when unchanged, a waiting-list visit is TENTATIVE in the personal feed,
pages with several forms do not repeat id="csrf_token", <time datetime> has no
microseconds."""

from __future__ import annotations

import re

import pytest

from confapp.accounts.models import User
from confapp.agenda import services as agenda_services
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.visits import services as visit_services
from confapp.visits.models import Visit
from tests.calendars import read_vobject
from tests.helpers import make_delegate
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_visit
from tests.helpers import sign_in


@pytest.fixture
def world(app):
    with app.app_context():
        event = make_event()
        organiser = make_staff(event, "org@example.org")
        first, first_reg = make_delegate(event, "first@example.org")
        waiting, waiting_reg = make_delegate(event, "waiting@example.org")
        visit = make_visit(event, buses=(("Van", 1),))
        db.session.commit()
        return {
            "event": event.id,
            "visit": visit.id,
            "organiser": organiser.id,
            "first": first.id,
            "first_reg": first_reg.id,
            "waiting": waiting.id,
            "waiting_reg": waiting_reg.id,
        }


def test_the_visit_ics_answers_304_until_the_visit_changes(app, client, world):
    url = f"/events/cdc/visits/{world['visit']}.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get(url, headers=since).status_code == 304
    with app.app_context():
        visit = db.session.get(Visit, world["visit"])
        visit.meeting_point = "Gate 4"
        visit.sequence += 1
        db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"Gate 4" in changed.data


def test_a_waiting_list_visit_is_tentative_in_the_personal_feed(app, client, world):
    with app.test_request_context():
        event = db.session.get(Event, world["event"])
        visit = db.session.get(Visit, world["visit"])
        for key in ("first_reg", "waiting_reg"):
            visit_services.signup(
                event, visit, db.session.get(Registration, world[key]), now=utcnow()
            )
        tokens = {
            key: agenda_services.ensure_calendar_token(db.session.get(Registration, world[key]))
            for key in ("first_reg", "waiting_reg")
        }
        db.session.commit()
    status = {}
    for key, token in tokens.items():
        feed = client.get(f"/events/cdc/calendar/{token}.ics")
        assert feed.status_code == 200
        (entry,) = [e for e in read_vobject(feed.data)["events"] if e["uid"].startswith("visit-")]
        status[key] = entry["status"]
    assert status == {"first_reg": "CONFIRMED", "waiting_reg": "TENTATIVE"}


def test_pages_with_several_forms_have_unique_ids(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True  # the tokens are what repeated their id
    with app.app_context():
        sign_in(client, db.session.get(User, world["organiser"]))
    for url in ("/events/cdc/manage/meetings", "/account"):
        html = client.get(url).get_data(as_text=True)
        ids = re.findall(r'\sid="([^"]+)"', html)
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert html.count('name="csrf_token"') >= 2, url
        assert repeated == [], f"{url}: {repeated}"


def test_time_elements_carry_no_microseconds(app, client, world):
    with app.test_request_context():
        visit = db.session.get(Visit, world["visit"])
        visit.departs_at = visit.departs_at.replace(microsecond=123456)
        db.session.commit()
    html = client.get("/events/cdc/visits").get_data(as_text=True)
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps)
