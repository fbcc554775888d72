"""Test helpers for certificates of participation: a delegate scanned in, the words of a
PDF with their boxes (pdftotext -bbox), and QR codes decoded from a page's picture with
the vendored jsQR under Node (the decoder the scanner page uses)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from confapp.checkin.models import Attendance
from confapp.extensions import db

ROOT = Path(__file__).resolve().parents[1]
JSQR = ROOT / "static" / "vendor" / "jsqr" / "jsQR.min.js"
MM = 72 / 25.4  # points per mm


def scan_in(registration, at: dt.datetime | None = None) -> None:
    """Record the delegate at the entrance (an Attendance row, as the door writes it)."""
    db.session.add(
        Attendance(
            event_id=registration.event_id,
            registration_id=registration.id,
            checkpoint="entrance",
            first_scanned_at=at or dt.datetime.now(dt.UTC),
        )
    )
    db.session.flush()


def words_with_boxes(
    pdf: bytes, tmp_path: Path
) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page, every word with its box in points (xMin, yMin, xMax, yMax)."""
    source = tmp_path / "words.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(source), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    pages = []
    for page in re.findall(r"<page .*?</page>", out, re.S):
        pages.append(
            [
                (html.unescape(w), float(a), float(b), float(c), float(d))
                for a, b, c, d, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"(.*?)</word>",
                    page,
                )
            ]
        )
    return pages


def outside(words, frame_mm: float, page_w_mm: float = 297, page_h_mm: float = 210) -> list:
    """The words whose box leaves the frame drawn `frame_mm` inside the page edges."""
    left, top = frame_mm * MM, frame_mm * MM
    right, bottom = (page_w_mm - frame_mm) * MM, (page_h_mm - frame_mm) * MM
    return [w for w in words if w[1] < left or w[2] < top or w[3] > right or w[4] > bottom]


def can_decode_qr() -> bool:
    """Whether pdftoppm and Node are here to decode QR codes."""
    return bool(shutil.which("pdftoppm") and shutil.which("node") and JSQR.exists())


_DECODER = """
const fs = require("fs");
const jsQR = require(process.argv[2]);
const raw = fs.readFileSync(process.argv[3]);
const header = raw.toString("latin1", 0, 64).split(/\\s+/);
const width = +header[1], height = +header[2];
const start = raw.length - width * height * 3;
const rgba = new Uint8ClampedArray(width * height * 4);
for (let i = 0; i < width * height; i++) {
  rgba[4 * i] = raw[start + 3 * i]; rgba[4 * i + 1] = raw[start + 3 * i + 1];
  rgba[4 * i + 2] = raw[start + 3 * i + 2]; rgba[4 * i + 3] = 255;
}
const code = jsQR(rgba, width, height);
process.stdout.write(JSON.stringify(code ? code.data : null));
"""


def decode_qr(pdf: bytes, tmp_path: Path, page: int = 1) -> str | None:
    """The text of the QR code on a PDF page (pdftoppm to a picture, jsQR reads it)."""
    source = tmp_path / "qr.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-f",
            str(page),
            "-l",
            str(page),
            str(source),
            str(tmp_path / "qr"),
        ],
        check=True,
        timeout=60,
    )
    picture = next(tmp_path.glob("qr*.ppm"))
    script = tmp_path / "decode.js"
    script.write_text(_DECODER)
    out = subprocess.run(
        ["node", str(script), str(JSQR), str(picture)],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    picture.unlink()
    return json.loads(out)
