"""Certificates of participation: who may have one and when, their public numbers, the
verification of a number, and the PDF (each in its holder's language, Arabic set right to
left by the bidi algorithm of fpdf2's shaping).

A certificate is issued once the delegate was scanned in (the entrance or a session) and
the event has begun. Issuing records a random number and the name and organisation it
prints; the verification page (a URL and a QR code on the certificate) confirms them
without signing in. Organisers re-issue: a new number, the old one reads "replaced".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import secrets
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import has_app_context
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.checkin.models import Certificate
from confapp.errors import DomainError
from confapp.extensions import db
from confapp.i18n import force_language
from confapp.i18n import join_list
from confapp.pdf import PT
from confapp.pdf import FontSet
from confapp.pdf import cell
from confapp.pdf import fit_lines
from confapp.pdf import install_fonts
from confapp.pdf import leading
from confapp.pdf import shape_for

if TYPE_CHECKING:
    from fpdf import FPDF

    from confapp.accounts.models import User
    from confapp.events.models import Event
    from confapp.registration.models import Registration


# --- numbers ---------------------------------------------------------------------------

# Crockford's base32: no I, L, O or U, so a number read aloud or retyped stays the same.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
NUMBER_LENGTH = 12  # 60 random bits: guessing one among millions takes ~10^11 tries


def new_number() -> str:
    """A fresh random certificate number, "7K3M-Q9ZP-2X4T"."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(NUMBER_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, NUMBER_LENGTH, 4))


def normalise_number(text: str) -> str | None:
    """The stored form of a typed number (case, spaces, dashes, O/0 and I/L/1 forgiven);
    None when it cannot be a certificate number."""
    raw = "".join(ch for ch in text.upper() if ch not in " -–—\t").translate(_READ_AS)
    if len(raw) != NUMBER_LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, NUMBER_LENGTH, 4))


# --- who may have one, and when ----------------------------------------------------------


def available_from(event: Event) -> dt.datetime:
    """When certificates of the event can first be issued: its first day, 00:00 local."""
    return dt.datetime.combine(event.starts_on, dt.time(0, 0), tzinfo=event.tz).astimezone(dt.UTC)


def refusal(reg: Registration, now: dt.datetime) -> DomainError | None:
    """Why `reg` cannot have a certificate at `now` (the reason to show), or None."""
    from confapp.checkin.reports import has_attended
    from confapp.i18n import format_date
    from confapp.registration.models import RegistrationStatus

    if reg.status is not RegistrationStatus.CONFIRMED:
        return DomainError(
            _("Certificates of participation are issued to confirmed delegates only."),
            code="not_confirmed",
        )
    if now < available_from(reg.event):
        return DomainError(
            _(
                "Your certificate of participation will be available from %(date)s, once the "
                "event has begun and you have been scanned in at the entrance or a session.",
                date=format_date(reg.event.starts_on),
            ),
            code="not_begun",
        )
    if not has_attended(reg):
        return DomainError(
            _(
                "Your certificate of participation becomes available once you have been "
                "scanned in at the entrance or at a session."
            ),
            code="not_attended",
        )
    return None


def current_certificate(reg: Registration) -> Certificate | None:
    """The registration's certificate in force, if one was issued."""
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.registration_id == reg.id, Certificate.replaced_at.is_(None)
        )
    )


