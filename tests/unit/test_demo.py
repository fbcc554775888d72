"""The demo conference: `confapp seed-demo`, `prepare_demo` and `confapp demo`."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
import sqlalchemy as sa

from confapp import create_app
from confapp.accounts.models import User
from confapp.demo import data
from confapp.demo.cli import prepare_demo
from confapp.demo.seed import build_delegates
from confapp.documents import branding
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import OrganisationType
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.registration.models import Sector
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus
from tests.helpers import sign_in

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
ARABIC = re.compile(r"[\u0600-\u06FF]")
CHINESE = re.compile(r"[\u4E00-\u9FFF]")
LATIN_DIACRITIC = re.compile(r"[À-ÖØ-öø-ɏḀ-ỿ]")


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Event)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Registration)),
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
    )


def test_seed_demo_loads_a_realistic_conference(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for email in (
        "admin@demo.confapp.org",
        "organiser@demo.confapp.org",
        "staff@demo.confapp.org",
        "delegate@demo.confapp.org",
    ):
        assert email in result.output
    assert "demo-password" in result.output

    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cluster-2027"))
        assert (
            event.title
            == "Changing paradigms of cluster development: learning from global experiences"
        )
        assert event.is_published
        assert (event.city, event.country, event.timezone) == ("New Delhi", "IN", "Asia/Kolkata")
        assert event.venue == "India Habitat Centre"
        # Laid out around the day it is loaded: always upcoming, three days, registration open.
        cal = data.calendar(dt.datetime.now(dt.UTC))
        assert (event.starts_on, event.ends_on) == (cal.starts_on, cal.ends_on)
        assert (event.ends_on - event.starts_on).days == 2
        assert event.capacity == 400
        assert event.pool.capacity == 400
        assert event.registration_open(dt.datetime.now(dt.UTC))
        assert event.local(event.registration_closes_at).date() == (
            cal.registration_closes_local.date()
        )
        partners = [p.name for p in event.partners]
        assert len(partners) == 4
        assert any("UNIDO" in p for p in partners)
        assert event.letter_signatory

        regs = list(
            db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id))
        )
        assert len(regs) >= 185
        assert len({r.country for r in regs}) >= 30
        names = [r.full_name for r in regs]
        assert any(DEVANAGARI.search(n) for n in names)
        assert any(ARABIC.search(n) for n in names)
        assert any(CHINESE.search(n) for n in names)
        assert sum(bool(LATIN_DIACRITIC.search(n)) for n in names) >= 10
        assert {r.organisation_type for r in regs} == set(OrganisationType)
        assert {r.sector for r in regs} == set(Sector)
        assert all(r.organisation and r.job_title and r.email for r in regs)
        assert len({r.email for r in regs}) == len(regs)
        assert any(r.interests for r in regs)
        statuses = {s: sum(r.status is s for r in regs) for s in RegistrationStatus}
        assert statuses[RegistrationStatus.PENDING] >= 1
        assert statuses[RegistrationStatus.CANCELLED] >= 1
        assert statuses[RegistrationStatus.WAITLISTED] == 0
        assert event.pool.taken == statuses[RegistrationStatus.CONFIRMED]
        assert sum(r.needs_visa_letter for r in regs) >= 10

        visas = list(db.session.scalars(sa.select(VisaRequest)))
        approved = [v for v in visas if v.status is VisaStatus.APPROVED]
        assert len(approved) == 1
        assert approved[0].reference == "CLUSTER-2027-0001"
        assert approved[0].registration.email == "delegate@demo.confapp.org"
        assert sum(v.status is VisaStatus.REQUESTED for v in visas) >= 3
        assert all(v.passport_name and v.passport_number for v in visas)

        users = {
            u.email: u
            for u in db.session.scalars(
                sa.select(User).where(User.email.like("%@demo.confapp.org"))
            )
        }
        assert all(u.check_password("demo-password") for u in users.values())
        assert users["admin@demo.confapp.org"].is_admin
        assert users["organiser@demo.confapp.org"].is_organiser(event)
        assert users["staff@demo.confapp.org"].is_staff(event)
        assert not users["staff@demo.confapp.org"].is_organiser(event)
        assert not users["delegate@demo.confapp.org"].is_staff(event)
        before = _counts()
        taken = event.pool.taken

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    with app.app_context():
        assert _counts() == before
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cluster-2027"))
        assert event.pool.taken == taken


def test_delegates_are_deterministic():
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    first = build_delegates(random.Random(42), now)
    second = build_delegates(random.Random(42), now)
    assert first == second
    assert len(first) == sum(c[1] for c in data.COUNTRIES) + len(data.INTERNATIONAL)


def test_demo_delegate_downloads_the_approved_letter(app, runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "delegate@demo.confapp.org"))
        sign_in(client, user)
    response = client.get("/events/cluster-2027/visa-letter.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    # The demo secretariat's logo heads the letter and its signature closes it: two
    # pictures, each with its transparency mask (an image too).
    assert response.data.count(b"/Subtype /Image") == 4
    assert response.data.count(b"/SMask") == 2
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cluster-2027"))
        assert branding.image_path(event, "logo") is not None
        assert branding.image_path(event, "signature") is not None


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty SQLite file: the demo must build the schema itself."""
    app = create_app("testing", {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_prepare_demo_migrates_and_seeds_once(fresh_app):
    summary = prepare_demo(fresh_app)
    assert summary is not None
    assert summary.slug == "cluster-2027"
    assert summary.registrations >= 185
    assert summary.countries >= 30
    with fresh_app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"alembic_version", "event", "registration", "visa_request"} <= tables
        counts = _counts()
    assert prepare_demo(fresh_app) is None
    with fresh_app.app_context():
        assert _counts() == counts


def test_demo_command_prepares_and_serves(fresh_app, monkeypatch):
    calls = []
    # app.run() is ignored inside the flask CLI, so the command must call run_simple.
    monkeypatch.setattr(
        "confapp.demo.cli.run_simple",
        lambda host, port, app, **kwargs: calls.append({"host": host, "port": port, "app": app}),
    )
    result = fresh_app.test_cli_runner().invoke(args=["demo", "--port", "5077"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 5077, "app": fresh_app}]
    assert "organiser@demo.confapp.org" in result.output
    assert "http://127.0.0.1:5077/" in result.output
    with fresh_app.app_context():
        assert db.session.scalar(sa.select(Event.slug)) == "cluster-2027"


@pytest.mark.parametrize(
    "now", [dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC), dt.datetime(2031, 6, 30, 23, tzinfo=dt.UTC)]
)
def test_the_demo_is_laid_out_around_the_day_it_is_loaded(app, now):
    with app.app_context():
        from confapp.demo.seed import seed_demo

        seed_demo(now=now)
        event = db.session.scalar(sa.select(Event).where(Event.slug == data.SLUG))
        assert event.starts_on == now.date() + dt.timedelta(days=78)
        assert (event.ends_on - event.starts_on).days == 2
        # Registration is open on the load day and closes five days before the start.
        assert event.registration_opens_at <= now < event.registration_closes_at
        closes = event.registration_closes_at.astimezone(event.tz)
        assert closes.date() == event.starts_on - dt.timedelta(days=5)
        created = db.session.scalars(sa.select(Registration.created_at)).all()
        assert min(created) >= event.registration_opens_at and max(created) <= now
        # The programme and the visits follow the event's days.
        from confapp.agenda.models import ProgrammeSession
        from confapp.visits.models import Visit

        starts = db.session.scalars(sa.select(ProgrammeSession.starts_at)).all()
        departs = db.session.scalars(sa.select(Visit.departs_at)).all()
        days = {event.starts_on + dt.timedelta(days=i) for i in range(3)}
        assert {s.astimezone(event.tz).date() for s in starts} == days
        # Visits: during the conference and on the day after it.
        after = days | {event.ends_on + dt.timedelta(days=1)}
        assert {d.astimezone(event.tz).date() for d in departs} <= after


