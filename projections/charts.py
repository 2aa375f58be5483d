"""Hand-built SVG charts for the inspectors' HTML report: pure functions returning one inline
``<svg>`` element (no XML declaration, no script), the same bytes for the same input.

Numbers are never formatted here: the caller passes ``fmt``, which receives tick values (an
``int`` when whole, else a ``float``) and the raw data values. Every mark (bar, point) carries
``class="mark"``, ``data-series``, ``data-category`` and ``data-value`` (``str`` of the raw
value) and a ``<title>`` such as "2023 — xã, phường, thị trấn: 93,5%". Gridlines carry
``class="grid"`` and their tick in ``data-value``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from html import escape
from itertools import groupby

# Okabe–Ito, with yellow and black last (weakest on white, and black reads as an axis).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
EMPTY = "Không có số liệu"
FONT = 12  # px, every text
LINE = 14  # px between wrapped lines
CHAR = 0.6 * FONT  # estimated advance of one character, generous for Vietnamese capitals
PAD = 8
Fmt = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One data series: ``key`` goes to ``data-series``, ``label`` to the legend and titles."""

    key: str
    label: str
    values: Sequence[float | None]
    colour: str | None = None


@dataclass(frozen=True)
class _Frame:
    """The plot box, the value axis' top and the number of category bands."""

    left: float
    top: float
    right: float
    bottom: float
    vmax: float
    count: int
    horizontal: bool = False

    def value(self, v: float) -> float:
        """Pixel of value ``v`` along the value axis."""
        if self.horizontal:
            return self.left + v / self.vmax * (self.right - self.left)
        return self.bottom - v / self.vmax * (self.bottom - self.top)

    def band(self, i: int) -> tuple[float, float]:
        """Start and size of category ``i``'s band along the category axis."""
        lo, hi = (self.top, self.bottom) if self.horizontal else (self.left, self.right)
        size = (hi - lo) / self.count
        return lo + i * size, size


def line_chart(
    id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    fmt: Fmt,
    *,
    percent: bool = False,
    empty: str = EMPTY,
    width: int = 640,
    height: int = 320,
) -> str:
    """Points joined by lines per series, one point per category; ``None`` breaks the line."""
    peak = _peak(categories, series, stacked=False)
    if not _any_value(series):
        return _empty(id, title, empty, width)
    peak = peak or 1.0  # every value 0: still figures, drawn on an axis up to 1
    colours = _colours(series)
    frame, parts = _layout(categories, series, colours, fmt, percent, peak, width, height, False)
    bands = [frame.band(i) for i in range(len(categories))]
    for s, colour in zip(series, colours, strict=True):
        points = [
            (_r(start + size / 2), _r(frame.value(float(v or 0))), category, v)
            for (start, size), category, v in zip(bands, categories, s.values, strict=True)
        ]
        runs = [list(r) for present, r in groupby(points, lambda p: p[3] is not None) if present]
        d = " ".join("M" + " L".join(f"{_n(p[0])} {_n(p[1])}" for p in r) for r in runs if r[1:])
        if d:
            parts.append(
                f'<path class="line" data-series="{escape(s.key)}" d="{d}" fill="none" '
                f'stroke="{escape(colour)}" stroke-width="2"/>'
            )
        for x, y, category, v in points:
            if v is not None:
                geometry = f'cx="{_n(x)}" cy="{_n(y)}" r="3.5"'
                parts.append(_mark("circle", s, category, v, colour, fmt, geometry))
    return _svg(id, title, width, _r(frame.bottom + 18 + 3 * LINE), parts)


def bar_chart(
    id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    fmt: Fmt,
    *,
    stacked: bool = False,
    horizontal: bool = False,
    percent: bool = False,
    empty: str = EMPTY,
    width: int = 640,
    height: int | None = None,
) -> str:
    """Bars per category: series side by side, or ``stacked`` bottom-up (left-right when
    ``horizontal``; categories then run top-down with their labels on the left). ``height``
    defaults to 320, or for horizontal charts to what their categories need."""
    peak = _peak(categories, series, stacked)
    if not _any_value(series):
        return _empty(id, title, empty, width)
    peak = peak or 1.0
    colours = _colours(series)
    frame, parts = _layout(
        categories, series, colours, fmt, percent, peak, width, height, horizontal
    )
    for i, category in enumerate(categories):
        start, size = frame.band(i)
        base = 0.0
        for j, (s, colour) in enumerate(zip(series, colours, strict=True)):
            v = s.values[i]
            if v is None:
                continue
            if stacked:
                b0, b1, lo, hi = start + size * 0.2, start + size * 0.8, base, base + float(v)
                base = hi
            else:
                thickness = size * 0.8 / len(series)
                b0 = start + size * 0.1 + j * thickness
                b1, lo, hi = b0 + thickness, 0.0, float(v)
            p0, p1 = sorted((_r(frame.value(lo)), _r(frame.value(hi))))
            b0, b1 = _r(b0), _r(b1)
            if horizontal:
                geometry = f'x="{_n(p0)}" y="{_n(b0)}" width="{_n(p1 - p0)}" height="{_n(b1 - b0)}"'
            else:
                geometry = f'x="{_n(b0)}" y="{_n(p0)}" width="{_n(b1 - b0)}" height="{_n(p1 - p0)}"'
            parts.append(_mark("rect", s, category, v, colour, fmt, geometry))
    bottom = frame.bottom + (LINE + 12 if horizontal else 18 + 3 * LINE)
    return _svg(id, title, width, _r(bottom), parts)


