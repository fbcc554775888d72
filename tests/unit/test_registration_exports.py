"""CSV/XLSX writers: BOM, header, and no spreadsheet formulas from delegate input."""

from __future__ import annotations

import csv
import io

import openpyxl

from confapp.registration.exports import to_csv
from confapp.registration.exports import to_xlsx

HEADER = ("name", "phone")
ROWS = [['=HYPERLINK("http://evil")', "+91 98765 43210"], ["@SUM(A1)", "-"], ["Zoë", None]]


def test_csv_has_bom_header_and_defuses_formulas():
    data = to_csv(HEADER, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "phone"]
    assert rows[1] == ['\'=HYPERLINK("http://evil")', "+91 98765 43210"]
    assert rows[2][0] == "'@SUM(A1)"
    assert rows[3] == ["Zoë", ""]


def test_xlsx_keeps_text_as_text():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(HEADER, ROWS))).active
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://evil")'
    assert sheet["B2"].value == "+91 98765 43210"
