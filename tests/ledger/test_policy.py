from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    AwardDecide,
    DisputeReceive,
    DisputeSettle,
    SafetyRecognise,
    SafetyRegister,
    UnitMerge,
    UnitRegister,
)
from ledger.imports import import_bytes
from ledger.policy import MAY, NotAuthorised, Policy, PolicyError, load_policy, policy_from

from .support import Refusal, record, refusal

POLICY = """
[actors."Lê Văn C"]
roles = ["CA_XA"]
units = ["TN-X1"]

[actors."Chủ tịch UBND xã Hòa Bình"]
roles = ["UBND_XA"]
units = ["TN-X1"]

[actors."Chủ tịch UBND tỉnh"]
roles = ["UBND_TINH"]
units = ["TN"]

[actors."Trần Thị Hai Vai"]
roles = ["CA_XA", "HOA_GIAI_VIEN"]
units = ["TN-X1"]

[actors."Quản trị"]
roles = ["ADMIN_REF"]
units = ["*"]

[actors."Thanh tra Nguyễn"]
roles = ["INSPECTOR"]
"""


def policy(text: str = POLICY) -> Policy:
    return policy_from(tomllib.loads(text), "policy.toml")


@pytest.fixture
def guarded(province: Ledger) -> Ledger:
    province.policy = policy()
    return province


def register(unit: str) -> SafetyRegister:
    return SafetyRegister(unit=unit, year=2023, effective_on="2023-02-01")


def test_commune_police_register_their_communes_units_for_the_standard(guarded: Ledger) -> None:
    police = Clerk("Lê Văn C")

    record(guarded, police, register("TN-X1"), register("TN-X1-T1"), register("TN-S1"))

    # Check the role was taken from the policy, the actor's only role.
    assert {entry["role"] for entry in guarded.history("safety", ["TN-X1-T1", "2023"])} == {"CA_XA"}


def test_commune_police_may_not_register_another_commune(guarded: Ledger) -> None:
    assert refusal(guarded, Clerk("Lê Văn C"), register("TN-X2-K1")) == Refusal(
        NotAuthorised,
        "Lê Văn C (CA_XA) may not record safety.register for TN-X2-K1: "
        "Lê Văn C acts for TN-X1, not TN-X2-K1",
        True,
    )


def test_commune_chair_recognises_a_residential_area_of_their_commune(guarded: Ledger) -> None:
    record(guarded, Clerk("Lê Văn C"), register("TN-X1-T1"))

    record(
        guarded,
        Clerk("Chủ tịch UBND xã Hòa Bình"),
        SafetyRecognise(unit="TN-X1-T1", year=2023, effective_on="2023-12-20"),
    )

    assert guarded.history("safety", ["TN-X1-T1", "2023"])[-1]["role"] == "UBND_XA"


def test_commune_police_may_not_decide_recognition(guarded: Ledger) -> None:
    police = Clerk("Lê Văn C")
    record(guarded, police, register("TN-X1-T1"))

    assert refusal(
        guarded, police, SafetyRecognise(unit="TN-X1-T1", year=2023, effective_on="2023-12-20")
    ) == Refusal(
        NotAuthorised,
        "Lê Văn C (CA_XA) may not record safety.recognise for a residential area: "
        "it is decided by UBND_XA",
        True,
    )


def test_a_provincial_decision_by_a_commune_role_is_refused(guarded: Ledger) -> None:
    award = AwardDecide(
        issuer="UBND-TN",
        decision="12/QĐ-UBND",
        level="province",
        form="bang_khen",
        recipients=[{"unit": "TN-X1"}],
        effective_on="2023-12-15",
    )

    refused = refusal(guarded, Clerk("Chủ tịch UBND xã Hòa Bình"), award)
    record(guarded, Clerk("Chủ tịch UBND tỉnh"), award)

    assert refused == Refusal(
        NotAuthorised,
        "Chủ tịch UBND xã Hòa Bình (UBND_XA) may not record award.decide at level province: "
        "it is recorded by UBND_TINH, TD_KT",
        True,
    )


