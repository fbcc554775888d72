"""Back links point where the reader's line begins: ← in English, → in Arabic."""

from __future__ import annotations

import re
from pathlib import Path

from confapp.i18n import back_arrow
from confapp.i18n import force_language

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_arrow_follows_the_direction_of_the_language(app):
    with app.test_request_context():
        with force_language("en"):
            assert back_arrow() == "←"
        with force_language("fr"):
            assert back_arrow() == "←"
        with force_language("ar"):
            assert back_arrow() == "→"


def test_no_template_writes_a_fixed_arrow_outside_a_translated_text():
    # A literal arrow cannot turn for Arabic; back_arrow() or a translated text can.
    fixed = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            outside = re.sub(r'_\("[^"]*"', "", line)
            if "←" in outside or "&larr;" in outside:
                fixed.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert fixed == []
