"""Administrative units: hierarchy, unique codes and names, merges, dissolutions, name lookup."""

from __future__ import annotations

import unicodedata

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    AwardDecide,
    DisputeReceive,
    ModelRegister,
    SafetyRegister,
    UnitDissolve,
    UnitMerge,
    UnitRegister,
    UnitRename,
)
from ledger.errors import AlreadyRecordedError, NotFoundError, RuleViolation

from .support import Refusal, events, record, refusal


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            UnitRegister(
                code="TN2", name="Tỉnh Hai", kind="province", parent="TN", effective_on="2010-01-01"
            ),
            "unit TN2: a province cannot sit under province TN (needs no parent)",
        ),
        (
            UnitRegister(code="X9", name="Xã Chín", kind="commune", effective_on="2010-01-01"),
            "unit X9: a commune cannot sit without a parent (needs district or province)",
        ),
        (
            UnitRegister(
                code="T9",
                name="Thôn Chín",
                kind="residential_area",
                parent="TN",
                effective_on="2010-01-01",
            ),
            "unit T9: a residential_area cannot sit under province TN (needs commune)",
        ),
        (
            UnitRegister(
                code="T9",
                name="Tổ Chín",
                kind="residential_area",
                parent="TN-S1",
                effective_on="2011-01-01",
            ),
            "unit T9: a residential_area cannot sit under school TN-S1 (needs commune)",
        ),
        (
            UnitRegister(
                code="S9",
                name="Trường Chín",
                kind="school",
                parent="TN-X1-T1",
                effective_on="2010-01-01",
            ),
            "unit S9: a school cannot sit under residential_area TN-X1-T1 "
            "(needs commune or district or province)",
        ),
        (
            UnitRegister(code="A9", name="Sở Chín", kind="agency", effective_on="2010-01-01"),
            "unit A9: an agency cannot sit without a parent "
            "(needs commune or district or province)",
        ),
        (
            UnitRegister(
                code="H9",
                name="Huyện Chín",
                kind="district",
                parent="TN-X1",
                effective_on="2010-01-01",
            ),
            "unit H9: a district cannot sit under commune TN-X1 (needs province)",
        ),
    ],
    ids=lambda v: v.code if isinstance(v, UnitRegister) else "",
)
def test_a_unit_under_the_wrong_kind_of_parent_is_refused(
    province: Ledger, clerk: Clerk, action: UnitRegister, message: str
) -> None:
    assert refusal(province, clerk, action) == Refusal(RuleViolation, message, True)


def test_every_kind_is_accepted_under_a_parent_of_its_allowed_kinds(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        UnitRegister(
            code="H1", name="Huyện Một", kind="district", parent="TN", effective_on="2010-01-01"
        ),
        UnitRegister(
            code="H1-X1", name="Xã Một", kind="commune", parent="H1", effective_on="2010-01-01"
        ),
        UnitRegister(
            code="H1-X1-T1",
            name="Thôn Một",
            kind="residential_area",
            parent="H1-X1",
            effective_on="2010-01-01",
        ),
        UnitRegister(
            code="A1", name="Sở Một", kind="agency", parent="TN", effective_on="2010-01-01"
        ),
        UnitRegister(
            code="E1", name="Công ty Một", kind="enterprise", parent="H1", effective_on="2010-01-01"
        ),
        UnitRegister(
            code="S1", name="Trường Một", kind="school", parent="H1-X1", effective_on="2010-01-01"
        ),
    )

    parents = {
        code: province.history("unit", [code])[0]["parent"]
        for code in ("H1", "H1-X1", "H1-X1-T1", "A1", "E1", "S1")
    }

    assert parents == {
        "H1": "TN",
        "H1-X1": "H1",
        "H1-X1-T1": "H1-X1",
        "A1": "TN",
        "E1": "H1",
        "S1": "H1-X1",
    }


def test_a_parent_that_is_not_registered_is_not_found(province: Ledger, clerk: Clerk) -> None:
    action = UnitRegister(
        code="X9", name="Xã Chín", kind="commune", parent="TN-NOPE", effective_on="2010-01-01"
    )

    assert refusal(province, clerk, action) == Refusal(
        NotFoundError, "unit 'TN-NOPE' is not registered: record it with 'antq unit register'", True
    )


def test_a_unit_dated_before_its_parent_was_registered_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    action = UnitRegister(
        code="X9", name="Xã Chín", kind="commune", parent="TN", effective_on="31/12/2003"
    )

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        "unit TN was registered on 01/01/2004, after 31/12/2003: check the date",
        True,
    )


@pytest.mark.parametrize("code", ["TN-X1", "tn-x1", " Tn-X1 "])
def test_a_code_already_taken_is_refused_whatever_its_case(
    province: Ledger, clerk: Clerk, code: str
) -> None:
    action = UnitRegister(
        code=code, name="Xã Khác", kind="commune", parent="TN", effective_on="2010-01-01"
    )

    assert refusal(province, clerk, action) == Refusal(
        AlreadyRecordedError, "unit TN-X1 is already recorded", True
    )


