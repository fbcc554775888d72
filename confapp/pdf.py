"""Fonts for every generated PDF (badges, visa letters, certificates, schedules, manifests).

The fonts ship inside the package (confapp/fonts/, cut from Noto fonts on npm by
tools/fonts/cut_fonts.py), so names in Latin, Cyrillic, Greek, Arabic, Devanagari and
Simplified Chinese print after `pip install` alone. Fonts found on the machine (Debian's
Noto and CJK packages) come after them, for the scripts the vendored set lacks.

Config: PDF_FONT is a TTF for the main text (default: the vendored Noto Sans);
PDF_BOLD_FONT its bold twin (default: the regular one when PDF_FONT is set);
PDF_FALLBACK_FONTS a list of TTF/TTC files tried, in order, for characters the main font
lacks (default: FALLBACK_FONTS, the vendored ones first, then those found on the
machine). A fallback file named *-Regular.* brings its *-Bold.* sibling for bold text.
Arabic and Indic names need shaping, done by fpdf2 with uharfbuzz, switched on per text
run only when the text needs it (Latin text stays fast).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# Imported where used: fpdf2 (with fontTools and Pillow) is the heaviest import of the app,
# and most processes (web workers, most commands) never draw a PDF.
if TYPE_CHECKING:
    from fpdf import FPDF


FONT_DIR = Path(__file__).resolve().parent / "fonts"
DEFAULT_FONT = FONT_DIR / "NotoSans-Regular.ttf"
DEFAULT_BOLD_FONT = FONT_DIR / "NotoSans-Bold.ttf"

# The fallback order, vendored part: each script's Noto font, then DejaVu Sans for what
# Noto Sans lacks (Hebrew, Armenian, Georgian, more symbols).
VENDORED_FALLBACK_FONTS: tuple[str, ...] = (
    str(FONT_DIR / "NotoSansArabic-Regular.ttf"),
    str(FONT_DIR / "NotoSansDevanagari-Regular.ttf"),
    str(FONT_DIR / "NotoSansSC-Regular.ttf"),
    str(FONT_DIR / "DejaVuSans.ttf"),
)

# Common system locations of fonts for scripts the vendored fonts do not cover; only
# the ones present on the machine are used.
SYSTEM_FALLBACK_FONTS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansTamil-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSinhala-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansMyanmar-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

FALLBACK_FONTS: tuple[str, ...] = VENDORED_FALLBACK_FONTS + SYSTEM_FALLBACK_FONTS


def available_fallback_fonts(candidates: Sequence[str] = FALLBACK_FONTS) -> list[str]:
    """The candidate font files that exist on this machine, in order."""
    return [path for path in candidates if Path(path).is_file()]


def bold_twin(path: str | Path) -> str | None:
    """The bold file beside a `*-Regular.*` font file, if there is one."""
    path = Path(path)
    if "-Regular." not in path.name:
        return None
    bold = path.with_name(path.name.replace("-Regular.", "-Bold.", 1))
    return str(bold) if bold.is_file() else None


HAS_SHAPING = importlib.util.find_spec("uharfbuzz") is not None
# Scripts whose letters join or reorder: Hebrew, Arabic, Syriac, Thaana, Indic,
# Thai/Lao, Tibetan, Myanmar, Khmer, Arabic presentation forms.
_COMPLEX = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\ufb1d-\ufdff\ufe70-\ufeff]"
)


@dataclass(frozen=True)
class FontSet:
    """The font files a PDF uses."""

    regular: Path
    bold: Path
    fallbacks: tuple[str, ...]

    def for_texts(self, texts: Iterable[str]) -> FontSet:
        """The same fonts with only the fallbacks these texts need.

        Every font added to a document is parsed and subset when the PDF is written: a
        single Latin badge should not pay for scripts it does not use.
        """
        missing = _drawn("".join(t for t in texts if t))
        missing = {c for c in missing if ord(c) not in _codepoints(str(self.regular))}
        chosen = []
        for path in self.fallbacks:
            if not missing:
                break
            found = {c for c in missing if ord(c) in _codepoints(path)}
            if found:
                chosen.append(path)
                missing -= found
        return FontSet(self.regular, self.bold, tuple(chosen))

    def undrawable(self, text: str) -> str:
        """The characters of `text` that no font of the set has (each once, in order)."""
        fonts = (str(self.regular), *self.fallbacks)
        missing = (
            c for c in text if _visible(c) and not any(ord(c) in _codepoints(f) for f in fonts)
        )
        return "".join(dict.fromkeys(missing))


# Spaces, joiners and direction marks are not drawn: no font needs a glyph for them.
_INVISIBLE = frozenset(("Zs", "Zl", "Zp", "Cc", "Cf"))


@functools.lru_cache(maxsize=4096)
def _visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE


def _drawn(text: str) -> set[str]:
    """The characters of the text that need a glyph."""
    return {c for c in set(text) if _visible(c)}


@functools.lru_cache(maxsize=64)
def _codepoints(path: str) -> frozenset[int]:
    """The characters a font file has glyphs for (its first face for collections)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


