"""Visa letter requests: submit, decide, render, purge. Flush only, never commit.

Passport data is personal data of the most sensitive kind: only the delegate's own
request page and the organisers' list touch it, it is never part of registration
exports, and `purge_passports` removes it once the event is over.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp.accounts.models import User
from confapp.capacity import services as capacity
from confapp.countries import country_name
from confapp.countries import is_country
from confapp.documents import branding
from confapp.errors import DomainError
from confapp.errors import NotAllowed
from confapp.errors import NotFound
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import format_date
from confapp.i18n import language_of
from confapp.mail import send_mail
from confapp.multilingual import lazy_tr
from confapp.multilingual import tr
from confapp.pdf import FontSet
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.urls import external_url
from confapp.visa.letter import LetterData
from confapp.visa.letter import build_letter
from confapp.visa.models import VisaRequest
from confapp.visa.models import VisaStatus

MIN_AGE = 16
MAX_AGE = 120
INACTIVE = (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)
PASSPORT_NUMBER_RE = re.compile(r"^[A-Z0-9]{5,20}$")
PLACE_MAX = 100
MAX_PASSPORT_YEARS = 20
# Most embassies want the passport valid this long after the stay.
VALIDITY_AFTER_STAY_MONTHS = 6


def active_registration(event: Event, user: User) -> Registration | None:
    """The user's registration for the event unless cancelled or rejected."""
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status.not_in(INACTIVE),
        )
    )


def open_for_changes(visa: VisaRequest | None) -> bool:
    """The delegate may (re)submit until the organisers decide: the one "decided" rule."""
    return visa is None or visa.status is VisaStatus.REQUESTED


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def normalise_passport_number(value: str | None) -> str:
    """Upper-case and drop the spaces and hyphens people type in passport numbers."""
    return re.sub(r"[\s-]+", "", value or "").upper()


@dataclass(frozen=True)
class PassportDetails:
    """A request's passport fields as checked, ready to store (or to show for review)."""

    passport_name: str
    passport_number: str
    nationality: str
    date_of_birth: dt.date
    passport_issued_on: dt.date
    passport_expires_on: dt.date
    passport_issue_place: str
    # The number was left empty and the one on file is kept.
    number_on_file: bool = False


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def validity_needed_until(event: Event) -> dt.date:
    """The day a passport should still be valid on: six months after the event ends."""
    return _add_months(event.ends_on, VALIDITY_AFTER_STAY_MONTHS)


def short_validity(expires_on: dt.date | None, event: Event) -> bool:
    """Whether a passport (valid through the event) expires within six months after it:
    most embassies refuse such a passport, so the delegate and organisers are warned."""
    return expires_on is not None and expires_on < validity_needed_until(event)


