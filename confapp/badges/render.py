"""Badge PDFs: one builder for A6 pages, four A6 per A4, and eight 90×55 mm per A4.

Fast by design: the QR code is drawn as vector rectangles (one per run of dark modules)
straight from qrcode's matrix, with a fixed mask pattern and version so no mask search
runs; fonts are loaded once per document; text shaping runs only for scripts that need it.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
from fpdf import FPDF
from qrcode.base import rs_blocks
from qrcode.constants import ERROR_CORRECT_M

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


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_INDEX = {c: i for i, c in enumerate(_ALNUM)}
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _i in range(255):
    _EXP[_i] = _value
    _LOG[_value] = _i
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@functools.cache
def _generator(degree: int) -> tuple[int, ...]:
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    return tuple(poly)


def _rs_remainder(data: list[int], degree: int) -> list[int]:
    gen = [_LOG[g] for g in _generator(degree)[1:]]
    rem = [0] * degree
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:] + [0]
        if factor:
            lf = _LOG[factor]
            for i, lg in enumerate(gen):
                rem[i] ^= _EXP[lf + lg]
    return rem


@functools.cache
def _blocks(version: int) -> tuple[tuple[int, int], ...]:
    return tuple(
        (b.data_count, b.total_count - b.data_count) for b in rs_blocks(version, ERROR_CORRECT_M)
    )


def _alnum_codewords(text: str, version: int) -> list[int] | None:
    """Data + error correction codewords of an alphanumeric text (versions 1-9), or None."""
    try:
        values = [_ALNUM_INDEX[c] for c in text]
    except KeyError:
        return None
    bits = 0b0010
    length = 4
    bits = (bits << 9) | len(values)
    length += 9
    for i in range(0, len(values) - 1, 2):
        bits = (bits << 11) | (values[i] * 45 + values[i + 1])
        length += 11
    if len(values) % 2:
        bits = (bits << 6) | values[-1]
        length += 6
    blocks = _blocks(version)
    capacity = sum(d for d, _ in blocks) * 8
    if length > capacity:
        return None
    pad = min(4, capacity - length)
    bits <<= pad
    length += pad
    if length % 8:
        bits <<= 8 - length % 8
        length += 8 - length % 8
    data = list(bits.to_bytes(length // 8, "big"))
    filler = (0xEC, 0x11)
    data += [filler[i % 2] for i in range(capacity // 8 - len(data))]
    dc, ec, offset = [], [], 0
    for count, degree in blocks:
        chunk = data[offset : offset + count]
        offset += count
        dc.append(chunk)
        ec.append(_rs_remainder(chunk, degree))
    out = [blk[i] for i in range(max(len(b) for b in dc)) for blk in dc if i < len(blk)]
    out += [blk[i] for i in range(max(len(b) for b in ec)) for blk in ec if i < len(blk)]
    return out


def qr_matrix(token: str) -> list[list[bool]]:
    """The QR modules of a token (no quiet zone), correction level M."""
    # Badge tokens are 120 base32 characters: alphanumeric mode, version 5. The
    # codewords are computed here with table-driven Reed-Solomon (qrcode's polynomial
    # class is slow), and a fixed mask skips the search for the best one.
    codewords = _alnum_codewords(token, 5) if len(token) <= 122 else None
    if codewords is None:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        code.add_data(token)
        code.make(fit=True)
        return code.get_matrix()
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, version=5, border=0, mask_pattern=2)
    code.data_cache = codewords
    code.make(fit=False)
    return code.get_matrix()


def qr_png(token: str, box_size: int = 10) -> bytes:
    """A PNG of the token's QR code with its quiet zone (for phones and the API)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(token)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def draw_qr(pdf: FPDF, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw the matrix as filled rectangles in a size×size mm square (quiet zone included)."""
    n = len(matrix)
    module = size / (n + 8)
    k = pdf.k
    unit = module * k
    x0 = (x + 4 * module) * k
    top = (pdf.h - y - 4 * module) * k
    ops = []
    append = ops.append
    for r, row in enumerate(matrix):
        yy = top - (r + 1) * unit
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                append(f"{x0 + start * unit:.2f} {yy:.2f} {(c - start) * unit:.2f} {unit:.2f} re")
            else:
                c += 1
    pdf.set_fill_color(0)
    pdf._out("\n".join(ops) + "\nf")  # noqa: SLF001 - one path for all modules


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

    def add(self, badge: BadgeData, matrix: list[list[bool]] | None = None) -> None:
        """Place the next badge (a new page when the current sheet is full)."""
        slots = self.layout.slots
        index = self.count % len(slots)
        if index == 0:
            self.pdf.add_page()
        x, y = slots[index]
        w, h = self.layout.badge
        if matrix is None:
            matrix = qr_matrix(badge.token)
        if w < h:
            self._portrait(badge, matrix, x, y, w, h)
        else:
            self._landscape(badge, matrix, x, y, w, h)
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

    def _portrait(self, b: BadgeData, matrix, x, y, w, h) -> None:
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
        draw_qr(self.pdf, matrix, x + (w - qr) / 2, y + 76, qr)
        self._band(x, y + h - 16, w, 16, colour)
        self._text(
            b.category_label.upper(), x, y + h - 12.5, w, 16, style="B", colour=(255, 255, 255)
        )

    def _landscape(self, b: BadgeData, matrix, x, y, w, h) -> None:
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
        draw_qr(self.pdf, matrix, x + w - qr - 1, y + (h - qr) / 2, qr)

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
