"""Draw the demo conference's logo and the secretary's signature (confapp/demo/images/).

Run: python tools/demo_images.py. The PNGs are committed; this script says how they were
made, so that they can be made again (Pillow and the package's Noto Sans only). The demo
stores them as the event's uploaded logo and signature, so its visa letters and
certificates look like the ones a real secretariat sends.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "confapp" / "demo" / "images"
FONTS = ROOT / "confapp" / "fonts"
SCALE = 4  # drawn large, then scaled down: smooth edges without an antialiasing API
TEAL = (14, 94, 111, 255)
SAFFRON = (232, 138, 23, 255)
INK = (22, 44, 110, 255)


def logo() -> Image.Image:
    """A ring of firms linked to a common centre: a cluster, beside the initials."""
    w, h = 1400 * SCALE // 2, 360 * SCALE // 2
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    cx, cy, r = h // 2, h // 2, int(h * 0.40)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=TEAL, width=10 * SCALE // 2)
    nodes = []
    for i in range(7):
        angle = -math.pi / 2 + i * 2 * math.pi / 7
        nodes.append((cx + 0.62 * r * math.cos(angle), cy + 0.62 * r * math.sin(angle)))
    for i, (x, y) in enumerate(nodes):
        nx, ny = nodes[(i + 1) % 7]
        draw.line((x, y, nx, ny), fill=TEAL, width=5 * SCALE // 2)
        draw.line((x, y, cx, cy), fill=TEAL, width=4 * SCALE // 2)
    for x, y in nodes:
        s = 13 * SCALE // 2
        draw.ellipse((x - s, y - s, x + s, y + s), fill=TEAL)
    s = 24 * SCALE // 2
    draw.ellipse((cx - s, cy - s, cx + s, cy + s), fill=SAFFRON)
    bold = ImageFont.truetype(str(FONTS / "NotoSans-Bold.ttf"), 92 * SCALE // 2)
    regular = ImageFont.truetype(str(FONTS / "NotoSans-Regular.ttf"), 44 * SCALE // 2)
    left = h + 20 * SCALE // 2
    draw.text((left, int(h * 0.13)), "Bharat Foundation", font=bold, fill=TEAL)
    draw.text((left, int(h * 0.50)), "for MSME Clusters", font=bold, fill=TEAL)
    draw.text((left + 4, int(h * 0.80)), "New Delhi · since 1991", font=regular, fill=SAFFRON)
    return image.resize((w // SCALE * 2 // 2, h // SCALE * 2 // 2), Image.LANCZOS)


def _bezier(points: list[tuple[float, float]], steps: int = 40) -> list[tuple[float, float]]:
    out = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(steps):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            out.append(
                (
                    a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                    a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
                )
            )
    out.append(points[-1])
    return out


def signature() -> Image.Image:
    """A handwritten flourish in blue ink: loops of a name and an underline."""
    rng = random.Random(7)
    w, h = 900 * SCALE, 300 * SCALE
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # The name: a capital loop then a run of small loops leaning right, as a pen writes.
    points = [(60, 200), (40, 90), (150, 20), (170, 110), (185, 190), (120, 230), (110, 170)]
    x = 190.0
    for i in range(9):
        height = 70 + rng.uniform(-18, 30) if i % 3 else 120
        points += [
            (x + 10, 150 - height),
            (x + 40, 150 - height),
            (x + 30, 185),
        ]
        x += 52 + rng.uniform(-6, 10)
    points += [(x + 20, 120), (x + 60, 140), (x + 80, 150)]
    while (len(points) - 1) % 3:
        points.append((x + 90, 160))
    stroke = _bezier(points)
    underline = _bezier([(70, 250), (300, 215), (600, 265), (820, 215)])
    for line, width in ((stroke, 7), (underline, 5)):
        scaled = [(px * SCALE, py * SCALE) for px, py in line]
        draw.line(scaled, fill=INK, width=width * SCALE, joint="curve")
    return image.resize((w // SCALE, h // SCALE), Image.LANCZOS)


def main() -> None:
    """Write logo.png and signature.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    logo().save(OUT / "logo.png", optimize=True)
    signature().save(OUT / "signature.png", optimize=True)
    for name in ("logo.png", "signature.png"):
        print(name, (OUT / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
