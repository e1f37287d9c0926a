"""Charts as server-side SVG: no JavaScript, no inline styles (the CSP forbids them).

Colours come from classes styled in ``static/kith.css``; every chart has a
``<title>`` and a text alternative so screen readers get the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

CHAR_W = 10.0  # the width of one character of a tick label, wide enough for the phone's larger (18 px) labels
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: str, *, first: bool = False) -> str:
    """``2026-06`` as ``Jun``; January and the first bar carry the year (``Jan 2026``). Other text is kept."""
    year, _, mm = month.partition("-")
    if not (len(year) == 4 and mm.isdigit() and 1 <= int(mm) <= 12):
        return month
    name = MONTHS[int(mm) - 1]
    return f"{name} {year}" if first or mm == "01" else name


def bar_chart(
    series: Sequence[tuple[str, float]], *, title: str, width: int = 480, height: int = 220,
    x_label: str = "", y_label: str = "", months: bool = False,
) -> Markup:
    """Vertical bars, one per (label, value), with labelled axes.

    Labels are never cut: when they do not all fit under their bars, only every
    n-th is written (each bar's full label and value is its hover title). With
    ``months`` the labels are ``YYYY-MM`` and are written as month names.
    """
    pad_l, pad_t, pad_r = (60 if y_label else 44), 14, 10
    pad_b = 40 + (20 if x_label else 0)
    n = max(len(series), 1)
    top = max((v for _, v in series), default=0) or 1
    plot_w, plot_h = width - pad_l - pad_r, height - pad_b - pad_t
    step = plot_w / n
    shown = [month_label(label, first=i == 0) if months else label for i, (label, _) in enumerate(series)]
    widest = max((len(s) for s in shown), default=1) * CHAR_W + 6
    every = max(1, math.ceil(widest / step))
    base = pad_t + plot_h
    # A wide chart scrolls sideways in its frame on a phone (so the frame takes focus); a narrow one is not
    # blown up past 1.5 times its size in a wide card (its text would be three times the page's).
    wide = " wide" if width > 600 else " narrow"
    focus = ' tabindex="0"' if width > 600 else ""
    counts = all(float(v).is_integer() for _, v in series)
    middle = math.floor(top / 2) if counts else top / 2  # counts get whole ticks: no "1.5 opportunities"
    parts = [
        f'<div class="chart-wrap"{focus}><svg class="chart{wide}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{pad_l}" y1="{base}" x2="{width - pad_r}" y2="{base}"/>',
        f'<line class="axis" x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{base}"/>',
        f'<text class="tick" x="{pad_l - 6}" y="{pad_t + 4}" text-anchor="end">{_num(top)}</text>',
        f'<text class="tick" x="{pad_l - 6}" y="{base}" text-anchor="end">0</text>',
    ]
    if 0 < middle < top:
        parts.append(f'<text class="tick" x="{pad_l - 6}" y="{base - plot_h * middle / top + 4:.1f}" '
                     f'text-anchor="end">{_num(middle)}</text>')
    if y_label:
        parts.append(f'<text class="axis-label" x="12" y="{pad_t + plot_h / 2:.1f}" text-anchor="middle" '
                     f'transform="rotate(-90 12 {pad_t + plot_h / 2:.1f})">{escape(y_label)}</text>')
    if x_label:
        parts.append(f'<text class="axis-label" x="{pad_l + plot_w / 2:.1f}" y="{height - 6}" '
                     f'text-anchor="middle">{escape(x_label)}</text>')
    for i, ((label, value), text) in enumerate(zip(series, shown, strict=True)):
        h = plot_h * value / top
        x = pad_l + i * step + step * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {_num(value)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{x + step * 0.35:.1f}" y="{base + 20}" text-anchor="middle">{escape(text)}</text>'
            )
    parts.append("</svg></div>")
    return Markup("".join(parts))


def layer_bars(layers: dict[str, int], *, title: str) -> Markup:
    """Horizontal bars for the layers, inner first."""
    width, row = 420, 26
    top = max(layers.values(), default=0) or 1
    height = row * len(layers) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (name, count) in enumerate(layers.items()):
        y = 4 + i * row
        w = (width - 160) * count / top
        parts.append(f'<text class="tick" x="100" y="{y + 16}" text-anchor="end">{escape(name)}</text>')
        parts.append(f'<rect class="bar layer-{escape(name)}" x="108" y="{y + 3}" width="{w:.1f}" height="{row - 8}"/>')
        parts.append(f'<text class="tick" x="{112 + w:.1f}" y="{y + 16}">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def meter(value: float, *, label: str) -> Markup:
    """A 0-100 score as a small horizontal meter."""
    v = max(0.0, min(100.0, value))
    return Markup(
        f'<svg class="meter" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="{escape(label)}: {v:.0f} of 100" '
        f'xmlns="http://www.w3.org/2000/svg"><rect class="meter-bg" x="0" y="0" width="100" height="8" rx="4"/>'
        f'<rect class="meter-fg" x="0" y="0" width="{v:.1f}" height="8" rx="4"/></svg>'
    )


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() or value >= 10 else f"{value:.1f}"
