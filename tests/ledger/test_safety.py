"""Recognition as "An toàn về an ninh, trật tự": registration, decisions, annulment, flags."""

from __future__ import annotations

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    SafetyAnnul,
    SafetyDeny,
    SafetyRecognise,
    SafetyRegister,
    UnitMerge,
    UnitRegister,
)
from ledger.errors import AlreadyRecordedError, RuleViolation
from ledger.text import with_article

from .support import Refusal, events, record, refusal


def register(unit: str, year: int = 2023, on: str = "10/02/2023") -> SafetyRegister:
    return SafetyRegister(unit=unit, year=year, effective_on=on)


def recognise(unit: str, on: str = "2023-11-05") -> SafetyRecognise:
    return SafetyRecognise(unit=unit, year=2023, effective_on=on)


def deny(unit: str, on: str = "2023-11-05") -> SafetyDeny:
    return SafetyDeny(unit=unit, year=2023, effective_on=on, reason="có vụ việc phức tạp")


def annul(unit: str, on: str = "2024-04-15") -> SafetyAnnul:
    return SafetyAnnul(unit=unit, year=2023, effective_on=on, reason="hồ sơ giả mạo")


def test_registering_twice_for_a_year_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, register("TN-X1-T1"))

    assert refusal(province, clerk, register("tn-x1-t1", on="2023-03-01")) == Refusal(
        AlreadyRecordedError, "safety TN-X1-T1 2023 is already recorded", True
    )


def test_the_same_unit_registers_again_for_another_year(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, register("TN-X1-T1"), register("TN-X1-T1", 2024, "2024-01-15"))

    assert events(province, "safety", "TN-X1-T1", "2024") == ["Registered"]


@pytest.mark.parametrize("kind", ["province", "district"])
def test_a_unit_of_a_kind_outside_the_standard_cannot_register(
    province: Ledger, clerk: Clerk, kind: str
) -> None:
    if kind == "district":
        record(
            province,
            clerk,
            UnitRegister(
                code="TN-H1",
                name="Huyện Một",
                kind="district",
                parent="TN",
                effective_on="2010-01-01",
            ),
        )
    code = "TN" if kind == "province" else "TN-H1"

    assert refusal(province, clerk, register(code)) == Refusal(
        RuleViolation,
        f"unit {code} is {with_article(kind)}: only communes, residential areas and organisations "
        "register for the standard",
        True,
    )


@pytest.mark.parametrize(
    ("on", "written"), [("31/12/2022", "31/12/2022"), ("2024-01-02", "02/01/2024")]
)
def test_a_registration_dated_outside_its_year_is_refused(
    province: Ledger, clerk: Clerk, on: str, written: str
) -> None:
    assert refusal(province, clerk, register("TN-X1-T1", 2023, on)) == Refusal(
        RuleViolation,
        f"safety TN-X1-T1 2023: a registration for 2023 must be dated in 2023, not {written}",
        True,
    )


@pytest.mark.parametrize(
    ("on", "flags"),
    [
        ("01/01/2024", []),
        ("31/03/2024", []),
        ("01/04/2024", ["late_registration"]),  # 1 April, not 4 January
        ("2024-12-31", ["late_registration"]),
    ],
)
def test_a_registration_after_quarter_one_is_recorded_and_flagged_late(
    province: Ledger, clerk: Clerk, on: str, flags: list[str]
) -> None:
    record(province, clerk, register("TN-X1-T1", 2024, on))

    assert province.history("safety", ["TN-X1-T1", "2024"])[0]["flags"] == flags


@pytest.mark.parametrize("action", [recognise("TN-X1-T1"), deny("TN-X1-T1"), annul("TN-X1-T1")])
def test_a_decision_without_registration_is_refused(province: Ledger, clerk: Clerk, action) -> None:
    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        "unit TN-X1-T1 did not register for 2023: record 'antq safety register' first",
        True,
    )


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (
            recognise("TN-X1-T1"),
            recognise("TN-X1-T1", "2023-11-06"),
            "safety TN-X1-T1 2023 was already recognised on 05/11/2023; annul that decision first",
        ),
        (
            recognise("TN-X1-T1"),
            deny("TN-X1-T1", "2023-11-06"),
            "safety TN-X1-T1 2023 was already recognised on 05/11/2023; annul that decision first",
        ),
        (
            deny("TN-X1-T1"),
            recognise("TN-X1-T1", "2023-11-06"),
            "safety TN-X1-T1 2023 was already denied on 05/11/2023; annul that decision first",
        ),
        (
            deny("TN-X1-T1"),
            deny("TN-X1-T1", "2023-11-06"),
            "safety TN-X1-T1 2023 was already denied on 05/11/2023; annul that decision first",
        ),
    ],
    ids=["recognise-twice", "deny-recognised", "recognise-denied", "deny-twice"],
)
def test_a_second_decision_for_the_year_is_refused(
    province: Ledger, clerk: Clerk, first, second, message: str
) -> None:
    record(province, clerk, register("TN-X1-T1"), first)

    assert refusal(province, clerk, second) == Refusal(RuleViolation, message, True)