def _layout(
    categories: Sequence[str],
    series: Sequence[Series],
    colours: list[str],
    fmt: Fmt,
    percent: bool,
    peak: float,
    width: int,
    height: int | None,
    horizontal: bool,
) -> tuple[_Frame, list[str]]:
    """The frame and its legend, gridlines, tick labels and category labels."""
    whole = not percent and all(
        isinstance(v, int) for s in series for v in s.values if v is not None
    )
    ticks = _ticks(peak, percent, whole)
    parts, top = _legend(series, colours, width)
    top += LINE
    n = len(categories)
    if horizontal:
        label_width = min(max(_chars(c) for c in categories) * CHAR, 0.4 * width)
        lines = 2 if any(_chars(c) * CHAR > label_width for c in categories) else 1
        right = width - max(PAD, _chars(fmt(ticks[-1])) * CHAR / 2 + 4)
        height = height or max(320, math.ceil(top + n * (lines * LINE + 10) + LINE + 12))
        bottom = max(height - LINE - 12, top + 3 * LINE)
        frame = _Frame(PAD + label_width + 8, top, right, bottom, float(ticks[-1]), n, True)
    else:
        left = PAD + max(_chars(fmt(t)) for t in ticks) * CHAR + 6
        bottom = max((height or 320) - 18 - 3 * LINE, top + 6 * LINE)
        frame = _Frame(left, top, width - PAD, bottom, float(ticks[-1]), n)
    parts += _axes(frame, ticks, fmt)
    for i, category in enumerate(categories):
        start, size = frame.band(i)
        if horizontal:
            lines = max(1, min(2, int(size // LINE)))
            x, y, chars = frame.left - 8, start + size / 2, int((frame.left - PAD - 8) / CHAR)
            parts.append(_text(x, y, category, chars, lines, "end", middle=True))
        else:
            x, y, chars = start + size / 2, frame.bottom + 18, int((size - 4) / CHAR)
            parts.append(_text(x, y, category, chars, 3, "middle"))
    return frame, parts


def _axes(frame: _Frame, ticks: list[int | float], fmt: Fmt) -> list[str]:
    """Gridlines with their tick labels, and the baseline drawn over the zero gridline."""
    parts = []
    for t in ticks:
        p, label = _n(frame.value(t)), escape(fmt(t))
        if frame.horizontal:
            line = f'x1="{p}" y1="{_n(frame.top)}" x2="{p}" y2="{_n(frame.bottom)}"'
            text = f'x="{p}" y="{_n(frame.bottom + LINE + 2)}" text-anchor="middle"'
        else:
            line = f'x1="{_n(frame.left)}" y1="{p}" x2="{_n(frame.right)}" y2="{p}"'
            text = f'x="{_n(frame.left - 6)}" y="{_n(frame.value(t) + 4)}" text-anchor="end"'
        parts.append(f'<line class="grid" data-value="{t}" {line} stroke="#ddd"/>')
        parts.append(f'<text class="tick" {text}>{label}</text>')
    end = (frame.left, frame.top) if frame.horizontal else (frame.right, frame.bottom)
    parts.append(
        f'<line class="axis" x1="{_n(frame.left)}" y1="{_n(frame.bottom)}" x2="{_n(end[0])}" '
        f'y2="{_n(end[1])}" stroke="#666"/>'
    )
    return parts


def _legend(series: Sequence[Series], colours: list[str], width: int) -> tuple[list[str], float]:
    """A swatch and label per series, flowed in rows; returns the items and their bottom."""
    parts: list[str] = []
    x, y, room = PAD, PAD + FONT, width - 2 * PAD
    for s, colour in zip(series, colours, strict=True):
        label = _cut(_nfc(s.label), int((room - 14) / CHAR))
        tip = f"<title>{escape(s.label)}</title>" if label != _nfc(s.label) else ""
        item = 14 + _chars(label) * CHAR
        if x > PAD and x + item > width - PAD:
            x, y = PAD, y + LINE + 4
        parts.append(
            f'<g class="legend-item" data-series="{escape(s.key)}">'
            f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="10" height="10" fill="{escape(colour)}"/>'
            f'<text x="{_n(x + 14)}" y="{_n(y)}">{escape(label)}{tip}</text></g>'
        )
        x += item + 16
    return parts, y


def _mark(tag: str, s: Series, category: str, v: float, colour: str, fmt: Fmt, at: str) -> str:
    tip = escape(f"{category} — {s.label}: {fmt(v)}")
    return (
        f'<{tag} class="mark" data-series="{escape(s.key)}" data-category="{escape(category)}" '
        f'data-value="{escape(str(v))}" {at} fill="{escape(colour)}"><title>{tip}</title></{tag}>'
    )


def _text(x: float, y: float, text: str, chars: int, lines: int, anchor: str, middle=False) -> str:
    """A category label wrapped into at most ``lines`` lines of ``chars`` characters; when cut
    short (ending in "…") the full text is its ``<title>``."""
    full = _nfc(text)
    wrapped = _wrap(full, chars, lines)
    tip = f"<title>{escape(text)}</title>" if " ".join(wrapped) != " ".join(full.split()) else ""
    y = y + 4 - (len(wrapped) - 1) * LINE / 2 if middle else y
    spans = "".join(
        f'<tspan x="{_n(x)}" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(wrapped)
    )
    return (
        f'<text class="category" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}">{spans}{tip}</text>'
    )


def _wrap(text: str, chars: int, lines: int) -> list[str]:
    """Greedy word wrap into at most ``lines`` lines, the last one cut with "…" if need be."""
    chars = max(chars, 2)
    wrapped: list[str] = []
    for word in text.split():
        if wrapped and len(wrapped[-1]) + 1 + len(word) <= chars:
            wrapped[-1] += " " + word
        else:
            wrapped.append(word)
    if len(wrapped) > lines:
        wrapped[lines - 1 :] = [" ".join(wrapped[lines - 1 :])]
    return [_cut(line, chars) for line in wrapped] or [""]


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)].rstrip(" ,;—-") + "…"


def _any_value(series: Sequence[Series]) -> bool:
    """Whether there is anything to draw: a value, even 0, not only gaps."""
    return any(v is not None for s in series for v in s.values)


def _peak(categories: Sequence[str], series: Sequence[Series], stacked: bool) -> float:
    """The largest bar (or stack); raises ValueError on ragged, negative or non-finite data."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(
                f"series {s.key!r}: {len(s.values)} values, {len(categories)} categories"
            )
        if any(v is not None and not (math.isfinite(v) and v >= 0) for v in s.values):
            raise ValueError(f"series {s.key!r}: values must be finite and not negative")
    if not series or not categories:
        return 0.0
    if stacked:
        return max(sum(float(s.values[i] or 0) for s in series) for i in range(len(categories)))
    return max((float(v) for s in series for v in s.values if v is not None), default=0.0)


def _ticks(peak: float, percent: bool, whole: bool) -> list[int | float]:
    """0 and round steps (1, 2 or 5 × 10ⁿ; 0.2 up to 1 for percentages) reaching ``peak``."""
    if percent and peak <= 1:
        step, count = Decimal("0.2"), 5
    else:
        raw = peak / 5
        exponent = math.floor(math.log10(raw))
        mantissa = next((m for m in (1, 2, 5) if raw / 10**exponent <= m), 10)
        step = Decimal(mantissa).scaleb(exponent)
        step = max(step, Decimal(1)) if whole else step
        count = int((Decimal(repr(peak)) / step).to_integral_value(ROUND_CEILING))
    return [_plain(step * i) for i in range(count + 1)]


def _plain(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _colours(series: Sequence[Series]) -> list[str]:
    return [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def _empty(id: str, title: str, empty: str, width: int) -> str:
    say = (
        f'<text x="{_n(width / 2)}" y="28" text-anchor="middle" fill="#555">{escape(empty)}</text>'
    )
    return _svg(id, title, width, 48, [say], "chart empty")


def _svg(id: str, title: str, width: float, height: float, parts: list[str], cls="chart") -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(id)}" class="{cls}" role="img" '
        f'aria-labelledby="{escape(id)}-title" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" style="max-width:{_n(width)}px" font-family="sans-serif" '
        f'font-size="{FONT}"><title id="{escape(id)}-title">{escape(title)}</title>'
    )
    return "\n".join([head, *parts, "</svg>"])


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _chars(text: str) -> int:
    return len(_nfc(text))


def _r(x: float) -> float:
    return round(x, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def _n(x: float) -> str:
    """A coordinate with one decimal at most: 12.5, 40."""
    return f"{_r(x):.1f}".removesuffix(".0")