def _create(reg: Registration, now: dt.datetime, actor: User | None) -> Certificate | None:
    """Insert a new current certificate; None when another request just did (the partial
    unique index refused ours: the savepoint keeps the rest of the transaction)."""
    certificate = Certificate(
        number=new_number(),
        event_id=reg.event_id,
        registration_id=reg.id,
        full_name=reg.full_name,
        organisation=reg.organisation or "",
        issued_at=now,
        issued_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except sa.exc.IntegrityError:
        return None
    return certificate


def issue(reg: Registration, *, now: dt.datetime) -> Certificate:
    """The registration's certificate, issued now if it has none (refused with the reason
    while the delegate has not attended or the event has not begun)."""
    refused = refusal(reg, now)
    if refused is not None:
        raise refused
    found = current_certificate(reg)
    if found is not None:
        return found
    made = _create(reg, now, None)
    return made if made is not None else current_certificate(reg)


def reissue(
    reg: Registration, *, actor: User, now: dt.datetime, replaces: str | None = None
) -> Certificate:
    """A new certificate with a new number (name and organisation as they are now); the
    one in force, if any, becomes "replaced". Same rule as issuing. With `replaces` (the
    number the organiser saw, "" for none) a resent form re-issues once, not twice."""
    refused = refusal(reg, now)
    if refused is not None:
        raise refused
    old = current_certificate(reg)
    if replaces is not None and (old.number if old else "") != replaces:
        raise DomainError(
            _(
                "The certificate of %(name)s was already re-issued (its number is now "
                "%(number)s); nothing was changed.",
                name=reg.full_name,
                number=old.number if old else "—",
            ),
            code="stale",
        )
    if old is not None:
        old.replaced_at = now
        db.session.flush()
    made = _create(reg, now, actor)
    if made is None:
        raise DomainError(_("The certificate was just re-issued by someone else."), code="race")
    return made


def issue_all(
    event: Event, registrations: list[Registration], now: dt.datetime
) -> dict[int, Certificate]:
    """Certificates of the given attendees (issued now where missing), by registration id;
    nobody before the event has begun. Two queries whatever the number of delegates."""
    if now < available_from(event) or not registrations:
        return {}
    found = {
        c.registration_id: c
        for c in db.session.scalars(
            sa.select(Certificate).where(
                Certificate.event_id == event.id, Certificate.replaced_at.is_(None)
            )
        )
    }
    for reg in registrations:
        if reg.id not in found:
            made = _create(reg, now, None)
            found[reg.id] = made if made is not None else current_certificate(reg)
    return found


def certificates_by_registration(event: Event) -> dict[int, Certificate]:
    """Certificates in force of the event, by registration id (one query)."""
    return {
        c.registration_id: c
        for c in db.session.scalars(
            sa.select(Certificate).where(
                Certificate.event_id == event.id, Certificate.replaced_at.is_(None)
            )
        )
    }


# --- verification -------------------------------------------------------------------------


class Validity(enum.StrEnum):
    """What the verification page says about a number."""

    VALID = "valid"
    REPLACED = "replaced"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    """A number's standing and, when it was ever issued, the certificate."""

    validity: Validity
    certificate: Certificate | None = None


def verify(number: str) -> Verification:
    """The standing of a typed or scanned certificate number."""
    from confapp.registration.models import RegistrationStatus

    normal = normalise_number(number)
    if normal is None:
        return Verification(Validity.UNKNOWN)
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.number == normal))
    if certificate is None:
        return Verification(Validity.UNKNOWN)
    if certificate.replaced_at is not None:
        return Verification(Validity.REPLACED, certificate)
    from confapp.registration.models import Registration

    reg = db.session.get(Registration, certificate.registration_id)
    if reg is None or reg.status is not RegistrationStatus.CONFIRMED:
        return Verification(Validity.REVOKED, certificate)
    return Verification(Validity.VALID, certificate)


# --- what a certificate says ---------------------------------------------------------------


@dataclass(frozen=True)
class CertificateData:
    """What one certificate says."""

    full_name: str
    organisation: str
    event_title: str
    dates: str
    place: str
    sessions_attended: int
    partners: tuple[str, ...] = ()
    language: str = "en"
    number: str = ""
    issued_on: str = ""
    verify_url: str = ""
    logo: str | None = None  # the organiser's uploaded logo (a file path), printed on top
    signature: str | None = None  # the uploaded signature (a file path), above the signatory
    signatory: str = ""  # who signs (the event's letter signatory), under the signature line


