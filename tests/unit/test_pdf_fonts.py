"""Fallback fonts are chosen by the text a document prints, so Latin PDFs stay light."""

from __future__ import annotations

from pathlib import Path

import pytest

from confapp.pdf import FontSet
from confapp.pdf import font_set

DEVANAGARI = "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"
ARABIC = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"
CHINESE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
needs_fonts = pytest.mark.skipif(
    not all(Path(p).exists() for p in (DEVANAGARI, ARABIC, CHINESE)),
    reason="needs Debian fonts-noto-core and fonts-wqy-microhei",
)


def test_latin_text_with_diacritics_needs_no_fallback():
    fonts = font_set({}).for_texts(["Aïssatou Diallo", "Ñandú Cooperativa", "Łódź", "Việt Nam"])
    assert fonts.fallbacks == ()
    assert fonts.regular == font_set({}).regular


@needs_fonts
def test_each_script_brings_only_its_font():
    fonts = font_set({"PDF_FALLBACK_FONTS": [ARABIC, DEVANAGARI, CHINESE]})
    assert fonts.for_texts(["राजेश कुमार"]).fallbacks == (DEVANAGARI,)
    # DejaVu Sans itself has Arabic letters: no fallback is loaded for them.
    assert fonts.for_texts(["محمد عبد الله"]).fallbacks == ()
    assert fonts.for_texts(["王小明", "Ana"]).fallbacks == (CHINESE,)
    # Order is the configured priority, whatever order the names come in.
    assert fonts.for_texts(["王小明", "राजेश"]).fallbacks == (DEVANAGARI, CHINESE)


def test_characters_no_font_has_pick_nothing(tmp_path):
    fonts = FontSet(font_set({}).regular, font_set({}).bold, ())
    assert fonts.for_texts(["\U0001f600 smile"]).fallbacks == ()
