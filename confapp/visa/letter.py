"""The visa invitation letter as a PDF: a pure builder, data in, bytes out.

Names come in every script, so the letter uses a Unicode TrueType font (DejaVu Sans,
vendored under static/vendor) plus optional fallback fonts for scripts it lacks
(Devanagari, CJK...). Arabic and Indic scripts need shaping; it is switched on when
uharfbuzz is installed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from fpdf import FPDF

from confapp.pdf import DEFAULT_BOLD_FONT
from confapp.pdf import DEFAULT_FONT

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


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _event_dates(starts_on: dt.date, ends_on: dt.date) -> str:
    if starts_on == ends_on:
        return _long_date(starts_on)
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on.day}–{ends_on.day} {ends_on:%B %Y}"
    return f"{_long_date(starts_on)} to {_long_date(ends_on)}"


def build_letter(
    data: LetterData,
    *,
    font_path: str | Path | None = None,
    bold_font_path: str | Path | None = None,
    fallback_fonts: Sequence[str | Path] = (),
) -> bytes:
    """Render the invitation letter and return the PDF bytes."""
    regular = Path(font_path) if font_path else DEFAULT_FONT
    # A custom regular font without a bold twin is used for headings too.
    bold = Path(bold_font_path) if bold_font_path else (regular if font_path else DEFAULT_BOLD_FONT)

    pdf = FPDF(format="A4")
    pdf.set_title(f"Invitation letter {data.reference}")
    pdf.set_author(data.signatory or data.event_title)
    pdf.set_creation_date(dt.datetime.combine(data.issued_on, dt.time(), tzinfo=dt.UTC))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("letter", "", str(regular))
    pdf.add_font("letter", "B", str(bold))
    fallback_names = []
    for index, path in enumerate(fallback_fonts):
        name = f"fallback{index}"
        pdf.add_font(name, "", str(path))
        fallback_names.append(name)
    if fallback_names:
        # exact_match=False lets bold headings borrow a regular fallback glyph.
        pdf.set_fallback_fonts(fallback_names, exact_match=False)
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
