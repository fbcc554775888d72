"""Charts drawn on the server as SVG: no JavaScript, any CSP, they print and go into PDFs.

Accessible by construction: every chart is ``role="img"`` named by its ``<title>`` and
described by its ``<desc>`` (the page puts the same figures in a table beside it), every
bar and cell carries its number as text, and series differ by shape and fill (solid bar,
outlined bar, dashed marker, line with round or square points), never by colour alone.
Colours keep 3:1 against white for shapes and 4.5:1 for text (WCAG 1.4.11, 1.4.3).
Right-to-left languages get the mirror image: labels on the right, bars growing leftwards,
time running from right to left.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape

INK = "#1a1a1a"  # text: 17:1 on white
MUTED = "#595959"  # axis text and grid labels: 7:1
GRID = "#767676"  # axes and cell borders: 4.5:1
PRIMARY = "#1f5f8b"  # solid bars and cells: 6.9:1
PRIMARY_LIGHT = "#a9c9e2"  # a second fill, always with a PRIMARY outline
ALERT = "#b3261e"  # capacity markers: 6.5:1
LINE_A = "#6b3fa0"  # first line (round points): 7.4:1
LINE_B = "#1b6b34"  # second line (square points): 6.6:1

FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"
WIDTH = 720


@dataclasses.dataclass
class Bar:
    """One bar: its label, its value, the text shown beside it, and optional extras."""

    label: str
    value: float
    text: str
    outline: float | None = None  # an outlined bar behind (e.g. sign-ups)
    marker: float | None = None  # a dashed marker line (e.g. capacity)


class _Canvas:
    """SVG elements with coordinates given left to right, mirrored for RTL pages."""

    def __init__(self, width: float, height: float, rtl: bool) -> None:
        self.width, self.height, self.rtl = width, height, rtl
        self.parts: list[str] = []

    def x(self, value: float) -> float:
        return self.width - value if self.rtl else value

    def rect(self, x0: float, y: float, w: float, h: float, **attrs: str) -> None:
        left = self.width - x0 - w if self.rtl else x0
        self.parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}"'
            f"{_attrs(attrs)}/>"
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: str) -> None:
        self.parts.append(
            f'<line x1="{self.x(x1):.1f}" y1="{y1:.1f}" x2="{self.x(x2):.1f}" y2="{y2:.1f}"'
            f"{_attrs(attrs)}/>"
        )

    def polyline(self, points: Sequence[tuple[float, float]], **attrs: str) -> None:
        coords = " ".join(f"{self.x(px):.1f},{py:.1f}" for px, py in points)
        self.parts.append(f'<polyline points="{coords}" fill="none"{_attrs(attrs)}/>')

    def circle(self, cx: float, cy: float, r: float, **attrs: str) -> None:
        self.parts.append(f'<circle cx="{self.x(cx):.1f}" cy="{cy:.1f}" r="{r}"{_attrs(attrs)}/>')

    def square(self, cx: float, cy: float, r: float, **attrs: str) -> None:
        self.parts.append(
            f'<rect x="{self.x(cx) - r:.1f}" y="{cy - r:.1f}" width="{2 * r}" height="{2 * r}"'
            f"{_attrs(attrs)}/>"
        )

    def text(
        self, x: float, y: float, content: str, side: str = "left", size: int = 12, **attrs: str
    ) -> None:
        """Text whose `side` ("left", "right", "middle", in left-to-right terms) is at x."""
        if side == "middle":
            anchor = "middle"
        else:
            visual = side if not self.rtl else {"left": "right", "right": "left"}[side]
            anchor = "start" if visual == "left" else "end"
        direction = ' direction="rtl"' if self.rtl else ""
        if self.rtl and anchor != "middle":
            anchor = "end" if anchor == "start" else "start"  # start is the right edge in RTL
        self.parts.append(
            f'<text x="{self.x(x):.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
            f'{direction} fill="{attrs.pop("fill", INK)}"{_attrs(attrs)}>{escape(content)}</text>'
        )

    def svg(self, chart_id: str, title: str, desc: str) -> Markup:
        cid = escape(chart_id)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" '
            f'viewBox="0 0 {self.width:.0f} {self.height:.0f}" width="{self.width:.0f}" '
            f'height="{self.height:.0f}" role="img" aria-labelledby="{cid}-t {cid}-d" '
            f'font-family="{FONT}" style="direction:ltr">'
            f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>'
        )
        markup = head + "".join(self.parts) + "</svg>"
        return Markup(markup)  # noqa: S704  (every text and attribute is escaped)  # nosec B704


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(_clip(word, width))
    return lines or [""]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step * 5:
            return step * -(-value // step)
    return value


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    *,
    rtl: bool = False,
    legend: Sequence[tuple[str, str]] = (),
) -> Markup:
    """Horizontal bars with their values as text; optional outlined bars and markers.

    `legend` names the extra series: ("outline", text) and ("marker", text).
    """
    label_w, row, top = 230.0, 26.0, 12.0 + (22.0 if legend else 0.0)
    area_x, area_w = label_w + 8, WIDTH - label_w - 8 - 70
    height = top + row * max(len(bars), 1) + 12
    canvas = _Canvas(WIDTH, height, rtl)
    peak = _nice_max(max((max(b.value, b.outline or 0, b.marker or 0) for b in bars), default=0))
    scale = area_w / peak
    _legend(canvas, legend, area_x)
    for i, b in enumerate(bars):
        y = top + i * row
        canvas.text(label_w, y + row / 2 + 4, _clip(b.label), side="right")
        if b.outline is not None:
            canvas.rect(area_x, y + 3, b.outline * scale, row - 6, fill="#ffffff",
                        stroke=PRIMARY, stroke_width="1.5")  # fmt: skip
        canvas.rect(area_x, y + 7, b.value * scale, row - 14, fill=PRIMARY)
        if b.marker is not None:
            mx = area_x + b.marker * scale
            canvas.line(mx, y + 1, mx, y + row - 1, stroke=ALERT, stroke_width="2.5",
                        stroke_dasharray="4 2")  # fmt: skip
        end = area_x + max(b.value, b.outline or 0, b.marker or 0) * scale
        canvas.text(end + 6, y + row / 2 + 4, b.text, side="left")
    canvas.line(area_x, top - 2, area_x, top + row * len(bars) + 2, stroke=GRID)
    return canvas.svg(chart_id, title, desc)


def _legend(canvas: _Canvas, legend: Sequence[tuple[str, str]], x: float) -> None:
    for kind, text in legend:
        if kind == "bar":
            canvas.rect(x, 6, 14, 10, fill=PRIMARY)
        elif kind == "light":
            canvas.rect(x, 6, 14, 10, fill=PRIMARY_LIGHT, stroke=PRIMARY)
        elif kind == "outline":
            canvas.rect(x, 5, 14, 12, fill="#ffffff", stroke=PRIMARY, stroke_width="1.5")
        elif kind == "marker":
            canvas.line(x + 7, 3, x + 7, 19, stroke=ALERT, stroke_width="2.5",
                        stroke_dasharray="4 2")  # fmt: skip
        elif kind == "line_a":
            canvas.line(x, 11, x + 14, 11, stroke=LINE_A, stroke_width="2")
            canvas.circle(x + 7, 11, 3.5, fill=LINE_A)
        elif kind == "line_b":
            canvas.line(x, 11, x + 14, 11, stroke=LINE_B, stroke_width="2")
            canvas.square(x + 7, 11, 3.5, fill=LINE_B)
        canvas.text(x + 20, 15, text, side="left", size=11)
        x += 30 + 6.5 * len(text)


@dataclasses.dataclass
class Column:
    """One column of a time chart: its axis label, solid and light parts, line values."""

    label: str
    solid: float
    light: float = 0
    line_a: float | None = None
    line_b: float | None = None


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    columns: Sequence[Column],
    *,
    rtl: bool = False,
    legend: Sequence[tuple[str, str]] = (),
    reference: tuple[float, str] | None = None,
    label_every: int | None = None,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """Columns over time (a solid part, a light part stacked on it), up to two lines on the
    same scale (round and square points) and a dashed reference line (e.g. capacity)."""
    left, right, top, bottom = 48.0, 16.0, 34.0 if legend else 12.0, 40.0
    plot_h = 200.0
    height = top + plot_h + bottom
    canvas = _Canvas(WIDTH, height, rtl)
    n = max(len(columns), 1)
    slot = (WIDTH - left - right) / n
    values = [c.solid + c.light for c in columns]
    values += [c.line_a or 0 for c in columns] + [c.line_b or 0 for c in columns]
    peak = _nice_max(max([*values, reference[0] if reference else 0, 0]))

    def y_of(v: float) -> float:
        return top + plot_h - v / peak * plot_h

    _legend(canvas, legend, left)
    for step in range(5):  # value axis: 0, 1/4 … peak
        v = peak * step / 4
        canvas.line(left, y_of(v), WIDTH - right, y_of(v), stroke="#d9d9d9")
        canvas.text(left - 6, y_of(v) + 4, fmt(v), side="right", size=10, fill=MUTED)
    every = label_every or max(1, -(-n // 12))
    for i, c in enumerate(columns):
        x = left + i * slot
        w = max(slot * 0.7, 1)
        if c.solid:
            canvas.rect(x + slot * 0.15, y_of(c.solid), w, plot_h * c.solid / peak, fill=PRIMARY)
        if c.light:
            canvas.rect(x + slot * 0.15, y_of(c.solid + c.light), w, plot_h * c.light / peak,
                        fill=PRIMARY_LIGHT, stroke=PRIMARY, stroke_width="1")  # fmt: skip
        if i % every == 0:
            canvas.text(x + slot / 2, top + plot_h + 16, c.label, side="middle", size=10,
                        fill=MUTED)  # fmt: skip
    for attr, colour, shape in (("line_a", LINE_A, "circle"), ("line_b", LINE_B, "square")):
        points = [
            (left + i * slot + slot / 2, y_of(getattr(c, attr)))
            for i, c in enumerate(columns)
            if getattr(c, attr) is not None
        ]
        if points:
            canvas.polyline(points, stroke=colour, stroke_width="2")
            if len(points) <= 40:
                for px, py in points:
                    getattr(canvas, shape)(px, py, 3.5, fill=colour)
    if reference:
        ry = y_of(reference[0])
        canvas.line(left, ry, WIDTH - right, ry, stroke=ALERT, stroke_width="2",
                    stroke_dasharray="6 3")  # fmt: skip
        canvas.text(WIDTH - right, ry - 5, reference[1], side="right", size=11, fill=ALERT)
    canvas.line(left, top + plot_h, WIDTH - right, top + plot_h, stroke=GRID)
    return canvas.svg(chart_id, title, desc)


def heat_map(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    cell: Callable[[int, int], int],
    *,
    rtl: bool = False,
) -> Markup:
    """A symmetric matrix of counts: shade grows with the count, and every cell shows it."""
    n = len(labels)
    head, size = 190.0, min(80.0, (WIDTH - 190.0) / max(n, 1))
    height = head * 0.6 + size * n + 10
    top = head * 0.6
    canvas = _Canvas(WIDTH, height, rtl)
    peak = max((cell(i, j) for i in range(n) for j in range(n)), default=0) or 1
    per_line = max(6, int(size / 6.5))
    for j, label in enumerate(labels):  # column heads, wrapped on three lines at most
        lines = _wrap(label, per_line)[:3]
        cx = head + j * size + size / 2
        for k, line in enumerate(lines):
            canvas.text(cx, top - 8 - 13 * (len(lines) - 1 - k), line, side="middle", size=10)
    for i, label in enumerate(labels):
        y = top + i * size
        canvas.text(head - 8, y + size / 2 + 4, _clip(label, 30), side="right", size=11)
        for j in range(n):
            value = cell(i, j)
            share = value / peak
            fill = _shade(share)
            canvas.rect(head + j * size, y, size, size, fill=fill, stroke=GRID)
            canvas.text(head + j * size + size / 2, y + size / 2 + 5, f"{value:,}",
                        side="middle", size=13, fill=text_on(fill),
                        font_weight="bold" if value else "normal")  # fmt: skip
    return canvas.svg(chart_id, title, desc)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """White or ink, whichever reads better on `fill`."""
    return "#ffffff" if contrast("#ffffff", fill) >= contrast(INK, fill) else INK


def _shade(share: float) -> str:
    """White to PRIMARY as the share grows (text_on picks a readable text colour)."""
    r0, g0, b0 = 0xFF, 0xFF, 0xFF
    r1, g1, b1 = 0x1F, 0x5F, 0x8B
    if share <= 0:
        return "#ffffff"
    share = 0.12 + 0.88 * share  # any meeting at all is visibly shaded
    mix = [round(a + (b - a) * share) for a, b in ((r0, r1), (g0, g1), (b0, b1))]
    return "#{:02x}{:02x}{:02x}".format(*mix)