def test_demo_reset_loads_it_again_around_today(fresh_app, monkeypatch):
    monkeypatch.setattr("confapp.demo.cli.run_simple", lambda *a, **k: None)
    long_ago = dt.datetime(2020, 1, 6, 9, tzinfo=dt.UTC)
    prepare_demo(fresh_app)
    with fresh_app.app_context():
        # As if it had been loaded long ago: registration closed, the event past.
        event = db.session.scalar(sa.select(Event).where(Event.slug == data.SLUG))
        event.starts_on, event.ends_on = long_ago.date(), long_ago.date()
        event.registration_closes_at = long_ago
        db.session.commit()
    runner = fresh_app.test_cli_runner()
    stale = runner.invoke(args=["demo"])
    assert stale.exit_code == 0, stale.output
    assert "confapp demo --reset" in stale.output

    reset = runner.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert "Erased the demo database" in reset.output and "Loaded" in reset.output
    assert "--reset" not in reset.output.split("Loaded", 1)[1]
    with fresh_app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == data.SLUG))
        assert event.starts_on > dt.date.today()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1


def test_demo_reset_refuses_a_database_with_other_events(fresh_app, monkeypatch):
    monkeypatch.setattr("confapp.demo.cli.run_simple", lambda *a, **k: None)
    prepare_demo(fresh_app)
    with fresh_app.app_context():
        from tests.helpers import make_event

        make_event("real-2027")
        db.session.commit()
        before = _counts()
    result = fresh_app.test_cli_runner().invoke(args=["demo", "--reset"])
    assert result.exit_code != 0
    assert "real-2027" in result.output and "only erases a demo database" in result.output
    with fresh_app.app_context():
        assert _counts() == before


def test_the_demo_speaks_five_languages_with_french_content_and_fallback(app, runner, client):
    """Every language offered; the event, tracks, sessions and visits in French; a few items
    in Arabic; what has no translation falls back to English on the page."""
    from confapp.agenda.models import ProgrammeSession
    from confapp.agenda.models import Track
    from confapp.multilingual import untranslated
    from confapp.visits.models import Visit

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        assert event.languages == ["en", "fr", "es", "pt", "ar"]
        assert event.title_i18n["fr"].startswith("Nouveaux paradigmes")
        sessions = db.session.scalars(sa.select(ProgrammeSession)).all()
        tracks = db.session.scalars(sa.select(Track)).all()
        visits = db.session.scalars(sa.select(Visit)).all()
        assert all(s.title_i18n.get("fr") for s in sessions)
        assert all(t.name_i18n.get("fr") for t in tracks)
        assert all(v.title_i18n.get("fr") for v in visits)
        arabic = [s for s in sessions if ARABIC.search(s.title_i18n.get("ar", ""))]
        assert 3 <= len(arabic) < len(sessions)  # a few, the rest falls back to English
        assert untranslated(event, db.session)  # the page of what is left has work to show
    french = client.get("/events/cluster-2027/visits?lang=fr").get_data(as_text=True)
    assert "Composants automobiles à Manesar" in french
    arabic_page = client.get("/events/cluster-2027/visits?lang=ar").get_data(as_text=True)
    assert "مكونات السيارات في مانيسار" in arabic_page
    assert "Handloom textiles of Panipat" in arabic_page  # no Arabic title: English shows
