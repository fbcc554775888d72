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
    """Set fpdf2's shaping and bidi for drawing this text: only if it needs them (shaping
    is slow), always in a right-to-left document (see page_direction)."""
    if not HAS_SHAPING:
        return
    if _document_direction(pdf) == "rtl":
        # Even an all-Latin line reorders there: "(BR)" after an isolated name, or the
        # full stop after an e-mail address that ends an Arabic sentence, go to its left.
        if not pdf.text_shaping or pdf.text_shaping.get("direction") is None:
            pdf.set_text_shaping(True, direction="rtl")
        return
    want = needs_shaping(text) or needs_bidi(text)
    if want != bool(pdf.text_shaping):
        if want:
            pdf.set_text_shaping(True)
        else:
            pdf.text_shaping = None


def page_direction(pdf: FPDF, language: str | None = None) -> str:
    """Set a document's writing direction from the language (the current one by default):
    right to left for Arabic (text shaped and reordered by fpdf2's bidi algorithm with a
    right-to-left base, by cell() and fit_lines() too); returns the alignment of running
    text, "R" or "L"."""
    from confapp.i18n import text_direction

    if text_direction(language) == "rtl" and HAS_SHAPING:
        pdf.__dict__["_confapp_direction"] = "rtl"
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl")
        return "R"
    if pdf.__dict__.pop("_confapp_direction", None):
        # A left-to-right page after an Arabic one in the same document.
        pdf.text_shaping = None
    return "L"


def _document_direction(pdf: FPDF) -> str | None:
    """ "rtl" once page_direction() set it; None: each paragraph's own (its first letter)."""
    return pdf.__dict__.get("_confapp_direction")


# --- Bidirectional text ------------------------------------------------------------------
# UAX #9 resolves a whole paragraph, then reorders each line. fpdf2 does so in multi_cell,
# but a line drawn alone (cell(), and the lines of fit_lines and the visa letter's own
# wrapping) is a paragraph of its own: a Latin run that continues an Arabic sentence on
# the next line, or the end of an isolate cut by the line break ("UTC+05:30)" and then PDI), then
# takes the wrong side, and its closing bracket is mirrored to the other end ("(UTC+05:30").
# lines_of_paragraph() gives every line the paragraph's direction and its open isolates.

LRM, RLM = "\u200e", "\u200f"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
# Marks, embeddings, overrides and isolates steer the bidi algorithm and are never drawn.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

# Characters that make a left-to-right text reorder: right-to-left letters and Arabic
# digits, and the explicit marks, embeddings and isolates.
_BIDI_CLASSES = frozenset(
    ("R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI")
)


@functools.lru_cache(maxsize=4096)
def _bidi_class(char: str) -> str:
    return unicodedata.bidirectional(char)


def needs_bidi(text: str) -> bool:
    """Whether the text has right-to-left letters, Arabic digits or direction controls."""
    return any(_bidi_class(c) in _BIDI_CLASSES for c in text)


def _auto_direction(text: str) -> str:
    """The direction of the first strong letter outside isolates (UAX #9 P2-P3)."""
    from fpdf.bidi import auto_detect_base_direction
    from fpdf.enums import TextDirection

    return "rtl" if auto_detect_base_direction(text) == TextDirection.RTL else "ltr"


def paragraph_direction(pdf: FPDF, text: str) -> str:
    """ "rtl" or "ltr": the document's direction, else the text's own first strong letter."""
    return _document_direction(pdf) or _auto_direction(text)


def lines_of_paragraph(text: str, lines: Sequence[str], direction: str | None = None) -> list[str]:
    """The lines a paragraph was wrapped into, each made to lay out alone as it does inside
    the paragraph: isolates cut by a line break are closed at the line's end and opened
    again on the next line, and a line whose first letter would give it the other direction
    starts with a mark of the paragraph's (RLM, LRM). `direction` is the paragraph's ("rtl",
    "ltr"; by default its first strong letter's)."""
    if len(lines) < 2:
        return list(lines)
    direction = direction or _auto_direction(text)
    from fpdf.bidi import auto_detect_base_direction
    from fpdf.enums import TextDirection

    result = []
    reopen = ""  # the isolates still open at the end of the previous line
    for index, line in enumerate(lines):
        stack = list(reopen)
        for pos, char in enumerate(line):
            if char in (LRI, RLI):
                stack.append(char)
            elif char == FSI:
                # Opened again on another line, its direction must stay the one of its
                # whole content, not of the part on that line.
                rest = " ".join((line[pos + 1 :], *lines[index + 1 :]))
                ltr = auto_detect_base_direction(rest, stop_at_pdi=True) == TextDirection.LTR
                stack.append(LRI if ltr else RLI)
            elif char == PDI and stack:
                stack.pop()
        line = reopen + line + PDI * len(stack)
        reopen = "".join(stack)
        if _auto_direction(line) != direction:
            line = (RLM if direction == "rtl" else LRM) + line
        result.append(line)
    return result


