"""The page's section of reported figures read back from its DOM in a real headless Chromium:
each row says whether its figure is reported by a document or counted from the ledger."""

from __future__ import annotations

from pathlib import Path

from tests.browser import Browser
from tests.cli.conftest import Antq
from tests.conftest import sqlite_only
from tests.report.conftest import write_page

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seed-statistics.jsonl"
READ_BACK = """(() => {
  const section = document.querySelector('#reported');
  return {
    heading: section.querySelector('h2').textContent,
    rows: [...section.querySelectorAll('tbody tr')].map(tr => [
      tr.dataset.kind, tr.dataset.indicator, tr.children[1].textContent,
      tr.querySelector('td.n').textContent, tr.querySelector('td.n').dataset.value]),
    visible: section.getBoundingClientRect().height > 0,
  };
})()"""


@sqlite_only
def test_reported_and_counted_figures_are_told_apart_on_the_page(
    antq: Antq, browser: Browser, tmp_path: Path
) -> None:
    antq.ok("import", str(SEEDS))
    antq.ok("unit", "register", "--code", "KG-C01", "--name", "Xã Một", "--kind", "commune",
            "--parent", "KG", "--on", "2004-01-01")  # fmt: skip
    antq.ok("dispute", "receive", "--unit", "KG-C01", "--case", "HG-1", "--on", "2023-03-01")
    antq.ok("dispute", "settle", "--unit", "KG-C01", "--case", "HG-1", "--on", "2023-03-02")
    page = browser.open(write_page(antq, tmp_path, "--year", "2023", "--scope", "KG"))
    try:
        assert page.console == []
        found = page.evaluate(READ_BACK)
    finally:
        page.close()

    assert found["heading"] == "Số liệu báo cáo (không phải đếm từ sổ cái)"
    assert found["visible"]
    settled = [row for row in found["rows"] if row[1] == "MEDIATION_SETTLED"]
    assert settled == [
        ["reported", "MEDIATION_SETTLED", "Số liệu báo cáo", "54.307", "54307"],
        ["counted", "MEDIATION_SETTLED", "Đếm từ sổ cái", "1", "1"],
    ]
    assert {row[0] for row in found["rows"]} == {"reported", "counted"}
