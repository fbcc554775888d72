"""The visa letter PDF builder: content, one page, letterhead and images, languages (Arabic
right to left), Unicode names, font override. PDFs are read back with poppler's tools."""

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
needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdfimages")),
    reason="poppler-utils (pdftotext, pdfinfo, pdfimages) is not installed",
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
    passport_issued_on=dt.date(2019, 5, 2),
    passport_expires_on=dt.date(2029, 5, 1),
    passport_issue_place="Lima",
    organiser_name="Foundation for MSME Clusters",
    organiser_address="Core 4B, India Habitat Centre, Lodhi Road\nNew Delhi 110003, India",
    letter_contact="Visa desk: +91 11 4366 2700 · visas@cdc.example.org",
    contact_email="secretariat@cdc.example.org",
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
        "Core 4B, India Habitat Centre, Lodhi Road · New Delhi 110003, India",
        "Visa desk: +91 11 4366 2700 · visas@cdc.example.org",
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
        "Date of issue 2 May 2019",
        "Date of expiry 1 May 2029",
        "Place of issue Lima",
        "Passport number AB1234567",
        "Nationality Peru",
        "Yours faithfully,",
        "On behalf of Foundation for MSME Clusters",
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


# --- one page, letterhead, images ------------------------------------------------------


def _fill(text: str, length: int) -> str:
    return (text * (length // len(text) + 1))[:length].strip()


# The longest values the forms allow: documents settings (organiser 200, address 500,
# contact line 300), event form (title 200, venue 200, city 100, signatory 200),
# registration (organisation 200), visa form (name 200, number 20, place 100).
LONGEST = replace(
    DATA,
    organiser_name=_fill(
        "International Foundation for Micro, Small and Medium Enterprise Clusters ", 200
    ),
    organiser_address=_fill(
        "Plot 14, Institutional Area, Lodhi Road, Near the Habitat Centre, Gate 3\n", 500
    ),
    letter_contact=_fill(
        "Visa desk +91 11 4366 2700 (Monday to Friday) · visas@cluster-development.example.org · ",
        300,
    ),
    event_title=_fill(
        "International Conference on Changing Paradigms of Cluster Development ", 200
    ),
    venue=_fill("India Habitat Centre, Stein Auditorium and Convention Halls ", 200),
    city=_fill("National Capital Territory of Delhi ", 100),
    country_name="South Georgia and the South Sandwich Islands",
    passport_name=_fill("Maria Fernanda de los Ángeles Gonçalves-Łukasiewicz ", 200),
    passport_number="AB12345678901234567X",
    nationality_name="Saint Vincent and the Grenadines",
    organisation=_fill(
        "Association of Leather and Footwear Manufacturers of the Agra Cluster ", 200
    ),
    signatory=_fill(
        "Dr Meera Raghavan, Executive Director, Bharat Foundation for MSME Clusters ", 200
    ),
    partners=tuple(
        _fill(f"Partner {i} for Industrial Development of Clusters ", 200) for i in range(6)
    ),
    passport_issue_place=_fill("Ministry of Foreign Affairs, Passport Office of the Capital ", 100),
    purpose=(
        'To attend the international conference "Changing paradigms of cluster development: '
        'learning from global experiences" as a registered delegate, including its plenary and '
        "parallel sessions, business-to-business networking meetings and field visits to "
        "industrial clusters in the National Capital Region."
    ),
)


def _write(pdf: bytes, tmp_path: Path, name: str = "letter.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def pages(pdf: bytes, tmp_path: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(_write(pdf, tmp_path, "info.pdf"))], capture_output=True, check=True
    )
    return int(
        next(
            line for line in info.stdout.decode().splitlines() if line.startswith("Pages:")
        ).split()[1]
    )


def images(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """pdfimages -list rows (page, num, type, width, height, ...) of the PDF's images."""
    out = subprocess.run(
        ["pdfimages", "-list", str(_write(pdf, tmp_path, "images.pdf"))],
        capture_output=True,
        check=True,
    )
    return [line.split() for line in out.stdout.decode().splitlines()[2:] if line.strip()]


def compact(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def artwork(tmp_path):
    """A logo (PNG) and a signature (PNG with transparency), as the documents page stores."""
    from PIL import Image
    from PIL import ImageDraw

    logo = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(logo).ellipse((20, 20, 280, 280), fill=(31, 80, 150))
    logo_path = tmp_path / "logo.png"
    logo.save(logo_path)
    signature = Image.new("RGBA", (800, 250), (255, 255, 255, 0))
    ImageDraw.Draw(signature).line(
        [(20, 200), (150, 40), (330, 190), (760, 60)], fill="navy", width=8
    )
    signature_path = tmp_path / "signature.png"
    signature.save(signature_path)
    return {"logo_path": str(logo_path), "signature_path": str(signature_path)}


@needs_poppler
def test_ordinary_letter_is_one_page_with_logo_and_signature(tmp_path, artwork):
    pdf = build_letter(replace(DATA, **artwork))
    assert pages(pdf, tmp_path) == 1
    found = images(pdf, tmp_path)
    # The logo (600 × 300) and the signature (800 × 250, drawn with its transparency mask).
    sizes = {(row[3], row[4]) for row in found if row[2] == "image"}
    assert sizes == {("600", "300"), ("800", "250")}, found
    assert any(row[2] == "smask" for row in found)


@needs_poppler
def test_without_images_nothing_is_embedded(tmp_path):
    pdf = build_letter(DATA)
    assert pages(pdf, tmp_path) == 1
    assert images(pdf, tmp_path) == []


@needs_poppler
@pytest.mark.parametrize("language", ["en", "fr", "es", "pt", "ar"])
def test_longest_values_still_make_one_page(app_ctx, tmp_path, artwork, language):
    data = replace(LONGEST, language=language, **artwork)
    pdf = build_letter(data)
    assert pages(pdf, tmp_path) == 1
    text = compact(pdf_text(pdf, tmp_path))
    # Shrunk to fit, never cut: every long value is there in full (in Arabic, pdftotext
    # orders a Latin name wrapped inside a right-to-left sentence by line: not compared).
    values = [data.passport_name, data.signatory, data.organiser_name, data.passport_issue_place]
    values += [data.passport_number] + ([data.organisation] if language != "ar" else [])
    for value in values:
        assert compact(value) in text, value
    assert len(images(pdf, tmp_path)) >= 2


@needs_poppler
def test_a_very_long_purpose_never_leaves_the_signature_alone(tmp_path, artwork):
    purpose = _fill("To take part in the sessions, meetings and visits of the programme. ", 5000)
    pdf = build_letter(replace(LONGEST, purpose=purpose, **artwork))
    assert pages(pdf, tmp_path) == 2
    path = _write(pdf, tmp_path, "two.pdf")
    second = subprocess.run(
        [PDFTOTEXT, "-f", "2", "-l", "2", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    # The closing paragraph goes over with the signature block.
    assert "does not commit the organisers" in second
    assert "Yours faithfully," in second
    assert compact(LONGEST.signatory) in compact(second)


# --- languages ---------------------------------------------------------------------------


def _word_boxes(pdf: bytes, tmp_path: Path) -> list[tuple[str, float]]:
    import re

    path = _write(pdf, tmp_path, "bbox.pdf")
    html = subprocess.run(
        [PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return [
        (word, float(x_min))
        for x_min, word in re.findall(r'<word xMin="([0-9.]+)"[^>]*>([^<]*)</word>', html)
    ]


@needs_pdftotext
def test_arabic_letter_is_written_in_arabic_right_to_left(app_ctx, tmp_path, artwork):
    data = replace(DATA, language="ar", **artwork)
    pdf = build_letter(data)
    text = compact(pdf_text(pdf, tmp_path))
    # Shaped Arabic is extractable (pdftotext puts spaces between some joined letters).
    for words in ("إلى الموظف القنصلي المختص", "الاسم كما في جواز السفر", "تاريخ الإصدار",
                  "وتفضلوا بقبول فائق الاحترام والتقدير"):  # fmt: skip
        assert compact(words) in text, words
    # Latin names, numbers and the mixed lines come through unmangled.
    for value in ("Zoë Ñúñez Gonçalves", "AB1234567", "Cámara de Comercio de Arequipa",
                  "CDC-2027-0042", "Lima"):  # fmt: skip
        assert compact(value) in text, value
    assert "Dear Sir or Madam" not in text
    # Mirrored: the reference sits on the right half of the page in Arabic, the left in English.
    page_width = 595.0
    [(_, arabic_x)] = [w for w in _word_boxes(pdf, tmp_path) if w[0] == "CDC-2027-0042"][:1]
    english = build_letter(replace(DATA, **artwork))
    [(_, english_x)] = [w for w in _word_boxes(english, tmp_path) if w[0] == "CDC-2027-0042"][:1]
    assert arabic_x > page_width / 2 > english_x


@needs_pdftotext
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            (
                "Madame, Monsieur,",
                "Objet du séjour",
                "9 avril 1981",
                "Date de délivrance 2 mai 2019",
                "20–22 février 2027",
            ),
        ),
        (
            "es",
            ("Atentamente,", "Motivo del viaje", "9 de abril de 1981", "Lugar de expedición Lima"),
        ),
        (
            "pt",
            (
                "Com os melhores cumprimentos,",
                "9 de abril de 1981",
                "Data de validade 1 de maio de 2029",
            ),
        ),
    ],
)
def test_letter_in_the_delegates_language(app_ctx, tmp_path, language, expected):
    text = pdf_text(build_letter(replace(DATA, language=language)), tmp_path)
    for words in expected:
        assert words in text, words
    assert "Yours faithfully" not in text


@needs_pdftotext
def test_request_made_before_issue_dates_were_asked_leaves_those_rows_out(tmp_path):
    old = replace(DATA, passport_issued_on=None, passport_expires_on=None, passport_issue_place="")
    text = pdf_text(build_letter(old), tmp_path)
    assert "Passport number AB1234567" in text
    for label in ("Date of issue", "Date of expiry", "Place of issue"):
        assert label not in text
