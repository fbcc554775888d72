"""The visa letter PDF builder: content, Unicode names, font override."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from confapp.pdf import DEFAULT_FONT
from confapp.pdf import VENDORED_FALLBACK_FONTS
from confapp.pdf import font_set
from confapp.visa.letter import DEFAULT_PURPOSE
from confapp.visa.letter import LetterData
from confapp.visa.letter import build_letter

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed: cannot read PDF text"
)

DATA = LetterData(
    reference="CDC-2027-0042",
    issued_on=dt.date(2026, 12, 1),
    event_title="Changing paradigms of cluster development",
    starts_on=dt.date(2027, 2, 20),
    ends_on=dt.date(2027, 2, 22),
    venue="India Habitat Centre",
    city="New Delhi",
    country_name="India",
    passport_name="Zoë Ñúñez Gonçalves",
    passport_number="AB1234567",
    nationality_name="Peru",
    date_of_birth=dt.date(1981, 4, 9),
    organisation="Cámara de Comercio de Arequipa",
    purpose="",
    signatory="Dr Meera Iyer, Director, Foundation for MSME Clusters",
    partners=("Foundation for MSME Clusters", "UNIDO"),
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


def test_builds_a_pdf():
    pdf = build_letter(DATA)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


@needs_pdftotext
def test_letter_contains_every_fact(tmp_path):
    text = pdf_text(build_letter(DATA), tmp_path)
    for expected in (
        "Changing paradigms of cluster development",
        "Foundation for MSME Clusters · UNIDO",
        "CDC-2027-0042",
        "1 December 2026",
        "To the Consular Officer",
        "Zoë Ñúñez Gonçalves",
        "Peru",
        "AB1234567",
        "9 April 1981",
        "20–22 February 2027",
        "India Habitat Centre, New Delhi, India",
        "Cámara de Comercio de Arequipa",
        "Dr Meera Iyer, Director, Foundation for MSME Clusters",
        " ".join(DEFAULT_PURPOSE.split()),
    ):
        assert expected in text, expected


@needs_pdftotext
def test_custom_purpose_and_no_signatory(tmp_path):
    data = replace(DATA, purpose="To speak at the plenary on cluster finance.", signatory="")
    text = pdf_text(build_letter(data), tmp_path)
    assert "To speak at the plenary on cluster finance." in text
    assert "The organisers of Changing paradigms of cluster development" in text


@needs_pdftotext
@pytest.mark.parametrize("name", ["Виктория Соколова", "Αλέξανδρος Παππάς", "محمد الأمين"])
def test_names_in_scripts_of_the_bundled_fonts(tmp_path, name):
    text = pdf_text(build_letter(replace(DATA, passport_name=name)), tmp_path)
    # Shaped Arabic comes out in logical order, with spaces where a dot is placed apart.
    assert "".join(name.split()) in "".join(text.split()), text


@needs_pdftotext
def test_devanagari_name_with_the_vendored_fonts(tmp_path):
    fonts = font_set({"PDF_FALLBACK_FONTS": list(VENDORED_FALLBACK_FONTS)})
    text = pdf_text(build_letter(replace(DATA, passport_name="प्रिया शर्मा"), fonts=fonts), tmp_path)
    # pdftotext splits shaped Indic clusters with spaces; compare without them.
    assert "प्रियाशर्मा" in "".join(text.split())


@needs_pdftotext
def test_pdf_font_override(tmp_path):
    custom = tmp_path / "Custom.ttf"
    shutil.copy(DEFAULT_FONT, custom)
    pdf = build_letter(DATA, fonts=font_set({"PDF_FONT": str(custom)}))
    assert "Zoë Ñúñez Gonçalves" in pdf_text(pdf, tmp_path)


def test_missing_font_fails_loudly(tmp_path):
    with pytest.raises(FileNotFoundError):
        build_letter(DATA, fonts=font_set({"PDF_FONT": str(tmp_path / "nope.ttf")}))