def test_a_commune_is_recognised_by_the_province_not_by_itself(guarded: Ledger) -> None:
    record(guarded, Clerk("Lê Văn C"), register("TN-X1"))
    recognise = SafetyRecognise(unit="TN-X1", year=2023, effective_on="2023-12-20")

    refused = refusal(guarded, Clerk("Chủ tịch UBND xã Hòa Bình"), recognise)
    record(guarded, Clerk("Chủ tịch UBND tỉnh"), recognise)

    assert refused.message == (
        "Chủ tịch UBND xã Hòa Bình (UBND_XA) may not record safety.recognise for a commune: "
        "it is decided by UBND_HUYEN, UBND_TINH"
    )


def test_an_inspector_records_nothing(guarded: Ledger) -> None:
    assert refusal(guarded, Clerk("Thanh tra Nguyễn"), register("TN-X1")) == Refusal(
        NotAuthorised,
        "Thanh tra Nguyễn (INSPECTOR) may not record safety.register: "
        "INSPECTOR records nothing under this policy (it reads and audits)",
        True,
    )


def test_an_actor_not_in_the_policy_is_refused(guarded: Ledger) -> None:
    assert refusal(guarded, Clerk("Người Lạ"), register("TN-X1")) == Refusal(
        NotAuthorised,
        "Người Lạ is not in the access policy (policy.toml): "
        "ask its keeper to add them before recording",
        True,
    )


def test_actor_names_match_ignoring_case_and_tone_placement(guarded: Ledger) -> None:
    record(guarded, Clerk("lê văn c"), register("TN-X1"))


def test_a_role_the_actor_does_not_hold_is_refused(guarded: Ledger) -> None:
    assert refusal(guarded, Clerk("Lê Văn C", role="UBND_XA"), register("TN-X1")) == Refusal(
        NotAuthorised,
        "Lê Văn C does not hold role UBND_XA in the access policy (holds CA_XA)",
        True,
    )


def test_an_actor_with_several_roles_must_say_which(guarded: Ledger) -> None:
    receive = DisputeReceive(unit="TN-X1-T1", case="HG-01", effective_on="2023-04-01")

    refused = refusal(guarded, Clerk("Trần Thị Hai Vai"), receive)
    record(guarded, Clerk("Trần Thị Hai Vai", role="HOA_GIAI_VIEN"), receive)
    record(
        guarded,
        Clerk("Trần Thị Hai Vai"),
        DisputeSettle(
            unit="TN-X1-T1", case="HG-01", effective_on="2023-04-05", role="HOA_GIAI_VIEN"
        ),
    )

    assert refused.message == (
        "Trần Thị Hai Vai holds roles CA_XA, HOA_GIAI_VIEN: say which one records this "
        '(--role ROLE, or "role" on the import line)'
    )


def test_the_reference_steward_acts_for_every_unit(guarded: Ledger) -> None:
    record(
        guarded,
        Clerk("Quản trị"),
        UnitRegister(code="HN", name="Hà Nội", kind="province", effective_on="2004-01-01"),
    )


def test_a_new_top_level_unit_needs_someone_acting_for_it(guarded: Ledger) -> None:
    province_chair = Clerk("Chủ tịch UBND xã Hòa Bình")
    new_area = UnitRegister(
        code="TN-X1-T4", name="Thôn 4", kind="residential_area", parent="TN-X1",
        effective_on="2020-01-01",
    )  # fmt: skip

    record(guarded, province_chair, new_area)
    assert refusal(
        guarded,
        province_chair,
        UnitRegister(code="HN", name="Hà Nội", kind="province", effective_on="2004-01-01"),
    ).message == (
        "Chủ tịch UBND xã Hòa Bình (UBND_XA) may not record unit.register for a province: "
        "it is recorded by ADMIN_REF"
    )