def _dates(event: Event) -> str:
    """The event's dates in the current language ("20–22 février 2027")."""
    from confapp.i18n import format_date_range

    return format_date_range(event.starts_on, event.ends_on)


def certificate_of(
    event: Event, reg: Registration, sessions: int, certificate: Certificate | None = None
) -> CertificateData:
    """What the certificate of `reg` (who attended `sessions` sessions) says, in the
    holder's language: the dates, the country and the event's title too. An issued
    `certificate` brings its number, date of issue, verification URL and the name and
    organisation it was issued with."""
    from confapp.countries import country_name
    from confapp.documents.branding import image_path
    from confapp.i18n import format_date
    from confapp.i18n import language_of
    from confapp.multilingual import tr
    from confapp.urls import external_url

    language = language_of(reg, event)
    with force_language(language):
        extra = {}
        if certificate is not None:
            extra = {
                "number": certificate.number,
                "issued_on": format_date(event.local(certificate.issued_at).date()),
                "verify_url": external_url("checkin.verify_certificate", number=certificate.number),
            }
        return CertificateData(
            full_name=certificate.full_name if certificate else reg.full_name,
            organisation=certificate.organisation if certificate else reg.organisation,
            event_title=tr(event, "title"),
            dates=_dates(event),
            place=join_list(p for p in (event.venue, event.city, country_name(event.country)) if p),
            sessions_attended=sessions,
            partners=tuple(p.name for p in event.partners),
            language=language,
            logo=str(logo) if (logo := image_path(event, "logo")) else None,
            signature=str(sign) if (sign := image_path(event, "signature")) else None,
            signatory=event.letter_signatory or "",
            **extra,
        )


# --- the PDF ---------------------------------------------------------------------------------

FRAME = 12.0  # mm from the page edge to the frame
SIDE = 25.0  # mm from the page edge to the text
QR_SIZE = 30.0  # mm, quiet zone included
FOOTER = 36.0  # mm above the frame's bottom kept for the number, date, URL and QR
SIGNATURE_BOX = (50.0, 16.0)  # mm: the widest and tallest the signature may print
SIGNED = 28.0  # mm above the footer kept for the signature, its line and the signatory


def build_certificates(
    certificates: Iterable[CertificateData],
    fonts: FontSet,
    on_progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """One landscape A4 page per certificate (`on_progress(done, total)` after each)."""
    certificates = list(certificates)
    words = [_fixed_words(language) for language in {c.language for c in certificates}]
    fonts = fonts.for_texts(
        [
            *(
                text
                for c in certificates
                for text in (
                    c.full_name,
                    c.organisation,
                    c.event_title,
                    c.place,
                    c.dates,
                    c.issued_on,
                    c.signatory,
                    *c.partners,
                )
            ),
            *(text for texts in words for text in texts),
        ]
    )
    from fpdf import FPDF  # here: see the note on imports in confapp/pdf.py

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_("Certificates of participation"))
    pdf.set_creator("confapp")
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0
    install_fonts(pdf, "cert", fonts)
    count = 0
    for c in certificates:
        if on_progress is not None and count:
            on_progress(count, len(certificates))
        count += 1
        with _language(c.language):
            _page(pdf, c)
    if on_progress is not None and count:
        on_progress(count, len(certificates))
    if count == 0:
        pdf.add_page()
        _block(pdf, _("No certificates: nobody has earned one yet."), 40, (14,), 2)
    return bytes(pdf.output())


@contextlib.contextmanager
def _language(language: str) -> Iterator[None]:
    """The holder's language; English words when built outside the app (tests, scripts)."""
    if not has_app_context():
        yield
        return
    with force_language(language):
        yield


