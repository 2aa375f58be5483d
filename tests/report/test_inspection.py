"""The page's figures, read from the read models: the flags, the series over the years, and
agreement with ``standings`` (the page never counts differently from the rest of the ledger)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from ledger.application import Clerk, Ledger
from ledger.imports import import_bytes
from projections.inspection import YEARS_SHOWN, FieldCount, Flag, inspect
from projections.runner import Projector, engine_for
from projections.standings import Point, standings
from tests.report.conftest import SCENARIO


@pytest.fixture
def engine(ledger: Ledger, clerk: Clerk, db_url: str) -> Iterator[Engine]:
    import_bytes(ledger, SCENARIO.name, SCENARIO.read_bytes(), clerk)
    engine = engine_for(db_url)
    Projector(ledger, engine).catch_up()
    yield engine
    engine.dispose()


def test_every_kind_of_flag_is_found(engine: Engine) -> None:
    found = inspect(engine, 2023, None, Point(), 30)
    assert found.flags == [
        Flag("commune_below_70_percent", "X1", "Xã Hòa Bình", None, "1/3"),
        Flag("recognition_annulled", "KP4", "Thôn 4", date(2024, 4, 15), "24/QĐ-UBND"),
        Flag("award_annulled", "1/QĐ-UBND", "UBND-TN", date(2023, 9, 1), "bang_khen"),
        Flag("case_open_too_long", "X1 HG-2", "Xã Hòa Bình", date(2023, 2, 1), "333"),
    ]
    assert found.reference_date == date(2023, 12, 31)


def test_the_series_runs_over_the_years_with_facts_up_to_the_one_reported(engine: Engine) -> None:
    assert list(inspect(engine, 2023, None, Point(), 30).history) == [2022, 2023]
    assert list(inspect(engine, 2022, None, Point(), 30).history) == [2022]
    # A year with no facts yet is still reported, after the years that have some.
    assert list(inspect(engine, 2030, None, Point(), 30).history) == [2022, 2023, 2030]
    assert YEARS_SHOWN == 10
    # Years the ledger did not yet know of at --known-at are not shown.
    long_ago = Point(known_at=datetime(2000, 1, 1, tzinfo=UTC))
    assert list(inspect(engine, 2023, None, long_ago, 30).history) == [2023]


def test_the_page_counts_as_standings_do(engine: Engine) -> None:
    for scope in (None, "TN", "X1", "X2"):
        for point in (Point(), Point(as_of=date(2023, 11, 30))):
            found = inspect(engine, 2023, scope, point, 30)
            assert found.standings == standings(engine, 2023, scope, point)
            for year, shown in found.history.items():
                assert shown == standings(engine, year, scope, point)
            # 2022 is charted only where the scope has figures for it.
            assert (2022 in found.history) == (scope != "X2")


def test_models_are_counted_by_field_with_their_sites_in_scope(engine: Engine) -> None:
    assert inspect(engine, 2023, None, Point(), 30).fields == [
        FieldCount("an ninh trật tự", 1, 2),
        FieldCount("phòng, chống ma túy", 1, 1),
    ]
    assert inspect(engine, 2023, "X2", Point(), 30).fields == [
        FieldCount("phòng, chống ma túy", 1, 1)
    ]
    assert inspect(engine, 2022, None, Point(), 30).fields == [FieldCount("an ninh trật tự", 1, 1)]


def test_an_annulment_after_the_legal_date_asked_is_not_yet_a_flag(engine: Engine) -> None:
    found = inspect(engine, 2023, None, Point(as_of=date(2024, 1, 31)), 30)
    assert "recognition_annulled" not in {flag.rule for flag in found.flags}
    assert found.reference_date == date(2023, 12, 31)  # year end comes before the date asked