def test_a_successor_acts_for_the_history_of_merged_units(guarded: Ledger) -> None:
    steward = Clerk("Quản trị")
    record(
        guarded,
        steward,
        UnitRegister(
            code="TN-X9", name="Xã Mới", kind="commune", parent="TN", effective_on="2025-07-01"
        ),
        UnitMerge(codes=["TN-X2"], into="TN-X9", effective_on="2025-07-01"),
    )
    guarded.policy = policy(
        POLICY + '[actors."Công an xã Mới"]\nroles = ["CA_XA"]\nunits = ["TN-X9"]\n'
    )

    record(guarded, Clerk("Công an xã Mới"), register("TN-X2-K1"))


def test_a_denied_import_line_writes_nothing_of_the_file(guarded: Ledger) -> None:
    before = guarded.recorder.max_notification_id()
    line = (
        '{"action": "safety.register", "unit": "%s", "year": 2023, "effective_on": "2023-02-01"}\n'
    )
    lines = (line % "TN-X1" + line % "TN-X2").encode()

    with pytest.raises(NotAuthorised) as refused:
        import_bytes(guarded, "two.jsonl", lines, Clerk("Lê Văn C"))

    assert str(refused.value) == (
        "line 2: Lê Văn C (CA_XA) may not record safety.register for TN-X2: "
        "Lê Văn C acts for TN-X1, not TN-X2; nothing was written"
    )
    assert guarded.recorder.max_notification_id() == before


def test_a_policy_role_table_extends_and_overrides_the_built_in_one(guarded: Ledger) -> None:
    guarded.policy = policy(
        POLICY
        + '[roles.CA_XA]\nmay = ["safety.register", "dispute.receive"]\n'
        + '[roles.THU_KY]\nmay = ["safety.*"]\n'
        + '[actors."Thư ký"]\nroles = ["THU_KY"]\nunits = ["TN-X1"]\n'
    )
    record(guarded, Clerk("Lê Văn C"), register("TN-X1"))
    record(
        guarded,
        Clerk("Lê Văn C"),
        DisputeReceive(unit="TN-X1-T1", case="HG-01", effective_on="2023-04-01"),
    )
    record(
        guarded,
        Clerk("Thư ký"),
        SafetyRecognise(unit="TN-X1", year=2023, effective_on="2023-12-20"),
    )


def test_every_built_in_permission_names_an_action() -> None:
    policy_from({"roles": {role: {"may": list(may)} for role, may in MAY.items()}}, "built-in")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[actors."Lê Văn C"]\nunits = ["TN"]\n', 'actors."Lê Văn C".roles: Field required'),
        (
            '[actors."Lê Văn C"]\nroles = ["CA_XAA"]\n',
            "actors.\"Lê Văn C\".roles[0]: unknown role 'CA_XAA'",
        ),
        (
            '[actors."Lê Văn C"]\nrole = ["CA_XA"]\nroles = ["CA_XA"]\n',
            'actors."Lê Văn C".role: unknown field',
        ),
        (
            '[actors."Lê Văn C"]\nroles = "CA_XA"\n',
            'actors."Lê Văn C".roles: Input should be a valid list',
        ),
        ('[roles.X]\nmay = ["safty.*"]\n', "roles.X.may[0]: 'safty.*' matches no action"),
        (
            '[roles.X]\nmay = ["safety.*"]\nalso = ["dispute.*", "dispte.close"]\n',
            "roles.X.also[1]: 'dispte.close' matches no action",
        ),
        ("[actors\n", "not valid TOML"),
    ],
)
def test_a_malformed_policy_file_is_refused_naming_the_field(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "antq.db.policy.toml"
    path.write_text(text, "utf-8")

    with pytest.raises(PolicyError) as caught:
        load_policy(path)

    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)
    assert caught.value.exit_code == 2
