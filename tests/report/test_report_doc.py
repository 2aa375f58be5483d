"""docs/report.md's check of a sealed page with Python alone, run against real pages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import sqlite_only
from tests.report.conftest import write_page

REPORT_MD = Path(__file__).resolve().parents[2] / "docs" / "report.md"
LEAD = "An inspector without antq can check a page"


def doc_script(folder: Path) -> Path:
    """The ```python block after the lead sentence, as a file."""
    text = REPORT_MD.read_text("utf-8")
    assert LEAD in text, f"{REPORT_MD} lacks {LEAD!r}"
    found = re.search(r"^```python\n(.*?)^```$", text.split(LEAD, 1)[1], re.S | re.M)
    assert found, f"no python block after {LEAD!r}"
    script = folder / "check_page.py"
    script.write_text(found.group(1), "utf-8")
    return script


@pytest.mark.parametrize("fmt", ["html", "pdf"])
@sqlite_only
def test_the_documented_check_accepts_a_page_and_refuses_a_changed_one(
    scenario: Any, tmp_path: Path, fmt: str, request: pytest.FixtureRequest
) -> None:
    if fmt == "pdf":
        request.getfixturevalue("pdf_drawing")
    script = doc_script(tmp_path)
    page = write_page(scenario, tmp_path, "--year", "2023", "--format", fmt, name=f"r.{fmt}")
    key = scenario.ok("audit", "public-key").split()[0]
    run = subprocess.run([sys.executable, str(script), str(page), key], capture_output=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode().startswith("OK: 57 events, root ")
    data = bytearray(page.read_bytes())
    data[200] ^= 0x01
    page.write_bytes(bytes(data))
    run = subprocess.run([sys.executable, str(script), str(page), key], capture_output=True)
    assert run.returncode != 0 and b"the page was changed" in run.stderr
    other = "ab" * 32
    page.write_bytes(bytes(data[:200]) + bytes([data[200] ^ 0x01]) + bytes(data[201:]))
    run = subprocess.run([sys.executable, str(script), str(page), other], capture_output=True)
    assert run.returncode != 0 and b"InvalidSignature" in run.stderr
