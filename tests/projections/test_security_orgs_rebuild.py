"""Rebuilding the security-organisation read model from zero equals catching up after every few
steps, whatever bodies were established, changed and disbanded in between (and whatever was
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
    SecurityOrgChange,
    SecurityOrgDisband,
    SecurityOrgEstablish,
    UnitDissolve,
)
from ledger.errors import LedgerError
from projections.runner import Projector, engine_for
from projections.standings import Point, standings

from .conftest import dump, record, unit

CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")
UNITS = (unit("P", "province"), unit("P-C1", "commune", "P"), unit("P-C2", "commune", "P"),
         unit("Q", "province"), unit("Q-C1", "commune", "Q"))  # fmt: skip
KINDS = ("steering_board", "security_team", "social_security_team")
DATES = (date(2024, 3, 1), date(2024, 7, 1), date(2024, 9, 1), date(2025, 1, 15))

step = st.tuples(
    st.sampled_from(["establish", "establish", "change", "disband", "dissolve"]),
    st.sampled_from(["P-C1", "P-C2", "Q-C1"]),
    st.sampled_from(["A", "B"]),
    st.sampled_from(KINDS),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=60),
    st.sampled_from(DATES),
    st.booleans(),  # catch up after it
)


def action(verb: str, unit_code: str, code: str, kind: str, members: int, covered: int,
           on: date) -> Action:  # fmt: skip
    key = {"unit": unit_code, "code": code, "effective_on": on}
    if verb == "establish":
        return SecurityOrgEstablish(**key, kind=kind, name=f"Tổ {code}", members=members,
                                    households_covered=covered, households_in_area=50,
                                    source="QĐ 1")  # fmt: skip
    if verb == "change":
        return SecurityOrgChange(**key, members=members, source="BC 2")
    if verb == "dissolve":
        return UnitDissolve(code=unit_code, effective_on=on)
    return SecurityOrgDisband(**key, reason="giải thể")


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
                    (year, scope, point): standings(where, year, scope, point)[
                        "security_organisations"
                    ]
                    for year, scope, point in product((2024, 2025), (None, "P", "Q"), points)
                }

            table = "read_security_org_facts"
            assert dump(engine)[table] == dump(elsewhere)[table]
            assert all_standings(engine) == all_standings(elsewhere)
        finally:
            engine.dispose()
            elsewhere.dispose()
            ledger.close()
