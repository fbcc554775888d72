"""Visa letter services: submit, decide (numbering, e-mail), purge, and the CLI."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from confapp.accounts.models import EventRoleKind
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import NotFound
from confapp.errors import ValidationFailed
from confapp.extensions import db
from confapp.registration.models import RegistrationStatus
from confapp.visa import services
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event
from tests.helpers import make_staff

PASSPORT = {
    "passport_name": "Wanjiru  Kamau",
    "passport_number": "ak 123-4567",
    "nationality": "KE",
    "date_of_birth": dt.date(1984, 6, 2),
    "passport_issued_on": dt.date(2018, 3, 11),
    "passport_expires_on": dt.date(2028, 3, 10),
    "passport_issue_place": " Nairobi ",
}


@pytest.fixture
def ctx(app):
    """A request context: decisions put absolute links in their e-mails."""
    with app.test_request_context():
        yield app


@pytest.fixture
def event(ctx):
    return make_event("cdc")


@pytest.fixture
def organiser(event):
    return make_staff(event, "org@example.org")


def submit(reg, now, **overrides):
    values = {**PASSPORT, **overrides}
    return services.submit_request(reg, now=now, **values)


def test_submit_creates_request_normalised(event, now):
    reg = make_confirmed_registration(event)
    visa = submit(reg, now)
    db.session.commit()
    stored = db.session.scalar(sa.select(VisaRequest))
    assert stored.id == visa.id
    assert stored.registration_id == reg.id
    assert stored.status is VisaStatus.REQUESTED
    assert stored.passport_name == "Wanjiru Kamau"
    assert stored.passport_number == "AK1234567"
    assert stored.nationality == "KE"
    assert stored.passport_issued_on == dt.date(2018, 3, 11)
    assert stored.passport_expires_on == dt.date(2028, 3, 10)
    assert stored.passport_issue_place == "Nairobi"
    assert reg.needs_visa_letter is True


def test_update_while_requested_and_empty_number_keeps_it(event, now):
    reg = make_confirmed_registration(event)
    first = submit(reg, now)
    again = submit(reg, now, passport_name="Wanjiru N. Kamau", passport_number="", nationality="UG")
    assert again.id == first.id
    assert again.passport_name == "Wanjiru N. Kamau"
    assert again.passport_number == "AK1234567"
    assert again.nationality == "UG"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaRequest)) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": dt.date(2027, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": dt.date(2026, 12, 1)}, "date_of_birth"),  # today is not past
        ({"date_of_birth": dt.date(2011, 1, 1)}, "date_of_birth"),  # 15 years old
        ({"date_of_birth": dt.date(1890, 1, 1)}, "date_of_birth"),
        ({"nationality": "XX"}, "nationality"),
        ({"nationality": ""}, "nationality"),
        ({"passport_number": "12"}, "passport_number"),
        ({"passport_number": "AB/12345"}, "passport_number"),
        ({"passport_number": ""}, "passport_number"),  # nothing on file yet
        ({"passport_name": "   "}, "passport_name"),
        ({"passport_issued_on": None}, "passport_issued_on"),
        ({"passport_issued_on": dt.date(2026, 12, 2)}, "passport_issued_on"),  # tomorrow
        ({"passport_issued_on": dt.date(1984, 6, 1)}, "passport_issued_on"),  # before birth
        ({"passport_expires_on": None}, "passport_expires_on"),
        ({"passport_expires_on": dt.date(2018, 3, 11)}, "passport_expires_on"),  # = issue
        ({"passport_expires_on": dt.date(2017, 1, 1)}, "passport_expires_on"),  # before issue
        ({"passport_expires_on": dt.date(2038, 3, 12)}, "passport_expires_on"),  # > 20 years
        ({"passport_expires_on": dt.date(2027, 2, 22)}, "passport_expires_on"),  # last day
        ({"passport_expires_on": dt.date(2027, 1, 5)}, "passport_expires_on"),  # before it
        ({"passport_issue_place": "  "}, "passport_issue_place"),
        ({"passport_issue_place": "x" * 101}, "passport_issue_place"),
    ],
)
def test_submit_refuses_bad_input(event, now, overrides, field):
    reg = make_confirmed_registration(event)
    with pytest.raises(ValidationFailed) as info:
        submit(reg, now, **overrides)
    assert info.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaRequest)) == 0


def test_passport_expiring_before_the_event_ends_is_refused_with_the_dates(event, now):
    reg = make_confirmed_registration(event)
    with pytest.raises(ValidationFailed) as info:
        submit(reg, now, passport_expires_on=dt.date(2027, 2, 21))
    message = str(info.value.message)
    assert "21 February 2027" in message and "22 February 2027" in message
    assert "Renew your passport" in message


def test_check_request_stores_nothing_and_cleans(event, now):
    reg = make_confirmed_registration(event)
    details = services.check_request(reg, now=now, **PASSPORT)
    assert details.passport_number == "AK1234567"
    assert details.passport_name == "Wanjiru Kamau"
    assert details.passport_issue_place == "Nairobi"
    assert details.number_on_file is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaRequest)) == 0
    submit(reg, now)
    kept = services.check_request(reg, now=now, **{**PASSPORT, "passport_number": ""})
    assert (kept.passport_number, kept.number_on_file) == ("AK1234567", True)


def test_six_months_validity_after_the_event_is_a_warning_not_a_refusal(event, now):
    # The event ends on 22 February 2027: six months later is 22 August 2027.
    assert services.validity_needed_until(event) == dt.date(2027, 8, 22)
    assert services.short_validity(dt.date(2027, 8, 21), event)
    assert not services.short_validity(dt.date(2027, 8, 22), event)
    assert not services.short_validity(None, event)
    reg = make_confirmed_registration(event)
    visa = submit(reg, now, passport_expires_on=dt.date(2027, 3, 1))
    assert visa.passport_expires_on == dt.date(2027, 3, 1)


def test_six_months_after_the_end_of_a_month(ctx):
    event = make_event("aug", starts_on=dt.date(2027, 8, 29), ends_on=dt.date(2027, 8, 31))
    assert services.validity_needed_until(event) == dt.date(2028, 2, 29)


def test_exactly_sixteen_is_accepted(event, now):
    reg = make_confirmed_registration(event)
    # now is 1 Dec 2026 in Asia/Kolkata: born 1 Dec 2010 is 16 that day.
    visa = submit(reg, now, date_of_birth=dt.date(2010, 12, 1))
    assert visa.date_of_birth == dt.date(2010, 12, 1)
    with pytest.raises(ValidationFailed):
        submit(reg, now, date_of_birth=dt.date(2010, 12, 2))


def test_inactive_registration_cannot_request(event, now):
    reg = make_confirmed_registration(event)
    reg.status = RegistrationStatus.CANCELLED
    with pytest.raises(NotAllowed):
        submit(reg, now)
    assert services.active_registration(event, reg.user) is None


def test_decided_request_cannot_be_changed(event, organiser, now):
    reg = make_confirmed_registration(event)
    visa = submit(reg, now)
    services.decide(visa, event=event, approve=True, note="", actor=organiser, now=now)
    with pytest.raises(DomainError):
        submit(reg, now, passport_name="Someone Else")
    assert visa.passport_name == "Wanjiru Kamau"


def test_approval_numbers_letters_and_mails_after_commit(event, organiser, now, outbox):
    regs = [make_confirmed_registration(event, f"d{i}@example.org") for i in range(3)]
    visas = [submit(reg, now) for reg in regs]
    services.decide(visas[1], event=event, approve=True, note="", actor=organiser, now=now)
    assert outbox.messages() == []  # not before the commit
    db.session.commit()
    services.decide(visas[0], event=event, approve=True, note="Bring it", actor=organiser, now=now)
    db.session.commit()
    assert visas[1].reference == "CDC-2027-0001"
    assert visas[0].reference == "CDC-2027-0002"
    assert visas[0].status is VisaStatus.APPROVED
    assert visas[0].decided_by_id == organiser.id
    assert visas[0].decided_at == now
    assert visas[2].reference is None
    mails = outbox.to("d0@example.org")
    assert len(mails) == 1
    assert "ready" in mails[0]["Subject"]
    body = outbox.body(mails[0])
    assert "CDC-2027-0002" in body
    assert "Bring it" in body
    assert any(link.endswith("/events/cdc/visa-letter.pdf") for link in outbox.links(mails[0]))
    # Passport data never travels by e-mail.
    assert "AK1234567" not in body


def test_reference_keeps_year_once_and_survives_rejection(ctx, now):
    event = make_event("cluster-2027")
    organiser = make_staff(event, "org@example.org")
    visa = submit(make_confirmed_registration(event), now)
    services.decide(visa, event=event, approve=True, note="", actor=organiser, now=now)
    assert visa.reference == "CLUSTER-2027-0001"
    services.decide(
        visa, event=event, approve=False, note="Changed plans", actor=organiser, now=now
    )
    assert visa.status is VisaStatus.REJECTED
    services.decide(visa, event=event, approve=True, note="", actor=organiser, now=now)
    assert visa.reference == "CLUSTER-2027-0001"


def test_references_never_clash_between_events_sharing_a_prefix(ctx, now):
    first = make_event("cdc")
    second = make_event("cdc-2027")
    assert services.reference_prefix(first) == services.reference_prefix(second)
    admin_like = make_staff(first, "org@example.org")
    from confapp.accounts.team import grant_role

    grant_role(admin_like, second, EventRoleKind.ORGANISER)
    a = submit(make_confirmed_registration(first, "a@example.org"), now)
    b = submit(make_confirmed_registration(second, "b@example.org"), now)
    services.decide(a, event=first, approve=True, note="", actor=admin_like, now=now)
    services.decide(b, event=second, approve=True, note="", actor=admin_like, now=now)
    db.session.commit()
    assert {a.reference, b.reference} == {"CDC-2027-0001", "CDC-2027-0002"}


def test_rejection_mails_the_note(event, organiser, now, outbox):
    reg = make_confirmed_registration(event, "kamau@example.org")
    visa = submit(reg, now)
    services.decide(
        visa, event=event, approve=False, note="Registration incomplete", actor=organiser, now=now
    )
    db.session.commit()
    assert visa.status is VisaStatus.REJECTED
    assert visa.reference is None
    [mail] = outbox.to("kamau@example.org")
    assert "Registration incomplete" in outbox.body(mail)


def test_decide_checks_event_and_actor(ctx, now):
    event = make_event("cdc")
    other = make_event("other")
    other_organiser = make_staff(other, "other@example.org")
    staff = make_staff(event, "door@example.org", EventRoleKind.STAFF)
    visa = submit(make_confirmed_registration(event), now)
    with pytest.raises(NotAllowed):
        services.decide(visa, event=other, approve=True, note="", actor=other_organiser, now=now)
    with pytest.raises(NotAllowed):
        services.decide(visa, event=event, approve=True, note="", actor=staff, now=now)
    assert visa.status is VisaStatus.REQUESTED
    assert visa.reference is None
    with pytest.raises(NotFound):
        services.request_in_event(other, visa.id)
    assert services.request_in_event(event, visa.id) is visa


def test_requests_for_event_filters_by_status(event, organiser, now):
    a = submit(make_confirmed_registration(event, "a@example.org"), now)
    b = submit(make_confirmed_registration(event, "b@example.org"), now)
    services.decide(b, event=event, approve=True, note="", actor=organiser, now=now)
    assert services.requests_for_event(event) == [a, b]
    assert services.requests_for_event(event, VisaStatus.REQUESTED) == [a]
    assert services.requests_for_event(event, VisaStatus.APPROVED) == [b]
    counts = services.status_counts(event)
    assert counts[VisaStatus.REQUESTED] == 1
    assert counts[VisaStatus.APPROVED] == 1
    assert counts[VisaStatus.REJECTED] == 0


def test_purge_erases_only_this_event(ctx, now):
    event = make_event("cdc")
    other = make_event("other")
    mine = submit(make_confirmed_registration(event, "a@example.org"), now)
    submit(make_confirmed_registration(event, "b@example.org"), now)
    theirs = submit(make_confirmed_registration(other, "c@example.org"), now)
    db.session.commit()
    later = now + dt.timedelta(days=90)
    assert services.purge_passports(event, later) == 2
    db.session.commit()
    db.session.expire_all()
    assert mine.passport_name is None
    assert mine.passport_number is None
    assert mine.nationality is None
    assert mine.date_of_birth is None
    assert mine.passport_issued_on is None
    assert mine.passport_expires_on is None
    assert mine.passport_issue_place is None
    assert mine.purged_at == later
    assert theirs.passport_number == "AK1234567"
    assert theirs.passport_issue_place == "Nairobi"
    assert theirs.purged_at is None
    assert services.purge_passports(event, later) == 0


def test_purged_request_has_no_letter(event, organiser, now):
    visa = submit(make_confirmed_registration(event), now)
    services.decide(visa, event=event, approve=True, note="", actor=organiser, now=now)
    services.purge_passports(event, now)
    db.session.expire_all()
    with pytest.raises(DomainError):
        services.letter_data(visa)
    with pytest.raises(DomainError):
        services.decide(visa, event=event, approve=True, note="again", actor=organiser, now=now)


def test_event_has_ended_uses_event_zone(event):
    # The event ends on 22 Feb 2027; midnight in Asia/Kolkata is 18:30 UTC the day before.
    assert not services.event_has_ended(event, dt.datetime(2027, 2, 22, 18, 29, tzinfo=dt.UTC))
    assert services.event_has_ended(event, dt.datetime(2027, 2, 22, 18, 30, tzinfo=dt.UTC))


def _seed_for_cli(app, now):
    with app.test_request_context():
        event = make_event("cdc", starts_on=dt.date(2020, 3, 1), ends_on=dt.date(2020, 3, 3))
        future = make_event("future")
        submit(make_confirmed_registration(event, "a@example.org"), now)
        submit(make_confirmed_registration(future, "b@example.org"), now)
        db.session.commit()


def _passport_numbers(app) -> list[str | None]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(VisaRequest.passport_number).order_by(VisaRequest.id))
        )


def test_cli_purges_ended_event(app, runner, now):
    _seed_for_cli(app, dt.datetime(2019, 1, 1, tzinfo=dt.UTC))
    result = runner.invoke(args=["purge-passports", "cdc"])
    assert result.exit_code == 0, result.output
    assert "Purged the passport data of 1 visa letter request." in result.output
    assert _passport_numbers(app) == [None, "AK1234567"]


def test_cli_refuses_before_the_end_unless_forced(app, runner, now):
    _seed_for_cli(app, now)
    result = runner.invoke(args=["purge-passports", "future"])
    assert result.exit_code != 0
    assert "--force" in result.output
    assert _passport_numbers(app) == ["AK1234567", "AK1234567"]
    result = runner.invoke(args=["purge-passports", "future", "--force"])
    assert result.exit_code == 0, result.output
    assert "1 visa letter request" in result.output
    assert _passport_numbers(app) == ["AK1234567", None]


def test_cli_unknown_event(runner):
    result = runner.invoke(args=["purge-passports", "nope"])
    assert result.exit_code != 0
    assert "No event" in result.output


def test_letter_data_in_the_delegates_language_with_letterhead_and_passport(event, organiser, now):
    import io

    from PIL import Image

    from confapp.documents import branding

    reg = make_confirmed_registration(event)
    reg.user.language = "fr"
    event.organiser_name = "Fondation des clusters"
    event.letter_contact = "visas@cdc.example.org"
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(out, format="PNG")
    branding.save_image(event, "logo", out.getvalue())
    visa = submit(reg, now)
    services.decide(visa, event=event, approve=True, note="", actor=organiser, now=now)
    data = services.letter_data(visa)
    assert data.language == "fr"
    assert (data.country_name, data.nationality_name) == ("Inde", "Kenya")
    assert (data.passport_issued_on, data.passport_expires_on) == (
        dt.date(2018, 3, 11),
        dt.date(2028, 3, 10),
    )
    assert data.passport_issue_place == "Nairobi"
    assert (data.organiser_name, data.letter_contact) == (
        "Fondation des clusters",
        "visas@cdc.example.org",
    )
    assert data.logo_path and data.logo_path.endswith(".png")
    assert data.signature_path is None
    # Without a language of their own, the event's default language.
    reg.user.language = None
    assert services.letter_data(visa).language == "en"
