"""Small server-made SVG charts for the dashboard: no script, no external assets.

Drawn 480 units wide with 13-unit text, so that scaled to a phone's 360-odd pixels the
text is still about 10 pixels high; the page caps their width on wide screens."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape

BAR = "#8b1e1e"
GRID = "#e4ddd0"
TEXT = "#4a4238"


def _nice_max(value: Decimal) -> Decimal:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = magnitude * Decimal(str(step))
        if top >= value:
            return top
    return magnitude * 10


def _amount(value: Decimal) -> str:
    return f"{value:,.0f}"


def columns_svg(
    points: Sequence[tuple[str, Decimal]],
    *,
    title: str,
    width: int = 480,
    height: int = 220,
    label_every: int = 1,
) -> str:
    """A column chart, one column per point (for example a day and its sales)."""
    left, right, top, bottom = 64, 8, 16, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v for _, v in points), default=Decimal(0)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{_amount(value)}</text>'
        )
    if points:
        slot = plot_w / len(points)
        bar_w = max(slot * 0.7, 1)
        for index, (label, value) in enumerate(points):
            h = float(value / peak) * plot_h if value > 0 else 0
            x = left + index * slot + (slot - bar_w) / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: {value:,.2f}</title></rect>'
            )
            if index % label_every == 0:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" font-size="13" '
                    f'text-anchor="middle" fill="{TEXT}">{escape(label)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(rows: Sequence[tuple[str, Decimal]], *, title: str, width: int = 480) -> str:
    """A horizontal bar chart, one bar per row (for example a channel and its sales).

    Each label is on a line of its own above its bar, so a long name (English channel
    names are long) is never cut off by the bars' column."""
    right, row_h, top = 90, 44, 4
    height = top * 2 + row_h * max(len(rows), 1)
    peak = max((v for _, v in rows), default=Decimal(0))
    plot_w = width - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(rows):
        y = top + index * row_h
        w = float(value / peak) * plot_w if peak > 0 and value > 0 else 0
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="13" fill="{TEXT}">{escape(label)}</text>'
            f'<rect x="0" y="{y + 21}" width="{w:.1f}" height="16" fill="{BAR}"/>'
            f'<text x="{w + 6:.1f}" y="{y + 34}" font-size="13" '
            f'fill="{TEXT}">{value:,.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
