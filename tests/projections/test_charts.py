"""The report's SVG charts, read back from their DOM: marks proportional to their values, raw
figures in data-* attributes, formatted text in titles, escaping, determinism, empty data."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.charts import PALETTE, Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
YEARS = ["2021", "2022", "2023"]
COORDINATES = ("x", "y", "width", "height", "cx", "cy", "r", "x1", "y1", "x2", "y2")


def number(v: float) -> str:
    """Vietnamese whole numbers: 1.596."""
    return f"{v:,.0f}".replace(",", ".")


def ratio(v: float) -> str:
    """Vietnamese percentages: 99,1%."""
    return f"{v * 100:.1f}%".replace(".", ",")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    return root


def of_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if cls in (e.get("class") or "").split()]


def marks(svg: str) -> dict[tuple[str, str], ET.Element]:
    """Marks by (series key, category)."""
    return {(m.get("data-series"), m.get("data-category")): m for m in of_class(parse(svg), "mark")}


def f(element: ET.Element, name: str) -> float:
    return float(element.get(name))


def tip(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def grid(svg: str) -> dict[float, float]:
    """Gridline tick value → its pixel along the value axis (y, or x when horizontal)."""
    lines = of_class(parse(svg), "grid")
    vertical = lines[0].get("x1") == lines[0].get("x2")
    return {f(g, "data-value"): f(g, "x1" if vertical else "y1") for g in lines}


def test_bar_heights_are_proportional_to_values() -> None:
    svg = bar_chart("c", "Số vụ", ["a", "b", "c"], [Series("n", "Số vụ", [10, 20, 5])], number)
    bars = marks(svg)
    a, b, c = (bars["n", k] for k in "abc")
    assert f(b, "height") == pytest.approx(2 * f(a, "height"), abs=0.1)
    assert f(a, "height") == pytest.approx(2 * f(c, "height"), abs=0.1)
    assert {f(m, "y") + f(m, "height") for m in (a, b, c)} == {grid(svg)[0]}  # one baseline
    px = grid(svg)[0] - grid(svg)[20]
    assert f(b, "height") == pytest.approx(px, abs=0.1)  # a bar of 20 reaches the 20 gridline


def test_grouped_bars_stand_side_by_side() -> None:
    series = [Series("collective", "Tập thể", [3, 5]), Series("individual", "Cá nhân", [7, 11])]
    bars = marks(bar_chart("c", "Khen thưởng", ["Bằng khen", "Giấy khen"], series, number))
    for category in ("Bằng khen", "Giấy khen"):
        left, right = bars["collective", category], bars["individual", category]
        assert f(left, "width") == f(right, "width") > 0
        assert f(left, "x") + f(left, "width") <= f(right, "x")
    assert f(bars["individual", "Bằng khen"], "x") < f(bars["collective", "Giấy khen"], "x")


def test_stacked_segments_sum_to_the_total_height() -> None:
    outcomes = [
        Series("settled", "hòa giải thành", [27, 30, 12]),
        Series("failed", "không thành", [3, 5, 0]),
        Series("referred", "chuyển cơ quan khác", [1, None, 2]),
        Series("open", "đang giải quyết", [0, 2, 7]),
    ]
    svg = bar_chart("c", "Hòa giải", YEARS, outcomes, number, stacked=True)
    bars, ticks = marks(svg), grid(svg)
    px_per_case = (ticks[0] - ticks[max(ticks)]) / max(ticks)
    for n, year in enumerate(YEARS):
        segments = [bars[s.key, year] for s in outcomes if s.values[n] is not None]
        total = sum(s.values[n] or 0 for s in outcomes)
        assert sum(f(m, "height") for m in segments) == pytest.approx(total * px_per_case, abs=0.2)
        assert f(segments[0], "y") + f(segments[0], "height") == ticks[0]  # on the baseline
        for below, above in pairwise(segments):
            assert f(above, "y") + f(above, "height") == pytest.approx(f(below, "y"))  # touching
        assert len({f(m, "x") for m in segments}) == 1
    assert max(ticks) >= 39  # the tallest stack (30+5+2) fits under the top gridline


def test_horizontal_bar_widths_and_labels() -> None:
    fields = ["An ninh trật tự, phòng chống tội phạm và tệ nạn xã hội", "Giao thông", "PCCC"]
    svg = bar_chart(
        "c",
        "Số điểm",
        fields,
        [Series("sites", "Số điểm", [1596, 798, 0])],
        number,
        horizontal=True,
    )
    bars, ticks = marks(svg), grid(svg)
    first, second, third = (bars["sites", k] for k in fields)
    assert f(first, "width") == pytest.approx(2 * f(second, "width"), abs=0.1)
    assert f(third, "width") == 0
    assert {f(m, "x") for m in (first, second, third)} == {ticks[0]}
    assert f(first, "y") < f(second, "y") < f(third, "y")  # categories run top-down
    assert f(first, "width") == pytest.approx((ticks[1000] - ticks[0]) * 1.596, abs=0.1)
    labels = of_class(parse(svg), "category")
    assert all(f(label, "x") <= ticks[0] and label.get("text-anchor") == "end" for label in labels)
    assert "1.000" in [t.text for t in of_class(parse(svg), "tick")]  # ticks go through fmt


def test_percent_axis_runs_from_zero_to_one() -> None:
    series = [Series("commune", "xã, phường, thị trấn", [0.5, 0.9355, 1.0])]
    svg = line_chart("c", "Tỷ lệ", YEARS, series, ratio, percent=True)
    ticks = grid(svg)
    assert min(ticks) == 0 and max(ticks) == 1
    assert [t.text for t in of_class(parse(svg), "tick")][-1] == "100,0%"
    points = marks(svg)
    assert f(points["commune", "2023"], "cy") == ticks[1]  # 100% sits on the top gridline
    low = line_chart(
        "d", "Tỷ lệ", YEARS, [Series("k", "k", [0.01, 0.02, None])], ratio, percent=True
    )
    assert max(grid(low)) == 1  # fixed domain, whatever the data


def test_none_is_a_gap_and_zero_a_mark() -> None:
    series = [Series("n", "Số vụ", [5, None, 0])]
    bars = marks(bar_chart("c", "Số vụ", YEARS, series, number))
    assert set(bars) == {("n", "2021"), ("n", "2023")}
    assert f(bars["n", "2023"], "height") == 0
    line = line_chart(
        "c", "Tỷ lệ", ["1", "2", "3", "4", "5"], [Series("k", "k", [1, 2, None, 3, 4])], ratio
    )
    assert len(marks(line)) == 4
    (path,) = of_class(parse(line), "line")
    assert path.get("d").count("M") == 2  # the line breaks at the gap


def test_data_attributes_carry_raw_values_and_titles_formatted_text() -> None:
    series = [Series("commune", "xã, phường, thị trấn", [0.9355, 27])]
    svg = line_chart("c", "Tỷ lệ", ["2023", "2024"], series, ratio)
    points = marks(svg)
    assert points["commune", "2023"].get("data-value") == "0.9355"
    assert points["commune", "2024"].get("data-value") == "27"
    assert tip(points["commune", "2023"]) == "2023 — xã, phường, thị trấn: 93,5%"
    big = marks(bar_chart("b", "Số điểm", ["x"], [Series("s", "Số điểm", [1596])], number))
    assert tip(big["s", "x"]) == "x — Số điểm: 1.596"


def test_text_is_escaped() -> None:
    nasty = "a<b & \"c\" 'd'"
    series = [Series(nasty, nasty, [1, 2])]
    for svg in (
        bar_chart(nasty, nasty, [nasty, "y"], series, number),
        line_chart(nasty, nasty, [nasty, "y"], series, number),
    ):
        root = parse(svg)
        assert root.find(f"{SVG}title").text == nasty
        assert root.get("id") == nasty
        mark = marks(svg)[nasty, nasty]
        assert tip(mark) == f"{nasty} — {nasty}: 1"
        assert "<b" not in svg and '"c"' not in svg


def test_long_labels_are_wrapped_or_cut_with_the_full_text_in_a_title() -> None:
    names = [f"Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh số {n}" for n in range(8)]
    svg = bar_chart(
        "c", "Khen thưởng", [*names, "hòa giải thành"], [Series("k", "k", [1] * 9)], number
    )
    labels = of_class(parse(svg), "category")
    xs = [f(label, "x") for label in labels]
    band = xs[1] - xs[0]
    for label, name in zip(labels, names, strict=False):
        lines = [span.text for span in label.findall(f"{SVG}tspan")]
        assert 1 < len(lines) <= 3
        assert all(len(line) * 0.6 * 12 <= band for line in lines)  # each line fits its band
        assert lines[-1].endswith("…") and label.find(f"{SVG}title").text == name
    short = labels[-1]
    assert " ".join(s.text for s in short.findall(f"{SVG}tspan")) == "hòa giải thành"
    assert short.find(f"{SVG}title") is None


def test_legend_has_a_swatch_per_series_in_okabe_ito_order() -> None:
    series = [Series("a", "A", [1]), Series("b", "B", [2], colour="#123456"), Series("c", "C", [3])]
    root = parse(bar_chart("c", "T", ["x"], series, number))
    items = of_class(root, "legend-item")
    assert [i.get("data-series") for i in items] == ["a", "b", "c"]
    swatches = [i.find(f"{SVG}rect").get("fill") for i in items]
    assert swatches == [PALETTE[0], "#123456", PALETTE[2]]
    assert [i.find(f"{SVG}text").text for i in items] == ["A", "B", "C"]
    assert [m.get("fill") for m in of_class(root, "mark")] == swatches


def test_same_input_same_bytes_and_tidy_numbers() -> None:
    def draw() -> str:
        series = [Series("a", "A", [1 / 3, 2 / 3, None]), Series("b", "B", [0.1, 0.2, 0.3])]
        return line_chart("c", "T", YEARS, series, ratio, percent=True) + bar_chart(
            "d", "T", YEARS, series, ratio, stacked=True
        )

    assert draw() == draw()
    for attribute, value in re.findall(r' (x|y|x1|y1|x2|y2|cx|cy|width|height)="([^"%]*)"', draw()):
        assert re.fullmatch(r"\d+(\.\d)?", value), (attribute, value)


@pytest.mark.parametrize(
    ("categories", "values"),
    [([], []), (YEARS, [None, None, None]), (YEARS, None)],
)
def test_empty_data_says_so(categories: list[str], values: list | None) -> None:
    series = [] if values is None else [Series("k", "k", values)]
    for svg in (
        bar_chart("c", "Số vụ", categories, series, number, empty="Không có số liệu"),
        bar_chart("c", "Số vụ", categories, series, number, horizontal=True, empty="Không có"),
        line_chart("c", "Tỷ lệ", categories, series, ratio, percent=True, empty="Không có"),
    ):
        root = parse(svg)
        assert not of_class(root, "mark") and not of_class(root, "grid")
        assert root.findall(f"{SVG}text")[-1].text.startswith("Không có")
        assert root.get("role") == "img" and root.find(f"{SVG}title").text in ("Số vụ", "Tỷ lệ")


def test_all_zeros_are_figures_drawn_on_the_axis_not_an_empty_chart() -> None:
    series = [Series("k", "k", [0, 0, None])]
    for svg in (
        bar_chart("c", "Số vụ", YEARS, series, number),
        line_chart("c", "Tỷ lệ", YEARS, series, ratio, percent=True),
    ):
        marks = of_class(parse(svg), "mark")
        assert [m.get("data-value") for m in marks] == ["0", "0"]
        assert "empty" not in (parse(svg).get("class") or "")


def test_ids_are_unique_on_a_page_and_label_the_chart() -> None:
    series = [Series("a", "A", [1, 2, 3])]
    charts = [
        line_chart("chart-ratio", "Tỷ lệ", YEARS, series, ratio),
        bar_chart("chart-mediation", "Hòa giải", YEARS, series, number, stacked=True),
        bar_chart("chart-sites", "Số điểm", YEARS, series, number, horizontal=True),
        bar_chart("chart-none", "Trống", [], [], number),
    ]
    ids = [e.get("id") for svg in charts for e in parse(svg).iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 8
    for svg in charts:
        root = parse(svg)
        (title,) = [e for e in root.iter() if e.get("id") == root.get("aria-labelledby")]
        assert title.tag == f"{SVG}title" and title.text
        assert root.get("viewBox").startswith("0 0 640 ")


def test_bad_data_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values, 3 categories"):
        bar_chart("c", "T", YEARS, [Series("k", "k", [1, 2])], number)
    with pytest.raises(ValueError, match="not negative"):
        bar_chart("c", "T", YEARS, [Series("k", "k", [1, -2, 3])], number)
    with pytest.raises(ValueError, match="finite"):
        line_chart("c", "T", YEARS, [Series("k", "k", [1, math.nan, 3])], number)


values = st.one_of(
    st.none(),
    st.integers(0, 10**9),
    st.floats(0, 1e9, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)


@st.composite
def charts(draw: st.DrawFn) -> tuple[list[str], list[Series], str]:
    categories = [f"c{n}" for n in range(draw(st.integers(1, 12)))]
    series = [
        Series(
            f"s{k}",
            f"Chuỗi {k}",
            draw(st.lists(values, min_size=len(categories), max_size=len(categories))),
        )
        for k in range(draw(st.integers(1, 5)))
    ]
    kind = draw(st.sampled_from(["line", "bars", "stacked", "horizontal", "stacked-horizontal"]))
    return categories, series, kind


def render(categories: list[str], series: list[Series], kind: str) -> str:
    if kind == "line":
        return line_chart("c", "T", categories, series, number)
    stacked, horizontal = "stacked" in kind, "horizontal" in kind
    return bar_chart("c", "T", categories, series, number, stacked=stacked, horizontal=horizontal)


@settings(max_examples=150, deadline=None)
@given(charts())
def test_marks_round_trip_and_stay_inside_the_view_box(
    chart: tuple[list[str], list[Series], str],
) -> None:
    categories, series, kind = chart
    svg = render(categories, series, kind)
    assert svg == render(categories, series, kind)
    root = parse(svg)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    present = {
        (s.key, c): v
        for s in series
        for c, v in zip(categories, s.values, strict=True)
        if v is not None
    }
    found = marks(svg)
    if not present:  # only gaps: nothing to draw (zeros are figures, drawn as marks)
        assert not found and "Không có số liệu" in svg
        return
    assert found.keys() == present.keys()
    for (key, category), mark in found.items():
        assert float(mark.get("data-value")) == present[key, category]
        assert tip(mark) == f"{category} — Chuỗi {key[1:]}: {number(present[key, category])}"
    for element in list(root.iter())[1:]:  # the <svg> itself is 100% wide
        for name in COORDINATES:
            if element.get(name) is not None:
                limit = height if name.startswith(("y", "cy", "h")) else width
                assert 0 <= f(element, name) <= limit, (element.tag, name, element.get(name))
        for x, y in re.findall(r"(-?[\d.]+) (-?[\d.]+)", element.get("d") or ""):
            assert 0 <= float(x) <= width and 0 <= float(y) <= height


def test_horizontal_labels_get_rows_of_their_own() -> None:
    fields = [f"Lĩnh vực tự quản về an ninh trật tự ở cơ sở số {n}" for n in range(30)]
    series = [Series("sites", "Số điểm", list(range(30)))]
    root = parse(bar_chart("c", "Số điểm", fields, series, number, horizontal=True))
    extents = []
    for label in of_class(root, "category"):
        lines = len(label.findall(f"{SVG}tspan"))
        top = f(label, "y") - 12  # the first baseline, less the font's height
        extents.append((top, top + 12 + (lines - 1) * 14))
    assert len(extents) == 30
    assert all(below[0] >= above[1] for above, below in pairwise(extents))
    _, _, _, height = (float(v) for v in root.get("viewBox").split())
    assert extents[-1][1] <= height