def font_set(config: Mapping | None = None) -> FontSet:
    """The fonts configured by PDF_FONT, PDF_BOLD_FONT and PDF_FALLBACK_FONTS."""
    config = config or {}
    custom = config.get("PDF_FONT")
    regular = Path(custom) if custom else DEFAULT_FONT
    bold_setting = config.get("PDF_BOLD_FONT")
    bold = Path(bold_setting) if bold_setting else (regular if custom else DEFAULT_BOLD_FONT)
    fallbacks = config.get("PDF_FALLBACK_FONTS")
    if fallbacks is None:
        fallbacks = available_fallback_fonts(FALLBACK_FONTS)
    return FontSet(regular, bold, tuple(str(f) for f in fallbacks))


def install_fonts(pdf: FPDF, family: str, fonts: FontSet) -> None:
    """Add the regular and bold font under `family` and the fallbacks to a document."""
    pdf.add_font(family, "", str(fonts.regular))
    pdf.add_font(family, "B", str(fonts.bold))
    names = []
    for index, path in enumerate(dict.fromkeys(fonts.fallbacks)):
        name = f"fallback{index}"
        pdf.add_font(name, "", path)
        bold = bold_twin(path)
        if bold:
            pdf.add_font(name, "B", bold)
        names.append(name)
    if names:
        # exact_match=False: bold text borrows a regular glyph when no bold face has it.
        pdf.set_fallback_fonts(names, exact_match=False)


def needs_shaping(text: str) -> bool:
    """Whether the text has letters that join or reorder (Arabic, Devanagari...)."""
    return HAS_SHAPING and _COMPLEX.search(text) is not None


def shape_for(pdf: FPDF, text: str) -> None:
    """Turn shaping on for this text only if it needs it (shaping is slow)."""
    want = needs_shaping(text)
    if want != bool(pdf.text_shaping):
        if want:
            pdf.set_text_shaping(True)
        else:
            pdf.text_shaping = None


def page_direction(pdf: FPDF, language: str | None = None) -> str:
    """Set a document's writing direction from the language (the current one by default):
    right to left for Arabic (text shaped and reordered by fpdf2's bidi algorithm with a
    right-to-left base); returns the alignment of running text, "R" or "L"."""
    from confapp.i18n import text_direction

    if text_direction(language) == "rtl" and HAS_SHAPING:
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl")
        return "R"
    return "L"


# --- Fast text runs --------------------------------------------------------------------
# fpdf2's cell() runs the bidi algorithm, splits fragments by font and shapes each text
# twice (width, then drawing): about 1 ms for an Arabic name. Most texts on a badge are
# simpler: drawn by one font, Latin or one script. For those, the width and the glyphs
# come from one shaping (or a cmap lookup) and the text object is written directly.
# Anything else (mixed scripts, digits in Arabic) goes through fpdf2 unchanged.


@dataclass(frozen=True)
class _Run:
    """A text drawn by one font: glyph codes (with positions when shaped) and width (mm)."""

    font: object
    size_pt: float
    width: float
    plain: str | None  # the subset codes of an unshaped text
    shaped: tuple | None  # fpdf2's shape_text() records