def check_request(
    registration: Registration,
    *,
    passport_name: str,
    passport_number: str | None,
    nationality: str,
    date_of_birth: dt.date,
    passport_issued_on: dt.date | None,
    passport_expires_on: dt.date | None,
    passport_issue_place: str | None,
    now: dt.datetime,
) -> PassportDetails:
    """Check the delegate's passport details without storing anything (the review step).

    An empty `passport_number` keeps the one already on file, so the delegate never
    needs to see it again to correct another field. Raises ValidationFailed naming the
    field; refuses a passport that expires before the event ends.
    """
    if registration.status in INACTIVE:
        raise NotAllowed(_("Your registration is not active, so no letter can be issued."))
    existing = registration.visa_request
    if not open_for_changes(existing):
        raise DomainError(
            _("Your request has already been decided and can no longer be changed."),
            code="already_done",
        )
    passport_name = " ".join((passport_name or "").split())
    if not passport_name:
        raise ValidationFailed(
            _("Enter your name exactly as in your passport."), field="passport_name"
        )
    if len(passport_name) > 200:
        raise ValidationFailed(_("The name is too long."), field="passport_name")
    number = normalise_passport_number(passport_number)
    on_file = False
    if not number:
        if existing is None or not existing.passport_number:
            raise ValidationFailed(_("Enter your passport number."), field="passport_number")
        number, on_file = existing.passport_number, True
    elif not PASSPORT_NUMBER_RE.match(number):
        raise ValidationFailed(
            _("A passport number has 5 to 20 letters and digits."), field="passport_number"
        )
    nationality = (nationality or "").upper()
    if not is_country(nationality):
        raise ValidationFailed(_("Choose your nationality."), field="nationality")
    event = registration.event
    today = now.astimezone(event.tz).date()
    if date_of_birth >= today:
        raise ValidationFailed(_("The date of birth must be in the past."), field="date_of_birth")
    age = _age_on(date_of_birth, today)
    if age < MIN_AGE:
        raise ValidationFailed(
            _("Delegates must be at least %(age)s years old.", age=MIN_AGE),
            field="date_of_birth",
        )
    if age > MAX_AGE:
        raise ValidationFailed(_("Please check the year of birth."), field="date_of_birth")
    _check_passport_dates(event, date_of_birth, passport_issued_on, passport_expires_on, today)
    place = " ".join((passport_issue_place or "").split())
    if not place:
        raise ValidationFailed(
            _("Enter the place of issue printed in your passport."), field="passport_issue_place"
        )
    if len(place) > PLACE_MAX:
        raise ValidationFailed(
            _("The place of issue is too long (%(max)s characters at most).", max=PLACE_MAX),
            field="passport_issue_place",
        )
    return PassportDetails(
        passport_name=passport_name,
        passport_number=number,
        nationality=nationality,
        date_of_birth=date_of_birth,
        passport_issued_on=passport_issued_on,
        passport_expires_on=passport_expires_on,
        passport_issue_place=place,
        number_on_file=on_file,
    )


def _check_passport_dates(
    event: Event,
    born: dt.date,
    issued: dt.date | None,
    expires: dt.date | None,
    today: dt.date,
) -> None:
    if issued is None:
        raise ValidationFailed(_("Enter the passport's date of issue."), field="passport_issued_on")
    if issued > today:
        raise ValidationFailed(
            _("The date of issue cannot be in the future."), field="passport_issued_on"
        )
    if issued < born:
        raise ValidationFailed(
            _("The date of issue is before your date of birth: please check both."),
            field="passport_issued_on",
        )
    if expires is None:
        raise ValidationFailed(
            _("Enter the passport's date of expiry."), field="passport_expires_on"
        )
    if expires <= issued:
        raise ValidationFailed(
            _("The date of expiry must be after the date of issue."), field="passport_expires_on"
        )
    if expires > _add_months(issued, 12 * MAX_PASSPORT_YEARS):
        raise ValidationFailed(
            _(
                "A passport is valid for %(years)s years at most: please check the dates.",
                years=MAX_PASSPORT_YEARS,
            ),
            field="passport_expires_on",
        )
    if expires <= event.ends_on:
        raise ValidationFailed(
            _(
                "This passport expires on %(expires)s, before the event ends on %(ends)s: no "
                "visa can be granted on it. Renew your passport first, then request the letter "
                "with the new one.",
                expires=format_date(expires),
                ends=format_date(event.ends_on),
            ),
            field="passport_expires_on",
        )


