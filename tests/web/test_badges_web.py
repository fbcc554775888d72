"""Badge downloads for delegates, organisers' print runs, re-issue and the CLI."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.checkin import door
from confapp.checkin import services
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.helpers import job_result
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import sign_in


def _setup(app):
    with app.app_context():
        event = make_event("cdc")
        organiser = make_staff(event, "org@example.org")
        reg = make_confirmed_registration(event, "ana@example.org", full_name="Ana Example")
        make_confirmed_registration(
            event, "raj@example.org", full_name="Raj Speaker", category="speaker"
        )
        db.session.commit()
        return organiser.id, reg.user_id, reg.id


def test_delegate_downloads_badge_pdf_and_qr(app, client):
    _, user_id, _ = _setup(app)
    sign_in(client, user_id)
    mine = client.get("/events/cdc/my-registration").get_data(as_text=True)
    assert "Download badge (PDF)" in mine and "QR for my phone" in mine
    pdf = client.get("/events/cdc/my-badge.pdf")
    assert (
        pdf.status_code == 200
        and pdf.data.startswith(b"%PDF")
        and pdf.headers["Cache-Control"] == "no-store"
    )
    png = client.get("/events/cdc/my-badge.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert client.get("/events/cdc/my-badge").status_code == 200
    # No certificate before being scanned in.
    assert client.get("/events/cdc/my-certificate.pdf").status_code == 404


def test_certificate_after_checkin(app, client):
    _, user_id, reg_id = _setup(app)
    with app.app_context():
        from confapp.events.models import Event

        event = db.session.scalar(sa.select(Event))
        event.starts_on = dt.date.today() - dt.timedelta(days=1)  # certificates: once begun
        reg = db.session.get(Registration, reg_id)
        now = services.parse_scanned_at(
            None, __import__("confapp.db", fromlist=["utcnow"]).utcnow()
        )
        door.check_in(
            event,
            token=services.badge_token(reg),
            checkpoint=services.Checkpoint("entrance"),
            scan_id="c1",
            scanned_at=now,
            actor=make_staff(event, "door@example.org", EventRoleKind.STAFF),
            now=now,
        )
        db.session.commit()
    sign_in(client, user_id)
    response = client.get("/events/cdc/my-certificate.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_organiser_print_run_filters_and_marks_printed(app, client):
    organiser_id, _, reg_id = _setup(app)
    sign_in(client, organiser_id)
    assert "2 confirmed" in client.get("/events/cdc/manage/badges").get_data(as_text=True)
    response = job_result(
        client,
        client.post(
            "/events/cdc/manage/badges",
            data={"layout": "a4x8", "category": "speaker", "mark_printed": "y"},
        ),
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    with app.app_context():
        printed = db.session.scalars(
            sa.select(Registration).where(Registration.badge_printed_at.is_not(None))
        ).all()
        assert [r.full_name for r in printed] == ["Raj Speaker"]
    # Re-issue: the serial goes up and the badge counts as new again.
    client.post(
        f"/events/cdc/manage/registrations/{reg_id}/badge/reissue", data={"confirmed": "yes"}
    )
    with app.app_context():
        assert db.session.get(Registration, reg_id).badge_serial == 2


def test_cli_writes_pdf_with_new_only(app, runner, tmp_path):
    _setup(app)
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["badges", "cdc", "-o", str(out), "--layout", "a4x4"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "Wrote 2 badges" in result.output
    again = runner.invoke(args=["badges", "cdc", "-o", str(out), "--new-only"])
    assert "Wrote 0 badges" in again.output
    missing = runner.invoke(args=["badges", "nope", "-o", str(out)])
    assert missing.exit_code != 0 and "No event" in missing.output
