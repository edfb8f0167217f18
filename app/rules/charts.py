"""Charts drawn as SVG on the server, in plain Python: horizontal bars, stacked bars and a
histogram (vertical columns), each a self-contained ``<svg>`` the dashboards put inline
beside the same numbers as a table (:mod:`app.dashboards`).

Accessible by construction: ``role="img"``, a ``<title>`` and a ``<desc>`` the SVG is
labelled by, a ``<title>`` on every bar (its label and value), every value written as
text next to its bar. Readable on a phone: a fixed ``viewBox`` with no width or height,
so the chart scales to its container (CSS caps the width) and its text with it; labels
sit above their bars rather than beside them, so a long Chinese label never squeezes
the bar. Every string is escaped: a label cannot break the markup.

The numbers are whatever the caller counted (``int`` or ``Decimal``); ``fmt`` writes a
value as the reader should see it (money, a percentage). Geometry is the only place a
value becomes a float.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from xml.sax.saxutils import escape, quoteattr

Number = int | Decimal

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
WIDTH = 320
PAD = 8
FONT = 15
SMALL = 13
TEXT = "#1f2933"
MUTED = "#52606d"


class ChartKind(StrEnum):
    BAR = "bar"  # one horizontal bar per category
    STACKED = "stacked"  # one horizontal bar per category, split by series
    HISTOGRAM = "histogram"  # vertical columns over ordered bins


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Number, ...]


@dataclass(frozen=True)
class Chart:
    """What a chart shows: its categories (bars, or bins) and one series per colour."""

    key: str
    title: str
    desc: str
    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    category_header: str = ""
    total_header: str = "Σ"
    fmt: Callable[[Number], str] = field(default=str)
    empty_text: str = "—"

    @property
    def totals(self) -> tuple[Number, ...]:
        return tuple(
            sum((s.values[i] for s in self.series), start=0) for i in range(len(self.categories))
        )

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)

    def table(self) -> tuple[tuple[str, ...], list[tuple[str | Number, ...]]]:
        """The chart's numbers as a table: a header and one row per category (with a
        total column when bars are stacked). Values stay numbers for spreadsheets."""
        header = (self.category_header, *(s.name for s in self.series))
        stacked = len(self.series) > 1
        if stacked:
            header = (*header, self.total_header)
        rows: list[tuple[str | Number, ...]] = []
        for i, category in enumerate(self.categories):
            row: tuple[str | Number, ...] = (category, *(s.values[i] for s in self.series))
            if stacked:
                row = (*row, self.totals[i])
            rows.append(row)
        return header, rows


def render(chart: Chart) -> str:
    """The chart as one ``<svg>`` element (a string of XML)."""
    if chart.kind is ChartKind.HISTOGRAM:
        body, height = _columns(chart)
    else:
        body, height = _bars(chart)
    ids = f"chart-{chart.key}-title chart-{chart.key}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind.value}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{ids}" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="{FONT}">'
        f'<title id="chart-{chart.key}-title">{escape(chart.title)}</title>'
        f'<desc id="chart-{chart.key}-desc">{escape(chart.desc)}</desc>'
        f"{body}</svg>"
    )


def _text(x: float, y: float, content: str, **attrs: str | float) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _rect(x: float, y: float, w: float, h: float, colour: str, label: str) -> str:
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" '
        f'height="{h:.1f}" fill="{colour}"><title>{escape(label)}</title></rect>'
    )


def _legend(chart: Chart, y: float) -> tuple[str, float]:
    """Swatches and names, wrapped over as many lines as the width needs."""
    if len(chart.series) < 2:
        return "", y
    parts, x, line = [], PAD, 0
    for i, series in enumerate(chart.series):
        width = 22 + _text_width(series.name, SMALL)
        if x + width > WIDTH - PAD and x > PAD:
            x, line = PAD, line + 1
        top = y + line * 20
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="12" height="12" fill="{colour}"></rect>'
        )
        parts.append(_text(x + 16, top + 11, series.name, font_size=SMALL, fill=TEXT))
        x += width + 10
    return '<g class="legend">' + "".join(parts) + "</g>", y + (line + 1) * 20 + 4


def _bars(chart: Chart) -> tuple[str, int]:
    legend, y = _legend(chart, PAD)
    if chart.is_empty or not chart.categories:
        return legend + _text(PAD, y + FONT + 4, chart.empty_text, fill=MUTED), int(y + 32)
    totals = chart.totals
    top = max(float(t) for t in totals) or 1.0
    value_room = max(_text_width(chart.fmt(t), FONT) for t in totals) + 8
    span = WIDTH - 2 * PAD - value_room
    parts = [legend]
    for i, category in enumerate(chart.categories):
        parts.append(_text(PAD, y + FONT, category, fill=TEXT))
        bar_y, x = y + FONT + 5, float(PAD)
        for j, series in enumerate(chart.series):
            value = series.values[i]
            width = span * float(value) / top
            if width > 0:
                label = f"{category} · {series.name}: {chart.fmt(value)}"
                parts.append(_rect(x, bar_y, width, 18, PALETTE[j % len(PALETTE)], label))
            x += width
        parts.append(_text(x + 6, bar_y + 14, chart.fmt(totals[i]), fill=TEXT))
        y = bar_y + 18 + 12
    return "".join(parts), int(y + 2)


def _columns(chart: Chart) -> tuple[str, int]:
    """A histogram: one column per bin, its count above it, the bin's name below."""
    legend, y0 = _legend(chart, PAD)
    if chart.is_empty or not chart.categories:
        return legend + _text(PAD, y0 + FONT + 4, chart.empty_text, fill=MUTED), int(y0 + 32)
    plot_h, base = 160.0, y0 + FONT + 6 + 160.0
    totals = chart.totals
    top = max(float(t) for t in totals) or 1.0
    n = len(chart.categories)
    slot = (WIDTH - 2 * PAD) / n
    bar_w = slot * 0.7
    label_size = SMALL if max(_text_width(c, SMALL) for c in chart.categories) <= slot else 10
    parts = [legend]
    for i, category in enumerate(chart.categories):
        x = PAD + i * slot + (slot - bar_w) / 2
        level = base
        for j, series in enumerate(chart.series):
            value = series.values[i]
            h = plot_h * float(value) / top
            if h > 0:
                label = f"{category} · {series.name}: {chart.fmt(value)}"
                parts.append(_rect(x, level - h, bar_w, h, PALETTE[j % len(PALETTE)], label))
            level -= h
        centre = PAD + i * slot + slot / 2
        parts.append(
            _text(centre, level - 5, chart.fmt(totals[i]), fill=TEXT, text_anchor="middle")
        )
        parts.append(
            _text(
                centre,
                base + 16,
                category,
                fill=TEXT,
                font_size=label_size,
                text_anchor="middle",
            )
        )
    parts.append(
        f'<line x1="{PAD}" y1="{base:.1f}" x2="{WIDTH - PAD}" y2="{base:.1f}" stroke="{MUTED}" />'
    )
    if chart.category_header:
        parts.append(
            _text(
                WIDTH / 2,
                base + 36,
                chart.category_header,
                fill=MUTED,
                font_size=SMALL,
                text_anchor="middle",
            )
        )
    return "".join(parts), int(base + (44 if chart.category_header else 26))


