"""Certificates through the web: the delegate's download (refused with the reason before
the event or before a scan), the public verification page for valid, unknown, replaced
and revoked numbers, the organiser's re-issue behind a confirmation step, and the QR code
of the downloaded PDF leading to the verification page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from confapp.checkin.models import Certificate
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from tests.certificates import can_decode_qr
from tests.certificates import decode_qr
from tests.certificates import scan_in
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import pdf_text
from tests.helpers import sign_in

TODAY = dt.date.today()


def _world(app, *, begun: bool = True, attended: bool = True) -> dict:
    with app.app_context():
        starts = TODAY - dt.timedelta(days=1) if begun else TODAY + dt.timedelta(days=60)
        event = make_event("cdc", starts_on=starts, ends_on=starts + dt.timedelta(days=2))
        organiser = make_staff(event, "org@example.org")
        reg = make_confirmed_registration(
            event, "ana@example.org", full_name="Ana Example", organisation="Kisumu Fish Cluster"
        )
        if attended:
            scan_in(reg)
        db.session.commit()
        return {"organiser": organiser.id, "delegate": reg.user_id, "reg": reg.id}


def _number(app, reg_id: int) -> str:
    with app.app_context():
        return db.session.scalar(
            db.select(Certificate.number).where(
                Certificate.registration_id == reg_id, Certificate.replaced_at.is_(None)
            )
        )


def test_before_the_event_the_page_says_when_and_the_download_is_refused(app, client):
    ids = _world(app, begun=False)
    sign_in(client, ids["delegate"])
    page = client.get("/events/cdc/my-registration").text
    assert "my-certificate.pdf" not in page
    note = re.search(r'id="certificate-note">([^<]+)<', page).group(1)
    assert "will be available from" in note and "once the event has begun" in note
    refused = client.get("/events/cdc/my-certificate.pdf")
    assert refused.status_code == 404 and "will be available from" in refused.text
    assert _number(app, ids["reg"]) is None


def test_after_the_event_began_without_a_scan_the_reason_is_the_scan(app, client):
    ids = _world(app, attended=False)
    sign_in(client, ids["delegate"])
    assert (
        "scanned in at the entrance or at a session"
        in client.get("/events/cdc/my-registration").text
    )
    refused = client.get("/events/cdc/my-certificate.pdf")
    assert refused.status_code == 404 and "scanned in" in refused.text


def test_download_issues_a_number_that_the_public_page_confirms(app, client, tmp_path):
    ids = _world(app)
    sign_in(client, ids["delegate"])
    assert "my-certificate.pdf" in client.get("/events/cdc/my-registration").text
    pdf = client.get("/events/cdc/my-certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    number = _number(app, ids["reg"])
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", number)
    url = f"http://localhost/certificates/{number}"
    text = pdf_text(pdf.data, tmp_path)
    if text is not None:
        assert number in text and url in text and "Issued on" in text
    if can_decode_qr():
        assert decode_qr(pdf.data, tmp_path) == url
    # A second download is the same certificate.
    client.get("/events/cdc/my-certificate.pdf")
    assert _number(app, ids["reg"]) == number

    client.get("/logout")
    anonymous = app.test_client()
    page = anonymous.get(f"/certificates/{number}")
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    assert 'data-validity="valid"' in page.text
    for shown in ("Valid certificate", "Ana Example", "Kisumu Fish Cluster", number):
        assert shown in page.text
    assert "Changing paradigms of cluster development" in page.text
    start = TODAY - dt.timedelta(days=1)
    assert str(start.year) in page.text
    # Nothing the certificate does not print: no e-mail, country or category.
    assert "ana@example.org" not in page.text and "Kenya" not in page.text
    # Typed loosely in the form: found all the same.
    typed = anonymous.get(
        "/certificates", query_string={"number": number.lower().replace("-", " ")}
    )
    assert typed.status_code == 302 and typed.headers["Location"].endswith(
        f"/certificates/{number}"
    )


@pytest.mark.parametrize("number", ["7K3M-Q9ZP-2X4T", "nonsense<script>", "0" * 200])
def test_unknown_numbers_say_so_clearly(app, client, number):
    _world(app)
    page = client.get(f"/certificates/{number}")
    assert page.status_code == 404
    assert 'data-validity="unknown"' in page.text and "Unknown number" in page.text
    assert "<script>" not in page.text
    typed = client.get("/certificates", query_string={"number": number})
    assert typed.status_code in (302, 404)


def test_verify_form_page_is_public(app, client):
    page = client.get("/certificates")
    assert page.status_code == 200 and 'name="number"' in page.text


def test_organiser_reissues_after_a_confirmation_and_the_old_number_reads_replaced(app, client):
    ids = _world(app)
    sign_in(client, ids["delegate"])
    client.get("/events/cdc/my-certificate.pdf")
    old = _number(app, ids["reg"])
    sign_in(client, ids["organiser"])
    attendance = client.get("/events/cdc/manage/attendance").text
    action = f"/events/cdc/manage/registrations/{ids['reg']}/certificate/reissue"
    assert f'action="{action}"' in attendance and old in attendance
    # The first POST (no JavaScript needed) changes nothing and says what will happen.
    asked = client.post(action, data={"replaces": old})
    assert asked.status_code == 200
    assert "Re-issue the certificate" in asked.text and old in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert _number(app, ids["reg"]) == old
    done = client.post(action, data={"replaces": old, "confirmed": "yes"})
    assert done.status_code == 302
    new = _number(app, ids["reg"])
    assert new != old
    # The same confirmation sent again re-issues nothing more.
    client.post(action, data={"replaces": old, "confirmed": "yes"})
    assert _number(app, ids["reg"]) == new
    public = app.test_client()
    replaced = public.get(f"/certificates/{old}")
    assert replaced.status_code == 200 and 'data-validity="replaced"' in replaced.text
    assert "Replaced" in replaced.text and "Ana Example" not in replaced.text
    assert 'data-validity="valid"' in public.get(f"/certificates/{new}").text


def test_a_cancelled_registration_reads_revoked(app, client):
    ids = _world(app)
    sign_in(client, ids["delegate"])
    client.get("/events/cdc/my-certificate.pdf")
    number = _number(app, ids["reg"])
    with app.app_context():
        db.session.get(Registration, ids["reg"]).status = RegistrationStatus.CANCELLED
        db.session.commit()
    page = app.test_client().get(f"/certificates/{number}")
    assert 'data-validity="revoked"' in page.text and "Revoked" in page.text


def test_bulk_job_numbers_every_attendee_once_begun(app, client, tmp_path):
    ids = _world(app)
    sign_in(client, ids["organiser"])
    from tests.helpers import job_result

    pdf = job_result(client, client.post("/events/cdc/manage/certificates"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    number = _number(app, ids["reg"])
    text = pdf_text(pdf.data, tmp_path)
    assert number is not None
    if text is not None:
        assert "Ana Example" in text and number in text


def test_bulk_job_before_the_event_issues_nothing_and_says_why(app, client):
    ids = _world(app, begun=False)
    sign_in(client, ids["organiser"])
    answer = client.post("/events/cdc/manage/certificates")
    page = client.get(answer.headers["Location"]).text
    assert "The event has not begun" in page
    assert _number(app, ids["reg"]) is None


def test_verification_page_in_arabic_is_right_to_left(app, client):
    ids = _world(app)
    sign_in(client, ids["delegate"])
    client.get("/events/cdc/my-certificate.pdf")
    number = _number(app, ids["reg"])
    page = app.test_client().get(f"/certificates/{number}?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "Valid certificate" not in page.text and "Ana Example" in page.text
