"""``antq classification assess|appraise|decide|annul``: the verbs build the import actions;
refusals exit 1 (a domain rule) or 2 (invalid input, naming the option); the policy gives the
self-assessment to the unit and the appraisal and decision to the level above."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Antq, policy_options, refused_as_invalid, refused_by_a_rule

ASSESS = ["classification", "assess", "--unit", "KP1", "--year", "2024", "--score", "92,5",
          "--proposed-grade", "xuat_sac", "--dossier", "Tờ trình 12/TTr-KP1",
          "--on", "15/11/2024"]  # fmt: skip
APPRAISE = ["classification", "appraise", "--unit", "KP1", "--year", "2024", "--score", "88",
            "--proposed-grade", "kha", "--appraiser", "Công an xã Hòa Bình",
            "--on", "25/11/2024"]  # fmt: skip
DECIDE = ["classification", "decide", "--unit", "KP1", "--year", "2024", "--grade", "kha",
          "--decision", "45/QĐ-UBND", "--decided-by", "UBND xã Hòa Bình",
          "--on", "05/12/2024"]  # fmt: skip
ANNUL = ["classification", "annul", "--unit", "KP1", "--year", "2024", "--reason", "sai sót",
         "--on", "10/01/2025"]  # fmt: skip
HISTORY = ["history", "classification", "KP1", "2024"]
ACTORS = {  # the policy file: each actor's (role, unit)
    "Trưởng khu phố": ("TRUONG_KDC", "KP1"),
    "Công an xã": ("CA_XA", "X1"),
    "UBND xã": ("UBND_XA", "X1"),
}


def test_a_unit_is_assessed_appraised_decided_and_annulled(province: Antq) -> None:
    assert province.recorded(*ASSESS) == ["classification KP1 2024 SelfAssessed"]
    province.ok(*APPRAISE)
    province.ok(*DECIDE)
    province.ok(*ANNUL)

    trail = json.loads(province.ok(*HISTORY, "--json"))
    assert [(e["event"], e.get("score"), e.get("grade")) for e in trail] == [
        ("SelfAssessed", "92.5", None),
        ("Appraised", "88", None),
        ("Decided", None, "kha"),
        ("Annulled", None, None),
    ]
    assert trail[0]["flags"] == []
    known = json.loads(province.ok(*HISTORY, "--as-of", "2024-12-31", "--json"))
    assert [e["event"] for e in known] == ["SelfAssessed", "Appraised", "Decided"]


def test_a_late_self_assessment_is_recorded_and_flagged(province: Antq) -> None:
    province.ok(*ASSESS, "--on", "20/11/2024")  # "trước ngày 20/11": the 20th is late
    trail = json.loads(province.ok(*HISTORY, "--json"))
    assert trail[0]["flags"] == ["late_self_assessment"]
    assert trail[0]["deadline"] == "2024-11-19"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--score", "101"], "--score: 101 is not a score from 0 to 100"),
        (["--score", "ninety"], "--score: 'ninety' is not a score"),
        (["--proposed-grade", "tot"], "Invalid value for '--proposed-grade'"),
        (["--year", "24"], "--year: "),
    ],
)
def test_invalid_input_exits_2_naming_the_option(
    province: Antq, args: list[str], message: str
) -> None:
    refused_as_invalid(province, [*ASSESS, *args], message, records="classification ")


@pytest.mark.parametrize(
    ("steps", "last", "message"),
    [
        ([ASSESS], DECIDE, "is self-assessed but not appraised"),
        ([ASSESS, APPRAISE, DECIDE], [*DECIDE, "--on", "2024-12-20"], "was already decided"),
        ([], APPRAISE, "has not self-assessed for 2024"),
        ([], [*ASSESS, "--unit", "TN"], "the movement is classified for residential areas"),
        ([ASSESS], [*ASSESS, "--on", "2024-11-16"], "already self-assessed"),
        ([ASSESS, APPRAISE], ANNUL, "has no decision to annul"),
    ],
)  # fmt: skip
def test_domain_refusals_exit_1(
    province: Antq, steps: list[list[str]], last: list[str], message: str
) -> None:
    refused_by_a_rule(province, steps, last, message)


def test_the_policy_names_who_assesses_appraises_and_decides(
    province: Antq, tmp_path: Path
) -> None:
    with_policy = policy_options(tmp_path, ACTORS)

    province.ok(*with_policy, *ASSESS, actor="Trưởng khu phố", role=None)
    refused = province(*with_policy, *APPRAISE, actor="Trưởng khu phố", role=None)
    assert refused.exit_code == 1
    assert "may not record classification.appraise for a residential area" in refused.output
    province.ok(*with_policy, *APPRAISE, actor="Công an xã", role=None)
    refused = province(*with_policy, *DECIDE, actor="Công an xã", role=None)
    assert refused.exit_code == 1 and "it is recorded by UBND_XA" in refused.output
    province.ok(*with_policy, *DECIDE, actor="UBND xã", role=None)
    elsewhere = province(*with_policy, *ASSESS, "--unit", "KP2", actor="Trưởng khu phố",
                         role=None)  # fmt: skip
    assert elsewhere.exit_code == 1 and "acts for KP1, not KP2" in elsewhere.output
