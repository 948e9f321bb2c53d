"""The workbench's chart library: small pure functions that draw a chart as an SVG string.

Charts are drawn on the server, in this package: no JavaScript, no library, no
file from another site. Each function takes plain values and returns the text
of one ``<svg class="chart">`` sized by its ``viewBox`` (drawn at its own width,
narrower on a narrow page), with a ``<title>`` that names it for screen readers. Every label is
escaped here with ``html.escape``, so a page may insert the result with
``|safe``; the page shows the same numbers in a table beside it (the text
fallback), because a chart alone is no record.

Heights and positions are computed exactly (``fractions.Fraction``) and written
with at most two decimals, so a value and its bar agree to the hundredth of a
unit: a value of half the scale is exactly half the plot's height.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from html import escape

Number = int | Decimal | Fraction

PLOT_HEIGHT = 200  # the plot area's height in viewBox units
TOP, BOTTOM, LEFT, RIGHT = 24, 40, 8, 8
BAR_WIDTH = 18
GROUP_GAP = 24
PALETTE = ("#4a6fa5", "#d08c2f", "#3f8f5b", "#a14d6b", "#6b6b6b")
BAND_FILLS = ("#e6f2e9", "#eef3fa", "#fbf2e3", "#f8e6ea", "#f0f0f0")


def num(value: Fraction | int) -> str:
    """A coordinate as SVG text: rounded half up to two decimals, no trailing zeros."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        text = str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    else:
        text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def scale(value: Number, top: Number) -> Fraction:
    """The height of ``value`` on a plot whose full height stands for ``top``."""
    if top <= 0 or value <= 0:
        return Fraction(0)
    return Fraction(Fraction(str(value)) * PLOT_HEIGHT, Fraction(str(top)))


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'width="{width}" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _legend(series: Sequence[str], y: int) -> list[str]:
    out = []
    for i, name in enumerate(series):
        x = LEFT + i * 140
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                   f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
    return out


def empty_chart(title: str, message: str) -> str:
    """A chart with nothing to draw: its title and a line saying so."""
    return _svg(320, 40, title, [f'<text x="{LEFT}" y="24">{escape(message)}</text>'])


def bar_chart(groups: Sequence[tuple[str, Sequence[Number]]], series: Sequence[str],
              title: str, *, labels: Sequence[Sequence[str]] | None = None,
              top: Number | None = None, empty: str = "—") -> str:
    """Bars in groups: one group per label, one bar per series in each (same order).

    ``labels`` are the texts shown over the bars (the exact amounts, say), one per
    value; by default the values themselves. Every bar's height is its value's share
    of ``top`` (by default the largest value), times ``PLOT_HEIGHT``; a value above
    ``top`` is drawn at the full height.
    """
    if not groups or not series:
        return empty_chart(title, empty)
    largest = max((v for _, values in groups for v in values), default=0)
    top = largest if top is None else top
    n = len(series)
    group_width = n * BAR_WIDTH + GROUP_GAP
    width = LEFT + RIGHT + max(len(groups) * group_width, 140 * n)
    base = TOP + PLOT_HEIGHT
    height = base + BOTTOM
    body = [f'<line x1="{LEFT}" y1="{base}" x2="{width - RIGHT}" y2="{base}" '
            f'stroke="currentColor" stroke-width="1"/>']
    for g, (name, values) in enumerate(groups):
        x0 = LEFT + GROUP_GAP // 2 + g * group_width
        for s, value in enumerate(values[:n]):
            h = min(scale(value, top), Fraction(PLOT_HEIGHT))
            x = x0 + s * BAR_WIDTH
            text = labels[g][s] if labels is not None else str(value)
            body.append(f'<rect class="bar" x="{x}" y="{num(base - h)}" width="{BAR_WIDTH - 2}" '
                        f'height="{num(h)}" fill="{PALETTE[s % len(PALETTE)]}">'
                        f"<title>{escape(name)} · {escape(series[s])}: {escape(text)}</title>"
                        f"</rect>")
        body.append(f'<text x="{x0}" y="{base + 16}">{escape(name)}</text>')
    body += _legend(series, base + 34)
    return _svg(width, height, title, body)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _xs(when: Sequence[str], width: int) -> list[Fraction]:
    """x of each point: by its day when every point has one and they differ, else evenly."""
    span = width - LEFT - RIGHT
    days = [_day(w) for w in when]
    if len(when) == 1:
        return [Fraction(LEFT + span // 2)]
    if all(d is not None for d in days) and days[0] != days[-1]:
        first, last = days[0], days[-1]
        total = (last - first).days  # type: ignore[operator]
        return [LEFT + Fraction((d - first).days * span, total) for d in days]  # type: ignore[operator]
    return [LEFT + Fraction(i * span, len(when) - 1) for i in range(len(when))]


def step_chart(points: Sequence[tuple[str, Number]], title: str, *, top: Number,
               bands: Sequence[tuple[Number, Number, str]] = (),
               labels: Sequence[str] | None = None, empty: str = "—",
               width: int = 640) -> str:
    """A value over time as steps (it holds until the next point), on a scale 0..``top``.

    ``points`` are (time as ISO text, value) in time order; ``bands`` are
    (low, high, label) ranges of the scale drawn behind the line (the grades).
    """
    if not points:
        return empty_chart(title, empty)
    base = TOP + PLOT_HEIGHT
    height = base + BOTTOM
    body = []
    for i, (low, high, name) in enumerate(bands):
        y_hi, y_lo = base - scale(min(high, top), top), base - scale(max(low, 0), top)
        body.append(f'<rect class="band" x="{LEFT}" y="{num(y_hi)}" width="{width - LEFT - RIGHT}" '
                    f'height="{num(y_lo - y_hi)}" fill="{BAND_FILLS[i % len(BAND_FILLS)]}"/>'
                    f'<text x="{width - RIGHT - 4}" y="{num(y_hi + 12)}" '
                    f'text-anchor="end">{escape(name)}</text>')
    xs = _xs([w for w, _ in points], width)
    ys = [base - scale(v, top) for _, v in points]
    path = [f"M{num(xs[0])} {num(ys[0])}"]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        path.append(f"H{num(x)} V{num(y)}")
    body.append(f'<path class="line" d="{" ".join(path)}" fill="none" stroke="{PALETTE[0]}" '
                f'stroke-width="2"/>')
    for i, ((when, value), x, y) in enumerate(zip(points, xs, ys, strict=True)):
        text = labels[i] if labels is not None else str(value)
        body.append(f'<circle class="point" cx="{num(x)}" cy="{num(y)}" r="3.5" '
                    f'fill="{PALETTE[0]}"><title>{escape(when)}: {escape(text)}</title></circle>')
    body.append(f'<text x="{LEFT}" y="{base + 16}">{escape(points[0][0][:10])}</text>')
    if len(points) > 1:
        body.append(f'<text x="{width - RIGHT}" y="{base + 16}" text-anchor="end">'
                    f"{escape(points[-1][0][:10])}</text>")
    return _svg(width, height, title, body)
