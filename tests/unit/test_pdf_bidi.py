"""Latin runs in Arabic PDFs: brackets, punctuation and signs at their ends stay where a
reader of the whole sentence expects them, whichever way confapp.pdf draws the line (its
own fast runs, fpdf2's cell or multi_cell, wrapped lines drawn one by one).

The glyphs are read back with pdfminer.six in the order and shapes they are drawn
(tests/pdf_glyphs.py); "ع" stands for a run of Arabic letters. The expected orders are
those of the Unicode bidi algorithm with a right-to-left paragraph (FriBidi agrees).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import unicodedata

import pytest
from fpdf import FPDF

from confapp.i18n import FSI
from confapp.i18n import LRI
from confapp.i18n import PDI
from confapp.pdf import LRM
from confapp.pdf import RLI
from confapp.pdf import RLM
from confapp.pdf import VENDORED_FALLBACK_FONTS
from confapp.pdf import cell
from confapp.pdf import fit_lines
from confapp.pdf import font_set
from confapp.pdf import install_fonts
from confapp.pdf import lines_of_paragraph
from confapp.pdf import page_direction
from confapp.pdf import wrap_words
from tests.pdf_glyphs import drawn_lines
from tests.pdf_glyphs import drawn_skeletons

ZONE = f"{LRI}Asia/Kolkata (IST, UTC+05:30){PDI}"  # what zone_label() gives in Arabic
IN_ZONE = f"الأوقات بتوقيت {ZONE}"  # "Times in %(zone)s"

# (text, its drawn order left to right in a right-to-left paragraph)
LATIN_IN_ARABIC = [
    pytest.param(IN_ZONE, "Asia/Kolkata(IST,UTC+05:30)ع", id="zone-after-arabic"),
    pytest.param(ZONE, "Asia/Kolkata(IST,UTC+05:30)", id="zone-alone"),
    pytest.param(f"القاعة {FSI}Hall B (Level 2){PDI}", "HallB(Level2)ع", id="hall-level"),
    pytest.param(f"مسودة {FSI}[Draft]{PDI}", "[Draft]ع", id="draft"),
    pytest.param(
        f"يعمل في {FSI}Kenya Leather Cluster (KLC){PDI} منذ ٢٠٢٠.",
        ".٢٠٢٠عKenyaLeatherCluster(KLC)ع",
        id="organisation-in-sentence",
    ),
    pytest.param(
        f"أحمد ({FSI}Kenya Leather Cluster{PDI})",
        "(KenyaLeatherCluster)ع",
        id="organisation-in-brackets",
    ),
    pytest.param("محمد (Mohamed)", "(Mohamed)ع", id="latin-name-in-brackets"),
    pytest.param("10 يناير", "ع10", id="digits"),
    pytest.param(f"{FSI}Ana Silva{PDI} (BR)", "(BR)AnaSilva", id="name-and-country"),
    pytest.param(f"{FSI}Table 3{PDI} – {FSI}Hall B{PDI}", "HallB–Table3", id="table-and-hall"),
    pytest.param("راسلونا على visa@example.org.", ".visa@example.orgع", id="e-mail-full-stop"),
]

ALL_FONTS = font_set({"PDF_FALLBACK_FONTS": list(VENDORED_FALLBACK_FONTS)})
# Every vendored fallback, DejaVu Sans too: one font then has Arabic and Latin letters, as
# in the funders' report and any document whose texts need DejaVu.
FONT_SETS = {
    "needed fonts": ALL_FONTS.for_texts(p.values[0] for p in LATIN_IN_ARABIC),
    "all fonts": ALL_FONTS,
}


def _arabic_pdf(fonts, width=(190, 20)) -> FPDF:
    pdf = FPDF(format=width)
    install_fonts(pdf, "t", fonts)
    assert page_direction(pdf, "ar") == "R"
    pdf.add_page()
    pdf.set_font("t", "", 12)
    return pdf


@pytest.mark.parametrize("fonts", FONT_SETS.values(), ids=FONT_SETS.keys())
@pytest.mark.parametrize("draw", ["cell", "multi_cell"])
@pytest.mark.parametrize(("text", "expected"), LATIN_IN_ARABIC)
def test_latin_runs_in_an_arabic_line_keep_their_brackets(text, expected, draw, fonts):
    pdf = _arabic_pdf(fonts)
    pdf.set_xy(5, 5)
    if draw == "cell":
        cell(pdf, 180, 10, text, "R")
    else:
        pdf.multi_cell(180, 10, text, align="R")
    assert drawn_skeletons(bytes(pdf.output())) == [expected]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_zone_label_in_an_arabic_line_has_its_closing_bracket_once_at_the_end(tmp_path):
    """The one-line case of the issue: "(IST, UTC+05:30" with the ")" lost or moved."""
    pdf = _arabic_pdf(ALL_FONTS)
    pdf.set_xy(5, 5)
    cell(pdf, 180, 10, IN_ZONE, "R")
    data = bytes(pdf.output())
    path = tmp_path / "zone.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert text.count(")") == 1 and text.count("(") == 1
    assert "UTC+05:30)" in text
    # Drawn: the label whole, left to right, the ")" just after "30", the Arabic on its right.
    assert drawn_skeletons(data) == ["Asia/Kolkata(IST,UTC+05:30)ع"]


SENTENCE = f"الأوقات بتوقيت {ZONE} في القاعة"


@pytest.mark.parametrize("fonts", FONT_SETS.values(), ids=FONT_SETS.keys())
@pytest.mark.parametrize("direction", ["page", "own"])
def test_wrapped_lines_keep_the_paragraphs_direction_and_isolates(direction, fonts):
    """fit_lines() breaks the zone label after "(IST,": the next line still reads it left
    to right inside the Arabic sentence (its ")" after "30", not "(UTC+05:30"), whether
    the page is Arabic (meetings) or each text finds its own direction (certificates)."""
    pdf = FPDF(format=(100, 60))
    install_fonts(pdf, "t", fonts)
    if direction == "page":
        page_direction(pdf, "ar")
    pdf.add_page()
    pdf.set_font("t", "", 12)
    _size, lines = fit_lines(pdf, SENTENCE, 45, (12,), 4)
    for row, line in enumerate(lines):
        pdf.set_xy(5, 5 + 10 * row)
        cell(pdf, 45, 10, line, "R")
    data = bytes(pdf.output())
    assert drawn_skeletons(data) == ["ع", "Asia/Kolkata(IST,", "عUTC+05:30)"]
    # The marks and isolates steer the order but are not drawn (Noto Sans shows RLM).
    assert not any(unicodedata.category(c) == "Cf" for line in drawn_lines(data) for c in line)


def test_wrapped_latin_end_of_an_arabic_sentence_reads_right_to_left():
    """A line holding only the Latin end of an Arabic sentence: its full stop on the left."""
    pdf = FPDF(format=(100, 60))
    install_fonts(pdf, "t", FONT_SETS["needed fonts"])
    pdf.add_page()
    pdf.set_font("t", "", 12)
    _size, lines = fit_lines(pdf, "راسلونا على العنوان visa@example.org.", 40, (12,), 3)
    for row, line in enumerate(lines):
        pdf.set_xy(5, 5 + 10 * row)
        cell(pdf, 40, 10, line, "R")
    assert drawn_skeletons(bytes(pdf.output())) == ["ع", ".visa@example.org"]


def test_lines_of_paragraph_closes_and_reopens_isolates():
    text = f"بتوقيت {ZONE} الآن"
    lines = ["بتوقيت", f"{LRI}Asia/Kolkata (IST,", f"UTC+05:30){PDI} الآن"]
    assert lines_of_paragraph(text, lines) == [
        "بتوقيت",
        # Nothing outside the isolate says which way the line goes: RLM does.
        f"{RLM}{LRI}Asia/Kolkata (IST,{PDI}",
        f"{LRI}UTC+05:30){PDI} الآن",
    ]
    # A first-strong isolate opens again in the direction of its whole content.
    text = f"من {FSI}١٢ شارع النيل, Cairo{PDI}"
    lines = [f"من {FSI}١٢", f"شارع النيل, Cairo{PDI}"]
    assert lines_of_paragraph(text, lines) == [
        f"من {FSI}١٢{PDI}",
        f"{RLM}{RLI}شارع النيل, Cairo{PDI}",
    ]


def test_lines_of_paragraph_marks_lines_that_would_take_the_other_direction():
    assert lines_of_paragraph("على visa@example.org.", ["على", "visa@example.org."]) == [
        "على",
        f"{RLM}visa@example.org.",
    ]
    assert lines_of_paragraph("Ana محمد", ["Ana", "محمد"]) == ["Ana", f"{LRM}محمد"]
    assert lines_of_paragraph("Ana", ["Ana"], "rtl") == ["Ana"]  # one line: nothing to keep


def test_english_lines_are_unchanged():
    """Left to right, fit_lines gives the words as wrap_words cut them: no marks added."""
    pdf = FPDF()
    install_fonts(pdf, "t", FONT_SETS["needed fonts"])
    pdf.add_page()
    pdf.set_font("t", "", 12)
    text = "Asia/Kolkata (IST, UTC+05:30) at Hall B (Level 2) [Draft] of the cluster"
    _size, lines = fit_lines(pdf, text, 40, (12,), 5)
    assert lines == wrap_words(pdf, text, 40)
    assert all(c.isascii() for line in lines for c in line)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_arabic_manifest_keeps_phone_numbers_whole(app_ctx):
    from confapp.i18n import force_language
    from confapp.visits.manifest import manifest_pdf
    from confapp.visits.roster import ManifestRow

    row = ManifestRow(
        "Ana Silva", "Kenya Leather Cluster (KLC)", "Kenya", "+254 700 000 000", "", "Bus 1", "G1"
    )
    with force_language("ar"):
        pdf = manifest_pdf([row], with_id=False, title="زيارة", subtitle="السبت")
    [line] = [s for s in drawn_skeletons(pdf) if "254" in s]
    assert "+254700000000" in line and "KenyaLeatherCluster(KLC)" in line


def test_arabic_visa_letter_ends_a_sentence_after_the_e_mail_on_the_left(app_ctx):
    from confapp.visa.letter import LetterData
    from confapp.visa.letter import build_letter

    data = LetterData(
        reference="CDC-2027-0042",
        issued_on=dt.date(2026, 12, 1),
        event_title="Changing paradigms of cluster development (CDC 2027)",
        starts_on=dt.date(2027, 2, 20),
        ends_on=dt.date(2027, 2, 22),
        venue="India Habitat Centre (Hall B, Level 2)",
        city="New Delhi",
        country_name="India",
        passport_name="Ana Silva (Ana)",
        passport_number="AB1234567",
        nationality_name="Kenya",
        date_of_birth=dt.date(1985, 3, 14),
        organisation="Kenya Leather Cluster (KLC)",
        purpose="Speaker [Draft]",
        contact_email="visa@example.org",
        language="ar",
    )
    lines = drawn_skeletons(build_letter(data, fonts=ALL_FONTS))
    mail = [line for line in lines if "visa@example.org" in line]
    assert mail and all(".visa@example.org" in line for line in mail), mail
    assert any("KenyaLeatherCluster(KLC)" in line for line in lines)
    english = drawn_skeletons(build_letter(dataclasses.replace(data, language="en")))
    assert any("visa@example.org." in line for line in english)


def test_english_meeting_schedule_joins_an_arabic_name_and_keeps_the_line_left_to_right(
    app_ctx,
):
    from confapp.meetings.pdf import schedule_pdf

    rows = [("10:00–10:20", "محمد عبد الله (MA)", "T1"), ("10:20–10:40", "Ana Silva (BR)", "T2")]
    pdf = schedule_pdf("Meetings", "Times in UTC", ["Time", "With", "Table"], [("Day 1", rows)])
    [line] = [s for s in drawn_lines(pdf) if "T1" in s]
    # Shaped: the letters are drawn in their joined forms (Arabic presentation forms),
    # not as isolated letters; the line still runs left to right: time, name, country.
    joined = [c for c in line if "\ufe70" <= c <= "\ufeff"]
    assert len(joined) >= 8
    assert line.index("10:00") < line.index(joined[0]) < line.index("(MA)") < line.index("T1")
