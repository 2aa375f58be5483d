"""Both time axes: what was in force on a legal date (as_of), what was known at a moment
(known_at). Recording times are the wall clock, so each test captures a moment between two
recordings instead of naming a calendar date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from ledger.application import Clerk, Ledger
from ledger.commands import SafetyAnnul, SafetyRecognise, SafetyRegister
from projections.runner import Projector
from projections.standings import Point, standings

from .conftest import Antq, moment, record, unit

PROVINCE = (
    unit("P", "province"),
    unit("P-X1", "commune", "P"),
    unit("P-X1-T1", "residential_area", "P-X1"),
    unit("P-X1-T2", "residential_area", "P-X1"),
)


def areas(result: dict[str, Any]) -> dict[str, int]:
    """Residential-area counts: registered, recognised, denied, annulled."""
    counts = result["safety"]["residential_area"]
    return {key: counts[key] for key in ("registered", "recognised", "denied", "annulled")}


RECOGNISED = {"registered": 1, "recognised": 1, "denied": 0, "annulled": 0}
ANNULLED = {"registered": 1, "recognised": 0, "denied": 0, "annulled": 1}
PENDING = {"registered": 1, "recognised": 0, "denied": 0, "annulled": 0}


@pytest.fixture
def annulled(ledger: Ledger, clerk: Clerk, projector: Projector) -> datetime:
    """T1 recognised for 2024 on 20/12/2024, annulled with effect from April 2025; returns a
    moment after the recognition and before the annulment were recorded."""
    record(
        ledger,
        clerk,
        *PROVINCE,
        SafetyRegister(unit="P-X1-T1", year=2024, effective_on="15/02/2024"),
        SafetyRecognise(unit="P-X1-T1", year=2024, effective_on="20/12/2024", decision="9/QĐ"),
    )
    before_annulment = moment()
    record(
        ledger,
        clerk,
        SafetyAnnul(unit="P-X1-T1", year=2024, effective_on="15/04/2025", reason="hồ sơ sai"),
    )
    projector.catch_up()
    return before_annulment


@pytest.fixture
def back_dated(ledger: Ledger, clerk: Clerk, projector: Projector) -> datetime:
    """T2's recognition dated 25/12/2024 but recorded later; returns a moment before it was
    recorded."""
    record(
        ledger,
        clerk,
        *PROVINCE,
        SafetyRegister(unit="P-X1-T2", year=2024, effective_on="15/02/2024"),
    )
    before_entry = moment()
    record(ledger, clerk, SafetyRecognise(unit="P-X1-T2", year=2024, effective_on="25/12/2024"))
    projector.catch_up()
    return before_entry


def test_an_annulled_recognition_still_counts_as_the_ledger_knew_it_before_the_annulment(
    engine: Engine, annulled: datetime
) -> None:
    assert areas(standings(engine, 2024, "P", Point(known_at=annulled))) == RECOGNISED


def test_an_annulled_recognition_counts_as_annulled_now(engine: Engine, annulled: datetime) -> None:
    assert areas(standings(engine, 2024, "P")) == ANNULLED


def test_an_annulment_effective_after_the_as_of_date_is_not_yet_in_force(
    engine: Engine, annulled: datetime
) -> None:
    assert areas(standings(engine, 2024, "P", Point(as_of=date(2024, 12, 31)))) == RECOGNISED


def test_an_annulment_in_force_by_the_as_of_date_counts_even_as_of_that_date(
    engine: Engine, annulled: datetime
) -> None:
    assert areas(standings(engine, 2024, "P", Point(as_of=date(2025, 4, 15)))) == ANNULLED


def test_a_back_dated_recognition_is_unknown_before_it_was_recorded(
    engine: Engine, back_dated: datetime
) -> None:
    assert areas(standings(engine, 2024, "P", Point(known_at=back_dated))) == PENDING


def test_a_back_dated_recognition_counts_now(engine: Engine, back_dated: datetime) -> None:
    assert areas(standings(engine, 2024, "P")) == RECOGNISED


def test_a_back_dated_recognition_counts_as_of_a_date_after_its_legal_date(
    engine: Engine, back_dated: datetime
) -> None:
    assert areas(standings(engine, 2024, "P", Point(as_of=date(2024, 12, 31)))) == RECOGNISED


def test_both_axes_combine_a_legal_date_and_a_moment_of_knowledge(
    engine: Engine, back_dated: datetime
) -> None:
    point = Point(as_of=date(2024, 12, 31), known_at=back_dated)

    assert areas(standings(engine, 2024, "P", point)) == PENDING


def test_units_registered_after_the_known_at_moment_are_outside_every_scope(
    engine: Engine, annulled: datetime, ledger: Ledger, clerk: Clerk, projector: Projector
) -> None:
    before_unit = moment()
    record(
        ledger,
        clerk,
        unit("P-X1-T3", "residential_area", "P-X1"),
        SafetyRegister(unit="P-X1-T3", year=2024, effective_on="15/03/2024"),
    )
    projector.catch_up()

    assert areas(standings(engine, 2024, "P", Point(known_at=before_unit))) == ANNULLED


def test_antq_standings_known_at_reports_what_the_ledger_knew_then(
    antq: Antq, annulled: datetime
) -> None:
    result = antq.json(
        "standings", "--year", "2024", "--scope", "P", "--known-at", annulled.isoformat()
    )

    assert (result["known_at"], areas(result)) == (annulled.isoformat(), RECOGNISED)


def test_antq_standings_now_no_longer_counts_the_annulled_recognition(
    antq: Antq, annulled: datetime
) -> None:
    assert areas(antq.json("standings", "--year", "2024", "--scope", "P")) == ANNULLED


def test_antq_standings_as_of_year_end_counts_the_recognition(
    antq: Antq, annulled: datetime
) -> None:
    result = antq.json("standings", "--year", "2024", "--scope", "P", "--as-of", "31/12/2024")

    assert (result["as_of"], areas(result)) == ("2024-12-31", RECOGNISED)


def test_antq_standings_table_names_both_time_axes(antq: Antq, annulled: datetime) -> None:
    output = antq.ok(
        "standings", "--year", "2024", "--scope", "P", "--as-of", "2024-12-31",
        "--known-at", annulled.isoformat(),
    )  # fmt: skip

    assert output.splitlines()[0] == (
        f"Standings 2024 — P (as of 2024-12-31, as known at {annulled.isoformat()})"
    )


def trail(antq: Antq, *options: str) -> list[str]:
    history = antq.json("history", "safety", "P-X1-T1", "2024", *options)
    return [entry["event"] for entry in history]


def test_antq_history_known_at_leaves_out_the_later_annulment(
    antq: Antq, annulled: datetime
) -> None:
    assert trail(antq, "--known-at", annulled.isoformat()) == ["Registered", "Recognised"]


def test_antq_history_now_shows_the_annulment(antq: Antq, annulled: datetime) -> None:
    assert trail(antq) == ["Registered", "Recognised", "Annulled"]


def test_antq_history_as_of_leaves_out_an_annulment_effective_later(
    antq: Antq, annulled: datetime
) -> None:
    assert trail(antq, "--as-of", "2024-12-31") == ["Registered", "Recognised"]


def test_antq_history_known_at_leaves_out_a_back_dated_entry(
    antq: Antq, back_dated: datetime
) -> None:
    history = antq.json(
        "history", "safety", "P-X1-T2", "2024", "--known-at", back_dated.isoformat()
    )

    assert [entry["event"] for entry in history] == ["Registered"]
