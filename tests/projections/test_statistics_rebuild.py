"""Rebuilding the statistics read model from zero equals catching up after every few steps,
whatever figures were reported, corrected and withdrawn in between (and whatever was refused)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from itertools import product
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from ledger.application import Clerk, Ledger
from ledger.commands import Action, StatisticCorrect, StatisticReport, StatisticWithdraw
from ledger.errors import LedgerError
from projections.runner import Projector, engine_for
from projections.standings import Point, standings

from .conftest import dump, record, unit

CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_TINH")
UNITS = (unit("P", "province"), unit("P-C1", "commune", "P"), unit("Q", "province"))
INDICATORS = ("MEDIATION_SETTLED", "MODELS", "UNITS_MEETING_STANDARD_PERCENT", "TIPS_RECEIVED")
PERIODS = (("2013", "2023"), ("2023", "2023"), ("2024-01-01", "2024-06-30"))
SOURCES = ("Báo cáo 1/BC", "Hội nghị tổng kết")
VALUES = ("54.307", "80", "1.000", "98,5", "12")
QUALIFIERS = ("exact", "about", "over", "thousands")
DATES = (date(2024, 7, 1), date(2024, 9, 1), date(2025, 1, 15))

step = st.tuples(
    st.sampled_from(["report", "report", "correct", "withdraw"]),
    st.sampled_from(["P", "P-C1", "Q"]),
    st.sampled_from(INDICATORS),
    st.sampled_from(PERIODS),
    st.sampled_from(SOURCES),
    st.sampled_from(VALUES),
    st.sampled_from(QUALIFIERS),
    st.sampled_from(DATES),
    st.booleans(),  # catch up after it
)


def action(verb: str, unit_code: str, indicator: str, period: tuple[str, str], source: str,
           value: str, qualifier: str, on: date) -> Action:  # fmt: skip
    key = {"unit": unit_code, "indicator": indicator, "period_from": period[0],
           "period_to": period[1], "source": source, "effective_on": on}  # fmt: skip
    if verb == "report":
        return StatisticReport(**key, value=value, qualifier=qualifier, reporting_body="Công an")
    if verb == "correct":
        return StatisticCorrect(**key, value=value, qualifier=qualifier, reason="đính chính")
    return StatisticWithdraw(**key, reason="rút")


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=3, max_size=20))
def test_rebuild_from_zero_equals_catching_up(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'antq.db'}"
        ledger, engine = Ledger(url), engine_for(url)
        elsewhere = engine_for(f"sqlite:///{Path(folder) / 'rebuilt.db'}")
        try:
            record(ledger, CLERK, *UNITS)
            projector = Projector(ledger, engine)
            moments = []
            for n, (*fields, catch_up) in enumerate(steps):
                try:
                    chosen = action(*fields)
                    ledger.execute(chosen, CLERK)
                    note(f"{n}: {chosen!r}")
                except (LedgerError, ValueError) as refused:
                    note(f"{n}: refused: {refused}")
                if catch_up:
                    projector.catch_up()
                    for model in projector.models:
                        model.forget()  # later events recall the record from the log
                if n == len(steps) // 2:
                    moments.append(datetime.now(UTC))
            projector.catch_up()
            Projector(ledger, elsewhere).catch_up()
            points = [Point(), Point(as_of=date(2024, 8, 1)), *(Point(known_at=m) for m in moments)]

            def all_standings(where: object) -> dict:
                return {
                    (year, scope, point): standings(where, year, scope, point)["reported"]
                    for year, scope, point in product((2023, 2024), (None, "P", "Q"), points)
                }

            assert dump(engine)["read_statistic_facts"] == dump(elsewhere)["read_statistic_facts"]
            assert all_standings(engine) == all_standings(elsewhere)
        finally:
            engine.dispose()
            elsewhere.dispose()
            ledger.close()
