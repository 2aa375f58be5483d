"""Shared fixtures: a ledger on a real SQLite file in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Clerk, Ledger

# Copies of the project's shared examples (the 40-line province and its expected standings).
EXAMPLES = Path(__file__).resolve().parent / "data"


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get("ANTQ_TEST_POSTGRES"):
        return f"PostgreSQL tests: against {os.environ['ANTQ_TEST_POSTGRES']}"
    return "PostgreSQL tests: skipped (set ANTQ_TEST_POSTGRES to a postgresql:// URL to run them)"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'antq.db'}"


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    app = Ledger(db_url)
    yield app
    app.close()


@pytest.fixture
def clerk() -> Clerk:
    return Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")
