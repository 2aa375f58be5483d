"""``antq report`` and ``antq report verify``: the same log gives the same bytes, the seal
catches any change, the footer's checkpoint is the ledger's, and bad input writes nothing."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import sqlite_only
from tests.report.conftest import text_of, write_page


def test_the_same_log_gives_the_same_bytes(scenario: Any, tmp_path: Path) -> None:
    first = write_page(scenario, tmp_path, "--year", "2023", name="first.html").read_bytes()
    second = write_page(scenario, tmp_path, "--year", "2023", name="first.html").read_bytes()
    assert first == second
    scenario.ok("projections", "rebuild")
    assert write_page(scenario, tmp_path, "--year", "2023", name="first.html").read_bytes() == first


def test_a_new_event_changes_the_page_and_its_checkpoint(scenario: Any, tmp_path: Path) -> None:
    before = write_page(scenario, tmp_path, "--year", "2023", name="a.html").read_bytes()
    scenario.ok("safety", "register", "--unit", "X2", "--year", "2023", "--on", "2023-03-01")
    after = write_page(scenario, tmp_path, "--year", "2023", name="a.html")
    assert after.read_bytes() != before
    assert "1/7 đơn vị (tổng cộng)" not in text_of(after)  # X2 registered, not yet decided
    assert "2/7 đơn vị (tổng cộng) đạt tiêu chuẩn An toàn về ANTT — 28,6%" in text_of(after)


def test_verify_accepts_the_page_with_the_ledgers_public_key(scenario: Any, tmp_path: Path) -> None:
    page = write_page(scenario, tmp_path, "--year", "2023")
    key = scenario.ok("audit", "public-key").split()[0]
    out = scenario.ok("report", "verify", str(page), "--public-key", key)
    assert out.startswith(f"OK: {page} is as written from the log of 57 events up to position")
    assert key in html.unescape(page.read_text("utf-8"))  # the footer names the key to check


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: b.replace(b"25,0%", b"52,0%", 1), id="a figure"),
        pytest.param(lambda b: b.replace(b"<h1>", b"<h1> ", 1), id="one space"),
        pytest.param(lambda b: b[:-20], id="a cut seal"),
        pytest.param(lambda b: re.sub(rb'"log_position":\d+', b'"log_position":9', b), id="seal"),
        pytest.param(lambda b: b + b"<p>added</p>\n", id="text after the seal"),
    ],
)
@sqlite_only
def test_verify_refuses_a_changed_page(scenario: Any, tmp_path: Path, change: Any) -> None:
    page = write_page(scenario, tmp_path, "--year", "2023")
    page.write_bytes(change(page.read_bytes()))
    result = scenario("report", "verify", str(page))
    assert result.exit_code == 3, result.output
    assert result.output.startswith("Error: ") and str(page) in result.output
    assert len(result.output.splitlines()) == 1


@sqlite_only
def test_verify_refuses_another_ledgers_key(scenario: Any, tmp_path: Path) -> None:
    page = write_page(scenario, tmp_path, "--year", "2023")
    result = scenario("report", "verify", str(page), "--public-key", "ab" * 32)
    assert result.exit_code == 3
    assert "key" in result.output


def test_the_footers_checkpoint_is_one_audit_verify_accepts(scenario: Any, tmp_path: Path) -> None:
    page = write_page(scenario, tmp_path, "--year", "2023").read_text("utf-8")
    checkpoint = re.search(r'<pre id="checkpoint">(.*?)</pre>', page, re.S)
    assert checkpoint is not None
    digest = tmp_path / "checkpoint.json"
    digest.write_text(html.unescape(checkpoint.group(1)), "utf-8")
    assert scenario.ok("audit", "verify", "--digest", str(digest)).startswith("OK: 57 events")


def test_the_page_fetches_nothing_and_runs_nothing(scenario: Any, tmp_path: Path) -> None:
    page = write_page(scenario, tmp_path, "--year", "2023").read_text("utf-8")
    assert "<script" not in page and "://" not in page.replace('xmlns="http://www.w3.org', "")
    assert re.search(r"\b(src|href)=", page) is None
    assert "default-src 'none'" in page


def test_known_at_shows_what_the_ledger_knew_before_an_annulment(
    scenario: Any, tmp_path: Path
) -> None:
    before = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    scenario.ok("safety", "annul", "--unit", "KP1", "--year", "2023", "--on", "2024-05-02",
                "--reason", "hồ sơ không trung thực")  # fmt: skip
    now = text_of(write_page(scenario, tmp_path, "--year", "2023"))
    assert "0/4 thôn, khu phố đạt tiêu chuẩn An toàn về ANTT — 0,0%" in now
    assert "Công nhận An toàn về ANTT bị hủy — 2" in now
    then = text_of(write_page(scenario, tmp_path, "--year", "2023", "--known-at", before))
    assert "1/4 thôn, khu phố đạt tiêu chuẩn An toàn về ANTT — 25,0%" in then
    assert "Công nhận An toàn về ANTT bị hủy — 1" in then
    assert "Theo những gì sổ cái đã ghi đến" in then


def test_as_of_shows_the_year_before_its_decisions(scenario: Any, tmp_path: Path) -> None:
    text = text_of(write_page(scenario, tmp_path, "--year", "2023", "--as-of", "30/06/2023"))
    assert "0/4 thôn, khu phố đạt tiêu chuẩn An toàn về ANTT — 0,0%" in text
    assert "Hiệu lực đến ngày 30/06/2023" in text
    assert "(tính đến 30/06/2023)" in text  # open cases are judged at the legal date asked


def test_a_scope_counts_only_the_units_below_it(scenario: Any, tmp_path: Path) -> None:
    text = text_of(write_page(scenario, tmp_path, "--year", "2023", "--scope", "X2"))
    assert "Xã Thủy An (X2)" in text
    assert "0/1 thôn, khu phố đạt tiêu chuẩn An toàn về ANTT — 0,0%" in text
    assert "X1 HG-2" not in text


def test_open_days_sets_when_an_open_case_is_flagged(scenario: Any, tmp_path: Path) -> None:
    text = text_of(write_page(scenario, tmp_path, "--year", "2023", "--open-days", "7"))
    assert "X1 HG-2" in text and "X2 HG-3" in text  # open 333 and 11 days at 31/12/2023
    text = text_of(write_page(scenario, tmp_path, "--year", "2023", "--open-days", "400"))
    assert "Vụ việc hòa giải chưa có kết quả" not in text


def test_the_file_name_does_not_change_the_bytes(scenario: Any, tmp_path: Path) -> None:
    one = write_page(scenario, tmp_path, "--year", "2023", name="one.html").read_bytes()
    other = write_page(scenario, tmp_path, "--year", "2023", name="bao cao.html").read_bytes()
    assert one == other


@pytest.mark.usefixtures("pdf_drawing")
@sqlite_only
def test_a_pdf_suffix_writes_a_pdf(scenario: Any, tmp_path: Path) -> None:
    assert write_page(scenario, tmp_path, "--year", "2023", name="r.pdf").read_bytes()[:5] == (
        b"%PDF-"
    )


def checkpoints(antq: Any) -> str:
    """`antq audit verify`'s line: it counts the signed checkpoints the ledger keeps."""
    return antq.ok("audit", "verify")


