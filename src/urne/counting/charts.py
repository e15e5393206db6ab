"""Bar charts as SVG written on the server: no JavaScript, no colour needed to read them.

Each bar is labelled directly (its name on the left, its value at its end) and filled with its
own black-and-white pattern (hatching, dots, crossing...), so the chart reads the same printed
in grey, seen without colour, or magnified. The figure is an image with a title and a
description for screen readers (`role="img"`, `aria-labelledby`); the page puts the data table
beside it, which is what a screen reader reads. Only SVG attributes, no `style`: the site's
Content-Security-Policy forbids inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 560
LABEL_WIDTH = 180
VALUE_WIDTH = 140
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 34

# The patterns, in the order bars take them (black on white).
_PATTERNS = (
    '<path d="M0 8 L8 0" stroke="#000" stroke-width="1.5"/>',
    '<circle cx="4" cy="4" r="1.6" fill="#000"/>',
    '<path d="M0 0 L8 8 M8 0 L0 8" stroke="#000" stroke-width="1"/>',
    '<path d="M0 4 L8 4" stroke="#000" stroke-width="1.5"/>',
    '<path d="M4 0 L4 8" stroke="#000" stroke-width="1.5"/>',
    '<path d="M0 0 L8 8" stroke="#000" stroke-width="1.5"/>',
    '<rect width="4" height="4" fill="#000"/>',
    '<rect width="8" height="8" fill="#555"/>',
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Fraction | int
    """What the bar's length shows."""
    text: str
    """The value as printed at the bar's end (« 1 234 (40,62 %) »)."""


def bar_chart(
    chart_id: str, title: str, bars: Sequence[Bar], *, maximum: Fraction | int = 0
) -> SafeString:
    """A horizontal bar chart. `chart_id`: unique on the page (ids of its title and patterns);
    `maximum`: the value of a full bar (default: the largest value)."""
    top = max([Fraction(bar.value) for bar in bars] + [Fraction(maximum), Fraction(0)])
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW_HEIGHT * len(bars) + 8
    cid = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title" focusable="false">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        "<defs>",
    ]
    for index, pattern in enumerate(_PATTERNS):
        parts.append(
            f'<pattern id="{cid}-p{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="#fff"/>{pattern}</pattern>'
        )
    parts.append("</defs>")
    parts.append(
        f'<text x="0" y="18" font-size="15" font-weight="bold" fill="#000">{escape(title)}</text>'
    )
    for row, bar in enumerate(bars):
        y = TOP + row * ROW_HEIGHT
        length = float(Fraction(bar.value) / top * area) if top else 0.0
        label = bar.label if len(bar.label) <= 26 else bar.label[:25] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" font-size="13" text-anchor="end" '
            f'fill="#000">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="url(#{cid}-p{row % len(_PATTERNS)})" stroke="#000" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 14}" font-size="13" '
            f'fill="#000">{escape(bar.text)}</text>'
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" '
        f'y2="{TOP + ROW_HEIGHT * len(bars)}" stroke="#000" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
