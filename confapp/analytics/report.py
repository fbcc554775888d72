"""The post-event report for funders: one PDF (vector charts, every table) and one XLSX.

Both are built from the dashboard's figures (:mod:`confapp.analytics.figures`), so the
report, the page, the CSVs and the API never disagree. Built as a tracked job
(``analytics.report``): organisers start it from the dashboard and watch its progress there.
"""

from __future__ import annotations

import html
import io
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp import jobs
from confapp.analytics import figures as figures_module
from confapp.analytics import services
from confapp.analytics.charts import FONT
from confapp.db import utcnow
from confapp.i18n import force_language
from confapp.i18n import format_date
from confapp.i18n import format_local
from confapp.i18n import join_list
from confapp.i18n import language_of
from confapp.i18n import text_direction
from confapp.multilingual import tr

FAMILY = "confapp"
FORMATS = ("pdf", "xlsx")
_TITLE_DESC = re.compile(r"<title[^>]*>.*?</title>|<desc[^>]*>.*?</desc>", re.S)
_TEXT = re.compile(r"<text ([^>]*)>(.*?)</text>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def _svg_for_pdf(chart) -> tuple[bytes, list[dict[str, str]]]:
    """The chart for fpdf2's SVG reader, and the texts it cannot draw, to write over it.

    fpdf2 draws SVG shapes and text as vectors; it ignores <title>/<desc> (the PDF gives the
    same words as text) and needs the font family the document installed. It neither
    shapes nor reorders SVG text, so Arabic (or Devanagari) labels are taken out and
    written by the PDF's own text engine at the same place (see :func:`_overlay`).
    """
    from confapp.pdf import needs_shaping

    lifted: list[dict[str, str]] = []

    def lift(match: re.Match) -> str:
        content = html.unescape(match.group(2))
        if not needs_shaping(content):
            return _left_to_right(match)
        lifted.append({**dict(_ATTR.findall(match.group(1))), "content": content})
        return ""

    svg = _TEXT.sub(lift, _TITLE_DESC.sub("", str(chart)))
    return svg.replace(FONT, FAMILY).encode("utf-8"), lifted


_FLIPPED = {'text-anchor="start"': 'text-anchor="end"', 'text-anchor="end"': 'text-anchor="start"'}


def _left_to_right(match: re.Match) -> str:
    """A label fpdf2 draws itself: it lays every text out left to right and ignores
    direction="rtl", under which the chart swapped start and end (start is the right
    edge there); swap them back so the label lands on the side the chart meant."""
    attributes = match.group(1)
    if 'direction="rtl"' not in attributes:
        return match.group(0)
    attributes = re.sub(r'text-anchor="(start|end)"', lambda m: _FLIPPED[m.group(0)], attributes)
    return f"<text {attributes}>{match.group(2)}</text>"


def _chart(pdf, svg: str) -> None:
    """Draw one SVG chart across the text width, its complex-script labels on top."""
    size = _VIEWBOX.search(svg)
    scale = pdf.epw / float(size.group(1))
    height = float(size.group(2)) * scale
    if pdf.y + height > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.y
    drawing, lifted = _svg_for_pdf(svg)
    pdf.image(io.BytesIO(drawing), x=pdf.l_margin, y=top, w=pdf.epw)
    _overlay(pdf, lifted, scale, top)
    pdf.set_y(top + height)


def _overlay(pdf, texts: list[dict[str, str]], scale: float, top: float) -> None:
    """Write the lifted labels, shaped and in reading order, where the SVG put them."""
    from confapp.pdf import cell
    from confapp.pdf import text_width

    auto, margin = pdf.auto_page_break, pdf.b_margin
    pdf.set_auto_page_break(False)  # a label low on the chart must not start a page
    try:
        for text in texts:
            size_mm = float(text.get("font-size", 12)) * scale
            pdf.set_font(FAMILY, "B" if text.get("font-weight") == "bold" else "", size_mm * pdf.k)
            colour = text.get("fill", "#000000").lstrip("#")
            if len(colour) == 6:
                pdf.set_text_color(*(int(colour[i : i + 2], 16) for i in (0, 2, 4)))
            width = text_width(pdf, text["content"])
            x = pdf.l_margin + float(text.get("x", 0)) * scale
            anchor = text.get("text-anchor", "start")
            if text.get("direction") == "rtl" and anchor != "middle":
                anchor = "end" if anchor == "start" else "start"  # start is the right edge
            left = {"middle": x - width / 2, "end": x - width}.get(anchor, x)
            baseline = top + float(text.get("y", 0)) * scale
            # cell() puts the baseline at y + h/2 + 0.3 * size; place y so it lands here.
            pdf.set_xy(left - pdf.c_margin, baseline - size_mm / 2 - 0.3 * size_mm)
            cell(pdf, width + 2 * pdf.c_margin, size_mm, text["content"])
    finally:
        pdf.set_auto_page_break(auto, margin)
        pdf.set_text_color(0, 0, 0)


def report_pdf(event, data, figures, headline, on_figure=None) -> bytes:
    """The funders' report as a PDF: cover figures, then each chart with its table."""
    from fpdf import FPDF

    from confapp.pdf import font_set
    from confapp.pdf import install_fonts

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    install_fonts(pdf, FAMILY, font_set())
    pdf.set_text_shaping(True)
    rtl = text_direction() == "rtl"
    align = "R" if rtl else "L"
    charts_by_key = {f.key: f.chart for f in figures}
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(
        0,
        9,
        _("Report for funders: %(title)s", title=tr(event, "title")),
        align=align,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, "", 10)
    where = join_list(x for x in (event.venue, event.city) if x)
    pdf.multi_cell(
        0, 6,
        _("%(start)s to %(end)s, %(place)s. Figures as of %(time)s.",
          start=format_date(event.starts_on), end=format_date(event.ends_on), place=where,
          time=format_local(data.generated_at, event, "%d %b %Y, %H:%M")),
        align=align, new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(
        0,
        8,
        _("Headline figures"),
        new_x="LMARGIN",
        new_y="NEXT",
        align=align,
    )
    pdf.set_font(FAMILY, "", 11)
    layout = {"first_row_as_headings": False, "borders_layout": "HORIZONTAL_LINES"}
    text_align = (align, "RIGHT")
    with pdf.table(col_widths=(130, 50), text_align=text_align, line_height=7, **layout) as grid:
        for label, value in headline:
            grid.row([label, value])
    for figure in figures:
        pdf.add_page()
        pdf.set_font(FAMILY, "B", 14)
        pdf.multi_cell(0, 8, figure.title, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 9)
        pdf.multi_cell(0, 5, figure.desc, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        chart = charts_by_key.get(figure.key)
        # A figure may hold more than one drawing (registrations: per day, then totals).
        for svg in str(chart or "").split("</svg>")[:-1]:
            _chart(pdf, svg + "</svg>")
            pdf.ln(3)
        _table(pdf, figure.table)
        if figure.note:
            pdf.set_font(FAMILY, "", 8)
            pdf.multi_cell(0, 4, figure.note, align=align, new_x="LMARGIN", new_y="NEXT")
        if on_figure:
            on_figure()
    return bytes(pdf.output())


def _table(pdf, table) -> None:
    columns = len(table.headers)
    first = min(70.0, pdf.epw * 0.4) if columns > 2 else pdf.epw * 0.5
    rest = (pdf.epw - first) / max(columns - 1, 1)
    widths = [first, *([rest] * (columns - 1))]
    # A right-to-left reader starts a row on the right: the first column goes there.
    rtl = text_direction() == "rtl"

    def ordered(cells: list) -> list:
        return cells[::-1] if rtl else cells

    pdf.set_font(FAMILY, "B", 8)
    with pdf.table(col_widths=ordered(widths), text_align="RIGHT" if rtl else "LEFT",
                   line_height=4.5, first_row_as_headings=True) as grid:  # fmt: skip
        grid.row(ordered([str(h) for h in table.headers]))
        pdf.set_font(FAMILY, "", 8)
        for values in table.rows:
            grid.row(ordered([figures_module.number(v) for v in values]))
    pdf.ln(3)


def report_xlsx(event, figures, headline) -> bytes:
    """Every table of the report in one workbook: a sheet of headline figures, then one
    sheet per figure (numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Headline figures")[:31]
    sheet.append([tr(event, "title")])
    sheet["A1"].font = Font(bold=True)
    for label, value in headline:
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 45
    for figure in figures:
        ws = book.create_sheet(_sheet_name(figure.title, book))
        ws.append([figure.title])
        ws["A1"].font = Font(bold=True)
        ws.append([str(h) for h in figure.table.headers])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for values in figure.table.rows:
            ws.append([_cell(v) for v in values])
        ws.column_dimensions["A"].width = 40
        if text_direction() == "rtl":
            ws.sheet_view.rightToLeft = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    # A text cell starting with = + - @ would be a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _sheet_name(title: str, book) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Sheet"
    taken = set(book.sheetnames)
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name[:26]} {n}", n + 1
    return candidate


@jobs.job("analytics.report", title=_l("Funders' report"))
def build_report(run: jobs.Run, fmt: str = "pdf") -> None:
    """Build the report (PDF or XLSX) in the language of the organiser who asked for it."""
    event = run.event
    with force_language(language_of(run.user, event)):
        data = services.dashboard(event, utcnow())
        figures = figures_module.figures(data, event, rtl=text_direction() == "rtl")
        headline = figures_module.headline(data)
        run.progress(0, len(figures) + 1, _("Computing the figures"))
        stem = f"{event.slug}-report"
        if fmt == "xlsx":
            content = report_xlsx(event, figures, headline)
            run.progress(len(figures) + 1)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = report_pdf(event, data, figures, headline, on_figure=run.advance)
            run.progress(len(figures) + 1)
            mime = "application/pdf"
        run.save_result(content, filename=f"report.{fmt}", download_name=f"{stem}.{fmt}", mime=mime)
        run.report = {"format": fmt, "confirmed": data.confirmed, "held": data.funnel.held}
