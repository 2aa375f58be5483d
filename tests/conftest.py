"""Shared fixtures: a ledger on each storage, a real SQLite file in a temporary folder and a real
PostgreSQL database (when ANTQ_TEST_POSTGRES names a server; otherwise those tests skip)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Clerk, Ledger
from tests.browser import browser  # noqa: F401  (the headless Chromium fixture)
from tests.postgres import PostgresServer

# Copies of the project's shared examples (the 40-line province and its expected standings).
EXAMPLES = Path(__file__).resolve().parent / "data"


def pytest_report_header(config: pytest.Config) -> list[str]:
    from tests.browser import find_chromium

    if os.environ.get("ANTQ_TEST_POSTGRES"):
        lines = [f"PostgreSQL tests: against {os.environ['ANTQ_TEST_POSTGRES']}"]
    else:
        lines = ["PostgreSQL tests: skipped (set ANTQ_TEST_POSTGRES to a postgresql:// URL)"]
    chromium = find_chromium()
    if chromium:
        lines.append(f"Browser tests: in {chromium}")
    else:
        lines.append("Browser tests: skipped (no headless Chromium: apt-get install chromium)")
    return lines


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A ledger in a new SQLite file (for tests of what only a file has)."""
    return f"sqlite:///{tmp_path / 'antq.db'}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The server of ANTQ_TEST_POSTGRES; the tests that need it skip, saying so, when unset."""
    url = os.environ.get("ANTQ_TEST_POSTGRES")
    if not url:
        pytest.skip("PostgreSQL: set ANTQ_TEST_POSTGRES to a postgresql:// URL to run")
    server = PostgresServer(url)
    yield server
    server.drop_all()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[str]:
    """A ledger in an empty PostgreSQL database, its signing key in the test's folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANTQ_SIGNING_KEY", str(tmp_path / "antq.signing-key"))
        yield postgres_server.empty_database()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A new ledger on each storage in turn."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    app = Ledger(db_url)
    yield app
    app.close()


@pytest.fixture
def clerk() -> Clerk:
    return Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")


# For a test of what only an SQLite file has (its bytes on disk, SQLite's loose column types).
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