def submit_request(
    registration: Registration,
    *,
    passport_name: str,
    passport_number: str | None,
    nationality: str,
    date_of_birth: dt.date,
    passport_issued_on: dt.date | None,
    passport_expires_on: dt.date | None,
    passport_issue_place: str | None,
    now: dt.datetime,
) -> VisaRequest:
    """Create or update the delegate's request; only while it awaits a decision.

    The same checks as :func:`check_request` (the review step), then stored.
    """
    if registration.status in INACTIVE:
        raise NotAllowed(_("Your registration is not active, so no letter can be issued."))
    existing = registration.visa_request
    if existing is not None:
        # A decision taken while the form was open wins over the form.
        capacity.lock_and_reread(registration.event.pool, existing)
    details = check_request(
        registration,
        passport_name=passport_name,
        passport_number=passport_number,
        nationality=nationality,
        date_of_birth=date_of_birth,
        passport_issued_on=passport_issued_on,
        passport_expires_on=passport_expires_on,
        passport_issue_place=passport_issue_place,
        now=now,
    )
    request = existing or VisaRequest(registration=registration, created_at=now)
    request.passport_name = details.passport_name
    request.passport_number = details.passport_number
    request.nationality = details.nationality
    request.date_of_birth = details.date_of_birth
    request.passport_issued_on = details.passport_issued_on
    request.passport_expires_on = details.passport_expires_on
    request.passport_issue_place = details.passport_issue_place
    request.status = VisaStatus.REQUESTED
    request.updated_at = now
    registration.needs_visa_letter = True
    db.session.add(request)
    db.session.flush()
    return request


