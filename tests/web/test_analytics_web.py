"""The organiser dashboard, its CSVs and the stats API over HTTP."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from confapp.accounts.services import issue_api_token
from confapp.db import utcnow
from confapp.extensions import db
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in
from tests.unit.test_analytics_services import build


@pytest.fixture
def world(app):
    with app.app_context():
        event = make_event("cdc", capacity=10)
        organiser = make_staff(event, "org@example.org")
        build(event)
        token = issue_api_token(organiser, "test", utcnow())
        db.session.commit()
        return {"organiser_id": organiser.id, "token": token, "event_id": event.id}


@pytest.fixture
def organiser_client(app, world):
    from confapp.accounts.models import User

    client = app.test_client()
    with app.app_context():
        sign_in(client, db.session.get(User, world["organiser_id"]))
    return client


def test_dashboard_shows_every_figure_with_chart_table_and_csv(organiser_client):
    page = organiser_client.get("/events/cdc/manage/analytics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key in ("registrations_over_time", "countries", "regions", "country_groups",
                "organisation_types", "sectors", "categories", "gender", "visa", "entrance",
                "attendance", "sessions", "visits", "funnel", "linkage_regions",
                "linkage_development"):  # fmt: skip
        assert f'id="{key}-section"' in html, key
        assert f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{key}"' in html, key
        assert f"/events/cdc/manage/analytics/{key}.csv" in html, key
    # Every chart is an image named by its title and described by its desc.
    # 16 figures, the registrations over time in two drawings (per day, and totals).
    assert html.count('role="img"') == 17
    assert html.count("<title id=") == html.count("<desc id=") == 17
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    # Headline figures: 6 confirmed, 5 countries, 2 meetings held.
    assert re.search(r"<dt>Confirmed registrations</dt><dd>6</dd>", html)
    assert re.search(r"<dt>Meetings held</dt><dd>2</dd>", html)
    # The funnel says what "held" means: scans at the meetings area in the slot, or feedback.
    assert "scanned at the networking meetings area during its slot (from 15 minutes" in html


def test_management_page_links_to_the_dashboard(organiser_client):
    html = organiser_client.get("/events/cdc/manage").get_data(as_text=True)
    assert 'href="/events/cdc/manage/analytics"' in html


def test_csv_of_a_table(organiser_client):
    response = organiser_client.get("/events/cdc/manage/analytics/countries.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Country", "ISO code", "Registrations", "Share (%)"]
    assert rows[1] == ["Nepal", "NP", "2", "33.3"]
    assert len(rows) == 6
    assert organiser_client.get("/events/cdc/manage/analytics/nothing.csv").status_code == 404


def test_arabic_dashboard_is_right_to_left(organiser_client):
    html = organiser_client.get("/events/cdc/manage/analytics?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert 'direction="rtl"' in html  # chart texts are laid out right to left
    assert "أقل البلدان نموًا" in html  # "Least developed countries" in the groups chart


def _queries(app, run) -> int:
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_page_query_count_does_not_grow(app, world, organiser_client):
    url = "/events/cdc/manage/analytics"
    organiser_client.get(url)
    small = _queries(app, lambda: organiser_client.get(url))
    with app.app_context():
        from confapp.events.models import Event

        event = db.session.get(Event, world["event_id"])
        for copy in range(5):
            build(event, tag=f"x{copy}")
        db.session.commit()
    big = _queries(app, lambda: organiser_client.get(url))
    assert big == small


def test_stats_api(client, world):
    response = client.get(
        "/api/v1/events/cdc/stats", headers={"Authorization": f"Bearer {world['token']}"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["confirmed"] == 6
    assert body["registrations"]["by_status"]["waitlisted"] == 1
    assert body["by_country"][0] == {"country": "NP", "count": 2}
    assert {"group": "LDC", "count": 2} in body["by_country_group"]
    assert body["by_gender"]["not_given"] == 1
    assert body["visa_letters"] == {"requested": 1, "approved": 2, "rejected": 1}
    assert body["attendance"]["checked_in"] == 4 and body["attendance"]["no_show"] == 2
    assert body["networking"]["funnel"]["held"] == 2
    assert body["networking"]["south_south_held"] == 1
    assert {"a": "002", "b": "142", "count": 1} in body["networking"]["held_by_region"]
    assert client.get("/api/v1/events/cdc/stats").status_code == 401


def test_stats_in_openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/events/{slug}/stats"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "EventStats" in document["components"]["schemas"]
