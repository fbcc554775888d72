"""CSV and XLSX files of registrations."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

# Cells a spreadsheet would run as a formula; phone numbers such as +91 98... are data.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERISH = re.compile(r"^[+-][\d\s().-]*$")


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBERISH.match(value):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads accents right) and a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "Sheet") -> bytes:
    """Workbook with a bold, frozen header row; text is stored as text, never as formulas."""
    # Imported here: openpyxl is heavy, and only this export needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None if v is None else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # openpyxl would turn "=..." into a formula; keep every string a string.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, min(40, len(name) + 4)
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
