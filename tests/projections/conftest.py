"""Read-model fixtures: the projector over the ledger's own SQLite file, table dumps, and
``antq`` run in-process on the same file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

from cli.main import cli
from ledger.application import Clerk, Ledger
from ledger.commands import Action, UnitRegister
from projections.runner import Projector, engine_for
from projections.schema import metadata

CLERK = "Nguyễn Thị Thư Ký"
HERMETIC = {"ANTQ_DB": None, "ANTQ_ACTOR": None, "ANTQ_ROLE": None}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = engine_for(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def projector(ledger: Ledger, engine: Engine) -> Projector:
    return Projector(ledger, engine)


@pytest.fixture
def antq(db_url: str) -> Antq:
    return Antq(db_url)


def record(ledger: Ledger, clerk: Clerk, *actions: Action) -> None:
    """Execute each action in turn (each must be accepted)."""
    for action in actions:
        ledger.execute(action, clerk)


def moment() -> datetime:
    """A moment strictly between what was recorded before and what is recorded after it."""
    import time

    time.sleep(0.005)
    now = datetime.now(UTC)
    time.sleep(0.005)
    return now


def unit(code: str, kind: str, parent: str | None = None, on: str = "2004-01-01") -> UnitRegister:
    return UnitRegister(code=code, name=f"Đơn vị {code}", kind=kind, parent=parent, effective_on=on)


def dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every read-model table's rows (positions included), in primary-key order."""
    contents = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            contents[table.name] = [dict(row._mapping) for row in connection.execute(query)]
    return contents


def rebuilt_elsewhere(ledger: Ledger, folder: Path) -> dict[str, list[dict[str, Any]]]:
    """The read models projected from zero into a separate database, as a dump."""
    engine = engine_for(f"sqlite:///{folder / 'rebuilt.db'}")
    try:
        Projector(ledger, engine).rebuild()
        return dump(engine)
    finally:
        engine.dispose()


class Antq:
    """``antq --db URL --actor CLERK ARGS...`` in-process; a bug never passes for a refusal."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        result = self.runner.invoke(
            cli,
            ["--db", self.db_url, "--actor", CLERK, "--role", "CA_XA", *args],
            env=HERMETIC,
            prog_name="antq",
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.output,
            result.exc_info,
        )
        return result

    def ok(self, *args: str) -> str:
        """Run a command that must succeed; return what it printed on stdout."""
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))
