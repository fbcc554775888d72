"""Visa letter pages: the delegate's request and PDF, organisers' list and decisions,
and who may see passport data (nobody else)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from flask import url_for

from confapp import create_app
from confapp.accounts.models import EventRoleKind
from confapp.db import utcnow
from confapp.extensions import db
from confapp.registration.models import RegistrationStatus
from confapp.visa import services
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff
from tests.helpers import make_user
from tests.helpers import sign_in

FORM = {
    "passport_name": "Amara Okafor",
    "passport_number": "A07654321",
    "nationality": "NG",
    "date_of_birth-day": "23",
    "date_of_birth-month": "11",
    "date_of_birth-year": "1979",
    "passport_issued_on-day": "4",
    "passport_issued_on-month": "5",
    "passport_issued_on-year": "2018",
    "passport_expires_on-day": "3",
    "passport_expires_on-month": "5",
    "passport_expires_on-year": "2028",
    "passport_issue_place": "Abuja",
}
# The review step's "Confirm" stores what the first POST checked.
CONFIRM = {**FORM, "step": "confirm"}


@pytest.fixture
def world(app):
    """Event cdc with an organiser, a staff member, a delegate, a peer; another event."""
    with app.test_request_context():
        event = make_event("cdc", contact_email="visa@cdc.example.org")
        other = make_event("other")
        ids = {
            "organiser": make_staff(event, "org@example.org").id,
            "staff": make_staff(event, "door@example.org", EventRoleKind.STAFF).id,
            "other_organiser": make_staff(other, "other@example.org").id,
            "delegate": make_confirmed_registration(
                event, "amara@example.org", full_name="Amara Okafor"
            ).user_id,
            "peer": make_confirmed_registration(event, "peer@example.org").user_id,
            "outsider": make_user("outsider@example.org").id,
            "other_delegate": make_confirmed_registration(other, "od@example.org").user_id,
        }
        db.session.commit()
    return ids


def visa_rows(app) -> list[VisaRequest]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(VisaRequest).order_by(VisaRequest.id)))
        db.session.expunge_all()
        return rows


def make_request(app, email="amara@example.org", approve=False):
    """A request for the registration of `email` at cdc (approved if asked); its id."""
    with app.test_request_context():
        from confapp.registration.models import Registration

        reg = db.session.scalar(sa.select(Registration).where(Registration.email == email))
        visa = services.submit_request(
            reg,
            passport_name=FORM["passport_name"],
            passport_number=FORM["passport_number"],
            nationality="NG",
            date_of_birth=dt.date(1979, 11, 23),
            passport_issued_on=dt.date(2018, 5, 4),
            passport_expires_on=dt.date(2028, 5, 3),
            passport_issue_place="Abuja",
            now=utcnow(),
        )
        if approve:
            from confapp.accounts.models import User

            organiser = db.session.scalar(sa.select(User).where(User.email == "org@example.org"))
            services.decide(
                visa, event=reg.event, approve=True, note="", actor=organiser, now=utcnow()
            )
        db.session.commit()
        return visa.id


# --- the delegate -------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get("/events/cdc/visa-letter")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/events/cdc/visa-letter.pdf").status_code == 302


def test_without_registration_nothing_can_be_requested(app, client, world):
    sign_in(client, world["outsider"])
    page = client.get("/events/cdc/visa-letter")
    assert page.status_code == 200
    assert "registered delegates only" in page.text
    assert client.post("/events/cdc/visa-letter", data=FORM).status_code == 403
    assert visa_rows(app) == []


def test_cancelled_registration_cannot_request(app, client, world):
    with app.app_context():
        from confapp.registration.models import Registration

        reg = db.session.scalar(
            sa.select(Registration).where(Registration.user_id == world["delegate"])
        )
        reg.status = RegistrationStatus.CANCELLED
        db.session.commit()
    sign_in(client, world["delegate"])
    assert client.post("/events/cdc/visa-letter", data=FORM).status_code == 403
    assert visa_rows(app) == []


def test_delegate_requests_then_updates(app, client, world):
    sign_in(client, world["delegate"])
    page = client.get("/events/cdc/visa-letter")
    assert page.status_code == 200
    assert 'name="passport_number"' in page.text
    assert 'value="Amara Okafor"' in page.text  # prefilled from the registration

    review = client.post("/events/cdc/visa-letter", data=FORM)
    assert review.status_code == 200
    assert "Born 23 November 1979 — is that right?" in review.text
    assert visa_rows(app) == []  # the review stores nothing
    response = client.post("/events/cdc/visa-letter", data=CONFIRM)
    assert response.status_code == 302
    [row] = visa_rows(app)
    assert (row.passport_name, row.passport_number, row.nationality) == (
        "Amara Okafor",
        "A07654321",
        "NG",
    )
    assert row.date_of_birth == dt.date(1979, 11, 23)
    assert (row.passport_issued_on, row.passport_expires_on, row.passport_issue_place) == (
        dt.date(2018, 5, 4),
        dt.date(2028, 5, 3),
        "Abuja",
    )
    assert row.status is VisaStatus.REQUESTED

    page = client.get("/events/cdc/visa-letter")
    assert "Awaiting decision" in page.text
    # The full number is never sent back, even to its owner.
    assert "A07654321" not in page.text
    assert "ending in 321" in page.text
    assert page.headers["Cache-Control"] == "no-store"

    response = client.post(
        "/events/cdc/visa-letter", data={**CONFIRM, "passport_number": "", "nationality": "GH"}
    )
    assert response.status_code == 302
    [row] = visa_rows(app)
    assert row.nationality == "GH"
    assert row.passport_number == "A07654321"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_of_birth-year": "2015"}, "at least 16"),
        ({"date_of_birth-year": "2099"}, "in the past"),
        ({"date_of_birth-year": "79"}, "four digits"),
        ({"date_of_birth-day": "31", "date_of_birth-month": "2"}, "no such day"),
        ({"date_of_birth-month": ""}, "the day, the month and the year"),
        ({"date_of_birth-day": "٢٣"}, "digits 0–9"),
        ({"passport_issued_on-year": ""}, "the day, the month and the year"),
        (
            {
                "passport_issued_on-day": "",
                "passport_issued_on-month": "",
                "passport_issued_on-year": "",
            },
            "date of issue",
        ),
        ({"passport_expires_on-year": "2017"}, "after the date of issue"),
        (
            {
                "passport_expires_on-year": "2027",
                "passport_expires_on-month": "2",
                "passport_expires_on-day": "1",
            },
            "before the event ends",
        ),
        ({"passport_issue_place": ""}, "place of issue"),
        ({"nationality": "ZZ"}, "nationality"),
        ({"passport_number": ""}, "passport number"),
        ({"passport_number": "12"}, "5 to 20"),
        ({"passport_name": ""}, "exactly as in your passport"),
    ],
)
def test_bad_input_re_renders_and_writes_nothing(app, client, world, changes, message):
    sign_in(client, world["delegate"])
    for step in ("review", "confirm"):
        response = client.post("/events/cdc/visa-letter", data={**FORM, **changes, "step": step})
        assert response.status_code == 422
        assert message in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'name="passport_issue_place"' in response.text  # the form, not the review
    assert visa_rows(app) == []


def test_decided_request_is_read_only(app, client, world):
    make_request(app, approve=True)
    sign_in(client, world["delegate"])
    response = client.post("/events/cdc/visa-letter", data={**FORM, "passport_name": "Changed"})
    assert response.status_code == 302
    [row] = visa_rows(app)
    assert row.passport_name == "Amara Okafor"
    page = client.get("/events/cdc/visa-letter")
    assert 'name="passport_name"' not in page.text
    assert "Download the letter" in page.text
    assert "CDC-2027-0001" in page.text


def test_delegate_downloads_approved_letter(app, client, world, tmp_path):
    sign_in(client, world["delegate"])
    client.post("/events/cdc/visa-letter", data=CONFIRM)
    assert client.get("/events/cdc/visa-letter.pdf").status_code == 404  # not approved yet
    [row] = visa_rows(app)
    sign_in(client, world["organiser"])
    client.post(f"/events/cdc/manage/visa-letters/{row.id}", data={"decision": "approve"})

    sign_in(client, world["delegate"])
    response = client.get("/events/cdc/visa-letter.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "CDC-2027-0001" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    if shutil.which("pdftotext"):
        path = tmp_path / "l.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "Amara Okafor" in text
        assert "Changing paradigms of cluster development" in text
        assert "Nigeria" in text


def test_other_people_cannot_download_someones_letter(app, client, world):
    make_request(app, approve=True)
    for who in ("peer", "staff", "organiser", "outsider", "other_delegate"):
        sign_in(client, world[who])
        assert client.get("/events/cdc/visa-letter.pdf").status_code == 404, who
    sign_in(client, world["other_delegate"])
    assert client.get("/events/other/visa-letter.pdf").status_code == 404


def test_cancelled_registration_loses_the_download(app, client, world):
    make_request(app, approve=True)
    with app.app_context():
        from confapp.registration.models import Registration

        reg = db.session.scalar(
            sa.select(Registration).where(Registration.user_id == world["delegate"])
        )
        reg.status = RegistrationStatus.CANCELLED
        db.session.commit()
    sign_in(client, world["delegate"])
    assert client.get("/events/cdc/visa-letter.pdf").status_code == 404


# --- organisers ---------------------------------------------------------------------


def test_organiser_sees_passport_data_and_filters(app, client, world):
    first = make_request(app)
    make_request(app, email="peer@example.org", approve=True)
    sign_in(client, world["organiser"])
    page = client.get("/events/cdc/manage/visa-letters")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.text.count("A07654321") == 2
    assert "Nigeria" in page.text
    assert "1979-11-23" in page.text
    requested = client.get("/events/cdc/manage/visa-letters?status=requested")
    assert f'id="request-{first}"' in requested.text
    assert requested.text.count("A07654321") == 1
    approved = client.get("/events/cdc/manage/visa-letters?status=approved")
    assert f'id="request-{first}"' not in approved.text
    assert "CDC-2027-0001" in approved.text
    # An unknown filter shows everything rather than failing.
    assert client.get("/events/cdc/manage/visa-letters?status=bogus").text.count("A07654321") == 2


def test_admin_may_manage(app, client, world):
    make_request(app)
    with app.app_context():
        admin_id = make_user("admin@example.org", admin=True).id
        db.session.commit()
    sign_in(client, admin_id)
    assert "A07654321" in client.get("/events/cdc/manage/visa-letters").text


@pytest.mark.parametrize(
    ("who", "status"),
    [("delegate", 403), ("peer", 403), ("staff", 403), ("other_organiser", 403), ("outsider", 403)],
)
def test_non_organisers_get_no_passport_data(app, client, world, who, status):
    request_id = make_request(app)
    sign_in(client, world[who])
    page = client.get("/events/cdc/manage/visa-letters")
    assert page.status_code == status
    assert "A07654321" not in page.text
    response = client.post(
        f"/events/cdc/manage/visa-letters/{request_id}", data={"decision": "approve"}
    )
    assert response.status_code == status
    [row] = visa_rows(app)
    assert row.status is VisaStatus.REQUESTED


def test_anonymous_manage_is_refused(app, client, world):
    request_id = make_request(app)
    page = client.get("/events/cdc/manage/visa-letters")
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=%2Fevents%2Fcdc%2Fmanage%2Fvisa-letters"
    decision = client.post(
        f"/events/cdc/manage/visa-letters/{request_id}", data={"decision": "approve"}
    )
    assert decision.status_code == 302
    assert decision.headers["Location"].startswith("/login")


def test_request_of_another_event_is_not_found(app, client, world):
    request_id = make_request(app)
    sign_in(client, world["other_organiser"])
    response = client.post(
        f"/events/other/manage/visa-letters/{request_id}", data={"decision": "approve"}
    )
    assert response.status_code == 404
    assert (
        client.post(
            "/events/other/manage/visa-letters/999999", data={"decision": "approve"}
        ).status_code
        == 404
    )
    [row] = visa_rows(app)
    assert row.status is VisaStatus.REQUESTED
    assert row.reference is None


def test_organiser_approves_and_delegate_is_mailed(app, client, world, outbox):
    request_id = make_request(app)
    sign_in(client, world["organiser"])
    response = client.post(
        f"/events/cdc/manage/visa-letters/{request_id}",
        data={"decision": "approve", "note": "Safe travels"},
    )
    assert response.status_code == 302
    [row] = visa_rows(app)
    assert row.status is VisaStatus.APPROVED
    assert row.reference == "CDC-2027-0001"
    assert row.note == "Safe travels"
    assert row.decided_by_id == world["organiser"]
    [mail] = outbox.to("amara@example.org")
    assert "visa invitation letter" in mail["Subject"]
    assert "ready" in mail["Subject"]
    links = outbox.links(mail)
    assert "http://localhost/events/cdc/visa-letter.pdf" in links
    assert "A07654321" not in outbox.body(mail)
    page = client.get(response.headers["Location"])
    assert "CDC-2027-0001 approved" in page.text


def test_organiser_rejects_with_note(app, client, world, outbox):
    request_id = make_request(app)
    sign_in(client, world["organiser"])
    client.post(
        f"/events/cdc/manage/visa-letters/{request_id}",
        data={"decision": "reject", "note": "Not a delegate"},
    )
    [row] = visa_rows(app)
    assert row.status is VisaStatus.REJECTED
    assert row.reference is None
    [mail] = outbox.to("amara@example.org")
    assert "Not a delegate" in outbox.body(mail)
    sign_in(client, world["delegate"])
    page = client.get("/events/cdc/visa-letter")
    assert "Not approved" in page.text
    assert "Not a delegate" in page.text


@pytest.mark.parametrize(
    "data", [{}, {"decision": "maybe"}, {"decision": "approve", "note": "x" * 501}]
)
def test_bad_decision_changes_nothing(app, client, world, outbox, data):
    request_id = make_request(app)
    sign_in(client, world["organiser"])
    response = client.post(f"/events/cdc/manage/visa-letters/{request_id}", data=data)
    assert response.status_code == 302
    [row] = visa_rows(app)
    assert row.status is VisaStatus.REQUESTED
    assert outbox.messages() == []


def test_passport_data_is_not_in_registration_pages_or_exports(app, client, world):
    make_request(app, approve=True)
    sign_in(client, world["organiser"])
    with app.test_request_context():
        urls = [
            url_for(endpoint, slug="cdc")
            for endpoint in ("registration.manage_list", "registration.export_csv")
            if endpoint in app.view_functions
        ]
    assert urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"Amara Okafor" in response.data, url
        assert b"A07654321" not in response.data, url
        assert b"1979-11-23" not in response.data, url
    sign_in(client, world["delegate"])
    assert "A07654321" not in client.get("/events/cdc/my-registration").text


def test_posts_need_a_csrf_token(world, database_url, tmp_path, app):
    csrf_app = create_app(
        "testing",
        {
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": True,
            "MAIL_OUTBOX": str(tmp_path / "o"),
        },
    )
    client = csrf_app.test_client()
    sign_in(client, world["delegate"])
    assert client.post("/events/cdc/visa-letter", data=FORM).status_code == 400
    request_id = make_request(app)
    sign_in(client, world["organiser"])
    response = client.post(
        f"/events/cdc/manage/visa-letters/{request_id}", data={"decision": "approve"}
    )
    assert response.status_code == 400
    [row] = visa_rows(app)
    assert row.status is VisaStatus.REQUESTED
    with csrf_app.app_context():
        db.session.remove()


# --- the review step, the date fields, the nationality ---------------------------------


def test_review_echoes_every_detail_and_confirm_stores_it(app, client, world):
    sign_in(client, world["delegate"])
    review = client.post("/events/cdc/visa-letter", data=FORM)
    assert review.status_code == 200
    assert review.headers["Cache-Control"] == "no-store"
    text = review.text
    assert "Born 23 November 1979 — is that right?" in text
    for shown in ("Amara Okafor", "A07654321", "Nigeria", "4 May 2018", "3 May 2028", "Abuja"):
        assert shown in text, shown
    # The review carries the checked values (dates as ISO days) to the Confirm button.
    assert 'name="date_of_birth" value="1979-11-23"' in text
    assert 'name="passport_expires_on" value="2028-05-03"' in text
    assert 'name="step" value="confirm"' in text
    assert 'name="step" value="edit"' in text
    assert "less than six months" not in text
    assert visa_rows(app) == []
    # What the review page posts back is what gets stored.
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', text))
    assert (
        client.post("/events/cdc/visa-letter", data={**hidden, "step": "confirm"}).status_code
        == 302
    )
    [row] = visa_rows(app)
    assert (row.date_of_birth, row.passport_issued_on) == (
        dt.date(1979, 11, 23),
        dt.date(2018, 5, 4),
    )


def test_swapped_day_and_month_is_visible_in_words(app, client, world):
    """3/4/1990 typed month-first by someone who meant day-first: the words show it."""
    sign_in(client, world["delegate"])
    data = {
        **FORM,
        "date_of_birth-day": "4",
        "date_of_birth-month": "3",
        "date_of_birth-year": "1990",
    }
    review = client.post("/events/cdc/visa-letter", data=data)
    assert "Born 4 March 1990 — is that right?" in review.text
    # "Correct my details" brings the form back filled in, nothing stored.
    edit = client.post("/events/cdc/visa-letter", data={**data, "step": "edit"})
    assert edit.status_code == 200
    assert 'name="date_of_birth-day" value="4"' in edit.text
    assert re.search(r'<option value="3" selected>March</option>', edit.text)
    assert 'value="Abuja"' in edit.text
    assert visa_rows(app) == []


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", "23 novembre 1979"),
        ("es", "23 de noviembre de 1979"),
        ("pt", "23 de novembro de 1979"),
        ("ar", "نوفمبر"),
    ],
)
def test_review_says_the_date_in_the_readers_language(client, world, lang, words):
    sign_in(client, world["delegate"])
    client.get(f"/events/cdc/visa-letter?lang={lang}")
    review = client.post("/events/cdc/visa-letter", data=FORM)
    assert review.status_code == 200
    assert words in review.text
    assert "is that right?" not in review.text


def test_short_passport_validity_is_a_clear_warning(app, client, world):
    sign_in(client, world["delegate"])
    data = {**FORM, "passport_expires_on-year": "2027", "passport_expires_on-month": "4"}
    review = client.post("/events/cdc/visa-letter", data=data)
    assert review.status_code == 200
    assert "less than six months after the event" in review.text
    assert "22 August 2027" in review.text  # six months after 22 February 2027
    assert (
        client.post("/events/cdc/visa-letter", data={**data, "step": "confirm"}).status_code == 302
    )
    sign_in(client, world["organiser"])
    page = client.get("/events/cdc/manage/visa-letters")
    assert "Valid less than six months after the event" in page.text


def test_form_has_separate_day_month_year_and_month_names(client, world):
    sign_in(client, world["delegate"])
    page = client.get("/events/cdc/visa-letter").text
    for name in ("date_of_birth", "passport_issued_on", "passport_expires_on"):
        for part in ("day", "month", "year"):
            assert f'name="{name}-{part}"' in page, (name, part)
    assert '<option value="11">November</option>' in page
    assert 'type="date"' not in page
    french = client.get("/events/cdc/visa-letter?lang=fr").text
    assert '<option value="11">novembre</option>' in french


def _selected_nationality(html: str) -> str:
    select = html.split('name="nationality"', 1)[1].split("</select>", 1)[0]
    return (
        re.search(
            r'<option selected value="([A-Z]*)"|<option value="([A-Z]*)" selected', select
        ).group(1)
        or ""
    )


def test_nationality_is_prefilled_from_the_registration_and_changeable(app, client, world):
    sign_in(client, world["delegate"])
    page = client.get("/events/cdc/visa-letter").text
    assert re.search(
        r'<option selected value="KE">Kenya</option>|<option value="KE" selected>Kenya</option>',
        page,
    )
    client.post("/events/cdc/visa-letter", data={**CONFIRM, "nationality": "UG"})
    [row] = visa_rows(app)
    assert row.nationality == "UG"
    page = client.get("/events/cdc/visa-letter").text
    assert re.search(r'<option selected value="UG">|<option value="UG" selected>', page)


def test_nationality_list_sorted_by_name_in_the_readers_language(client, world):
    sign_in(client, world["delegate"])
    page = client.get("/events/cdc/visa-letter?lang=fr").text
    select = page.split('name="nationality"', 1)[1].split("</select>", 1)[0]
    names = re.findall(r"<option[^>]*value=\"[A-Z]{2}\"[^>]*>([^<]+)</option>", select)
    # ZA "Afrique du Sud" comes before AL "Albanie" in French, "Égypte" beside "Équateur".
    assert names.index("Afrique du Sud") < names.index("Albanie")
    assert names.index("Égypte") < names.index("Érythrée") < names.index("Espagne")


def test_organiser_sees_issue_expiry_and_place(app, client, world):
    make_request(app)
    sign_in(client, world["organiser"])
    page = client.get("/events/cdc/manage/visa-letters").text
    assert "2018-05-04" in page and "2028-05-03" in page and "Abuja" in page


# --- the letter: the delegate's language, the organiser's letterhead -----------------------


def _png(size, colour) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _poppler(tool: str, pdf: bytes, tmp_path, *args: str) -> str:
    """What a poppler tool prints about the PDF (pdftotext writes the text to stdout)."""
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    command = [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, capture_output=True, check=True).stdout.decode()


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdfimages")),
    reason="poppler-utils is not installed",
)
@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", "Madame, Monsieur,"), ("ar", "إلىالموظفالقنصليالمختص"), ("en", "Dear Sir or Madam,")],
)
def test_letter_in_the_account_language_with_letterhead_logo_and_signature(
    app, client, world, tmp_path, language, words
):
    from confapp.accounts.models import User
    from confapp.documents import branding
    from confapp.events.models import Event

    request_id = make_request(app)
    with app.test_request_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "cdc"))
        event.organiser_name = "Bharat Foundation for MSME Clusters"
        event.organiser_address = "Core 4B, India Habitat Centre\nNew Delhi 110003"
        event.letter_contact = "Visa desk: visas@cdc.example.org"
        branding.save_image(event, "logo", _png((300, 120), "navy"))
        branding.save_image(event, "signature", _png((400, 100), "white"))
        db.session.get(User, world["delegate"]).language = language
        db.session.commit()
    sign_in(client, world["organiser"])
    client.post(f"/events/cdc/manage/visa-letters/{request_id}", data={"decision": "approve"})
    sign_in(client, world["delegate"])
    pdf = client.get("/events/cdc/visa-letter.pdf").data
    assert pdf.startswith(b"%PDF-")
    assert "Pages:           1" in _poppler("pdfinfo", pdf, tmp_path)
    listed = _poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    assert {tuple(row.split()[3:5]) for row in listed} == {("300", "120"), ("400", "100")}
    text = _poppler("pdftotext", pdf, tmp_path)
    compact = "".join(text.split())
    assert "".join(words.split()) in compact
    for value in (
        "Bharat Foundation for MSME Clusters",
        "A07654321",
        "Abuja",
        "visas@cdc.example.org",
    ):
        assert "".join(value.split()) in compact, value


def test_the_decision_is_confirmed_in_the_organisers_language(app, client, world):
    request_id = make_request(app)
    sign_in(client, world["organiser"])
    client.get("/events/cdc/manage/visa-letters?lang=fr")  # the switcher remembers French
    response = client.post(
        f"/events/cdc/manage/visa-letters/{request_id}",
        data={"decision": "approve"},
        follow_redirects=True,
    )
    assert "Lettre " in response.text and "approuvée" in response.text
    unreadable = client.post(
        f"/events/cdc/manage/visa-letters/{request_id}",
        data={"decision": "maybe"},
        follow_redirects=True,
    )
    assert "Unreadable" not in unreadable.text
