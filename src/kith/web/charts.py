"""Charts as server-side SVG: no JavaScript, no inline styles (the CSP forbids them).

Colours come from classes styled in ``static/kith.css``; every chart has a
``<title>`` and a text alternative so screen readers get the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup


def bar_chart(series: Sequence[tuple[str, float]], *, title: str, width: int = 640, height: int = 200) -> Markup:
    """Vertical bars, one per (label, value), labelled under each bar."""
    pad_l, pad_b, pad_t = 36, 28, 12
    n = max(len(series), 1)
    top = max((v for _, v in series), default=0) or 1
    plot_w, plot_h = width - pad_l - 8, height - pad_b - pad_t
    step = plot_w / n
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 8}" y2="{pad_t + plot_h}"/>',
        f'<text class="tick" x="{pad_l - 6}" y="{pad_t + 4}" text-anchor="end">{_num(top)}</text>',
        f'<text class="tick" x="{pad_l - 6}" y="{pad_t + plot_h}" text-anchor="end">0</text>',
    ]
    for i, (label, value) in enumerate(series):
        h = plot_h * value / top
        x = pad_l + i * step + step * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{pad_t + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {_num(value)}</title></rect>"
        )
        parts.append(
            f'<text class="tick" x="{x + step * 0.35:.1f}" y="{height - 10}" text-anchor="middle">{escape(label[-5:])}</text>'
        )
    parts.append("</svg>")
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
        f'<svg class="meter" viewBox="0 0 100 8" role="img" aria-label="{escape(label)}: {v:.0f} of 100" '
        f'xmlns="http://www.w3.org/2000/svg"><rect class="meter-bg" x="0" y="0" width="100" height="8" rx="4"/>'
        f'<rect class="meter-fg" x="0" y="0" width="{v:.1f}" height="8" rx="4"/></svg>'
    )


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() or value >= 10 else f"{value:.1f}"
