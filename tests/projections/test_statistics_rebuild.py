"""Rebuilding the statistics read model from zero equals catching up after every few steps,
whatever figures were reported, corrected and withdrawn in between (and whatever was refused)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from ledger.application import Clerk
from ledger.commands import Action, StatisticCorrect, StatisticReport, StatisticWithdraw

from .conftest import unit
from .rebuild_property import check_rebuild_from_zero, random_steps

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


@random_steps(step)
def test_rebuild_from_zero_equals_catching_up(steps: list[tuple]) -> None:
    check_rebuild_from_zero(steps, CLERK, UNITS, action, table="read_statistic_facts",
        section="reported", years=(2023, 2024), as_of=date(2024, 8, 1))  # fmt: skip