def requests_for_event(event: Event, status: VisaStatus | None = None) -> list[VisaRequest]:
    """The event's requests (optionally of one status), oldest first, for organisers."""
    query = (
        sa.select(VisaRequest)
        .join(Registration, VisaRequest.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
        .order_by(VisaRequest.created_at, VisaRequest.id)
    )
    if status is not None:
        query = query.where(VisaRequest.status == status)
    return list(db.session.scalars(query))


def status_counts(event: Event) -> dict[VisaStatus, int]:
    """How many requests the event has in each status."""
    rows = db.session.execute(
        sa.select(VisaRequest.status, sa.func.count())
        .join(Registration, VisaRequest.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
        .group_by(VisaRequest.status)
    )
    counts = dict.fromkeys(VisaStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def request_in_event(event: Event, request_id: int) -> VisaRequest:
    """The request with this id if (and only if) it belongs to the event, else NotFound."""
    found = db.session.scalar(
        sa.select(VisaRequest)
        .join(Registration, VisaRequest.registration_id == Registration.id)
        .where(VisaRequest.id == request_id, Registration.event_id == event.id)
    )
    if found is None:
        raise NotFound(_("There is no such visa letter request in this event."))
    return found


def reference_prefix(event: Event) -> str:
    """`CDC-2027` for slug `cdc`; a slug already ending in the year is not doubled."""
    year = str(event.starts_on.year)
    prefix = event.slug.upper()[:30].rstrip("-")
    if not prefix.endswith(f"-{year}"):
        prefix = f"{prefix}-{year}"
    return prefix


def next_reference(event: Event) -> str:
    """The next free letter reference of the event, e.g. `CDC-2027-0007`.

    Numbers are counted over every reference with the prefix (two slugs can share
    one), and the unique constraint on `reference` stays the last line of defence.
    """
    prefix = reference_prefix(event)
    existing = db.session.scalars(
        sa.select(VisaRequest.reference).where(VisaRequest.reference.like(f"{prefix}-%"))
    )
    highest = 0
    for reference in existing:
        tail = reference[len(prefix) + 1 :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}-{highest + 1:04d}"


def decide(
    request: VisaRequest,
    *,
    event: Event,
    approve: bool,
    note: str,
    actor: User,
    now: dt.datetime,
) -> VisaRequest:
    """Approve (numbering the letter and e-mailing the delegate) or reject a request."""
    registration = request.registration
    if registration.event_id != event.id:
        raise NotAllowed(_("This request belongs to another event."))
    if not actor.is_organiser(event):
        raise NotAllowed(_("Only the event's organisers decide on visa letters."))
    if request.purged_at is not None:
        raise DomainError(_("The passport data of this request has been purged."))
    if approve and registration.status in INACTIVE:
        raise DomainError(_("The registration is cancelled or rejected; no letter can be issued."))
    target = VisaStatus.APPROVED if approve else VisaStatus.REJECTED
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed(_("The note is too long (500 characters at most)."), field="note")
    # Under the event's lock, read the request again: a double-clicked "Approve" finds the
    # first click's decision, and two approvals cannot compute the same letter number.
    capacity.lock_and_reread(event.pool, request)
    if request.status is target and request.note == note:
        raise DomainError(
            _(
                "This request is already %(target)s; nothing was changed or sent.",
                target=target.label.lower(),
            ),
            code="already_done",
        )
    request.status = target
    request.note = note
    request.decided_at = now
    request.decided_by_id = actor.id
    # A reference, once given, stays with the request: it may already be on paper.
    if approve and not request.reference:
        request.reference = next_reference(event)
    db.session.flush()
    link = external_url("visa.request", slug=event.slug)
    if approve:
        send_mail(
            registration.email,
            _l(
                "Your visa invitation letter for %(event)s is ready",
                event=lazy_tr(event, "title"),
            ),
            "visa_letter_ready",
            event=event,
            registration=registration,
            visa=request,
            link=link,
            pdf_link=external_url("visa.letter_pdf", slug=event.slug),
        )
    else:
        send_mail(
            registration.email,
            _l(
                "Your visa invitation letter request for %(event)s",
                event=lazy_tr(event, "title"),
            ),
            "visa_letter_rejected",
            event=event,
            registration=registration,
            visa=request,
            link=link,
        )
    return request


def letter_language(request: VisaRequest) -> str:
    """The language of the delegate's letter: their account's (else the event's)."""
    registration = request.registration
    return language_of(registration.user, registration.event)


def letter_data(request: VisaRequest, language: str | None = None) -> LetterData:
    """What goes on the letter of an approved, unpurged request, in its language."""
    if request.status is not VisaStatus.APPROVED or request.purged_at is not None:
        raise DomainError(_("Only approved requests have a letter."))
    registration = request.registration
    event = registration.event
    language = language or letter_language(request)
    issued = request.decided_at or request.updated_at
    logo = branding.image_path(event, "logo")
    signature = branding.image_path(event, "signature")
    return LetterData(
        reference=request.reference or "",
        issued_on=event.local(issued).date(),
        event_title=tr(event, "title", language),
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        venue=event.venue,
        city=event.city,
        country_name=country_name(event.country, language),
        passport_name=request.passport_name or "",
        passport_number=request.passport_number or "",
        nationality_name=country_name(request.nationality, language),
        date_of_birth=request.date_of_birth,
        organisation=registration.organisation,
        purpose=event.letter_purpose,
        signatory=event.letter_signatory,
        partners=[partner.name for partner in event.partners],
        contact_email=event.contact_email,
        passport_issued_on=request.passport_issued_on,
        passport_expires_on=request.passport_expires_on,
        passport_issue_place=request.passport_issue_place or "",
        organiser_name=event.organiser_name,
        organiser_address=event.organiser_address,
        letter_contact=event.letter_contact,
        logo_path=str(logo) if logo else None,
        signature_path=str(signature) if signature else None,
        language=language,
    )


def render_letter(request: VisaRequest, *, fonts: FontSet | None = None) -> bytes:
    """The PDF letter of an approved request, in the delegate's language."""
    return build_letter(letter_data(request), fonts=fonts)


def event_has_ended(event: Event, now: dt.datetime) -> bool:
    """Whether the last day of the event is over in the event's time zone."""
    end = dt.datetime.combine(event.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=event.tz)
    return now >= end


def purge_passports(event: Event, now: dt.datetime) -> int:
    """Erase the passport data of every request of the event; return how many."""
    ids = sa.select(Registration.id).where(Registration.event_id == event.id)
    result = db.session.execute(
        sa.update(VisaRequest)
        .where(VisaRequest.registration_id.in_(ids), VisaRequest.purged_at.is_(None))
        .values(
            passport_name=None,
            passport_number=None,
            nationality=None,
            date_of_birth=None,
            passport_issued_on=None,
            passport_expires_on=None,
            passport_issue_place=None,
            purged_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount
