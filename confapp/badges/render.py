"""Badge PDFs: one builder for A6 pages, four A6 per A4, and eight 90×55 mm per A4.

Fast by design: the QR code is drawn as vector rectangles (one per run of dark modules)
straight from qrcode's matrix, with a fixed mask pattern and version so no mask search
runs; fonts are loaded once per document; text shaping runs only for scripts that need it.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass

from fpdf import FPDF

from confapp.badges.qr import qr_matrix  # noqa: F401 - part of this module's interface
from confapp.badges.qr import qr_path
from confapp.badges.qr import qr_png  # noqa: F401 - part of this module's interface
from confapp.badges.qr import qr_rows
from confapp.pdf import FontSet
from confapp.pdf import cell
from confapp.pdf import fit_lines
from confapp.pdf import install_fonts
from confapp.pdf import shape_for

# Category colour bands (RGB).
CATEGORY_COLOURS: dict[str, tuple[int, int, int]] = {
    "delegate": (31, 111, 235),
    "speaker": (209, 36, 47),
    "press": (130, 80, 223),
    "sponsor": (191, 135, 0),
    "organising_staff": (26, 127, 55),
}
DEFAULT_COLOUR = (74, 85, 104)


@dataclass(frozen=True)
class BadgeData:
    """What one badge shows."""

    token: str
    full_name: str
    organisation: str
    country_name: str
    category: str
    category_label: str
    event_title: str

    def texts(self) -> tuple[str, ...]:
        """The words printed on the badge (to pick the fonts they need)."""
        return (
            self.full_name,
            self.organisation,
            self.country_name,
            self.category_label,
            self.event_title,
        )


@dataclass(frozen=True)
class Layout:
    """Page size and badge slots (x, y of each badge's top-left corner, mm)."""

    name: str
    page: tuple[float, float]
    badge: tuple[float, float]
    slots: tuple[tuple[float, float], ...]
    description: str


def _grid(page_w, page_h, badge_w, badge_h, cols, rows) -> tuple[tuple[float, float], ...]:
    left = (page_w - cols * badge_w) / 2
    top = (page_h - rows * badge_h) / 2
    return tuple((left + c * badge_w, top + r * badge_h) for r in range(rows) for c in range(cols))


LAYOUTS: dict[str, Layout] = {
    "a6": Layout("a6", (105, 148), (105, 148), ((0, 0),), "One A6 badge per page"),
    "a4x4": Layout(
        "a4x4",
        (210, 297),
        (105, 148),
        _grid(210, 297, 105, 148, 2, 2),
        "Four A6 badges per A4 sheet",
    ),
    "a4x8": Layout(
        "a4x8",
        (210, 297),
        (90, 55),
        _grid(210, 297, 90, 55, 2, 4),
        "Eight 90×55 mm badges per A4 sheet",
    ),
}


def draw_qr(pdf: FPDF, rows: list[int], x: float, y: float, size: float) -> None:
    """Draw QR rows (see qr.qr_rows) in a size×size mm square, quiet zone included."""
    module = size / (len(rows) + 8)
    k = pdf.k
    unit = module * k
    left = (x + 4 * module) * k
    top = (pdf.h - y - 4 * module) * k
    # One path in module units: the transformation scales it and flips rows downwards.
    pdf._out(  # noqa: SLF001
        f"q 0 g {unit:.4f} 0 0 {-unit:.4f} {left:.2f} {top:.2f} cm\n{qr_path(rows)}\nf Q"
    )


class BadgeDocument:
    """A PDF being filled with badges in one layout."""

    FAMILY = "badge"

    def __init__(self, layout: str, fonts: FontSet, title: str = "Badges") -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
        self.layout = LAYOUTS[layout]
        pdf = FPDF(unit="mm", format=self.layout.page)
        pdf.set_title(title)
        pdf.set_creator("confapp")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        install_fonts(pdf, self.FAMILY, fonts)
        self.pdf = pdf
        self.count = 0
        # Event titles, organisations, countries and labels repeat: fit them once.
        self._fits: dict[tuple, tuple[float, list[str]]] = {}

    def add(self, badge: BadgeData, rows: list[int] | None = None) -> None:
        """Place the next badge (a new page when the current sheet is full)."""
        slots = self.layout.slots
        index = self.count % len(slots)
        if index == 0:
            self.pdf.add_page()
        x, y = slots[index]
        w, h = self.layout.badge
        if rows is None:
            rows = qr_rows(badge.token)
        if w < h:
            self._portrait(badge, rows, x, y, w, h)
        else:
            self._landscape(badge, rows, x, y, w, h)
        if len(slots) > 1:
            self._cut_marks(x, y, w, h)
        self.count += 1

    def _text(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        size: float,
        *,
        style: str = "",
        align: str = "C",
        colour=(0, 0, 0),
    ) -> None:
        pdf = self.pdf
        shape_for(pdf, text)
        pdf.set_font(self.FAMILY, style, size)
        pdf.set_text_color(*colour)
        pdf.set_xy(x, y)
        cell(pdf, w, size * 0.3528 * 1.2, text, align)

    def _block(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        h: float,
        sizes,
        max_lines: int,
        style: str = "",
        align: str = "C",
        colour=(0, 0, 0),
    ) -> None:
        """Text fitted into a w×h box: largest size that fits, wrapped, never overflowing."""
        if not text:
            return
        pdf = self.pdf
        pdf.set_font(self.FAMILY, style, sizes[0])
        fitting = [s for s in sizes if s * 0.3528 * 1.15 <= h] or [sizes[-1]]
        lines_allowed = max_lines
        key = (text, w, h, tuple(fitting), lines_allowed, style)
        fitted = self._fits.get(key)
        if fitted is None:
            fitted = self._fits[key] = fit_lines(pdf, text, w, fitting, lines_allowed, style)
        else:
            shape_for(pdf, text)
            pdf.set_font(self.FAMILY, style, fitted[0])
        size, lines = fitted
        line_h = size * 0.3528 * 1.15
        while len(lines) * line_h > h and len(lines) > 1:
            lines = lines[:-1]
            lines[-1] = lines[-1].rstrip() + "…"
        top = y + (h - len(lines) * line_h) / 2
        pdf.set_text_color(*colour)
        for i, line in enumerate(lines):
            pdf.set_xy(x, top + i * line_h)
            cell(pdf, w, line_h, line, align)

    def _band(self, x, y, w, h, colour) -> None:
        self.pdf.set_fill_color(*colour)
        self.pdf.rect(x, y, w, h, style="F")

    def _portrait(self, b: BadgeData, rows, x, y, w, h) -> None:
        colour = CATEGORY_COLOURS.get(b.category, DEFAULT_COLOUR)
        pad = 7
        self._band(x, y, w, 16, colour)
        self._block(
            b.event_title,
            x + pad,
            y + 2,
            w - 2 * pad,
            12,
            (11, 9, 8),
            2,
            "B",
            colour=(255, 255, 255),
        )
        self._block(
            b.full_name, x + pad, y + 22, w - 2 * pad, 30, (28, 24, 21, 18, 16, 14, 12, 10), 3, "B"
        )
        self._block(b.organisation, x + pad, y + 54, w - 2 * pad, 12, (13, 11, 10, 9, 8), 2)
        self._block(b.country_name, x + pad, y + 67, w - 2 * pad, 7, (12, 10, 9, 8), 1)
        qr = 46
        self._qr(rows, x + (w - qr) / 2, y + 76, qr)
        self._band(x, y + h - 16, w, 16, colour)
        self._text(
            b.category_label.upper(), x, y + h - 12.5, w, 16, style="B", colour=(255, 255, 255)
        )

    def _landscape(self, b: BadgeData, rows, x, y, w, h) -> None:
        colour = CATEGORY_COLOURS.get(b.category, DEFAULT_COLOUR)
        qr = 31
        pad = 4
        self._band(x, y, 5, h, colour)
        text_w = w - 5 - qr - 2 * pad + 2
        self._block(
            b.full_name,
            x + 5 + pad,
            y + 5,
            text_w,
            20,
            (18, 16, 14, 12, 10, 9, 8),
            3,
            "B",
            align="L",
        )
        self._block(b.organisation, x + 5 + pad, y + 26, text_w, 9, (10, 9, 8, 7), 2, align="L")
        self._block(b.country_name, x + 5 + pad, y + 36, text_w, 5, (9, 8, 7), 1, align="L")
        self._text(
            b.category_label.upper(),
            x + 5 + pad,
            y + h - 10,
            text_w,
            9,
            style="B",
            align="L",
            colour=colour,
        )
        self._qr(rows, x + w - qr - 1, y + (h - qr) / 2, qr)

    def _qr(self, rows: list[int], x: float, y: float, size: float) -> None:
        draw_qr(self.pdf, rows, x, y, size)

    def _cut_marks(self, x, y, w, h) -> None:
        pdf = self.pdf
        pdf.set_draw_color(190)
        pdf.set_line_width(0.1)
        pdf.rect(x, y, w, h)

    def output(self) -> bytes:
        """The finished PDF."""
        if self.count == 0:
            self.pdf.add_page()
            self._text("No badges to print.", 0, 20, self.layout.page[0], 12)
        return bytes(self.pdf.output())


def build_badges(
    badges: Iterable[BadgeData],
    *,
    layout: str,
    fonts: FontSet,
    title: str = "Badges",
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Render badges into one print-ready PDF."""
    document = BadgeDocument(layout, fonts, title)
    for badge in badges:
        document.add(badge)
        if progress:
            progress(1)
    return document.output()
