from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Antq, write_jsonl

POLICY = """
[actors."Lê Văn C"]
roles = ["CA_XA"]
units = ["X1"]

[actors."Chủ tịch UBND tỉnh"]
roles = ["UBND_TINH"]
units = ["TN"]

[actors."Thanh tra Nguyễn"]
roles = ["INSPECTOR"]
"""
NOTICE = (
    "antq: no access policy (single-user mode): every actor may record everything; "
    "see docs/access.md\n"
)


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY, "utf-8")
    return path


def register(unit: str) -> list[str]:
    return ["safety", "register", "--unit", unit, "--year", "2023", "--on", "2023-02-01"]


def test_commune_police_register_their_commune_and_not_another(
    province: Antq, policy_file: Path
) -> None:
    env = {"ANTQ_POLICY": str(policy_file)}
    before = province.log()

    refused = province(*register("X2"), actor="Lê Văn C", role=None, env=env)

    assert (refused.exit_code, refused.output) == (
        1,
        "Error: Lê Văn C (CA_XA) may not record safety.register for X2: "
        "Lê Văn C acts for X1, not X2\n",
    )
    assert province.log() == before
    assert province.recorded(*register("KP1"), actor="Lê Văn C", role=None, env=env) == [
        "safety KP1 2023 Registered"
    ]


def test_an_inspector_may_not_write(province: Antq, policy_file: Path) -> None:
    before = province.log()

    result = province(
        "--policy", str(policy_file), *register("X1"), actor="Thanh tra Nguyễn", role=None
    )

    assert (result.exit_code, result.output) == (
        1,
        "Error: Thanh tra Nguyễn (INSPECTOR) may not record safety.register: "
        "INSPECTOR records nothing under this policy (it reads and audits)\n",
    )
    assert province.log() == before


def test_a_role_the_actor_does_not_hold_is_refused(province: Antq, policy_file: Path) -> None:
    result = province(
        *register("X1"), actor="Lê Văn C", role="UBND_TINH", env={"ANTQ_POLICY": str(policy_file)}
    )

    assert (result.exit_code, result.output) == (
        1,
        "Error: Lê Văn C does not hold role UBND_TINH in the access policy (holds CA_XA)\n",
    )


def test_an_import_with_a_denied_line_writes_nothing(
    province: Antq, policy_file: Path, tmp_path: Path
) -> None:
    file = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"action": "safety.register", "unit": "KP1", "year": 2023,
             "effective_on": "2023-02-01"},
            {"action": "safety.register", "unit": "X1", "year": 2023, "effective_on": "2023-02-01",
             "actor": "Chủ tịch UBND tỉnh"},
        ],
    )  # fmt: skip
    before = province.log()

    result = province("import", str(file), actor="Lê Văn C", role=None,
                      env={"ANTQ_POLICY": str(policy_file)})  # fmt: skip

    assert (result.exit_code, result.output) == (
        1,
        "Error: line 2: Chủ tịch UBND tỉnh (UBND_TINH) may not record safety.register for a "
        "commune: it is recorded by CA_XA, UBND_XA; nothing was written\n",
    )
    assert province.log() == before


def test_a_malformed_policy_file_exits_2_naming_the_field(province: Antq, tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[actors."Lê Văn C"]\nroles = ["CA_XA"]\nunit = ["X1"]\n', "utf-8")

    result = province(*register("X1"), env={"ANTQ_POLICY": str(path)})

    assert (result.exit_code, result.output) == (
        2,
        f'Error: {path}: actors."Lê Văn C".unit: unknown field (expected roles, units in '
        "[actors.NAME]; may, also in [roles.NAME]; or the tables actors and roles)\n",
    )


def test_a_missing_policy_file_exits_2(province: Antq, tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"

    result = province(*register("X1"), env={"ANTQ_POLICY": str(path)})

    assert (result.exit_code, result.output) == (
        2,
        f"Error: {path}: cannot read the access policy: No such file or directory\n",
    )


def test_the_policy_beside_an_sqlite_ledger_applies_by_default(sqlite_url: str) -> None:
    antq = Antq(sqlite_url)
    antq.ok("unit", "register", "--code", "TN", "--name", "Tỉnh Thử Nghiệm", "--kind",
            "province", "--on", "2004-01-01")  # fmt: skip
    Path(sqlite_url.removeprefix("sqlite:///") + ".policy.toml").write_text(POLICY, "utf-8")

    result = antq(*register("TN"), actor="Người Lạ", role=None)

    assert result.exit_code == 1
    assert result.output.startswith("Error: Người Lạ is not in the access policy (")


def test_single_user_mode_says_so_once_at_the_first_write(
    antq: Antq, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.main.stderr_is_terminal", lambda: True)
    unit = ["unit", "register", "--kind", "province", "--on", "2004-01-01"]

    first = antq(*unit, "--code", "TN", "--name", "Tỉnh Một")
    second = antq(*unit, "--code", "HN", "--name", "Tỉnh Hai")

    assert (first.exit_code, first.stderr, first.stdout) == (
        0,
        NOTICE,
        "recorded #1 unit TN Registered\n",
    )
    assert (second.exit_code, second.stderr) == (0, "")


def test_single_user_mode_is_silent_for_scripts(antq: Antq) -> None:
    result = antq("unit", "register", "--code", "TN", "--name", "Tỉnh Một", "--kind",
                  "province", "--on", "2004-01-01")  # fmt: skip

    assert (result.exit_code, result.stderr) == (0, "")


def test_with_a_policy_there_is_no_notice(
    antq: Antq, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.main.stderr_is_terminal", lambda: True)
    path = tmp_path / "policy.toml"
    path.write_text('[actors."Quản trị"]\nroles = ["ADMIN_REF"]\nunits = ["*"]\n', "utf-8")

    result = antq("unit", "register", "--code", "TN", "--name", "Tỉnh Một", "--kind",
                  "province", "--on", "2004-01-01", actor="Quản trị", role=None,
                  env={"ANTQ_POLICY": str(path)})  # fmt: skip

    assert (result.exit_code, result.output) == (0, "recorded #1 unit TN Registered\n")