_RUN_CACHE_SIZE = 4096


def _font_for(pdf: FPDF, text: str):
    """The one font of the document that draws the whole text (current font first)."""
    font = pdf.current_font
    cmap = getattr(font, "cmap", None)
    if cmap is None:
        return None
    visible = [c for c in text if _visible(c)]
    if all(ord(c) in cmap for c in text):
        return font
    emphasis = font.emphasis
    candidates = [pdf.fonts[key] for key in pdf._fallback_font_ids]  # noqa: SLF001
    # Prefer the fallback face of the same weight (bold names stay bold).
    candidates.sort(key=lambda f: f.emphasis != emphasis)
    for candidate in candidates:
        cmap = candidate.cmap
        if all(ord(c) in cmap for c in visible) and all(
            ord(c) in cmap or not _visible(c) for c in text
        ):
            return candidate
    return None


def _run(pdf: FPDF, text: str) -> _Run | None:
    """How one font draws the text at the current size, or None when fpdf2 must do it."""
    cache = pdf.__dict__.setdefault("_confapp_runs", {})
    size_pt = pdf.font_size_pt
    key = (pdf.current_font.fontkey if pdf.current_font else None, size_pt, text)
    run = cache.get(key)
    if run is not None or key in cache:
        return run
    run = _make_run(pdf, text, size_pt)
    if len(cache) >= _RUN_CACHE_SIZE:
        cache.clear()
    cache[key] = run
    return run


def _make_run(pdf: FPDF, text: str, size_pt: float) -> _Run | None:
    font = _font_for(pdf, text)
    if font is None or not hasattr(font, "subset"):
        return None
    scale = size_pt * 0.001 / pdf.k
    if not _COMPLEX.search(text):
        pick = font.subset.pick
        codes = [ord(c) for c in text]
        widths = font.cw
        plain = "".join(chr(pick(code)) for code in codes)
        return _Run(font, size_pt, sum(widths[c] for c in codes) * scale, plain, None)
    if not HAS_SHAPING:
        return None
    shaped = tuple(font.shape_text(text, size_pt, {"features": {}}))
    width = sum(g["x_advance"] for g in shaped) * font.scale * scale
    return _Run(font, size_pt, width, None, shaped)


def _draw_run(pdf: FPDF, run: _Run, x: float, baseline: float) -> None:
    """Write the run's text object with its left end at x and baseline at `baseline` (mm)."""
    from fpdf.enums import PDFResourceType

    font = run.font
    k = pdf.k
    h = pdf.h
    parts = [f"q BT /F{font.i} {run.size_pt:.2f} Tf {pdf.text_color.serialize().lower()}"]
    if run.plain is not None:
        parts.append(f"{x * k:.2f} {(h - baseline) * k:.2f} Td ({font.escape_text(run.plain)}) Tj")
    else:
        unit = font.scale * run.size_pt * 0.001 / k
        escape = font.escape_text
        parts.append(f"{x * k:.2f} {(h - baseline) * k:.2f} Td")
        pending = ""
        pos_x, pos_y = x, baseline
        for glyph in run.shaped:
            code = glyph["mapped_char"]
            if code is None:
                continue
            if glyph["x_offset"] or glyph["y_offset"]:
                if pending:
                    parts.append(f"({escape(pending)}) Tj")
                    pending = ""
                gx = pos_x + glyph["x_offset"] * unit
                gy = pos_y - glyph["y_offset"] * unit
                parts.append(f"1 0 0 1 {gx * k:.2f} {(h - gy) * k:.2f} Tm")
            pending += chr(code)
            pos_x += glyph["x_advance"] * unit
            pos_y += glyph["y_advance"] * unit
            if glyph["force_positioning"]:
                parts.append(f"({escape(pending)}) Tj")
                pending = ""
                parts.append(f"1 0 0 1 {pos_x * k:.2f} {(h - pos_y) * k:.2f} Tm")
        if pending:
            parts.append(f"({escape(pending)}) Tj")
    parts.append("ET Q")
    pdf._resource_catalog.add(PDFResourceType.FONT, font.i, pdf.page)  # noqa: SLF001
    pdf._out(" ".join(parts))  # noqa: SLF001


