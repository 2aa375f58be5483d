"""Movement classification (QĐ 510/QĐ-BCA-V05): self-assessment, appraisal one level up,
decision; late flags at each unit kind's deadline; every refusal names what is wrong; the access
policy gives each step to the unit itself or to the level above."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ledger.application import Clerk, Ledger
from ledger.classification import LATE_SELF_ASSESSMENT, deadline
from ledger.commands import (
    ClassificationAnnul,
    ClassificationAppraise,
    ClassificationAssess,
    ClassificationDecide,
    UnitRegister,
    build,
    parse_action,
)
from ledger.errors import InvalidInput, RuleViolation
from ledger.policy import NotAuthorised, policy_from
from ledger.values import UnitKind

from .support import events, record, refusal


def assess(unit: str = "KP1", on: str = "2024-11-10", **fields: Any) -> ClassificationAssess:
    values = {"unit": unit, "year": 2024, "score": "92,5", "proposed_grade": "xuat_sac",
              "dossier": f"Tờ trình 1/TTr-{unit}", "effective_on": on, **fields}  # fmt: skip
    return ClassificationAssess(**values)


def appraise(unit: str = "KP1", on: str = "2024-11-25", **fields: Any) -> ClassificationAppraise:
    values = {"unit": unit, "year": 2024, "score": 88, "proposed_grade": "kha",
              "appraiser": "Công an xã Hòa Bình", "effective_on": on, **fields}  # fmt: skip
    return ClassificationAppraise(**values)


def decide(unit: str = "KP1", on: str = "2024-12-05", **fields: Any) -> ClassificationDecide:
    values = {"unit": unit, "year": 2024, "grade": "kha", "decision": "45/QĐ-UBND",
              "decided_by": "UBND xã Hòa Bình", "effective_on": on, **fields}  # fmt: skip
    return ClassificationDecide(**values)


UNITS = [
    UnitRegister(code="QN", name="Tỉnh Quảng Nam", kind="province", effective_on="1997-01-01"),
    UnitRegister(code="H1", name="Huyện Một", kind="district", parent="QN",
                 effective_on="1997-01-01"),
    UnitRegister(code="X1", name="Xã Hòa Bình", kind="commune", parent="H1",
                 effective_on="1997-01-01"),
    UnitRegister(code="KP1", name="Thôn 1", kind="residential_area", parent="X1",
                 effective_on="1997-01-01"),
    UnitRegister(code="TH1", name="Trường THCS Hòa Bình", kind="school", parent="X1",
                 effective_on="1997-01-01"),
]  # fmt: skip


@pytest.fixture
def quang_nam(ledger: Ledger, clerk: Clerk) -> Ledger:
    record(ledger, clerk, *UNITS)
    return ledger


def test_a_unit_is_self_assessed_appraised_and_decided(quang_nam: Ledger, clerk: Clerk) -> None:
    record(quang_nam, clerk, assess(), appraise(), decide())

    trail = quang_nam.history("classification", ["KP1", "2024"])
    assert [e["event"] for e in trail] == ["SelfAssessed", "Appraised", "Decided"]
    assert (trail[0]["score"], trail[0]["proposed_grade"], trail[0]["flags"]) == (
        "92.5",
        "xuat_sac",
        [],
    )
    assert trail[0]["deadline"].isoformat() == "2024-11-19"
    assert (trail[1]["score"], trail[1]["appraiser"]) == ("88", "Công an xã Hòa Bình")
    assert (trail[2]["grade"], trail[2]["decision"], trail[2]["decided_by"]) == (
        "kha",
        "45/QĐ-UBND",
        "UBND xã Hòa Bình",
    )
    # The record is found by the unit's name too.
    assert events(quang_nam, "classification", "Thôn 1", "2024") == [
        "SelfAssessed",
        "Appraised",
        "Decided",
    ]


def test_an_annulled_decision_can_be_decided_again(quang_nam: Ledger, clerk: Clerk) -> None:
    annul = ClassificationAnnul(unit="KP1", year=2024, reason="sai thẩm quyền",
                                effective_on="2025-01-10")  # fmt: skip
    record(quang_nam, clerk, assess(), appraise(), decide(), annul)
    record(quang_nam, clerk, decide(on="2025-01-20", grade="trung_binh", decision="3/QĐ-UBND"))
    assert events(quang_nam, "classification", "KP1", "2024") == [
        "SelfAssessed", "Appraised", "Decided", "Annulled", "Decided",
    ]  # fmt: skip
    again = refusal(quang_nam, clerk, annul.model_copy(update={"effective_on": annul.effective_on}))
    assert again.error is RuleViolation and again.wrote_nothing


@pytest.mark.parametrize(
    ("kind_unit", "last_on_time"),
    [("KP1", "2024-11-19"), ("X1", "2024-11-29"), ("TH1", "2024-11-29"), ("H1", "2024-12-14")],
)
def test_the_self_assessment_is_late_after_its_kinds_deadline(
    quang_nam: Ledger, clerk: Clerk, kind_unit: str, last_on_time: str
) -> None:
    from datetime import date, timedelta

    on_time = date.fromisoformat(last_on_time)
    record(quang_nam, clerk, assess(kind_unit, on=on_time.isoformat()))
    trail = quang_nam.history("classification", [kind_unit, "2024"])
    assert trail[0]["flags"] == []
    other = UnitRegister(code=f"{kind_unit}B", name=f"Đơn vị {kind_unit}B",
                         kind=_kind(quang_nam, kind_unit), parent=_parent(kind_unit),
                         effective_on="1997-01-01")  # fmt: skip
    record(quang_nam, clerk, other)
    late = (on_time + timedelta(days=1)).isoformat()
    record(quang_nam, clerk, assess(f"{kind_unit}B", on=late))
    trail = quang_nam.history("classification", [f"{kind_unit}B", "2024"])
    assert trail[0]["flags"] == [LATE_SELF_ASSESSMENT]


def _kind(ledger: Ledger, code: str) -> str:
    return {"KP1": "residential_area", "X1": "commune", "TH1": "school", "H1": "district"}[code]


def _parent(code: str) -> str:
    return {"KP1": "X1", "X1": "H1", "TH1": "X1", "H1": "QN"}[code]


def test_the_deadlines_follow_qd_510() -> None:
    # "trước ngày 20/11" (residential areas), "trước ngày 30/11" (communes, organisations),
    # "trước ngày 15/12" (districts, historical): the last on-time day is the day before.
    assert deadline(UnitKind.residential_area, 2024).isoformat() == "2024-11-19"
    assert deadline(UnitKind.commune, 2024).isoformat() == "2024-11-29"
    assert deadline(UnitKind.enterprise, 2024).isoformat() == "2024-11-29"
    assert deadline(UnitKind.district, 2023).isoformat() == "2023-12-14"


@pytest.mark.parametrize(
    ("steps", "last", "message"),
    [
        ([assess()], decide(), "is self-assessed but not appraised"),
        ([], appraise(), "the unit has not self-assessed for 2024"),
        ([], decide(), "the unit has not self-assessed for 2024"),
        ([assess(), appraise(), decide()], decide(on="2024-12-20", grade="xuat_sac"),
         "was already decided on 05/12/2024"),
        ([assess(), appraise(), decide()], appraise(on="2024-12-20"),
         "annul the decision before appraising again"),
        ([assess()], assess(on="2024-11-12"), "already self-assessed on 10/11/2024"),
        ([], assess("QN"), "the movement is classified for residential areas"),
        ([], assess(on="2023-12-31"), "cannot be dated before the year"),
        ([assess()], ClassificationAnnul(unit="KP1", year=2024, reason="x",
                                         effective_on="2024-12-01"), "has no decision to annul"),
        ([assess(on="2024-11-15")], appraise(on="2024-11-14"), "cannot take effect before"),
    ],
)  # fmt: skip
def test_refusals_name_the_rule_and_write_nothing(
    quang_nam: Ledger, clerk: Clerk, steps: list, last: Any, message: str
) -> None:
    record(quang_nam, clerk, *steps)
    refused = refusal(quang_nam, clerk, last)
    assert refused.error is RuleViolation
    assert message in refused.message
    assert refused.wrote_nothing


def test_a_district_is_classified_only_while_districts_exist(
    quang_nam: Ledger, clerk: Clerk
) -> None:
    from ledger.commands import UnitDissolve

    record(quang_nam, clerk, UnitDissolve(code="H1", effective_on="2025-07-01"))
    refused = refusal(quang_nam, clerk, assess("H1", on="2025-11-01", year=2025))
    assert refused.wrote_nothing and "H1" in refused.message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"score": "101"}, "score: 101 is not a score from 0 to 100"),
        ({"score": 100.5}, "score: 100.5: give the score as a whole number or exact decimal"),
        ({"score": "-1"}, "score: '-1' is not a score"),
        ({"score": "9x"}, "score: '9x' is not a score"),
        ({"proposed_grade": "tot"}, "proposed_grade: Input should be 'xuat_sac', 'kha'"),
        ({"dossier": ""}, "dossier: "),
    ],
)
def test_invalid_input_names_the_field(fields: dict[str, Any], message: str) -> None:
    line = {"action": "classification.assess", "unit": "KP1", "year": 2024, "score": 90,
            "proposed_grade": "kha", "dossier": "TTr 1", "effective_on": "2024-11-01",
            **fields}  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        parse_action(line)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_scores_are_exact() -> None:
    assert assess(score="92,5").score == Decimal("92.5")
    assert assess(score="100").score == Decimal(100)
    assert assess(score=0).score == Decimal(0)
    assert build(ClassificationDecide, unit="X", year="2024", grade="yeu", decision="1/QĐ",
                 decided_by="UBND", effective_on="01/12/2024").grade == "yeu"  # fmt: skip


POLICY = {
    "actors": {
        "Trưởng thôn": {"roles": ["TRUONG_KDC"], "units": ["KP1"]},
        "Công an xã": {"roles": ["CA_XA"], "units": ["X1"]},
        "UBND xã": {"roles": ["UBND_XA"], "units": ["X1"]},
        "Hiệu trưởng": {"roles": ["HEAD_ORG"], "units": ["TH1"]},
        "Công an tỉnh": {"roles": ["CA_TINH"], "units": ["QN"]},
        "UBND tỉnh": {"roles": ["UBND_TINH"], "units": ["QN"]},
    }
}


def as_(name: str) -> Clerk:
    return Clerk(actor=name)


def test_the_unit_assesses_and_the_level_above_appraises_and_decides(
    ledger: Ledger, clerk: Clerk
) -> None:
    record(ledger, clerk, *UNITS)
    ledger.policy = policy_from(POLICY, "policy.toml")
    record(ledger, as_("Trưởng thôn"), assess())
    record(ledger, as_("Công an xã"), appraise())
    record(ledger, as_("UBND xã"), decide())
    record(ledger, as_("Hiệu trưởng"), assess("TH1"))
    record(ledger, as_("Công an xã"), appraise("TH1"))
    record(ledger, as_("UBND xã"), decide("TH1"))
    record(ledger, as_("Công an xã"), assess("X1"))
    record(ledger, as_("Công an tỉnh"), appraise("X1"))
    record(ledger, as_("UBND tỉnh"), decide("X1"))
    assert events(ledger, "classification", "X1", "2024")[-1] == "Decided"


@pytest.mark.parametrize(
    ("who", "action", "message"),
    [
        ("Trưởng thôn", appraise(), "may not record classification.appraise for a residential"),
        ("Trưởng thôn", assess("X1"), "may not record classification.assess for a commune"),
        ("Công an xã", decide(), "may not record classification.decide"),
        ("UBND xã", decide("X1"), "classification.decide for a commune"),
        ("Hiệu trưởng", appraise("TH1"), "classification.appraise for a commune-managed"),
    ],
)
def test_the_policy_refuses_the_wrong_level(
    ledger: Ledger, clerk: Clerk, who: str, action: Any, message: str
) -> None:
    record(ledger, clerk, *UNITS, assess(), assess("X1"), assess("TH1"))
    record(ledger, clerk, appraise(), appraise("X1"))
    ledger.policy = policy_from(POLICY, "policy.toml")
    refused = refusal(ledger, as_(who), action)
    assert refused.error is NotAuthorised and refused.wrote_nothing
    assert message in refused.message
