"""The visa invitation letter as a PDF: a pure builder, data in, bytes out.

Names come in every script: the letter uses the fonts of confapp.pdf (Noto, shipped in
the package, with fallbacks for Arabic, Devanagari and Chinese). Arabic and Indic
scripts need shaping; it is switched on when uharfbuzz is installed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from confapp.pdf import FontSet
from confapp.pdf import font_set
from confapp.pdf import install_fonts

DEFAULT_PURPOSE = (
    "To attend the conference as a registered delegate: its plenary and parallel "
    "sessions, business networking meetings and the organised visits to industrial "
    "clusters."
)


@dataclass(frozen=True)
class LetterData:
    """Everything printed on one letter."""

    reference: str
    issued_on: dt.date
    event_title: str
    starts_on: dt.date
    ends_on: dt.date
    venue: str
    city: str
    country_name: str
    passport_name: str
    passport_number: str
    nationality_name: str
    date_of_birth: dt.date
    organisation: str = ""
    purpose: str = ""
    signatory: str = ""
    partners: Sequence[str] = field(default_factory=tuple)
    contact_email: str = ""


def long_date(day: dt.date) -> str:
    """A day in words in the current language: "3 April 1990", "3 avril 1990"."""
    from babel.dates import format_date
    from flask_babel import get_locale

    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, "long", locale=locale)


_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _event_dates(starts_on: dt.date, ends_on: dt.date) -> str:
    if starts_on == ends_on:
        return _long_date(starts_on)
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on.day}–{ends_on.day} {ends_on:%B %Y}"
    return f"{_long_date(starts_on)} to {_long_date(ends_on)}"


def build_letter(data: LetterData, *, fonts: FontSet | None = None) -> bytes:
    """Render the invitation letter and return the PDF bytes."""
    fonts = (fonts or font_set({})).for_texts(
        (data.event_title, data.venue, data.city, data.country_name, data.passport_name)
        + (data.nationality_name, data.organisation, data.purpose, data.signatory)
        + tuple(data.partners)
    )
    from fpdf import FPDF  # here: see the note on imports in confapp/pdf.py

    pdf = FPDF(format="A4")
    pdf.set_title(f"Invitation letter {data.reference}")
    pdf.set_author(data.signatory or data.event_title)
    pdf.set_creation_date(dt.datetime.combine(data.issued_on, dt.time(), tzinfo=dt.UTC))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=20)
    install_fonts(pdf, "letter", fonts)
    if importlib.util.find_spec("uharfbuzz") is not None:
        pdf.set_text_shaping(True)
    pdf.add_page()
    width = pdf.epw

    # Letterhead.
    pdf.set_font("letter", "B", 15)
    pdf.multi_cell(width, 7, data.event_title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("letter", "", 10)
    pdf.multi_cell(
        width,
        5,
        f"{_event_dates(data.starts_on, data.ends_on)} · "
        + ", ".join(p for p in (data.venue, data.city, data.country_name) if p),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if data.partners:
        pdf.set_font("letter", "", 9)
        pdf.multi_cell(
            width,
            5,
            "Organised by " + " · ".join(data.partners),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(8)

    pdf.set_font("letter", "", 10.5)
    pdf.cell(width / 2, 6, f"Reference: {data.reference}")
    pdf.cell(
        width / 2,
        6,
        f"Date: {_long_date(data.issued_on)}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font("letter", "B", 11)
    pdf.cell(width, 6, "To the Consular Officer", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("letter", "", 11)
    pdf.cell(
        width, 6, f"Embassy or Consulate of {data.country_name}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(5)
    pdf.set_font("letter", "B", 11)
    pdf.multi_cell(
        width, 6, f"Subject: Invitation to {data.event_title}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)

    pdf.set_font("letter", "", 11)
    place = ", ".join(p for p in (data.venue, data.city, data.country_name) if p)
    affiliation = f" of {data.organisation}" if data.organisation else ""
    purpose = (data.purpose or DEFAULT_PURPOSE).strip()
    pdf.multi_cell(
        width,
        6,
        f"Dear Sir or Madam,\n\nWe are pleased to confirm that the person named below"
        f"{affiliation} is registered for {data.event_title}, which takes place from "
        f"{_long_date(data.starts_on)} to {_long_date(data.ends_on)} at {place}. "
        f"We kindly request that the necessary visa be granted.\n\nPurpose of the visit: {purpose}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)

    rows = (
        ("Name as in passport", data.passport_name),
        ("Nationality", data.nationality_name),
        ("Passport number", data.passport_number),
        ("Date of birth", _long_date(data.date_of_birth)),
        ("Event dates", _event_dates(data.starts_on, data.ends_on)),
        ("Venue", place),
    )
    label_width = 50
    for label, value in rows:
        pdf.set_font("letter", "B", 10.5)
        pdf.cell(label_width, 7, label, border="B")
        pdf.set_font("letter", "", 10.5)
        pdf.multi_cell(width - label_width, 7, value, border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)

    pdf.multi_cell(
        width,
        6,
        "This letter does not commit the organisers to any financial obligation for the "
        "delegate's travel, accommodation or stay. The delegate is responsible for their "
        "own expenses unless agreed otherwise in writing."
        + (f" Queries: {data.contact_email}." if data.contact_email else ""),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(10)
    pdf.cell(width, 6, "Yours faithfully,", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font("letter", "B", 11)
    pdf.multi_cell(
        width,
        6,
        data.signatory or f"The organisers of {data.event_title}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
