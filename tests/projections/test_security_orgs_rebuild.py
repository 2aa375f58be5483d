"""Rebuilding the security-organisation read model from zero equals catching up after every few
steps, whatever bodies were established, changed and disbanded in between (and whatever was
refused)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from ledger.application import Clerk
from ledger.commands import (
    Action,
    SecurityOrgChange,
    SecurityOrgDisband,
    SecurityOrgEstablish,
    UnitDissolve,
)

from .conftest import unit
from .rebuild_property import check_rebuild_from_zero, random_steps

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


@random_steps(step)
def test_rebuild_from_zero_equals_catching_up(steps: list[tuple]) -> None:
    check_rebuild_from_zero(steps, CLERK, UNITS, action, table="read_security_org_facts",
        section="security_organisations", years=(2024, 2025), as_of=date(2024, 8, 1))  # fmt: skip
