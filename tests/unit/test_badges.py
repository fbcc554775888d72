"""Badge PDFs: text, every QR decodes (zxing-cpp on pdftoppm renders), scripts, layouts, CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from confapp.badges import render
from confapp.badges import tokens
from confapp.badges.render import BadgeData
from confapp.badges.render import build_badges
from confapp.pdf import fit_lines
from confapp.pdf import font_set
from tests.helpers import pdf_text

KEY = "testing-secret-key"
NOTO = Path("/usr/share/fonts/truetype/noto")
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm, pdftotext)"
)


def _badge(i: int, name: str = "Ana Example", **kw) -> BadgeData:
    values = dict(
        token=tokens.issue(KEY, 1, i, 1),
        full_name=name,
        organisation="Kenya Leather Cluster",
        country_name="Kenya",
        category="delegate",
        category_label="Delegate",
        event_title="Changing paradigms of cluster development",
    )
    values.update(kw)
    return BadgeData(**values)


def _decode(pdf: bytes, tmp_path: Path, dpi: int = 150) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="needs zxing-cpp (pip install zxing-cpp)")
    from PIL import Image

    path = tmp_path / "q.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True
    )
    texts = []
    for png in sorted(tmp_path.glob("page*.png")):
        texts += [
            r.text
            for r in zxingcpp.read_barcodes(Image.open(png))
            if r.format == zxingcpp.BarcodeFormat.QRCode
        ]
    return texts


def test_fast_qr_matrix_matches_qrcode_library():
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    for i in range(1, 20):
        token = tokens.issue(KEY, i, i * 31, i % 4)
        reference = qrcode.QRCode(
            error_correction=ERROR_CORRECT_M, version=5, border=0, mask_pattern=2
        )
        reference.add_data(token)
        reference.make(fit=False)
        assert render.qr_matrix(token) == reference.get_matrix()
    # Anything else falls back to the library.
    assert len(render.qr_matrix("https://example.org/x")) > 20


@needs_poppler
@pytest.mark.parametrize("layout", ["a6", "a4x4", "a4x8"])
def test_every_qr_decodes_and_text_is_there(layout, tmp_path):
    badges = [_badge(i, f"Delegate Number{i}") for i in range(1, 10)]
    pdf = build_badges(badges, layout=layout, fonts=font_set({}))
    decoded = _decode(pdf, tmp_path)
    assert sorted(decoded) == sorted(b.token for b in badges)
    text = pdf_text(pdf, tmp_path)
    assert "Delegate Number1" in text and "Kenya Leather Cluster" in text and "DELEGATE" in text


@needs_poppler
def test_long_names_wrap_or_shrink_without_overflow(tmp_path):
    long_name = (
        "José María Fernández-Núñez de la Peña y Castellanos Villaverde Aguirre Montenegro Ibáñez"
    )
    pdf = build_badges([_badge(1, long_name)], layout="a6", fonts=font_set({}))
    text = pdf_text(pdf, tmp_path)
    assert "José María" in text  # diacritics kept
    assert _decode(pdf, tmp_path) == [tokens.issue(KEY, 1, 1, 1)]
    doc = render.BadgeDocument("a6", font_set({}))
    doc.pdf.add_page()
    doc.pdf.set_font("badge", "B", 28)
    size, lines = fit_lines(doc.pdf, long_name * 3, 91, (28, 20, 12, 10), 3, "B")
    assert size == 10 and len(lines) == 3 and lines[-1].endswith("…")
    assert all(doc.pdf.get_string_width(line) <= 91.5 for line in lines)


@needs_poppler
@pytest.mark.skipif(
    not (NOTO / "NotoSansDevanagari-Regular.ttf").exists()
    or not (NOTO / "NotoSansArabic-Regular.ttf").exists(),
    reason="needs Debian fonts-noto-core (Devanagari and Arabic)",
)
def test_devanagari_and_arabic_names_render(tmp_path):
    names = ["राजेश कुमार शर्मा", "محمد عبد الله"]
    # Only the fallbacks these names need are loaded: they must still be enough.
    fonts = font_set({}).for_texts(names)
    assert 1 <= len(fonts.fallbacks) <= 2
    pdf = build_badges([_badge(1, names[0]), _badge(2, names[1])], layout="a6", fonts=fonts)
    text = pdf_text(pdf, tmp_path)
    assert "राजेश" in text or "रा" in text
    assert "محمد" in text or "عبد" in text
    assert len(_decode(pdf, tmp_path)) == 2


CJK = [
    p
    for p in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    )
    if Path(p).exists()
]


@needs_poppler
@pytest.mark.skipif(
    not CJK, reason="no CJK font installed (apt-get install fonts-noto-cjk); set PDF_FALLBACK_FONTS"
)
def test_chinese_names_render(tmp_path):
    pdf = build_badges(
        [_badge(1, "王小明")],
        layout="a6",
        fonts=font_set({"PDF_FALLBACK_FONTS": CJK}).for_texts(["王小明"]),
    )
    assert "王小明" in pdf_text(pdf, tmp_path)


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="unknown layout"):
        build_badges([], layout="a3", fonts=font_set({}))


def test_qr_png_is_a_png():
    assert render.qr_png(tokens.issue(KEY, 1, 1, 1)).startswith(b"\x89PNG")
