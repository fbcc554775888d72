"""Passenger manifests for the bus crew and the factory gate: pure builders, rows in, bytes out.

The PDF uses the vendored fonts of confapp.pdf (names come in every script). Column titles
and notes are in the current language (the organiser's); in a right-to-left language the
text is set right to left and the columns run from the right.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.i18n import isolate_name
from confapp.i18n import text_direction
from confapp.pdf import DEFAULT_BOLD_FONT
from confapp.pdf import DEFAULT_FONT
from confapp.pdf import available_fallback_fonts
from confapp.registration.exports import to_csv
from confapp.visits.roster import NO_BUS
from confapp.visits.roster import ManifestRow


def header(with_id: bool) -> list[str]:
    """Column titles; the ID number only when the visit asks for it."""
    columns = ["#", _("Name"), _("Organisation"), _("Country"), _("Phone")]
    if with_id:
        columns.append(_("ID number"))
    return columns + [_("Bus"), _("Group")]


def _cells(index: int, row: ManifestRow, with_id: bool) -> list[str]:
    cells = [str(index), row.name, row.organisation, row.country, row.phone]
    if with_id:
        cells.append(row.id_number)
    bus = _("NO BUS") if row.bus == NO_BUS else row.bus
    return cells + [bus, row.group_code]


def manifest_csv(rows: Sequence[ManifestRow], *, with_id: bool) -> bytes:
    """The manifest as UTF-8 CSV (formula-safe, via the registration export helper)."""
    return to_csv(header(with_id), [_cells(i, r, with_id) for i, r in enumerate(rows, 1)])


def manifest_pdf(
    rows: Sequence[ManifestRow],
    *,
    with_id: bool,
    title: str,
    subtitle: str,
    requirements: str = "",
    generated_at: dt.datetime | None = None,
) -> bytes:
    """A landscape A4 table with a tick column for boarding; repeats the header on each page."""
    from fpdf import FPDF  # here: see the note on imports in confapp/pdf.py
    from fpdf.enums import XPos
    from fpdf.enums import YPos

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(title)
    if generated_at is not None:
        pdf.set_creation_date(generated_at)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_font("m", "", str(DEFAULT_FONT))
    pdf.add_font("m", "B", str(DEFAULT_BOLD_FONT))
    fallbacks = []
    for index, path in enumerate(available_fallback_fonts()):
        pdf.add_font(f"fb{index}", "", path)
        fallbacks.append(f"fb{index}")
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    rtl = text_direction() == "rtl"
    if importlib.util.find_spec("uharfbuzz") is not None:
        # Right to left: bidi paragraphs start from the right (numbers and Latin names
        # inside stay left to right).
        pdf.set_text_shaping(True, direction="rtl" if rtl else None)
    align = "R" if rtl else "L"
    pdf.add_page()
    pdf.set_font("m", "B", 14)
    pdf.multi_cell(0, 7, title, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("m", "", 10)
    pdf.multi_cell(0, 5, subtitle, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if requirements:
        pdf.multi_cell(
            0,
            5,
            _("Requirements: %(text)s", text=" ".join(requirements.split())),
            align=align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    count = ngettext("%(num)d passenger", "%(num)d passengers", len(rows))
    unseated = sum(1 for row in rows if row.bus == NO_BUS)
    if unseated:
        count = ngettext(
            "%(num)d passenger, %(unseated)d with NO BUS: find them a seat before departure",
            "%(num)d passengers, %(unseated)d with NO BUS: find them a seat before departure",
            len(rows),
            unseated=unseated,
        )
    pdf.multi_cell(0, 5, count, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    columns = header(with_id) + [_("Boarded")]
    widths = [8, 55, 55, 28, 32] + ([30] if with_id else []) + [22, 22, 18]
    scale = pdf.epw / sum(widths)
    widths = [w * scale for w in widths]
    # Right to left, the table reads from the right: the number column comes first there.
    order = (lambda cells: cells[::-1]) if rtl else (lambda cells: cells)
    pdf.set_font("m", "", 9)
    with pdf.table(
        col_widths=order(widths),
        text_align="RIGHT" if rtl else "LEFT",
        line_height=5,
        repeat_headings=1,
    ) as table:
        head = table.row()
        for text in order(columns):
            head.cell(text)
        for index, row in enumerate(rows, 1):
            line = table.row()
            # Each value whole in its own direction: right to left, "+254 700 000 000"
            # would otherwise read "000 000 700 254+".
            cells = [isolate_name(text) for text in _cells(index, row, with_id)]
            for text in order(cells + ["☐"]):
                line.cell(text)
    return bytes(pdf.output())
