"""The inspector's page opened in a real headless Chromium: it renders with no console problem
(no script error, nothing blocked or fetched), the figures read back from its DOM are the
ledger's, and a screenshot is taken."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from tests.browser import Browser
from tests.conftest import sqlite_only
from tests.report.conftest import write_page

GROUPS = ("residential_area", "commune", "organisation")
READ_BACK = """(() => {
  const figures = {};
  for (const el of document.querySelectorAll('[data-figure]')) {
    figures[el.dataset.figure] = el.textContent;
  }
  const marks = [...document.querySelectorAll('svg .mark')].map(m => [
    m.closest('svg').id, m.dataset.series, m.dataset.category, Number(m.dataset.value)]);
  const flags = Object.fromEntries([...document.querySelectorAll('.flag')].map(
    f => [f.dataset.rule, Number(f.dataset.count)]));
  const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
    const box = svg.getBoundingClientRect();
    return [svg.id, Math.round(box.width), Math.round(box.height)];
  });
  const ratioTable = [...document.querySelectorAll('#chart-ratio ~ details tbody tr')].map(
    tr => [...tr.children].map(td => td.textContent));
  return {figures, marks, flags, charts, ratioTable, lang: document.documentElement.lang,
          headline: [...document.querySelectorAll('ul.headline li')].map(li => li.textContent)};
})()"""


def read_back(browser: Browser, page_file: Path, shot: Path) -> dict[str, Any]:
    """Open the page, check nothing went wrong, take a screenshot and read the figures."""
    page = browser.open(page_file, width=1280, height=900)
    try:
        assert page.console == []
        found = page.evaluate(READ_BACK)
        page.screenshot(shot)
    finally:
        page.close()
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1280 and height > 900  # the whole page, taller than one screen
    return found


def test_the_scenario_page_shows_the_ledgers_figures(
    scenario: Any, browser: Browser, tmp_path: Path
) -> None:
    found = read_back(browser, write_page(scenario, tmp_path, "--year", "2023"), tmp_path / "a.png")
    assert found["lang"] == "vi"
    figures = found["figures"]
    expected = {
        "residential_area": ("4", "1", "2", "1", "0", "25,0%"),
        "commune": ("1", "1", "0", "0", "0", "100,0%"),
        "organisation": ("1", "0", "0", "0", "1", "0,0%"),
        "total": ("6", "2", "2", "1", "1", "33,3%"),
    }
    columns = ("registered", "recognised", "denied", "annulled", "pending", "ratio")
    for group, values in expected.items():
        assert tuple(figures[f"safety.{group}.{c}"] for c in columns) == values, group
        assert figures[f"safety.{group}.percent"] == values[-1]
    assert found["headline"][0] == "1/4 thôn, khu phố đạt tiêu chuẩn An toàn về ANTT — 25,0%"
    assert found["flags"] == {
        "commune_below_70_percent": 1,
        "recognition_annulled": 1,
        "award_annulled": 1,
        "case_open_too_long": 1,
    }
    marks = {(chart, series, category): value for chart, series, category, value in found["marks"]}
    assert marks[("chart-ratio", "residential_area", "2022")] == 2 / 3  # exact, from the counts
    assert marks[("chart-ratio", "residential_area", "2023")] == 0.25
    assert marks[("chart-ratio", "commune", "2023")] == 1
    assert ("chart-ratio", "organisation", "2022") not in marks  # nothing registered: no point
    assert marks[("chart-ratio", "organisation", "2023")] == 0
    assert {k: v for k, v in marks.items() if k[0] == "chart-mediation" and v} == {
        ("chart-mediation", "settled", "2022"): 1,
        ("chart-mediation", "failed", "2023"): 1,
        ("chart-mediation", "open", "2023"): 2,
    }
    assert marks[("chart-awards", "collective", "Bằng khen — cấp tỉnh")] == 1
    assert marks[("chart-awards", "individual", "Bằng khen — cấp tỉnh")] == 1
    assert marks[("chart-sites", "sites", "an ninh trật tự")] == 2
    assert marks[("chart-models", "models", "phòng, chống ma túy")] == 1
    charts = {chart: (width, height) for chart, width, height in found["charts"]}
    assert set(charts) == {"chart-ratio", "chart-mediation", "chart-awards", "chart-models",
                           "chart-sites"}  # fmt: skip
    assert all(width > 300 and height > 100 for width, height in charts.values()), charts


@sqlite_only
def test_the_demo_page_reads_as_the_seed_article_does(
    antq: Any, browser: Browser, tmp_path: Path
) -> None:
    antq.ok("demo")
    page = write_page(antq, tmp_path, "--year", "2023", "--scope", "BT")
    found = read_back(browser, page, tmp_path / "demo.png")
    assert found["headline"] == [
        "685/691 thôn, khu phố đạt tiêu chuẩn An toàn về ANTT — 99,1%",
        "116/124 xã, phường, thị trấn đạt tiêu chuẩn An toàn về ANTT — 93,5%",
        "795/809 cơ quan, doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn An toàn về ANTT — 98,3%",
        "1.596/1.624 đơn vị (tổng cộng) đạt tiêu chuẩn An toàn về ANTT — 98,3%",
    ]
    marks = {(chart, series, category): value for chart, series, category, value in found["marks"]}
    assert marks[("chart-awards", "individual", "Bằng khen — cấp tỉnh")] == 52
    assert marks[("chart-awards", "collective", "Bằng khen — Bộ, ngành")] == 13
    assert sum(v for (chart, *_), v in marks.items() if chart == "chart-sites") == 870
    # The chart writes each ratio as the headline does (both from the counts).
    figures = found["figures"]
    assert found["ratioTable"] == [["2023", *(figures[f"safety.{g}.percent"] for g in GROUPS)]]
    assert found["ratioTable"][0][2] == "93,5%"


@sqlite_only
def test_the_english_page_writes_english_numbers(
    scenario: Any, browser: Browser, tmp_path: Path
) -> None:
    page = write_page(scenario, tmp_path, "--year", "2023", "--lang", "en")
    found = read_back(browser, page, tmp_path / "en.png")
    assert found["lang"] == "en"
    assert found["headline"][3] == "2/6 units in all meet the An toàn về ANTT standard — 33.3%"
