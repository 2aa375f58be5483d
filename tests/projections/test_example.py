"""The shared example: the 40-line province gives the standings its companion file states."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from ledger.application import Clerk, Ledger
from ledger.imports import import_file
from projections.runner import Projector
from projections.standings import standings

from ..conftest import EXAMPLES
from .conftest import Antq

PROVINCE = EXAMPLES / "small-province.jsonl"
EXPECTED: dict[str, Any] = json.loads(
    (EXAMPLES / "small-province.standings-2023.json").read_text("utf-8")
)


def stated(result: dict[str, Any]) -> dict[str, Any]:
    """The parts of a standings result that the example file states."""
    return {key: result[key] for key in EXPECTED}


@pytest.fixture
def imported(antq: Antq) -> Antq:
    antq.ok("import", str(PROVINCE))
    return antq


def test_the_example_province_gives_the_standings_of_its_companion_file(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector
) -> None:
    import_file(ledger, PROVINCE, clerk)
    projector.catch_up()

    assert stated(standings(engine, 2023, "TN")) == EXPECTED


def test_antq_standings_json_gives_the_standings_of_the_companion_file(imported: Antq) -> None:
    result = imported.json("standings", "--year", "2023", "--scope", "TN")

    assert stated(result) == EXPECTED


def test_antq_standings_prints_the_example_as_a_table(imported: Antq) -> None:
    assert imported.ok("standings", "--year", "2023", "--scope", "TN") == TABLE


TABLE = """\
Standings 2023 — TN
An toàn về ANTT                          registered recognised denied annulled  ratio
  thôn, khu phố (residential areas)               4          2      1        1  50.00%
  xã, phường, thị trấn (communes)                 2          2      0        0 100.00%
  cơ quan, doanh nghiệp, cơ sở giáo dục           1          1      0        0 100.00%
  flagged: TN-X1 (commune_below_70_percent)
  flagged: TN-X2 (commune_below_70_percent)
Models: 2 active at 3 sites, 1 recognised effective
  an ninh trật tự: 2
Awards:
  province bang_khen: 1 collective, 2 individual
Mediation: 4 received, 2 settled, 0 failed, 1 referred, 1 open
"""


def test_a_scope_named_by_its_unit_name_gives_the_same_standings(imported: Antq) -> None:
    by_name = imported.json("standings", "--year", "2023", "--scope", "tỉnh thử  nghiệm")

    assert stated(by_name) == EXPECTED
