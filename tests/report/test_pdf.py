"""``antq report --format pdf``: the same page drawn by WeasyPrint, read back by a real PDF
reader (pypdf, strict), sealed and checked like the HTML page, the same bytes every time."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.cli.conftest import ANTQ, subprocess_env
from tests.conftest import sqlite_only
from tests.report.conftest import write_page


def pdf_text(path: Path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path, strict=True)
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


@pytest.mark.usefixtures("pdf_drawing")
def test_the_pdf_holds_the_figures_and_is_sealed(scenario: Any, tmp_path: Path) -> None:
    pdf = write_page(scenario, tmp_path, "--year", "2023", "--format", "pdf", name="r.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages, text = pdf_text(pdf)
    assert pages >= 2
    assert "1/4 thôn, khu phố đạt tiêu chuẩn An toàn về ANTT — 25,0%" in text
    assert "X1 HG-2" in text and "333 ngày" in text
    assert scenario.ok("report", "verify", str(pdf)).startswith(f"OK: {pdf} is as written")


@pytest.mark.usefixtures("pdf_drawing")
@sqlite_only
def test_the_pdf_is_the_same_bytes_each_time_and_any_change_is_caught(
    scenario: Any, tmp_path: Path
) -> None:
    (tmp_path / "again").mkdir()
    first = write_page(scenario, tmp_path, "--year", "2023", "--format", "pdf", name="r.pdf")
    again = write_page(scenario, tmp_path / "again", "--year", "2023", "--format", "pdf",
                       name="r.pdf")  # fmt: skip
    assert first.read_bytes() == again.read_bytes()
    data = bytearray(first.read_bytes())
    data[len(data) // 2] ^= 0x01
    first.write_bytes(bytes(data))
    result = scenario("report", "verify", str(first))
    assert result.exit_code == 3
    assert "changed after it was sealed" in result.output


@pytest.mark.usefixtures("pdf_drawing")
@sqlite_only
def test_the_english_pdf_is_in_english(scenario: Any, tmp_path: Path) -> None:
    args = ("--year", "2023", "--format", "pdf", "--lang", "en")
    _, text = pdf_text(write_page(scenario, tmp_path, *args, name="en.pdf"))
    assert "2/6 units in all meet the An toàn về ANTT standard — 33.3%" in text


@sqlite_only
def test_without_weasyprint_the_pdf_is_refused_with_what_to_install(
    scenario: Any, tmp_path: Path
) -> None:
    shadow = tmp_path / "shadow"  # an installation where WeasyPrint cannot be imported
    (shadow / "weasyprint").mkdir(parents=True)
    (shadow / "weasyprint" / "__init__.py").write_text("raise ImportError('not here')\n")
    out = tmp_path / "r.pdf"
    result = subprocess.run(
        [str(ANTQ), "--db", scenario.db_url, "report", "--year", "2023", "--format", "pdf",
         "--out", str(out)],
        capture_output=True, text=True, env={**subprocess_env(), "PYTHONPATH": str(shadow)},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr == "Error: --format pdf needs WeasyPrint: pip install 'antq-ledger[pdf]'\n"
    assert not out.exists()
