"""``antq security-org establish|change|disband``: the verbs build the import actions; refusals
exit 1 (a domain rule) or 2 (invalid input, naming the option); the policy lets the commune police
and the commune chair record the bodies of their own unit; history on both time axes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Antq, policy_options, refused_as_invalid, refused_by_a_rule

KEY = ["--unit", "X1", "--code", "TBV-01"]
ESTABLISH = ["security-org", "establish", *KEY, "--kind", "security_team",
             "--name", "Tổ bảo vệ ANTT thôn 1", "--members", "2", "--on", "15/03/2024",
             "--source", "Quyết định 20/QĐ-UBND"]  # fmt: skip
CHANGE = ["security-org", "change", *KEY, "--members", "3", "--on", "2024-09-01",
          "--source", "Báo cáo 9 tháng 2024"]  # fmt: skip
DISBAND = ["security-org", "disband", *KEY, "--reason", "kiện toàn lại", "--on", "2025-02-01"]
HISTORY = ["history", "security-org", "X1", "TBV-01"]
ACTORS = {  # the policy file: each actor's (role, unit)
    "Công an xã": ("CA_XA", "X1"),
    "Chủ tịch xã": ("UBND_XA", "X1"),
    "Tư pháp xã": ("TU_PHAP_XA", "X1"),
}


def test_a_body_is_established_changed_and_disbanded(province: Antq) -> None:
    assert province.recorded(*ESTABLISH) == ["security-org X1 TBV-01 Established"]
    between = json.loads(province.ok("log", "--json"))[-1]["recorded_at"]
    assert province.recorded(*CHANGE) == ["security-org X1 TBV-01 Changed"]
    assert province.recorded(*DISBAND) == ["security-org X1 TBV-01 Disbanded"]

    trail = json.loads(province.ok(*HISTORY, "--json"))
    assert [(e["event"], e.get("members")) for e in trail] == [
        ("Established", 2),
        ("Changed", 3),
        ("Disbanded", None),
    ]
    as_of = json.loads(province.ok(*HISTORY, "--as-of", "2024-12-31", "--json"))
    assert [e["event"] for e in as_of] == ["Established", "Changed"]
    known = json.loads(province.ok(*HISTORY, "--known-at", between, "--json"))
    assert [e["event"] for e in known] == ["Established"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--members", "-2"], "--members: '-2': a count cannot be negative"),
        (["--members", "hai"], "--members: 'hai' is not a whole number"),
        (["--kind", "mediation_team"], "Invalid value for '--kind'"),
        (["--households-covered", "130", "--households-in-area", "120"],
         "--households-in-area: 130 households covered cannot exceed the 120 in the area"),
    ],
)  # fmt: skip
def test_invalid_input_exits_2_naming_the_option(
    province: Antq, args: list[str], message: str
) -> None:
    refused_as_invalid(province, [*ESTABLISH, *args], message, records="security-org ")


@pytest.mark.parametrize(
    ("steps", "last", "message"),
    [
        ([ESTABLISH], ESTABLISH, "security-org X1 TBV-01 is already recorded"),
        ([ESTABLISH, DISBAND], [*CHANGE[:-4], "--on", "2025-03-01", *CHANGE[-2:]],
         "was disbanded: it cannot be changed"),
        ([], CHANGE, "no body 'TBV-01' of unit X1 is recorded"),
        ([], [*ESTABLISH, "--unit", "X9"], "unit 'X9' is not registered"),
        ([["unit", "dissolve", "--code", "X2", "--on", "2024-01-01"]],
         [*ESTABLISH, "--unit", "X2"], "unit X2 was dissolved on 01/01/2024"),
        ([["security-org", "establish", "--unit", "X1", "--code", "ANXH", "--kind",
           "social_security_team", "--name", "Tổ ANXH", "--members", "5",
           "--households-covered", "40", "--households-in-area", "50", "--on", "2024-01-01",
           "--source", "QĐ 1"]],
         ["security-org", "change", "--unit", "X1", "--code", "ANXH", "--households-covered",
          "51", "--on", "2024-02-01", "--source", "BC 2"],
         "51 households covered cannot exceed the 50 households in the area"),
    ],
)  # fmt: skip
def test_domain_refusals_exit_1(
    province: Antq, steps: list[list[str]], last: list[str], message: str
) -> None:
    refused_by_a_rule(province, steps, last, message)


def test_the_commune_police_and_chair_record_their_own_bodies(
    province: Antq, tmp_path: Path
) -> None:
    with_policy = policy_options(tmp_path, ACTORS)
    province.ok(*with_policy, *ESTABLISH, actor="Công an xã", role=None)
    province.ok(*with_policy, *CHANGE, actor="Chủ tịch xã", role=None)
    elsewhere = province(*with_policy, *ESTABLISH, "--unit", "X2", actor="Công an xã", role=None)
    assert elsewhere.exit_code == 1 and "acts for X1, not X2" in elsewhere.output
    refused = province(*with_policy, *DISBAND, actor="Tư pháp xã", role=None)
    assert refused.exit_code == 1
    assert "may not record security-org.disband" in refused.output
    province.ok(*with_policy, *DISBAND, actor="Chủ tịch xã", role=None)