def _fixed_words(language: str) -> list[str]:
    """The words every certificate in `language` prints (to pick the fonts they need)."""
    with _language(language):
        return [
            _("CERTIFICATE OF PARTICIPATION"),
            _("This is to certify that"),
            _("participated in"),
            ngettext(
                "and attended %(num)d programme session.",
                "and attended %(num)d programme sessions.",
                2,
            ),
            _("Organised by %(partners)s", partners=""),
            _("Certificate number: %(number)s", number=""),
            _("Issued on %(date)s", date=""),
            _("Check this certificate at:"),
        ]


@dataclass(frozen=True)
class _Text:
    """A block of centred text: its sizes to try (largest first) and most lines."""

    text: str
    sizes: tuple[float, ...]
    max_lines: int
    style: str = ""
    space_before: float = 0.0


def _fit(pdf: FPDF, block: _Text, width: float, scale: float) -> tuple[float, list[str], float]:
    """(size, lines, line height) of a block whose sizes are scaled by `scale`."""
    sizes = tuple(round(s * scale, 1) for s in block.sizes)
    pdf.set_font("cert", block.style, sizes[0])
    size, lines = fit_lines(pdf, block.text, width, sizes, block.max_lines, block.style)
    return size, lines, size * PT * leading(block.text)


def _page(pdf: FPDF, c: CertificateData) -> None:
    """One certificate, its fixed words in the current language; every text is wrapped or
    shrunk into the frame, the blocks shrink together when they would not fit its height."""
    from confapp.i18n import text_direction

    pdf.add_page()
    pdf.set_text_color(20, 20, 20)
    pdf.set_draw_color(31, 111, 235)
    pdf.set_line_width(1.2)
    pdf.rect(FRAME, FRAME, pdf.w - 2 * FRAME, pdf.h - 2 * FRAME)
    pdf.set_line_width(0.3)
    pdf.rect(FRAME + 2.5, FRAME + 2.5, pdf.w - 2 * FRAME - 5, pdf.h - 2 * FRAME - 5)
    width = pdf.w - 2 * SIDE
    blocks = [
        _Text(_("CERTIFICATE OF PARTICIPATION"), (22, 20, 18, 16, 14), 2, "B"),
        _Text(_("This is to certify that"), (13, 12, 11, 10), 2, space_before=5),
        _Text(c.full_name, (32, 28, 24, 20, 16, 14), 2, "B", space_before=3),
        _Text(c.organisation, (15, 14, 13, 12, 11, 10, 9), 2, space_before=1.5),
        _Text(_("participated in"), (13, 12, 11, 10), 2, space_before=5),
        _Text(c.event_title, (20, 18, 16, 14, 12, 11, 10), 3, "B", space_before=3),
        _Text(
            f"{c.dates} · {c.place}" if c.place else c.dates, (13, 12, 11, 10, 9), 2, space_before=2
        ),
    ]
    if c.sessions_attended:
        attended = ngettext(
            "and attended %(num)d programme session.",
            "and attended %(num)d programme sessions.",
            c.sessions_attended,
        )
        blocks.append(_Text(attended, (12, 11, 10, 9), 2, space_before=2))
    if c.partners:
        organised = _("Organised by %(partners)s", partners=" · ".join(c.partners))
        blocks.append(_Text(organised, (10, 9, 8, 7, 6), 3, space_before=6))
    blocks = [b for b in blocks if b.text]
    top = FRAME + 10
    if c.logo:
        top = _logo(pdf, c.logo, FRAME + 7) + 4
    bottom = pdf.h - FRAME - FOOTER
    if c.signature or c.signatory:
        bottom -= SIGNED
        _signed(pdf, c, bottom)
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        laid = [(b, *_fit(pdf, b, width, scale)) for b in blocks]
        height = sum(b.space_before * scale + len(lines) * h for b, _s, lines, h in laid)
        if height <= bottom - top:
            break
    y = top + max(0.0, (bottom - top - height) / 2)
    for block, size, lines, line_h in laid:
        y += block.space_before * scale
        for line in lines:
            shape_for(pdf, line)
            pdf.set_font("cert", block.style, size)
            pdf.set_xy(SIDE, y)
            cell(pdf, width, line_h, line, "C")
            y += line_h
    if c.number:
        _footer(pdf, c, rtl=text_direction(c.language) == "rtl")


