"""Certificates of participation (PDF) for delegates who were scanned in."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


def _dates(event: Event) -> str:
    if event.starts_on == event.ends_on:
        return f"{event.starts_on.day} {event.starts_on:%B %Y}"
    return (
        f"{event.starts_on.day} {event.starts_on:%B %Y} – {event.ends_on.day} {event.ends_on:%B %Y}"
    )


def certificate_of(event: Event, reg: Registration, sessions: int) -> CertificateData:
    """What the certificate of `reg` (who attended `sessions` sessions) says."""
    from confapp.countries import country_name

    return CertificateData(
        full_name=reg.full_name,
        organisation=reg.organisation,
        event_title=event.title,
        dates=_dates(event),
        place=", ".join(p for p in (event.venue, event.city, country_name(event.country)) if p),
        sessions_attended=sessions,
        partners=tuple(p.name for p in event.partners),
    )


def build_certificates(
    certificates: Iterable[CertificateData],
    fonts: FontSet,
    on_progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """One landscape A4 page per certificate (`on_progress(done, total)` after each)."""
    certificates = list(certificates)
    fonts = fonts.for_texts(
        text
        for c in certificates
        for text in (c.full_name, c.organisation, c.event_title, c.place, *c.partners)
    )
    from fpdf import FPDF  # here: see the note on imports in confapp/pdf.py

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title("Certificates of participation")
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
        pdf.add_page()
        pdf.set_draw_color(31, 111, 235)
        pdf.set_line_width(1.2)
        pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
        _line(pdf, "CERTIFICATE OF PARTICIPATION", 40, 20, "B")
        _line(pdf, "This is to certify that", 62, 13)
        size, lines = fit_lines(pdf, c.full_name, width, (32, 28, 24, 20, 16), 2, "B")
        y = 76
        for line in lines:
            pdf.set_xy(25, y)
            cell(pdf, width, size * 0.42, line, "C")
            y += size * 0.42
        if c.organisation:
            _line(pdf, c.organisation, y + 4, 14)
            y += 10
        _line(pdf, "participated in", y + 8, 13)
        _line(pdf, c.event_title, y + 20, 18, "B")
        _line(pdf, f"{c.dates} · {c.place}" if c.place else c.dates, y + 32, 13)
        if c.sessions_attended:
            plural = "" if c.sessions_attended == 1 else "s"
            _line(pdf, f"and attended {c.sessions_attended} programme session{plural}.", y + 42, 12)
        if c.partners:
            _line(pdf, "Organised by " + " · ".join(c.partners), pdf.h - 40, 10)
    if on_progress is not None and count:
        on_progress(count, len(certificates))
    if count == 0:
        pdf.add_page()
        _line(pdf, "No certificates: nobody was scanned in yet.", 40, 14)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, y: float, size: float, style: str = "") -> None:
    shape_for(pdf, text)
    pdf.set_font("cert", style, size)
    pdf.set_text_color(20, 20, 20)
    pdf.set_xy(25, y)
    cell(pdf, pdf.w - 50, size * 0.45, text, "C")