# --- Fast text runs --------------------------------------------------------------------
# fpdf2's cell() runs the bidi algorithm, splits fragments by font and shapes each text
# twice (width, then drawing): about 1 ms for an Arabic name. Most texts on a badge are
# simpler: drawn by one font, Latin or one script, read in one direction. For those, the
# width and the glyphs come from one shaping (or a cmap lookup) and the text object is
# written directly. Anything else (mixed scripts, mixed directions: Latin in Arabic, digits
# in Arabic) goes through fpdf2 unchanged.


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
    font_key = pdf.current_font.fontkey if pdf.current_font else None
    key = (font_key, size_pt, text, _document_direction(pdf))
    run = cache.get(key)
    if run is not None or key in cache:
        return run
    run = _make_run(pdf, text, size_pt)
    if len(cache) >= _RUN_CACHE_SIZE:
        cache.clear()
    cache[key] = run
    return run


def _one_direction(text: str, base: str | None) -> str | None:
    """ "L" or "R" when the whole text reads in one direction in a paragraph of direction
    `base` (None: the text's own), so that one shaped run draws it; None when it mixes
    directions (only the bidi algorithm orders its parts and mirrors their brackets)."""
    if base != "rtl" and not needs_bidi(text):
        return "L"
    if not HAS_SHAPING:
        return None
    from fpdf.bidi import BidiParagraph
    from fpdf.enums import TextDirection

    paragraph = BidiParagraph(
        text,
        base_direction=TextDirection.RTL if base == "rtl" else None,
        preserve_bn_chars=True,
    )
    # Marks and isolates are drawn with no width: only the other characters count.
    directions = {
        direction
        for part, direction in paragraph.get_bidi_fragments()
        if any(unicodedata.category(c) != "Cf" for c in part)
    }
    if len(directions) != 1:
        return None
    return "R" if directions.pop() == TextDirection.RTL else "L"


def _make_run(pdf: FPDF, text: str, size_pt: float) -> _Run | None:
    font = _font_for(pdf, text)
    if font is None or not hasattr(font, "subset"):
        return None
    # A font that has both Arabic and Latin letters (DejaVu Sans) would otherwise draw
    # "محمد (Mohamed)" or "10 يناير" as one right-to-left run: "(demahoM)", "01".
    direction = _one_direction(text, _document_direction(pdf))
    if direction is None:
        return None
    scale = size_pt * 0.001 / pdf.k
    if direction == "L" and not _COMPLEX.search(text):
        pick = font.subset.pick
        # Direction marks have done their work: Noto Sans has a visible glyph for RLM.
        codes = [ord(c) for c in text if c not in _BIDI_CONTROLS]
        widths = font.cw
        plain = "".join(chr(pick(code)) for code in codes)
        return _Run(font, size_pt, sum(widths[c] for c in codes) * scale, plain, None)
    if not HAS_SHAPING:
        return None
    from fpdf.enums import TextDirection

    # The run's direction, not harfbuzz's guess: right to left, brackets are mirrored.
    params = {
        "features": {},
        "fragment_direction": TextDirection.RTL if direction == "R" else TextDirection.LTR,
    }
    shaped = tuple(font.shape_text(text, size_pt, params))
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
    with an ellipsis: text never runs out of its box. Wrapped lines come from
    lines_of_paragraph(): each draws alone as it reads in the whole text.
    """
    family = pdf.font_family
    shape_for(pdf, text)
    factor = leading(text)
    # Each line is then drawn alone: it keeps the direction of the whole text.
    direction = paragraph_direction(pdf, text)

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
            return size, lines_of_paragraph(text, lines, direction)
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
            return size, lines_of_paragraph(text, lines, direction)
    lines = lines[: allowed(size)]
    last = lines[-1]
    while last and text_width(pdf, last + "…") > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return size, lines_of_paragraph(text, lines, direction)
