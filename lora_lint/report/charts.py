"""Horizontal bar charts as inline SVG: no script, no library, no network.

Each bar carries its number in `data-value` (what the page's test compares
with `check --format json`), a target range is a band behind the bars, and
the chart's `<title>` and `<desc>` say in words what it draws. Colours are
CSS classes, so the page's light and dark themes both apply.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

ROW = 26  # pixels per bar
LABEL = 190  # the label column
PLOT = 330  # the bars' width at 100%
VALUE = 110  # the value column


@dataclass
class Bar:
    """One bar: its label, its value (drawn against `scale`), the text shown
    beside it, and an optional target range in the same unit."""

    label: str
    value: float
    shown: str
    low: float | None = None
    high: float | None = None
    flagged: bool = False  # outside its target, or a repeat: drawn in the warning colour


def bar_chart(ident: str, title: str, bars: list[Bar], scale: float, unit: str = "") -> str:
    """An SVG chart of `bars`, `scale` being the value of a full-width bar."""
    height = ROW * len(bars) + 8
    width = LABEL + PLOT + VALUE
    scale = scale or 1
    rows = []
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        target = ""
        if bar.low is not None and bar.high is not None:
            x = LABEL + PLOT * min(bar.low, scale) / scale
            span = max(2.0, PLOT * (min(bar.high, scale) - min(bar.low, scale)) / scale)
            target = f'<rect class="target" x="{x:.1f}" y="{y + 1}" width="{span:.1f}" height="{ROW - 4}"><title>target {_number(bar.low)}-{_number(bar.high)}{unit}</title></rect>'
        length = PLOT * min(bar.value, scale) / scale
        kind = "bar flagged" if bar.flagged else "bar"
        rows.append(
            f'<g class="row">{target}'
            f'<text class="label" x="{LABEL - 8}" y="{y + ROW / 2 + 1}" text-anchor="end" dominant-baseline="middle">{escape(_short(bar.label))}</text>'
            f'<rect class="{kind}" x="{LABEL}" y="{y + 5}" width="{length:.1f}" height="{ROW - 12}" rx="2" '
            f'data-label="{escape(bar.label)}" data-value="{_number(bar.value)}"><title>{escape(bar.label)}: {escape(bar.shown)}</title></rect>'
            f'<text class="value" x="{LABEL + PLOT + 8}" y="{y + ROW / 2 + 1}" dominant-baseline="middle">{escape(bar.shown)}</text></g>'
        )
    words = "; ".join(f"{b.label}: {b.shown}" + (f" (target {_number(b.low)}-{_number(b.high)}{unit})" if b.low is not None else "") for b in bars)
    return (
        f'<svg class="chart" id="{escape(ident)}" role="img" aria-labelledby="{escape(ident)}-t {escape(ident)}-d" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" style="max-width:{width}px">'
        f'<title id="{escape(ident)}-t">{escape(title)}</title><desc id="{escape(ident)}-d">{escape(words)}</desc>'
        + "".join(rows)
        + "</svg>"
    )


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
