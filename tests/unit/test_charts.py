"""The SVG charts and the figures over grouped counts (app.rules.charts), and spreadsheet
cells made safe (app.rules.exports)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from app.rules.charts import (
    Chart,
    ChartKind,
    Series,
    bin_counts,
    bin_labels,
    percentile_of_counts,
    rate,
    render,
)
from app.rules.exports import safe_cell

SVG = "{http://www.w3.org/2000/svg}"


def chart(kind: ChartKind, *series: Series, categories=("甲", "乙", "丙")) -> Chart:
    return Chart("t", "标题 <&>", "说明", kind, tuple(categories), series, "类别")


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (the application's own output, not untrusted)


def bars(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f".//{SVG}rect[@class='bar']")


def test_a_bar_chart_draws_one_bar_per_nonzero_value_scaled_to_the_largest() -> None:
    svg = parse(render(chart(ChartKind.BAR, Series("案件", (4, 0, 2)))))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "标题 <&>"
    widths = [float(r.get("width")) for r in bars(svg)]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1], abs=0.2)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["甲", "4", "乙", "0", "丙", "2"]


def test_a_stacked_chart_has_a_legend_and_its_table_a_total_column() -> None:
    c = chart(ChartKind.STACKED, Series("一", (1, 2, 0)), Series("二", (3, 0, 0)))
    svg = parse(render(c))
    assert len(bars(svg)) == 3
    assert svg.find(f".//{SVG}g[@class='legend']") is not None
    header, rows = c.table()
    assert header == ("类别", "一", "二", "Σ")
    assert rows == [("甲", 1, 3, 4), ("乙", 2, 0, 2), ("丙", 0, 0, 0)]


def test_a_histogram_draws_columns_from_one_baseline() -> None:
    svg = parse(render(chart(ChartKind.HISTOGRAM, Series("n", (1, 3, 2)))))
    columns = bars(svg)
    bottoms = {round(float(r.get("y")) + float(r.get("height")), 1) for r in columns}
    assert len(columns) == 3 and len(bottoms) == 1


def test_an_empty_chart_says_so_and_still_parses() -> None:
    c = Chart("e", "空", "无", ChartKind.BAR, (), (Series("n", ()),), empty_text="暂无")
    svg = parse(render(c))
    assert bars(svg) == [] and [t.text for t in svg.iter(f"{SVG}text")] == ["暂无"]


def test_the_median_of_grouped_counts() -> None:
    assert percentile_of_counts([(20, 1), (5, 1), (60, 1)], Decimal("0.5")) == 20
    assert percentile_of_counts([(1, 10), (9, 9)], Decimal("0.5")) == 1
    assert percentile_of_counts([(1, 10), (9, 11)], Decimal("0.5")) == 9
    assert percentile_of_counts([(3, 0)], Decimal("0.5")) is None
    assert percentile_of_counts([(3, 2), (7, 2)], Decimal("0.9")) == 7


def test_bins_and_rates() -> None:
    assert bin_counts([(0, 2), (7, 1), (8, 1), (100, 4)], (7, 14)) == (3, 1, 4)
    assert bin_labels((7, 14)) == ("0–7", "8–14", "15+")
    assert bin_labels((1, 2), first=1) == ("1", "2", "3+")
    assert rate(1, 3) == Decimal("0.3333")
    assert rate(1, 0) is None


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_defused(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_other_cells_are_kept() -> None:
    assert safe_cell("王伟") == "王伟"
    assert safe_cell(-5) == -5  # a number is no formula
    assert safe_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert safe_cell(None) == ""
