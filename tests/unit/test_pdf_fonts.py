"""PDF fonts: the vendored Noto set draws names in four scripts with no system font.

The document tests point PDF_FALLBACK_FONTS at the fonts inside the package only, as on
a fresh machine without fonts-noto or fonts-wqy, and read the names back with pdftotext.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from confapp.badges import tokens
from confapp.badges.render import BadgeData
from confapp.badges.render import build_badges
from confapp.checkin.certificates import CertificateData
from confapp.checkin.certificates import build_certificates
from confapp.pdf import DEFAULT_BOLD_FONT
from confapp.pdf import DEFAULT_FONT
from confapp.pdf import FONT_DIR
from confapp.pdf import VENDORED_FALLBACK_FONTS
from confapp.pdf import FontSet
from confapp.pdf import bold_twin
from confapp.pdf import font_set
from confapp.visa.letter import LetterData
from confapp.visa.letter import build_letter

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)

NAMES = {
    "latin": "Zoë Ñúñez Gonçalves-Łukasiewicz",
    "devanagari": "राजेश कुमार शर्मा",
    "arabic": "محمد عبد الله الهاشمي",
    "chinese": "张磊",
}
VENDORED_ONLY = {"PDF_FALLBACK_FONTS": list(VENDORED_FALLBACK_FONTS)}


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def _compact(text: str) -> str:
    """Text without whitespace and direction marks.

    pdftotext puts a space wherever a shaped glyph is positioned on its own (Arabic dots
    and Devanagari vowel signs are placed by GPOS), and wraps right-to-left lines in
    embedding marks; neither changes which letters come out, nor their order.
    """
    return "".join(c for c in text if not c.isspace() and c not in "\u202a\u202b\u202c")


def _assert_names(text: str) -> None:
    compact = _compact(text)
    for script, name in NAMES.items():
        assert _compact(name) in compact, f"{script} name {name!r} missing from {text!r}"
    # Logical order: the first word of the Arabic name comes before the last.
    assert compact.index("محمد") < compact.index("الهاشمي")


def test_vendored_fonts_ship_inside_the_package():
    assert FONT_DIR == Path(__file__).resolve().parents[2] / "confapp" / "fonts"
    for path in (DEFAULT_FONT, DEFAULT_BOLD_FONT, *VENDORED_FALLBACK_FONTS):
        assert Path(path).is_file(), path
    for family in ("NotoSans", "NotoSansArabic", "NotoSansDevanagari", "NotoSansSC"):
        assert (FONT_DIR / f"OFL-{family}.txt").read_text().count("SIL Open Font License") >= 1
    assert (FONT_DIR / "LICENSE-DejaVu.txt").is_file()
    # The whole set stays small enough to ship in the wheel.
    assert sum(p.stat().st_size for p in FONT_DIR.iterdir()) < 5_000_000


def test_chinese_subset_has_the_3500_common_characters():
    from fontTools.ttLib import TTFont

    listed = (Path(__file__).resolve().parents[2] / "tools/fonts/gscc-level1.txt").read_text(
        encoding="utf-8"
    )
    chars = [c for c in listed if not c.isspace()]
    assert len(set(chars)) == 3500
    for path in (FONT_DIR / "NotoSansSC-Regular.ttf", FONT_DIR / "NotoSansSC-Bold.ttf"):
        cmap = TTFont(path, lazy=True).getBestCmap()
        assert not [c for c in chars if ord(c) not in cmap]


def test_each_script_brings_only_its_font():
    fonts = font_set(VENDORED_ONLY)
    arabic, devanagari, chinese, dejavu = VENDORED_FALLBACK_FONTS
    assert (
        fonts.for_texts(["Aïssatou Diallo", "Łódź", "Việt Nam", "Сергей", "Γιώργος"]).fallbacks
        == ()
    )
    assert fonts.for_texts([NAMES["devanagari"]]).fallbacks == (devanagari,)
    assert fonts.for_texts([NAMES["arabic"]]).fallbacks == (arabic,)
    assert fonts.for_texts([NAMES["chinese"], "Ana"]).fallbacks == (chinese,)
    # Order is the fallback order, whatever order the names come in.
    assert fonts.for_texts([NAMES["chinese"], NAMES["devanagari"]]).fallbacks == (
        devanagari,
        chinese,
    )
    # Hebrew is not a vendored Noto script: DejaVu Sans, the last vendored font, has it.
    assert fonts.for_texts(["דוד לוי"]).fallbacks == (dejavu,)


def test_default_fallbacks_start_with_the_vendored_fonts():
    assert font_set({}).fallbacks[: len(VENDORED_FALLBACK_FONTS)] == VENDORED_FALLBACK_FONTS


def test_regular_fallbacks_bring_their_bold_twin():
    assert bold_twin(FONT_DIR / "NotoSansSC-Regular.ttf") == str(FONT_DIR / "NotoSansSC-Bold.ttf")
    assert bold_twin(FONT_DIR / "DejaVuSans.ttf") is None


def test_undrawable_characters_are_named():
    fonts = font_set(VENDORED_ONLY)
    assert fonts.undrawable(" ".join(NAMES.values())) == ""
    # Joiners and direction marks need no glyph.
    assert fonts.undrawable("\u200fمحمد\u200d") == ""
    # A rare Chinese character outside the 3,500 and a Tamil name.
    assert fonts.undrawable("王𬌗 张") == "𬌗"
    # No vendored font has Tamil: every letter and sign is named once, in order.
    assert fonts.undrawable("முருகன் Ana") == "".join(dict.fromkeys("முருகன்"))


def test_characters_no_font_has_pick_nothing():
    fonts = FontSet(DEFAULT_FONT, DEFAULT_BOLD_FONT, ())
    assert fonts.for_texts(["\U0001f600 smile"]).fallbacks == ()


def _badge(i: int, name: str) -> BadgeData:
    return BadgeData(
        token=tokens.issue("testing-secret-key", 1, i, 1),
        full_name=name,
        organisation="Kenya Leather Cluster",
        country_name="Kenya",
        category="delegate",
        category_label="Delegate",
        event_title="Changing paradigms of cluster development",
    )


@needs_pdftotext
@pytest.mark.parametrize("layout", ["a6", "a4x4", "a4x8"])
def test_badges_print_names_in_four_scripts_with_vendored_fonts(tmp_path, layout):
    badges = [_badge(i, name) for i, name in enumerate(NAMES.values(), 1)]
    fonts = font_set(VENDORED_ONLY).for_texts(t for b in badges for t in b.texts())
    _assert_names(_text(build_badges(badges, layout=layout, fonts=fonts), tmp_path))


@needs_pdftotext
@pytest.mark.parametrize("script", list(NAMES))
def test_visa_letter_prints_names_in_four_scripts_with_vendored_fonts(tmp_path, script):
    data = LetterData(
        reference="CDC-2027-0042",
        issued_on=dt.date(2026, 12, 1),
        event_title="Changing paradigms of cluster development",
        starts_on=dt.date(2027, 2, 20),
        ends_on=dt.date(2027, 2, 22),
        venue="India Habitat Centre",
        city="New Delhi",
        country_name="India",
        passport_name=NAMES[script],
        passport_number="AB1234567",
        nationality_name="Kenya",
        date_of_birth=dt.date(1985, 3, 14),
    )
    text = _text(build_letter(data, fonts=font_set(VENDORED_ONLY)), tmp_path)
    assert _compact(NAMES[script]) in _compact(text)


@needs_pdftotext
def test_certificates_print_names_in_four_scripts_with_vendored_fonts(tmp_path):
    certificates = [
        CertificateData(
            full_name=name,
            organisation="Kenya Leather Cluster",
            event_title="Changing paradigms of cluster development",
            dates="20–22 February 2027",
            place="New Delhi, India",
            sessions_attended=2,
        )
        for name in NAMES.values()
    ]
    _assert_names(_text(build_certificates(certificates, font_set(VENDORED_ONLY)), tmp_path))


def _words_with_boxes(pdf: bytes, tmp_path: Path, name: str) -> list[tuple[str, float, float]]:
    import re

    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [
        (word, float(x_min), float(y_max))
        for x_min, y_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]


@needs_pdftotext
@pytest.mark.parametrize(
    "text",
    [NAMES["latin"], NAMES["devanagari"], NAMES["arabic"], NAMES["chinese"], "Ana 张磊 محمد 2"],
)
@pytest.mark.parametrize("align", ["L", "C", "R"])
def test_direct_text_runs_match_fpdf2_cells(tmp_path, text, align):
    """confapp.pdf.cell writes simple runs itself: same words at the same places as fpdf2."""
    from fpdf import FPDF

    from confapp.pdf import cell
    from confapp.pdf import install_fonts
    from confapp.pdf import shape_for

    def build(direct: bool) -> bytes:
        pdf = FPDF(unit="mm", format=(105, 148))
        install_fonts(pdf, "t", font_set(VENDORED_ONLY).for_texts([text]))
        pdf.add_page()
        for row, style in enumerate(("", "B")):
            pdf.set_font("t", style, 14)
            pdf.set_text_color(200, 0, 0)
            pdf.set_xy(7, 20 + 15 * row)
            if direct:
                cell(pdf, 91, 8, text, align)
            else:
                shape_for(pdf, text)
                pdf.cell(91, 8, text, align=align)
        return bytes(pdf.output())

    ours = _words_with_boxes(build(True), tmp_path, "ours")
    theirs = _words_with_boxes(build(False), tmp_path, "theirs")
    assert [w for w, _, _ in ours] == [w for w, _, _ in theirs]
    for (_, x1, y1), (_, x2, y2) in zip(ours, theirs, strict=True):
        assert abs(x1 - x2) < 0.5 and abs(y1 - y2) < 0.5