def text_width(pdf: FPDF, text: str) -> float:
    """Width of a text in the current font and size (mm)."""
    run = _run(pdf, text)
    if run is not None:
        return run.width
    shape_for(pdf, text)
    return pdf.get_string_width(text)


def covered(pdf: FPDF, text: str) -> bool:
    """Whether the current font has a glyph for every character of the text."""
    cmap = getattr(pdf.current_font, "cmap", None)
    return cmap is not None and all(ord(c) in cmap for c in text)


def cell(pdf: FPDF, w: float, h: float, text: str, align: str = "L") -> None:
    """pdf.cell(w, h, text, align=align) for one line, written directly when one font draws it."""
    run = _run(pdf, text) if text else None
    if run is None:
        shape_for(pdf, text)
        pdf.cell(w, h, text, align=align)
        return
    margin = pdf.c_margin
    if align == "C":
        dx = (w - run.width) / 2
    elif align == "R":
        dx = w - margin - run.width
    else:
        dx = margin
    baseline = pdf.y + 0.5 * h + 0.3 * run.size_pt / pdf.k
    _draw_run(pdf, run, pdf.x + dx, baseline)
    pdf.x += w


def wrap_words(pdf: FPDF, text: str, width: float) -> list[str] | None:
    """Greedy word wrap at the current font and size; None when a word alone is too wide."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(pdf, candidate) <= width:
            line = candidate
            continue
        if not line or text_width(pdf, word) > width:
            return None
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


# A wrapped name is preferred to a single line only when its letters come out this much
# bigger: "Zoë Ñúñez Gonçalves-Łukasiewicz" on two lines at 28 pt rather than one at 14 pt,
# but "Aïssatou Diallo" on one line at 24 pt rather than two at 28 pt.
WRAP_GAIN = 1.25


def leading(text: str) -> float:
    """Line height as a multiple of the font size: more for scripts with tall marks."""
    return 1.4 if needs_shaping(text) else 1.2


PT = 25.4 / 72  # mm per point


def fit_lines(
    pdf: FPDF,
    text: str,
    width: float,
    sizes: Sequence[float],
    max_lines: int,
    style: str = "",
    height: float | None = None,
) -> tuple[float, list[str]]:
    """The largest size from `sizes` at which `text` fits in `max_lines` lines of `width` mm
    (and, given a `height`, as many lines as fit in it at the text's leading).

    One line is kept unless wrapping allows letters WRAP_GAIN times bigger. When even the
    smallest size needs more lines, the extra lines are dropped and the last kept line ends
    with an ellipsis: text never runs out of its box.
    """
    family = pdf.font_family
    shape_for(pdf, text)
    factor = leading(text)

    def allowed(size: float) -> int:
        if height is None:
            return max_lines
        return max(1, min(max_lines, int(height / (size * PT * factor) + 1e-6)))

    single = None
    for size in sizes:
        pdf.set_font(family, style, size)
        if text_width(pdf, text) <= width:
            single = size
            break
    for size in sizes:
        if single is not None and size < single * WRAP_GAIN:
            break
        if allowed(size) < 2:
            continue
        pdf.set_font(family, style, size)
        lines = wrap_words(pdf, text, width)
        if lines is not None and len(lines) <= allowed(size):
            return size, lines
    if single is not None:
        pdf.set_font(family, style, single)
        return single, [text]
    for size in sizes:
        pdf.set_font(family, style, size)
        lines = wrap_words(pdf, text, width)
        if lines is None:
            shape_for(pdf, text)
            lines = pdf.multi_cell(width, 1, text, dry_run=True, output="LINES", padding=0)
        if len(lines) <= allowed(size):
            return size, lines
    lines = lines[: allowed(size)]
    last = lines[-1]
    while last and text_width(pdf, last + "…") > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return size, lines