def test_annulling_twice_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, register("TN-X1-T1"), recognise("TN-X1-T1"), annul("TN-X1-T1"))

    assert refusal(province, clerk, annul("TN-X1-T1", "2024-05-01")) == Refusal(
        RuleViolation, "safety TN-X1-T1 2023: the recognition is already annulled", True
    )


def test_a_registration_without_a_decision_cannot_be_annulled(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, register("TN-X1-T1"))

    assert refusal(province, clerk, annul("TN-X1-T1")) == Refusal(
        RuleViolation, "safety TN-X1-T1 2023 has no decision to annul: it is registered", True
    )


def test_an_annulled_denial_leaves_the_year_pending_once_more(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, register("TN-X1-T1"), deny("TN-X1-T1"), annul("TN-X1-T1"))

    assert refusal(province, clerk, annul("TN-X1-T1", "2024-05-01")) == Refusal(
        RuleViolation, "safety TN-X1-T1 2023 has no decision to annul: it is registered", True
    )


@pytest.mark.parametrize(
    ("decision", "event"), [(recognise, "Recognised"), (deny, "Denied")], ids=["recognise", "deny"]
)
def test_a_new_decision_after_annulment_is_accepted(
    province: Ledger, clerk: Clerk, decision, event: str
) -> None:
    record(
        province,
        clerk,
        register("TN-X1-T1"),
        recognise("TN-X1-T1"),
        annul("TN-X1-T1"),
        decision("TN-X1-T1", "2024-05-01"),
    )

    assert events(province, "safety", "TN-X1-T1", "2023") == [
        "Registered",
        "Recognised",
        "Annulled",
        event,
    ]


def test_a_recognition_can_be_annulled_after_the_unit_merged(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        register("TN-X1-T1"),
        recognise("TN-X1-T1"),
        UnitMerge(codes=["TN-X1-T1"], into="TN-X1-T2", effective_on="2024-01-01"),
        annul("TN-X1-T1"),
    )

    assert events(province, "safety", "TN-X1-T1", "2023")[-1] == "Annulled"


def commune_recognised_with(ledger: Ledger, clerk: Clerk, recognised: int, areas: int) -> list[str]:
    """Register ``areas`` residential areas of a new commune, recognise ``recognised`` of them
    (deny the rest), then recognise the commune; return the flags of that recognition."""
    record(
        ledger,
        clerk,
        UnitRegister(
            code="C", name="Xã Thử", kind="commune", parent="TN", effective_on="2010-01-01"
        ),
        register("C"),
    )
    for n in range(areas):
        code = f"C-T{n}"
        record(
            ledger,
            clerk,
            UnitRegister(
                code=code,
                name=f"Tổ {n}",
                kind="residential_area",
                parent="C",
                effective_on="2010-01-01",
            ),
            register(code),
            recognise(code) if n < recognised else deny(code),
        )
    record(ledger, clerk, recognise("C", "2023-12-20"))
    return ledger.history("safety", ["C", "2023"])[-1]["flags"]


@pytest.mark.parametrize(
    ("recognised", "areas", "flags"),
    [
        (2, 3, ["commune_below_70_percent"]),  # 66.7%
        (6, 9, ["commune_below_70_percent"]),  # 66.7%
        (7, 10, []),  # exactly 70%
        (3, 3, []),
    ],
    ids=["2-of-3", "6-of-9", "7-of-10", "3-of-3"],
)
def test_a_commune_below_70_percent_is_recognised_and_flagged(
    province: Ledger, clerk: Clerk, recognised: int, areas: int, flags: list[str]
) -> None:
    assert commune_recognised_with(province, clerk, recognised, areas) == flags


def test_a_residential_area_of_another_commune_does_not_count_for_the_70_percent_rule(
    province: Ledger, clerk: Clerk
) -> None:
    # TN-X1 has three registered areas, two recognised (66.7%); TN-X2's recognised area
    # would lift the share to 75% if it were counted.
    record(
        province,
        clerk,
        *(register(code) for code in ("TN-X1", "TN-X1-T1", "TN-X1-T2", "TN-X1-T3", "TN-X2-K1")),
        recognise("TN-X1-T1"),
        recognise("TN-X1-T2"),
        deny("TN-X1-T3"),
        recognise("TN-X2-K1"),
        recognise("TN-X1", "2023-12-20"),
    )

    assert province.history("safety", ["TN-X1", "2023"])[-1]["flags"] == [
        "commune_below_70_percent"
    ]


def test_an_annulled_area_does_not_count_as_recognised_for_the_70_percent_rule(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        *(register(code) for code in ("TN-X1", "TN-X1-T1", "TN-X1-T2", "TN-X1-T3")),
        recognise("TN-X1-T1"),
        recognise("TN-X1-T2"),
        recognise("TN-X1-T3"),
        annul("TN-X1-T3", "2023-12-01"),
        recognise("TN-X1", "2023-12-20"),
    )

    assert province.history("safety", ["TN-X1", "2023"])[-1]["flags"] == [
        "commune_below_70_percent"
    ]


def test_a_decision_on_a_unit_named_differently_reaches_the_same_record(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        register("Phường Phú Thủy"),
        SafetyRecognise(unit="phường phú thuỷ", year=2023, effective_on="20/12/2023"),
    )

    assert events(province, "safety", "TN-X2", "2023") == ["Registered", "Recognised"]
