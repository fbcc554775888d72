"""What a PDF shows, glyph by glyph, read with pdfminer.six (a reader other than fpdf2).

Text extraction (pdftotext) names each glyph by the character the PDF says it stands for:
a ')' mirrored into '(' by right-to-left shaping still reads ')', and the order comes from
the reader's own guesses. Here each glyph is named by its outline instead (the embedded
font's cmap entry for the glyph drawn) and the glyphs of a line are sorted by their x,
so the result is the order and shapes a reader sees, left to right.
"""

from __future__ import annotations

import io
import unicodedata

import pytest

pytest.importorskip("pdfminer", reason="needs pdfminer.six (the test extras)")

from fontTools.ttLib import TTFont  # noqa: E402
from pdfminer.converter import PDFLayoutAnalyzer  # noqa: E402
from pdfminer.pdffont import PDFCIDFont  # noqa: E402
from pdfminer.pdfinterp import PDFPageInterpreter  # noqa: E402
from pdfminer.pdfinterp import PDFResourceManager  # noqa: E402
from pdfminer.pdfpage import PDFPage  # noqa: E402
from pdfminer.pdftypes import resolve1  # noqa: E402

ARABIC = "ع"  # stands for a run of right-to-left letters in skeleton()


class _Resources(PDFResourceManager):
    """Keeps each CID font's dictionary (pdfminer drops CIDToGIDMap and the font file)."""

    def get_font(self, objid, spec):
        font = super().get_font(objid, spec)
        if isinstance(font, PDFCIDFont) and not hasattr(font, "confapp_spec"):
            font.confapp_spec = spec
        return font


class _Glyphs(PDFLayoutAnalyzer):
    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.glyphs: list[tuple[float, float, float, str]] = []
        self._maps: dict[int, tuple[bytes | None, dict[int, str]]] = {}

    def _glyph_chars(self, font) -> tuple[bytes | None, dict[int, str]]:
        if id(font) not in self._maps:
            spec = getattr(font, "confapp_spec", None) or {}
            gid_map = resolve1(spec.get("CIDToGIDMap"))
            descriptor = resolve1(spec.get("FontDescriptor")) or {}
            file = resolve1(descriptor.get("FontFile2"))
            chars: dict[int, str] = {}
            if file is not None:
                ttf = TTFont(io.BytesIO(file.get_data()))
                ids = {name: gid for gid, name in enumerate(ttf.getGlyphOrder())}
                for code, name in sorted((ttf.getBestCmap() or {}).items()):
                    chars.setdefault(ids[name], chr(code))
            data = gid_map.get_data() if hasattr(gid_map, "get_data") else None
            self._maps[id(font)] = (data, chars)
        return self._maps[id(font)]

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate):
        data, chars = self._glyph_chars(font)
        gid = data[2 * cid] << 8 | data[2 * cid + 1] if data and 2 * cid + 1 < len(data) else cid
        # A glyph with no character of its own (a ligature, a joined Arabic form): "?".
        self.glyphs.append((matrix[5], matrix[4], fontsize, chars.get(gid, "?")))
        return font.char_width(cid) * fontsize * scaling


def drawn_lines(pdf: bytes) -> list[str]:
    """Each line of text as drawn, left to right, page after page (top to bottom)."""
    resources = _Resources()
    lines: list[str] = []
    for page in PDFPage.get_pages(io.BytesIO(pdf)):
        device = _Glyphs(resources)
        PDFPageInterpreter(resources, device).process_page(page)
        # A line: glyphs whose baselines are closer than half their size (marks placed
        # above or below a letter stay on its line).
        current: list[tuple[float, str]] = []
        last_y = None
        for y, x, size, char in sorted(device.glyphs, key=lambda g: -g[0]):
            if last_y is not None and last_y - y > size * 0.5:
                lines.append("".join(c for _, c in sorted(current)))
                current = []
            current.append((x, char))
            last_y = y if last_y is None or last_y - y > size * 0.5 else last_y
        if current:
            lines.append("".join(c for _, c in sorted(current)))
    return lines


def skeleton(line: str) -> str:
    """A drawn line without spaces and direction marks, each run of Arabic letters (and
    glyphs without a character) as one "ع": what is compared is where the Latin letters,
    digits and punctuation are, and which way brackets face."""
    out: list[str] = []
    for char in line:
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        plain = unicodedata.normalize("NFKC", char)
        if char == "?" or unicodedata.bidirectional(plain[:1]) in ("AL", "R", "NSM"):
            if not out or out[-1] != ARABIC:
                out.append(ARABIC)
            continue
        out.append(plain)
    return "".join(out)


def drawn_skeletons(pdf: bytes) -> list[str]:
    """skeleton() of every drawn line (empty ones left out)."""
    return [s for s in (skeleton(line) for line in drawn_lines(pdf)) if s]
