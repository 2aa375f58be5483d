"""Rebuilding the classification read model from zero equals catching up after every few steps,
whatever units were assessed, appraised, decided and annulled in between (and whatever was
refused)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from itertools import product
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from ledger.application import Clerk, Ledger
from ledger.commands import (
    Action,
    ClassificationAnnul,
    ClassificationAppraise,
    ClassificationAssess,
    ClassificationDecide,
)
from ledger.errors import LedgerError
from projections.runner import Projector, engine_for
from projections.standings import Point, standings

from .conftest import dump, record, unit

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
            points = [
                Point(),
                Point(as_of=date(2024, 12, 1)),
                *(Point(known_at=m) for m in moments),
            ]

            def all_standings(where: object) -> dict:
                return {
                    (year, scope, point): standings(where, year, scope, point)["classification"]
                    for year, scope, point in product((2023, 2024), (None, "P", "Q"), points)
                }

            assert (
                dump(engine)["read_classification_facts"]
                == dump(elsewhere)["read_classification_facts"]
            )
            assert all_standings(engine) == all_standings(elsewhere)
        finally:
            engine.dispose()
            elsewhere.dispose()
            ledger.close()