def _text_width(text: str, size: int) -> float:
    """A rough width of ``text`` in user units: a CJK character is about one em, a Latin
    letter or digit a bit over half of one."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


# --- figures over grouped counts (percentiles over a few hundred groups, never rows) ---


def percentile_of_counts(counts: Sequence[tuple[int, int]], q: Decimal) -> int | None:
    """The ``q`` quantile (0 < q ≤ 1, nearest rank) of values given as ``(value, how
    many)`` pairs, as SQL's ``GROUP BY`` returns them. None when there is none."""
    ordered = sorted((v, n) for v, n in counts if n > 0)
    total = sum(n for _, n in ordered)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))  # nearest rank, at least the first
    seen = 0
    for value, n in ordered:
        seen += n
        if seen >= rank:
            return value
    return ordered[-1][0]


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a fraction to four places (a percentage to two); None of nothing."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def bin_counts(counts: Sequence[tuple[int, int]], edges: Sequence[int]) -> tuple[int, ...]:
    """``(value, how many)`` pairs put in bins: ``edges`` are each bin's upper bound
    (inclusive), and a last bin takes everything above the last edge."""
    bins = [0] * (len(edges) + 1)
    for value, n in counts:
        for i, edge in enumerate(edges):
            if value <= edge:
                bins[i] += n
                break
        else:
            bins[-1] += n
    return tuple(bins)


def bin_labels(edges: Sequence[int], first: int = 0) -> tuple[str, ...]:
    """``0–7``, ``8–14``, …, ``91+`` for ``edges`` (7, 14, …, 90)."""
    labels, low = [], first
    for edge in edges:
        labels.append(f"{low}–{edge}" if edge != low else str(edge))
        low = edge + 1
    labels.append(f"{low}+")
    return tuple(labels)
