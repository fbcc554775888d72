"""On a phone (360 px): an organiser's "Cancel registrations…" first shows what will happen
and changes nothing; the confirmation then acts. Sign-in lands on the management page, and
the registration form shows the privacy notice before its button."""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus as S
from tests.helpers import PASSWORD
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff

PHONE = {"width": 360, "height": 740}
SHOTS = Path(os.environ.get("CONFAPP_SHOT_DIR", "/tmp"))


def _statuses(app) -> dict[str, S]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Registration.email, Registration.status)).all())


def test_cancel_asks_first_on_a_phone(live_app, browser):
    with live_app.app_context():
        event = make_event("cdc", capacity=10)
        make_staff(event, "org@example.org", EventRoleKind.ORGANISER)
        make_confirmed_registration(event, "ana@example.org", full_name="Ana Kamau")
        make_confirmed_registration(event, "bo@example.org", full_name="Bo Diallo")
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{base}/login")
        page.fill("input[name=email]", "org@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        page.wait_for_url(f"{base}/events/cdc/manage")  # organisers land on their event
        page.get_by_role("link", name="Registrations", exact=True).first.click()
        for name in ("Ana Kamau", "Bo Diallo"):
            page.get_by_label(f"Select {name}").check()
        page.get_by_role("button", name="Cancel registrations…").click()
        page.wait_for_selector("text=What will happen")
        button = page.get_by_role("button", name="Cancel 2 registrations")
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        page.screenshot(path=str(SHOTS / "confirm-cancel-360.png"), full_page=True)
        assert _statuses(live_app) == {
            "ana@example.org": S.CONFIRMED,
            "bo@example.org": S.CONFIRMED,
        }
        button.click()
        page.wait_for_selector("text=2 registrations cancelled.")  # plural-aware flash
        assert set(_statuses(live_app).values()) == {S.CANCELLED}

        visitor = browser.new_page(viewport=PHONE)
        visitor.goto(f"{base}/events/cdc/register")
        text = visitor.content()
        assert text.index("Your data") < text.index(">Register</button>")
        visitor.screenshot(path=str(SHOTS / "register-privacy-360.png"), full_page=True)
        visitor.close()
    finally:
        page.close()


def test_removing_from_a_visit_asks_first_on_a_phone(live_app, browser):
    from confapp.agenda.models import SeatStatus
    from confapp.visits import services as visits
    from confapp.visits.models import VisitSignup
    from tests.helpers import local_time

    with live_app.app_context():
        event = make_event("cdc", capacity=10)
        make_staff(event, "org@example.org", EventRoleKind.ORGANISER)
        ana = make_confirmed_registration(event, "ana@example.org", full_name="Ana Kamau")
        bo = make_confirmed_registration(event, "bo@example.org", full_name="Bo Diallo")
        visit = visits.create_visit(
            event,
            visits.VisitData(
                title="Brassware cluster",
                departs_at=local_time(event, 0, "08:00"),
                returns_at=local_time(event, 0, "18:00"),
                capacity_cap=1,
                buses=[visits.BusData(name="Bus A", seats=10)],
            ),
            now=local_time(event, -30, "08:00"),
        )
        now = local_time(event, -10, "08:00")
        visits.add_by_hand(event, visit, ana, now=now, notify=False)
        visits.add_by_hand(event, visit, bo, now=now, notify=False)
        db.session.commit()
        visit_id = visit.id

    def seats() -> dict[int, SeatStatus]:
        with live_app.app_context():
            rows = db.session.execute(
                sa.select(VisitSignup.registration_id, VisitSignup.status)
            ).all()
            return dict(rows)

    base = live_app.config["LIVE_URL"]
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{base}/login")
        page.fill("input[name=email]", "org@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        page.wait_for_url(f"{base}/events/cdc/manage")
        page.goto(f"{base}/events/cdc/manage/visits/{visit_id}/signups")
        before = seats()
        page.get_by_role("button", name="Remove from visit…").first.click()
        page.wait_for_selector("text=What will happen")
        assert page.get_by_text("The seat goes to Bo Diallo").is_visible()
        button = page.get_by_role("button", name="Remove Ana Kamau from the visit")
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        page.screenshot(path=str(SHOTS / "confirm-visit-removal-360.png"), full_page=True)
        assert seats() == before  # the first click changed nothing
        button.click()
        page.wait_for_selector("text=The first on the waiting list got the seat")
        assert sorted(seats().values(), key=str) == sorted(
            [SeatStatus.CANCELLED, SeatStatus.CONFIRMED], key=str
        )
    finally:
        page.close()