def test_a_code_already_taken_is_refused_whatever_its_tone_placement(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        UnitRegister(
            code="XÃ-HÒA", name="Xã Hòa", kind="commune", parent="TN", effective_on="2010-01-01"
        ),
    )
    action = UnitRegister(
        code="xã-hoà", name="Xã Khác", kind="commune", parent="TN", effective_on="2010-01-01"
    )

    assert refusal(province, clerk, action) == Refusal(
        AlreadyRecordedError, "unit XÃ-HÒA is already recorded", True
    )


def test_a_name_already_used_under_the_same_parent_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    action = UnitRegister(
        code="TN-X9", name="xã  hoà bình", kind="commune", parent="TN", effective_on="2010-01-01"
    )

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        "unit TN-X9: TN already has 'Xã Hòa Bình' as TN-X1; record business on TN-X1",
        True,
    )


def test_a_name_used_under_another_parent_is_accepted(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        UnitRegister(
            code="TN-X2-T1",
            name="Thôn 1",
            kind="residential_area",
            parent="TN-X2",
            effective_on="2010-01-01",
        ),
    )

    assert events(province, "unit", "TN-X2-T1") == ["Registered"]


def test_the_name_of_a_dissolved_sibling_can_be_used_again(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        UnitDissolve(code="TN-X1-T3", effective_on="2015-01-01"),
        UnitRegister(
            code="TN-X1-T3B",
            name="Thôn 3",
            kind="residential_area",
            parent="TN-X1",
            effective_on="2016-01-01",
        ),
    )

    assert events(province, "unit", "TN-X1-T3B") == ["Registered"]


@pytest.mark.parametrize(
    ("name", "parent"),
    [("Trường Mầm Non", "TN-X3"), ("Trường THCS Hòa Bình", "TN-X2")],
    ids=["same-parent", "same-name"],
)
def test_units_can_be_recorded_in_any_order_of_their_dates(
    province: Ledger, clerk: Clerk, name: str, parent: str
) -> None:
    # The lookups of TN-X3's children and of the name "Trường THCS Hòa Bình" were opened by
    # schools of 2010; a school of 2005 recorded later is still accepted: lookups are
    # bookkeeping, not history.
    record(
        province,
        clerk,
        UnitRegister(
            code="TN-X3", name="Xã Ba", kind="commune", parent="TN", effective_on="2004-01-01"
        ),
        UnitRegister(
            code="TN-X3-S1",
            name="Trường Một",
            kind="school",
            parent="TN-X3",
            effective_on="2010-09-01",
        ),
        UnitRegister(code="S0", name=name, kind="school", parent=parent, effective_on="2005-09-01"),
    )

    assert events(province, "unit", "S0") == ["Registered"]


def test_districts_cannot_be_registered_from_1_july_2025(province: Ledger, clerk: Clerk) -> None:
    action = UnitRegister(
        code="H9", name="Huyện Chín", kind="district", parent="TN", effective_on="01/07/2025"
    )

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "unit H9: districts were abolished on 01/07/2025", True
    )


def test_a_district_dated_the_day_before_abolition_is_accepted(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        UnitRegister(
            code="H9", name="Huyện Chín", kind="district", parent="TN", effective_on="30/06/2025"
        ),
    )

    assert events(province, "unit", "H9") == ["Registered"]


def test_renaming_to_the_same_name_is_refused(province: Ledger, clerk: Clerk) -> None:
    action = UnitRename(code="TN-X1", name="Xã Hòa Bình", effective_on="2020-01-01")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "unit TN-X1 is already named 'Xã Hòa Bình'", True
    )


def test_a_renamed_unit_is_found_by_its_new_name(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        UnitRename(code="TN-X1", name="Xã Hòa Bình Mới", effective_on="2020-01-01"),
        SafetyRegister(unit="xã hoà bình mới", year=2023, effective_on="2023-01-10"),
    )

    assert province.history("safety", ["TN-X1", "2023"])[0]["unit"] == "TN-X1"


def test_merging_a_unit_into_itself_is_refused(province: Ledger, clerk: Clerk) -> None:
    action = UnitMerge(codes=["TN-X1"], into="tn-x1", effective_on="2025-07-01")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "unit TN-X1 cannot be merged into itself", True
    )


def test_merging_units_of_different_kinds_is_refused(province: Ledger, clerk: Clerk) -> None:
    action = UnitMerge(codes=["TN-X1-T1"], into="TN-X2", effective_on="2025-07-01")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        "unit TN-X1-T1 is a residential_area and cannot merge into commune TN-X2",
        True,
    )


def test_a_unit_listed_twice_in_a_merge_is_refused(province: Ledger, clerk: Clerk) -> None:
    action = UnitMerge(codes=["TN-X1-T1", "tn-x1-t1"], into="TN-X1-T2", effective_on="2025-07-01")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "unit TN-X1-T1 is listed twice in codes", True
    )


def test_dissolving_a_dissolved_unit_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, UnitDissolve(code="TN-S1", effective_on="31/08/2024"))

    assert refusal(
        province, clerk, UnitDissolve(code="TN-S1", effective_on="2024-09-01")
    ) == Refusal(RuleViolation, "unit TN-S1 was dissolved on 31/08/2024", True)


