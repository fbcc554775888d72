"""The funders' report: a tracked job that builds a PDF (vector charts) or an XLSX."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from confapp.extensions import db
from confapp.jobs.models import Job
from tests.helpers import pdf_text
from tests.web import test_analytics_web as dashboard_tests

# The dashboard tests' fixtures: an event built by hand with its organiser signed in.
world = dashboard_tests.world
organiser_client = dashboard_tests.organiser_client


def _build(app, client, fmt):
    response = client.post("/events/cdc/manage/analytics/report", data={"fmt": fmt})
    assert response.status_code == 302
    with app.app_context():
        job = db.session.scalar(db.select(Job).order_by(Job.id.desc()))
        assert job.kind == "analytics.report" and job.status.value == "done", job.error
        assert job.done == job.total > 0  # progress: one step per figure, and the figures
        return job.id


def test_pdf_report_has_the_headline_figures_and_vector_charts(app, organiser_client, tmp_path):
    job_id = _build(app, organiser_client, "pdf")
    page = organiser_client.get("/events/cdc/manage/analytics").get_data(as_text=True)
    assert f"/events/cdc/manage/analytics/report/{job_id}" in page and "Ready" in page
    response = organiser_client.get(f"/events/cdc/manage/analytics/report/{job_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.data
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    flat = " ".join(text.split())
    assert "Report for funders" in flat
    assert "Confirmed registrations 6" in flat
    assert "Meetings held 2" in flat and "South-South meetings held 1" in flat
    assert "Nepal" in flat and "Least developed countries" in flat
    # Charts are vector drawings: no raster image anywhere in the file.
    if shutil.which("pdfimages"):
        source = tmp_path / "report.pdf"
        source.write_bytes(data)
        listing = (
            subprocess.run(
                ["pdfimages", "-list", str(source)], capture_output=True, text=True, check=True
            )
            .stdout.strip()
            .splitlines()
        )
        assert len(listing) == 2  # the header lines only
    assert b"/Subtype /Image" not in data


def test_xlsx_report_has_a_sheet_per_figure(app, organiser_client):
    from openpyxl import load_workbook

    job_id = _build(app, organiser_client, "xlsx")
    response = organiser_client.get(f"/events/cdc/manage/analytics/report/{job_id}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 17  # headline figures + 16 figures
    countries = book["Countries"]
    assert [c.value for c in countries[2]] == ["Country", "ISO code", "Registrations", "Share (%)"]
    assert [c.value for c in countries[3]] == ["Nepal", "NP", 2, 33.3]


def test_a_bad_format_builds_nothing(app, organiser_client):
    organiser_client.post("/events/cdc/manage/analytics/report", data={"fmt": "exe"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Job.id))) == 0
    assert organiser_client.get("/events/cdc/manage/analytics/report/999").status_code == 404


def test_arabic_report_writes_its_charts_in_arabic(app, organiser_client, tmp_path):
    from confapp.accounts.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "org@example.org"))
        user.language = "ar"
        db.session.commit()
    job_id = _build(app, organiser_client, "pdf")
    data = organiser_client.get(f"/events/cdc/manage/analytics/report/{job_id}").data
    if os.environ.get("CONFAPP_KEEP_PDF"):  # to look at it: pdftoppm -png
        Path(os.environ["CONFAPP_KEEP_PDF"]).write_bytes(data)
    text = pdf_text(data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    # The chart's legend is written in Arabic by the PDF's text engine, shaped and in
    # logical order (pdftotext spaces shaped glyphs apart and adds direction marks).
    letters = re.sub(r"[\s\u202a-\u202e]", "", text)
    assert "المؤكدة،يوميًا" in letters
    assert "Confirmed, by day" not in text
    assert "Report for funders" not in text and "Headline figures" not in text  # in Arabic
    assert b"/Subtype /Image" not in data


def test_a_second_click_while_building_starts_nothing(app, organiser_client, world):
    with app.app_context():
        db.session.add(
            Job(event_id=world["event_id"], kind="analytics.report", label="PDF", params={})
        )  # queued, as while a worker is busy
        db.session.commit()
    organiser_client.post("/events/cdc/manage/analytics/report", data={"fmt": "pdf"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Job.id))) == 1
    page = organiser_client.get("/events/cdc/manage/analytics").get_data(as_text=True)
    assert "Building: 0%" in page


def test_arabic_report_tables_start_on_the_right(app, organiser_client, tmp_path):
    from confapp.accounts.models import User
    from tests.certificates import words_with_boxes

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    positions = {}
    for language in ("en", "ar"):
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.email == "org@example.org"))
            user.language = language
            db.session.commit()
        job_id = _build(app, organiser_client, "pdf")
        data = organiser_client.get(f"/events/cdc/manage/analytics/report/{job_id}").data
        words = [w for page in words_with_boxes(data, tmp_path) for w in page]
        # The countries table: Nepal's row holds its ISO code and its share of registrations.
        code = next(w for w in words if w[0] == "NP")
        share = next(w for w in words if w[0] == "33.3" and abs(w[2] - code[2]) < 2)
        positions[language] = (code[1], share[1])
    code_x, share_x = positions["en"]
    assert code_x < share_x  # left to right: country, code, count, share
    code_x, share_x = positions["ar"]
    assert code_x > share_x  # mirrored: the country and its code on the right


def test_latin_labels_of_rtl_charts_keep_their_side_in_the_pdf():
    from confapp.analytics.report import _svg_for_pdf

    svg = (
        '<svg viewBox="0 0 100 20"><text x="50" y="10" text-anchor="end" direction="rtl">'
        '2 (33%)</text><text x="90" y="10" text-anchor="start" direction="rtl">نيبال</text>'
        '<text x="5" y="10" text-anchor="end">7</text></svg>'
    )
    drawing, lifted = _svg_for_pdf(svg)
    # fpdf2 lays SVG text out left to right: the chart's RTL "end" (the left edge) is
    # its "start"; a label without direction keeps its anchor.
    assert b'text-anchor="start" direction="rtl">2 (33%)' in drawing
    assert b'text-anchor="end">7</text>' in drawing
    # The Arabic label is lifted out for the PDF's text engine, with its own anchor.
    assert "نيبال".encode() not in drawing
    assert lifted[0]["content"] == "نيبال" and lifted[0]["text-anchor"] == "start"
