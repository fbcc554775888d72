"""Printable meeting schedules (per delegate, per table), with the shared fonts of confapp.pdf."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from confapp.countries import country_name
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import isolate_name
from confapp.meetings.booking import event_meetings
from confapp.meetings.booking import list_tables
from confapp.meetings.booking import slot_label
from confapp.meetings.listing import my_requests
from confapp.pdf import HAS_SHAPING
from confapp.pdf import font_set
from confapp.pdf import install_fonts
from confapp.pdf import needs_shaping
from confapp.pdf import page_direction
from confapp.registration.models import Registration

if TYPE_CHECKING:
    from fpdf import FPDF


def _pdf(title: str, texts: Iterable[str]) -> FPDF:
    from fpdf import FPDF  # here: see the note on imports in confapp/pdf.py

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    install_fonts(pdf, "body", font_set(current_app.config).for_texts(texts))
    return pdf


def schedule_pdf(
    title: str,
    subtitle: str,
    header: Sequence[str],
    pages: Sequence[tuple[str, Sequence[Sequence[str]]]],
) -> bytes:
    """One page per (heading, rows) with a table of columns `header`; returns PDF bytes."""
    texts = [title, subtitle, *header]
    texts += [
        text
        for heading, rows in pages
        for text in (heading, *(str(v) for row in rows for v in row))
    ]
    pdf = _pdf(title, texts)
    # Arabic: text right to left, right-aligned, the first column on the right.
    align = page_direction(pdf)
    if align == "L" and HAS_SHAPING and any(needs_shaping(text) for text in texts):
        # An Arabic or Devanagari name in an English schedule: letters joined, Arabic read
        # right to left inside lines that still run left to right (fpdf2 would otherwise
        # take a cell starting with an Arabic name for a right-to-left paragraph and put
        # "(MA)" before it). Shaping is off otherwise: it is slow.
        pdf.set_text_shaping(True, direction="ltr")
    text_align = "RIGHT" if align == "R" else "LEFT"

    def ordered(cells: Sequence[str]) -> list[str]:
        return list(reversed(cells)) if align == "R" else list(cells)

    for heading, rows in pages or [("", [])]:
        pdf.add_page()
        pdf.set_font("body", "B", 14)
        pdf.multi_cell(pdf.epw, 7, title, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", "", 10)
        pdf.multi_cell(pdf.epw, 5, subtitle, align=align, new_x="LMARGIN", new_y="NEXT")
        if heading:
            pdf.ln(2)
            pdf.set_font("body", "B", 12)
            pdf.multi_cell(pdf.epw, 6, heading, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("body", "", 10)
        if not rows:
            pdf.multi_cell(
                pdf.epw, 6, _("No meetings."), align=align, new_x="LMARGIN", new_y="NEXT"
            )
            continue
        from fpdf.fonts import FontFace

        with pdf.table(
            headings_style=FontFace(emphasis="BOLD"), line_height=6, text_align=text_align
        ) as table:
            head = table.row()
            for cell in ordered(header):
                head.cell(cell)
            for values in rows:
                row = table.row()
                for value in ordered([str(v) for v in values]):
                    row.cell(value)
    return bytes(pdf.output())


def table_pages(event: Event) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(table heading, rows of time and the two delegates) for each table with meetings."""
    regs = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id)
        )
    }
    by_table: dict[int, list[tuple[str, str, str]]] = {}
    for _meeting, slot, table, req in event_meetings(event):
        a, b = regs[req.requester_id], regs[req.invitee_id]
        by_table.setdefault(table.id, []).append(
            (
                slot_label(event, slot),
                f"{isolate_name(a.full_name)} ({a.country})",
                f"{isolate_name(b.full_name)} ({b.country})",
            )
        )
    return [
        (
            isolate_name(t.name) + (f" – {isolate_name(t.location)}" if t.location else ""),
            by_table[t.id],
        )
        for t in list_tables(event)
        if t.id in by_table
    ]


def delegate_rows(event: Event, registration: Registration) -> list[tuple[str, str, str]]:
    """(time, table and its place, the other delegate) of each of the delegate's booked
    meetings, in time order."""
    return [
        (
            slot_label(event, r.slot),
            isolate_name(r.table.name)
            + (f" ({isolate_name(r.table.location)})" if r.table.location else ""),
            f"{isolate_name(r.counterpart.full_name)}, {isolate_name(r.counterpart.organisation)} "
            f"({country_name(r.counterpart.country)})",
        )
        for r in my_requests(event, registration)
        if r.booked
    ]