MERGED = "unit TN-X1 was merged into TN-X2 on 01/07/2025: record later business on TN-X2"


@pytest.mark.parametrize(
    "action",
    [
        SafetyRegister(unit="TN-X1", year=2025, effective_on="2025-07-01"),
        SafetyRegister(unit="Xã Hòa Bình", year=2026, effective_on="2026-01-05"),
        ModelRegister(
            code="MH-1", name="Camera", field="an ninh", unit="TN-X1", effective_on="2025-08-01"
        ),
        DisputeReceive(unit="TN-X1", case="HG-1", effective_on="2025-07-02"),
        AwardDecide(
            issuer="UBND-TN",
            decision="1/QĐ-UBND",
            level="province",
            form="bang_khen",
            effective_on="2025-09-02",
            recipients=[{"unit": "TN-X1"}],
        ),
        UnitRename(code="TN-X1", name="Xã Mới", effective_on="2025-07-01"),
        UnitDissolve(code="TN-X1", effective_on="2025-12-31"),
        UnitMerge(codes=["TN-X1"], into="TN-X2", effective_on="2025-07-01"),
        UnitRegister(
            code="TN-X1-T9",
            name="Thôn 9",
            kind="residential_area",
            parent="TN-X1",
            effective_on="2025-07-01",
        ),
    ],
    ids=lambda action: action.ACTION,
)
def test_business_on_a_unit_merged_before_its_date_is_refused(
    province: Ledger, clerk: Clerk, action
) -> None:
    record(province, clerk, UnitMerge(codes=["TN-X1"], into="TN-X2", effective_on="2025-07-01"))

    assert refusal(province, clerk, action) == Refusal(RuleViolation, MERGED, True)


def test_business_dated_before_a_merge_is_accepted_on_the_merged_unit(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        UnitMerge(codes=["TN-X1"], into="TN-X2", effective_on="2025-07-01"),
        SafetyRegister(unit="TN-X1", year=2025, effective_on="2025-06-30"),
    )

    assert events(province, "safety", "TN-X1", "2025") == ["Registered"]


@pytest.mark.parametrize(
    "action",
    [
        SafetyRegister(unit="TN-S1", year=2025, effective_on="2025-01-05"),
        ModelRegister(
            code="MH-1", name="Camera", field="an ninh", unit="TN-S1", effective_on="2024-09-01"
        ),
        DisputeReceive(unit="TN-S1", case="HG-1", effective_on="2024-08-31"),
        UnitRename(code="TN-S1", name="Trường Mới", effective_on="2024-09-01"),
    ],
    ids=lambda action: action.ACTION,
)
def test_business_on_a_unit_dissolved_before_its_date_is_refused(
    province: Ledger, clerk: Clerk, action
) -> None:
    record(province, clerk, UnitDissolve(code="TN-S1", effective_on="31/08/2024"))

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "unit TN-S1 was dissolved on 31/08/2024", True
    )


@pytest.mark.parametrize(
    "name",
    [
        "Phường Phú Thủy",
        "phường phú thuỷ",
        unicodedata.normalize("NFD", "Phường Phú Thủy"),
        "  PHƯỜNG   PHÚ THUỶ ",
    ],
    ids=["as-written", "lower-new-tone-placement", "nfd", "upper-spaced"],
)
def test_a_unit_is_found_by_any_form_of_its_name(province: Ledger, clerk: Clerk, name: str) -> None:
    record(province, clerk, SafetyRegister(unit=name, year=2023, effective_on="2023-01-10"))

    assert province.history("safety", ["TN-X2", "2023"])[0]["unit"] == "TN-X2"


def test_a_name_shared_by_two_units_is_refused_as_ambiguous(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        UnitRegister(
            code="TN-X2-T1",
            name="Thôn 1",
            kind="residential_area",
            parent="TN-X2",
            effective_on="2010-01-01",
        ),
    )
    action = SafetyRegister(unit="thôn  1", year=2023, effective_on="2023-01-10")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "unit name 'thôn  1' matches TN-X1-T1, TN-X2-T1: give the code", True
    )


def test_a_unit_neither_code_nor_name_is_not_found(province: Ledger, clerk: Clerk) -> None:
    action = SafetyRegister(unit="Xã Không Có", year=2023, effective_on="2023-01-10")

    assert refusal(province, clerk, action) == Refusal(
        NotFoundError,
        "unit 'Xã Không Có' is not registered: record it with 'antq unit register'",
        True,
    )


def test_renaming_to_the_name_of_an_active_sibling_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    action = UnitRename(code="TN-X1-T2", name="thôn  1", effective_on="2020-01-01")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        "unit TN-X1-T2: TN-X1 already has 'Thôn 1' as TN-X1-T1; record business on TN-X1-T1",
        True,
    )


def test_renaming_to_another_spelling_of_the_same_name_is_accepted(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, UnitRename(code="TN-X1", name="Xã Hoà Bình", effective_on="2020-01-01"))

    assert province.history("unit", ["TN-X1"])[-1]["name"] == "Xã Hoà Bình"