LOGO_BOX = (70.0, 18.0)  # mm: the widest and tallest the logo may print


@functools.cache
def _aspect_ratio(path: str) -> float:
    """Width / height of an image file (read once per file and process)."""
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
    return width / height if height else 1.0


def _logo(pdf: FPDF, path: str, y: float) -> float:
    """The logo centred at `y` within LOGO_BOX; the y below it (unchanged if unreadable)."""
    try:
        ratio = _aspect_ratio(path)
    except OSError:
        return y
    w = min(LOGO_BOX[0], LOGO_BOX[1] * ratio)
    h = w / ratio
    pdf.image(path, (pdf.w - w) / 2, y, w, h)
    return y + h


def _signed(pdf: FPDF, c: CertificateData, top: float) -> None:
    """The signature centred over a line, the signatory's name under it, from `top`."""
    line_y = top + 4 + SIGNATURE_BOX[1]
    if c.signature:
        try:
            ratio = _aspect_ratio(c.signature)
        except OSError:
            ratio = 0
        if ratio:
            w = min(SIGNATURE_BOX[0], SIGNATURE_BOX[1] * ratio)
            h = w / ratio
            pdf.image(c.signature, (pdf.w - w) / 2, line_y - h, w, h)
    pdf.set_draw_color(90, 90, 90)
    pdf.set_line_width(0.3)
    pdf.line(pdf.w / 2 - 35, line_y + 0.5, pdf.w / 2 + 35, line_y + 0.5)
    if c.signatory:
        _block(pdf, c.signatory, line_y + 2, (10, 9, 8, 7), 2)


def _footer(pdf: FPDF, c: CertificateData, *, rtl: bool) -> None:
    """Number, date of issue and verification URL beside the URL's QR code (the QR at
    the line's end: right in left-to-right languages, left in Arabic)."""
    from confapp.badges.qr import qr_rows
    from confapp.badges.render import draw_qr

    inner_bottom = pdf.h - FRAME - 4
    qr_y = inner_bottom - QR_SIZE
    qr_x = SIDE - 4 if rtl else pdf.w - SIDE - QR_SIZE + 4
    draw_qr(pdf, qr_rows(c.verify_url), qr_x, qr_y, QR_SIZE)
    width = pdf.w - 2 * SIDE - QR_SIZE - 2
    x = SIDE + QR_SIZE - 2 if rtl else SIDE
    align = "R" if rtl else "L"
    lines = [
        _Text(_("Certificate number: %(number)s", number=c.number), (11, 10, 9, 8), 1, "B"),
        _Text(_("Issued on %(date)s", date=c.issued_on), (10, 9, 8, 7), 1),
        _Text(_("Check this certificate at:"), (9, 8, 7), 1),
        _Text(c.verify_url, (9, 8, 7, 6, 5), 1),
    ]
    y = qr_y + 4
    for block in lines:
        size, fitted, line_h = _fit(pdf, block, width, 1.0)
        for line in fitted:
            shape_for(pdf, line)
            pdf.set_font("cert", block.style, size)
            pdf.set_xy(x, y)
            cell(pdf, width, line_h, line, align)
            y += line_h


def _block(
    pdf: FPDF, text: str, y: float, sizes: tuple[float, ...], max_lines: int, style: str = ""
) -> None:
    """A centred text wrapped or shrunk into the page's text width at `y`."""
    width = pdf.w - 2 * SIDE
    size, lines, line_h = _fit(pdf, _Text(text, sizes, max_lines, style), width, 1.0)
    for line in lines:
        shape_for(pdf, line)
        pdf.set_font("cert", style, size)
        pdf.set_xy(SIDE, y)
        cell(pdf, width, line_h, line, "C")
        y += line_h
