"""Certificates of participation (PDF) for delegates who were scanned in, each in its
holder's language (Arabic set right to left by the bidi algorithm of fpdf2's shaping)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import has_app_context
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.i18n import force_language
from confapp.pdf import FontSet
from confapp.pdf import cell
from confapp.pdf import fit_lines
from confapp.pdf import install_fonts
from confapp.pdf import shape_for

if TYPE_CHECKING:
    from fpdf import FPDF

    from confapp.events.models import Event
    from confapp.registration.models import Registration


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


def _dates(event: Event) -> str:
    """The event's dates in the current language ("20 février 2027 – 22 février 2027")."""
    from confapp.i18n import format_date

    if event.starts_on == event.ends_on:
        return format_date(event.starts_on, "%d %B %Y")
    return f"{format_date(event.starts_on, '%d %B %Y')} – {format_date(event.ends_on, '%d %B %Y')}"


def certificate_of(event: Event, reg: Registration, sessions: int) -> CertificateData:
    """What the certificate of `reg` (who attended `sessions` sessions) says, in the
    holder's language: the dates, the country and the event's title too."""
    from confapp.countries import country_name
    from confapp.i18n import language_of
    from confapp.multilingual import tr

    language = language_of(reg, event)
    with force_language(language):
        return CertificateData(
            full_name=reg.full_name,
            organisation=reg.organisation,
            event_title=tr(event, "title"),
            dates=_dates(event),
            place=", ".join(p for p in (event.venue, event.city, country_name(event.country)) if p),
            sessions_attended=sessions,
            partners=tuple(p.name for p in event.partners),
            language=language,
        )


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
                for text in (c.full_name, c.organisation, c.event_title, c.place, *c.partners)
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
    width = pdf.w - 50
    count = 0
    for c in certificates:
        if on_progress is not None and count:
            on_progress(count, len(certificates))
        count += 1
        with _language(c.language):
            _page(pdf, c, width)
    if on_progress is not None and count:
        on_progress(count, len(certificates))
    if count == 0:
        pdf.add_page()
        _line(pdf, _("No certificates: nobody was scanned in yet."), 40, 14)
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
        ]


def _page(pdf: FPDF, c: CertificateData, width: float) -> None:
    """One certificate, its fixed words in the current language."""
    pdf.add_page()
    pdf.set_draw_color(31, 111, 235)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    _line(pdf, _("CERTIFICATE OF PARTICIPATION"), 40, 20, "B")
    _line(pdf, _("This is to certify that"), 62, 13)
    size, lines = fit_lines(pdf, c.full_name, width, (32, 28, 24, 20, 16), 2, "B")
    y = 76
    for line in lines:
        pdf.set_xy(25, y)
        cell(pdf, width, size * 0.42, line, "C")
        y += size * 0.42
    if c.organisation:
        _line(pdf, c.organisation, y + 4, 14)
        y += 10
    _line(pdf, _("participated in"), y + 8, 13)
    _line(pdf, c.event_title, y + 20, 18, "B")
    _line(pdf, f"{c.dates} · {c.place}" if c.place else c.dates, y + 32, 13)
    if c.sessions_attended:
        attended = ngettext(
            "and attended %(num)d programme session.",
            "and attended %(num)d programme sessions.",
            c.sessions_attended,
        )
        _line(pdf, attended, y + 42, 12)
    if c.partners:
        organised = _("Organised by %(partners)s", partners=" · ".join(c.partners))
        _line(pdf, organised, pdf.h - 40, 10)


def _line(pdf: FPDF, text: str, y: float, size: float, style: str = "") -> None:
    shape_for(pdf, text)
    pdf.set_font("cert", style, size)
    pdf.set_text_color(20, 20, 20)
    pdf.set_xy(25, y)
    cell(pdf, pdf.w - 50, size * 0.45, text, "C")
