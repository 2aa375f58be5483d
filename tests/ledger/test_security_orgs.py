"""Security organisations (ban chỉ đạo ANTT, tổ bảo vệ ANTT, tổ an ninh xã hội): established,
changed and disbanded over time; member counts only; every refusal names what is wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    SecurityOrgChange,
    SecurityOrgDisband,
    SecurityOrgEstablish,
    UnitDissolve,
    UnitMerge,
    UnitRegister,
    build,
    parse_action,
)
from ledger.errors import InvalidInput, NotFoundError, RuleViolation

from .support import events, record, refusal

DECISION = "Quyết định 12/QĐ-UBND ngày 10/01/2024"


def establish(**fields: Any) -> SecurityOrgEstablish:
    values = {"unit": "TN-X1", "code": "ANXH-01", "kind": "social_security_team",
              "name": "Tổ an ninh xã hội thôn 1", "members": 7, "households_covered": 118,
              "households_in_area": 120, "source": DECISION, "effective_on": "10/01/2024",
              **fields}  # fmt: skip
    return SecurityOrgEstablish(**values)


def change(**fields: Any) -> SecurityOrgChange:
    values = {"unit": "TN-X1", "code": "ANXH-01", "source": "Báo cáo 6 tháng 2024",
              "effective_on": "2024-07-01", **fields}  # fmt: skip
    return SecurityOrgChange(**values)


def disband(**fields: Any) -> SecurityOrgDisband:
    values = {"unit": "TN-X1", "code": "ANXH-01", "reason": "sáp nhập thôn",
              "effective_on": "2025-03-01", **fields}  # fmt: skip
    return SecurityOrgDisband(**values)


def test_lifecycle_established_changed_disbanded(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, establish(), change(members=9, households_covered=120), disband())
    assert events(province, "security-org", "TN-X1", "ANXH-01") == [
        "Established",
        "Changed",
        "Disbanded",
    ]
    # The unit is found by its name too, and the body's code in any case.
    trail = province.history("security-org", ["Xã Hòa Bình", "anxh-01"])
    assert trail[0]["members"] == 7
    assert trail[1]["members"] == 9
    assert trail[1]["households_covered"] == 120
    assert trail[1]["households_in_area"] == 120  # kept from before
    assert trail[2]["reason"] == "sáp nhập thôn"
    # Before the change took effect, the record stood as established.
    assert len(province.history("security-org", ["TN-X1", "ANXH-01"], as_of=date(2024, 6, 30))) == 1


def test_members_are_counts_never_names(province: Ledger, clerk: Clerk) -> None:
    line = {"action": "security-org.establish", "unit": "TN-X1", "code": "BCĐ",
            "kind": "steering_board", "name": "Ban chỉ đạo xã", "members": 12,
            "source": DECISION, "effective_on": "2024-01-10",
            "member_names": ["Nguyễn Văn A"]}  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        parse_action(line)
    assert caught.value.problems == ["member_names: unknown field"]
    del line["member_names"]
    record(province, clerk, parse_action(line))
    trail = province.history("security-org", ["TN-X1", "BCĐ"])
    assert trail[0]["households_covered"] is None


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"members": -1}, "members: -1: a count cannot be negative"),
        ({"members": "bảy"}, "members: 'bảy' is not a whole number"),
        ({"households_covered": 121}, "households_in_area: 121 households covered cannot "
                                      "exceed the 120 in the area"),
        ({"kind": "mediation_team"}, "kind: Input should be 'steering_board', 'security_team' "
                                     "or 'social_security_team'"),
        ({"code": "A/B"}, "code: 'A/B': a code may not contain '/'"),
    ],
)  # fmt: skip
def test_invalid_input_is_refused_by_field(fields: dict[str, Any], problem: str) -> None:
    values = {"unit": "TN-X1", "code": "ANXH-01", "kind": "social_security_team",
              "name": "Tổ 1", "members": 7, "households_covered": 118,
              "households_in_area": 120, "source": DECISION, "effective_on": "10/01/2024",
              **fields}  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        build(SecurityOrgEstablish, **values)
    assert caught.value.problems[0].startswith(problem)


def test_refusals_name_what_is_wrong(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, establish())
    again = refusal(province, clerk, establish(effective_on="2024-02-01"))
    assert again.error is RuleViolation and again.wrote_nothing
    assert "security-org TN-X1 ANXH-01 is already recorded" in again.message
    # Households covered above the households in the area, as they stand after the change.
    above = refusal(province, clerk, change(households_covered=121))
    assert above.error is RuleViolation
    assert "121 households covered cannot exceed the 120 households in the area" in above.message
    same = refusal(province, clerk, change(members=7))
    assert "nothing to change" in same.message
    missing = refusal(province, clerk, change(code="ANXH-99", members=3))
    assert missing.error is NotFoundError
    assert "no body 'ANXH-99' of unit TN-X1" in missing.message
    no_unit = refusal(province, clerk, establish(unit="TN-X9"))
    assert no_unit.error is NotFoundError and "unit 'TN-X9' is not registered" in no_unit.message
    no_area = refusal(province, clerk, establish(code="ANXH-02", households_in_area=None))
    assert "households covered need the households in the area" in no_area.message
    record(province, clerk, disband())
    changed = refusal(province, clerk, change(members=3, effective_on="2025-04-01"))
    assert changed.error is RuleViolation
    assert "was disbanded: it cannot be changed" in changed.message
    disbanded = refusal(province, clerk, disband(effective_on="2025-04-01"))
    assert "is already disbanded" in disbanded.message
    early = refusal(province, clerk, establish(code="ANXH-03", effective_on="2003-01-01"))
    assert "was registered on 01/01/2004" in early.message


def test_the_unit_of_a_body_must_be_active(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        establish(unit="TN-X1-T1", code="T1"),
        establish(unit="TN-X1-T2", code="T2"),
        UnitDissolve(code="TN-X1-T1", effective_on="2025-01-01"),
        UnitMerge(codes=["TN-X1-T2"], into="TN-X1-T3", effective_on="2025-01-01"),
    )
    dissolved = refusal(province, clerk, establish(unit="TN-X1-T1", code="T1b",
                                                 effective_on="2025-02-01"))  # fmt: skip
    assert dissolved.error is RuleViolation and dissolved.wrote_nothing
    # Established on 10/01/2024, before the end: but a body of an ended unit changes no more.
    later = refusal(province, clerk, change(unit="TN-X1-T1", code="T1", members=3,
                                            effective_on="2025-02-01"))  # fmt: skip
    assert "unit TN-X1-T1 was dissolved on 01/01/2025" in later.message
    merged = refusal(province, clerk, change(unit="TN-X1-T2", code="T2", members=3,
                                             effective_on="2025-02-01"))  # fmt: skip
    assert "record later business on TN-X1-T3" in merged.message
    # It can still be disbanded, to close it out.
    record(province, clerk, disband(unit="TN-X1-T1", code="T1", effective_on="2025-02-01"))
    record(
        province,
        clerk,
        UnitRegister(
            code="TN-X1-T4",
            name="Thôn 4",
            kind="residential_area",
            parent="TN-X1",
            effective_on="2025-01-01",
        ),
        establish(unit="TN-X1-T4", code="T4", effective_on="2025-01-15"),
    )
    assert events(province, "security-org", "TN-X1-T4", "T4") == ["Established"]
