"""Badge PDF speed: the fast renderer against a naive loop, in one run.

Naive: a default `qrcode.make()` PNG per badge, embedded with `pdf.image()`, the same
text. Fast: confapp.badges.render (vector QR modules from the matrix, fonts loaded once,
shaping only where needed). Run: python bench/badges.py [N]
"""

from __future__ import annotations

import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import qrcode  # noqa: E402

from confapp.badges import tokens  # noqa: E402
from confapp.badges.render import BadgeData  # noqa: E402
from confapp.badges.render import BadgeDocument  # noqa: E402
from confapp.badges.render import build_badges  # noqa: E402
from confapp.pdf import font_set  # noqa: E402

FIRST = [
    "Ana",
    "José",
    "Wanjiru",
    "Priya",
    "Nguyen",
    "Fatima",
    "Łukasz",
    "Thabo",
    "Maria",
    "Chen",
    "Oluwaseun",
    "Sofía",
]
LAST = [
    "Example",
    "Fernández",
    "Kamau",
    "Sharma",
    "Van An",
    "Al-Hassan",
    "Żółć",
    "Mokoena",
    "Silva",
    "Wei",
    "Adeyemi",
    "Núñez",
]
SPECIAL = [
    "José María Fernández-Núñez de la Peña y Castellanos Villaverde",
    "राजेश कुमार शर्मा",
    "محمد عبد الله الهاشمي",
    "Nomvula Precious Dlamini-Zuma",
]
ORGS = [
    "Kenya Leather Cluster",
    "Foundation for MSME Clusters",
    "UNIDO",
    "Ministry of MSME, Government of India",
    "Tiruppur Exporters Association",
    "Small Industries Development Bank of India",
]
CATEGORIES = [("delegate", "Delegate")] * 6 + [("speaker", "Speaker"), ("press", "Press")]


def make_badges(n: int) -> list[BadgeData]:
    """A realistic mix: mostly Latin names with diacritics, 5% long or non-Latin."""
    rng = random.Random(7)
    badges = []
    for i in range(1, n + 1):
        name = SPECIAL[i % 4] if i % 20 == 0 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        category, label = rng.choice(CATEGORIES)
        badges.append(
            BadgeData(
                tokens.issue("bench", 1, i, 1),
                name,
                rng.choice(ORGS),
                "Kenya",
                category,
                label,
                "Changing paradigms of cluster development",
            )
        )
    return badges


class NaiveDocument(BadgeDocument):
    """The same badge, but the QR code is a default qrcode.make() PNG per badge."""

    def add(self, badge, matrix=None):
        """Place a badge with a PNG QR."""
        self._png = io.BytesIO()
        qrcode.make(badge.token).save(self._png)
        super().add(badge, rows=[0])

    def _portrait(self, b, matrix, x, y, w, h):
        super()._portrait(b, matrix, x, y, w, h)
        self.pdf.image(self._png, x + (w - 46) / 2, y + 76, 46, 46)

    def _landscape(self, b, matrix, x, y, w, h):
        super()._landscape(b, matrix, x, y, w, h)
        self.pdf.image(self._png, x + w - 32, y + 12, 31, 31)


def run(n: int) -> None:
    """Time both renderers per layout and print badges/s and the ratio."""
    fonts = font_set({})
    badges = make_badges(n)
    naive_n = max(50, n // 10)
    print(
        f"badges: {n} (naive loop: {naive_n}), "
        f"fonts: {fonts.regular.name} + {len(fonts.fallbacks)} fallbacks"
    )
    for layout in ("a6", "a4x4", "a4x8"):
        start = time.perf_counter()
        pdf = build_badges(badges, layout=layout, fonts=fonts)
        fast = n / (time.perf_counter() - start)
        start = time.perf_counter()
        doc = NaiveDocument(layout, fonts)
        for badge in badges[:naive_n]:
            doc.add(badge)
        doc.output()
        naive = naive_n / (time.perf_counter() - start)
        verdict = "OK" if fast >= 500 and fast >= 5 * naive else "BELOW TARGET"
        print(
            f"{layout:5} fast {fast:7.0f} badges/s  naive {naive:6.0f} badges/s  "
            f"ratio {fast / naive:5.1f}x  "
            f"pdf {len(pdf) / 1e6:.1f} MB  [{verdict}: >= 500/s and >= 5x]"
        )


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
