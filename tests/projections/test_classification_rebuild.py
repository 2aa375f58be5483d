"""Rebuilding the classification read model from zero equals catching up after every few steps,
whatever units were assessed, appraised, decided and annulled in between (and whatever was
refused)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from ledger.application import Clerk
from ledger.commands import (
    Action,
    ClassificationAnnul,
    ClassificationAppraise,
    ClassificationAssess,
    ClassificationDecide,
)

from .conftest import unit
from .rebuild_property import check_rebuild_from_zero, random_steps

CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="UBND_TINH")
UNITS = (
    unit("P", "province"),
    unit("P-C1", "commune", "P"),
    unit("P-R1", "residential_area", "P-C1"),
    unit("P-S1", "school", "P-C1"),
    unit("Q", "province"),
    unit("Q-E1", "enterprise", "Q"),
)
GRADES = ("xuat_sac", "kha", "trung_binh", "yeu")
SCORES = ("92,5", "80", "100", "0", "65.25")
DATES = (date(2024, 11, 19), date(2024, 11, 29), date(2024, 12, 10), date(2025, 1, 15))

step = st.tuples(
    st.sampled_from(["assess", "assess", "appraise", "decide", "annul"]),
    st.sampled_from(["P-C1", "P-R1", "P-S1", "Q-E1", "P"]),
    st.sampled_from((2023, 2024)),
    st.sampled_from(GRADES),
    st.sampled_from(SCORES),
    st.sampled_from(DATES),
    st.booleans(),  # catch up after it
)


def action(verb: str, code: str, year: int, grade: str, score: str, on: date) -> Action:
    key = {"unit": code, "year": year, "effective_on": on}
    if verb == "assess":
        return ClassificationAssess(**key, score=score, proposed_grade=grade, dossier="TTr")
    if verb == "appraise":
        return ClassificationAppraise(**key, score=score, proposed_grade=grade, appraiser="CA")
    if verb == "decide":
        return ClassificationDecide(**key, grade=grade, decision="1/QĐ", decided_by="UBND")
    return ClassificationAnnul(**key, reason="hủy")


@random_steps(step)
def test_rebuild_from_zero_equals_catching_up(steps: list[tuple]) -> None:
    check_rebuild_from_zero(steps, CLERK, UNITS, action, table="read_classification_facts",
        section="classification", years=(2023, 2024), as_of=date(2024, 12, 1))  # fmt: skip
