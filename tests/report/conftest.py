"""Fixtures of the inspector's page: a two-year ledger with something of every flag, and the
page written from it."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from tests.cli.conftest import Antq

SCENARIO = Path(__file__).parent.parent / "data" / "inspection-2022-2023.jsonl"


@pytest.fixture
def antq(db_url: str) -> Antq:
    return Antq(db_url)


@pytest.fixture
def scenario(antq: Antq) -> Antq:
    """Tỉnh Thử Nghiệm in 2022 and 2023: commune X1 recognised with 1 of its 3 areas, KP4's
    recognition annulled in 2024, award 1/QĐ-UBND annulled, case X1 HG-2 open since 01/02/2023,
    X2 HG-3 open since 20/12/2023."""
    antq.ok("import", str(SCENARIO))
    return antq


@pytest.fixture
def pdf_drawing() -> None:
    """Skip where WeasyPrint cannot draw (the Pango library missing), saying what to install;
    fail instead under ANTQ_REQUIRE_BROWSER=1, as in CI, which installs it."""
    from ledger.errors import NotInstalled
    from projections.pdf import pdf_maker

    try:
        pdf_maker()
    except NotInstalled as missing:
        if os.environ.get("ANTQ_REQUIRE_BROWSER") == "1":
            pytest.fail(str(missing), pytrace=False)
        pytest.skip(str(missing))


def write_page(antq: Antq, folder: Path, *args: str, name: str = "report.html") -> Path:
    """``antq report ARGS --out FOLDER/NAME``; the page written."""
    out = folder / name
    antq.ok("report", *args, "--out", str(out))
    return out


def text_of(page: Path) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    body = page.read_text("utf-8")
    body = re.sub(r"<(style|svg)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