def documents(folder: Path) -> dict[str, bytes]:
    """The folder's files but the database's own (which reads touch), with their bytes."""
    database = {"antq.db", "antq.db-wal", "antq.db-shm"}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()
            and p.name not in database}  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--out", "r.html"], 2, "give --year YEAR and --out FILE"),
        (["--year", "2023"], 2, "give --year YEAR and --out FILE"),
        (["--year", "1800", "--out", "r.html"], 2, "--year"),
        (["--year", "2023", "--scope", "NOWHERE", "--out", "r.html"], 1, "NOWHERE"),
        (["--year", "2023", "--as-of", "31/02/2023", "--out", "r.html"], 2, "--as-of"),
        (["--year", "2023", "--lang", "fr", "--out", "r.html"], 2, "--lang"),
        (["--year", "2023", "--out", "missing/r.html"], 2, "missing: no such folder"),
        (["--year", "2023", "--out", "notes.txt"], 2, "notes.txt exists and is not a page"),
        (["--year", "2023", "--out", "antq.db"], 2, "antq.db exists and is not a page antq"),
        (["--year", "2023", "--out", "antq.db.signing-key"], 2, "is not a page antq wrote"),
        (["--year", "2023", "--out", "."], 2, "--out"),
    ],
)
@sqlite_only
def test_bad_input_names_the_problem_and_writes_and_signs_nothing(
    scenario: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int,
    message: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    earlier = write_page(scenario, tmp_path, "--year", "2022", name="r.html").read_bytes()
    (tmp_path / "notes.txt").write_text("someone's notes", "utf-8")
    # A new event: a report that got as far as signing would sign a new checkpoint for it.
    scenario.ok("safety", "register", "--unit", "X2", "--year", "2023", "--on", "2023-03-01")
    before = checkpoints(scenario)
    files = documents(tmp_path)
    result = scenario("report", *args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert documents(tmp_path) == files
    assert (tmp_path / "r.html").read_bytes() == earlier
    assert checkpoints(scenario) == before


@sqlite_only
def test_a_page_antq_wrote_is_replaced_by_a_new_one(scenario: Any, tmp_path: Path) -> None:
    first = write_page(scenario, tmp_path, "--year", "2022").read_bytes()
    assert write_page(scenario, tmp_path, "--year", "2023").read_bytes() != first


def test_a_year_without_figures_says_so(scenario: Any, tmp_path: Path) -> None:
    text = text_of(write_page(scenario, tmp_path, "--year", "2031"))
    assert "Sổ cái chưa ghi số liệu nào của năm 2031 trong phạm vi này" in text
    assert "chưa ghi số liệu" not in text_of(write_page(scenario, tmp_path, "--year", "2023"))
