"""Badge PDFs: one builder for A6 pages, four A6 per A4, and eight 90×55 mm per A4.

Fast by design: the QR code is drawn as vector rectangles (one per run of dark modules)
straight from qrcode's matrix, with a fixed mask pattern and version so no mask search
runs; fonts are loaded once per document; text shaping runs only for scripts that need it.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from confapp.badges.qr import qr_matrix  # noqa: F401 - part of this module's interface
from confapp.badges.qr import qr_path
from confapp.badges.qr import qr_png  # noqa: F401 - part of this module's interface
from confapp.badges.qr import qr_rows
from confapp.pdf import PT
from confapp.pdf import FontSet
from confapp.pdf import cell
from confapp.pdf import fit_lines
from confapp.pdf import install_fonts
from confapp.pdf import leading
from confapp.pdf import shape_for

if TYPE_CHECKING:
    from fpdf import FPDF

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
    name_latin: str = ""

    def texts(self) -> tuple[str, ...]:
        """The words printed on the badge (to pick the fonts they need)."""
        return (
            self.full_name,
            self.name_latin,
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


def _aspect_ratio(path: str) -> float:
    """Width / height of an image file (read once per document)."""
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
    return width / height if height else 1.0


_RTL = frozenset(("R", "AL"))
_LTR = frozenset(("L",))


def _starts_right_to_left(text: str) -> bool:
    """Whether the first letter with a direction is right-to-left (Arabic, Hebrew...)."""
    import unicodedata

    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in _RTL:
            return True
        if direction in _LTR:
            return False
    return False


def _grid(page_w, page_h, badge_w, badge_h, cols, rows) -> tuple[tuple[float, float], ...]:
    left = (page_w - cols * badge_w) / 2
    top = (page_h - rows * badge_h) / 2
    return tuple((left + c * badge_w, top + r * badge_h) for r in range(rows) for c in range(cols))


LAYOUTS: dict[str, Layout] = {
    "a6": Layout("a6", (105, 148), (105, 148), ((0, 0),), _l("One A6 badge per page")),
    "a4x4": Layout(
        "a4x4",
        (210, 297),
        (105, 148),
        _grid(210, 297, 105, 148, 2, 2),
        _l("Four A6 badges per A4 sheet"),
    ),
    "a4x8": Layout(
        "a4x8",
        (210, 297),
        (90, 55),
        _grid(210, 297, 90, 55, 2, 4),
        _l("Eight 90×55 mm badges per A4 sheet"),
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

    def __init__(
        self,
        layout: str,
        fonts: FontSet,
        title: str = "Badges",
        logo: str | Path | None = None,
    ) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
        self.layout = LAYOUTS[layout]
        from fpdf import FPDF  # here: see the note on imports in confapp/pdf.py

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
        self.logo = str(logo) if logo else None
        self._logo_ratio = _aspect_ratio(self.logo) if self.logo else 0.0

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
        if align == "L" and _starts_right_to_left(text):
            align = "R"
        pdf = self.pdf
        factor = leading(text)
        fitting = [s for s in sizes if s * PT * factor <= h] or [sizes[-1]]
        key = (text, w, h, tuple(fitting), max_lines, style)
        fitted = self._fits.get(key)
        if fitted is None:
            pdf.set_font(self.FAMILY, style, fitting[0])
            fitted = self._fits[key] = fit_lines(pdf, text, w, fitting, max_lines, style, h)
        else:
            shape_for(pdf, text)
            pdf.set_font(self.FAMILY, style, fitted[0])
        size, lines = fitted
        line_h = size * PT * factor
        top = y + (h - len(lines) * line_h) / 2
        pdf.set_text_color(*colour)
        for i, line in enumerate(lines):
            pdf.set_xy(x, top + i * line_h)
            cell(pdf, w, line_h, line, align)

    def _band(self, x, y, w, h, colour) -> None:
        self.pdf.set_fill_color(*colour)
        self.pdf.rect(x, y, w, h, style="F")

    def _logo(self, x: float, y: float, max_w: float, max_h: float) -> float:
        """Draw the logo in a max_w × max_h box at (x, y); return the width used (0: none)."""
        if not self.logo:
            return 0.0
        w = min(max_w, max_h * self._logo_ratio)
        h = w / self._logo_ratio
        self.pdf.image(self.logo, x, y + (max_h - h) / 2, w, h)
        return w

    def _header(self, b: BadgeData, x: float, y: float, w: float, h: float, sizes, colour):
        """Logo and event name side by side (the name alone, centred, without a logo)."""
        used = self._logo(x, y, w * 0.3, h)
        gap = 2.5 if used else 0
        align = "L" if used else "C"
        self._block(
            b.event_title, x + used + gap, y, w - used - gap, h, sizes, 2, "B", align, colour
        )

    def _portrait(self, b: BadgeData, rows, x, y, w, h) -> None:
        colour = CATEGORY_COLOURS.get(b.category, DEFAULT_COLOUR)
        pad = 7
        # White header with the logo and the event name, over a stripe of the category colour.
        self._header(b, x + pad, y + 3, w - 2 * pad, 13, (11, 10, 9, 8, 7), (30, 30, 30))
        self._band(x, y + 18, w, 2.5, colour)
        name_h = 26 if b.name_latin else 33
        self._block(
            b.full_name,
            x + pad,
            y + 24,
            w - 2 * pad,
            name_h,
            (28, 24, 21, 18, 16, 14, 12, 10),
            3,
            "B",
        )
        if b.name_latin:
            self._block(b.name_latin, x + pad, y + 50.5, w - 2 * pad, 7, (14, 12, 11, 10, 9), 1)
        self._block(b.organisation, x + pad, y + 58, w - 2 * pad, 11, (12, 11, 10, 9, 8), 2)
        self._block(b.country_name, x + pad, y + 69.5, w - 2 * pad, 6, (11, 10, 9, 8), 1)
        qr = 46
        self._qr(rows, x + (w - qr) / 2, y + 77, qr)
        self._band(x, y + h - 16, w, 16, colour)
        self._text(
            b.category_label.upper(), x, y + h - 12.5, w, 16, style="B", colour=(255, 255, 255)
        )

    def _landscape(self, b: BadgeData, rows, x, y, w, h) -> None:
        colour = CATEGORY_COLOURS.get(b.category, DEFAULT_COLOUR)
        qr = 31
        pad = 4
        self._band(x, y, 5, h, colour)
        left = x + 5 + pad
        # The header spans the badge; the QR code sits under it on the right.
        self._header(b, left, y + 2, w - 5 - 2 * pad, 7.5, (8, 7.5, 7, 6.5, 6), colour)
        text_w = w - 5 - qr - 2 * pad + 2
        name_h = 13 if b.name_latin else 16
        self._block(
            b.full_name, left, y + 11, text_w, name_h, (16, 14, 12, 11, 10, 9, 8), 2, "B", "L"
        )
        if b.name_latin:
            self._block(b.name_latin, left, y + 24, text_w, 4.5, (9, 8, 7, 6.5), 1, align="L")
        self._block(b.organisation, left, y + 29, text_w, 8, (9, 8, 7, 6.5), 2, align="L")
        self._block(b.country_name, left, y + 37.5, text_w, 4.5, (8, 7.5, 7, 6.5), 1, align="L")
        self._text(
            b.category_label.upper(),
            left,
            y + h - 9.5,
            text_w,
            9,
            style="B",
            align="L",
            colour=colour,
        )
        self._qr(rows, x + w - qr - 1, y + 11.5, qr)

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
            self._text(_("No badges to print."), 0, 20, self.layout.page[0], 12)
        return bytes(self.pdf.output())


Progress = Callable[[int, int], None]
PROGRESS_EVERY = 25  # badges between two progress reports (each may write to a job store)


def build_badges(
    badges: Sequence[BadgeData],
    *,
    layout: str,
    fonts: FontSet,
    title: str = "Badges",
    logo: str | Path | None = None,
    on_progress: Progress | None = None,
) -> bytes:
    """Render badges into one print-ready PDF; on_progress(done, total) reports as it goes."""
    document = BadgeDocument(layout, fonts, title, logo)
    total = len(badges)
    for done, badge in enumerate(badges, 1):
        document.add(badge)
        if on_progress and (done % PROGRESS_EVERY == 0 or done == total):
            on_progress(done, total)
    return document.output()
