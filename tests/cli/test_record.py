"""Recording verbs: every verb of every family on a valid lifecycle, and each kind of refusal."""

from __future__ import annotations

import pytest

from .conftest import Antq


def test_unit_verbs_register_rename_merge_and_dissolve(antq: Antq) -> None:
    register = ["unit", "register", "--kind", "commune", "--parent", "TN", "--on", "2004-01-01"]

    assert antq.recorded(
        "unit", "register", "--code", "TN", "--name", "Tỉnh Thử Nghiệm", "--kind", "province",
        "--on", "2004-01-01",
    ) == ["unit TN Registered"]  # fmt: skip
    assert antq.recorded(*register, "--code", "X1", "--name", "Xã Một") == ["unit X1 Registered"]
    assert antq.recorded(*register, "--code", "X2", "--name", "Xã Hai") == ["unit X2 Registered"]
    assert antq.recorded(*register, "--code", "X3", "--name", "Xã Ba") == ["unit X3 Registered"]
    assert antq.recorded(*register, "--code", "X4", "--name", "Xã Bốn") == ["unit X4 Registered"]
    assert antq.recorded(
        "unit", "rename", "--code", "X1", "--name", "Phường Một", "--on", "2020-01-01"
    ) == ["unit X1 Renamed"]
    assert antq.recorded(
        "unit", "merge", "--codes", "X2", "--codes", "X3", "--into", "X1", "--on", "01/07/2025"
    ) == ["unit X1 Absorbed", "unit X2 MergedInto", "unit X3 MergedInto"]
    assert antq.recorded("unit", "dissolve", "--code", "X4", "--on", "2025-07-01") == [
        "unit X4 Dissolved"
    ]


def test_model_verbs_follow_a_model_from_register_to_dissolve(province: Antq) -> None:
    code = ["--code", "M1"]

    assert province.recorded(
        "model", "register", *code, "--name", "Camera với ANTT", "--field", "an ninh trật tự",
        "--unit", "X1", "--sponsor", "MTTQ", "--on", "2023-01-15",
    ) == ["model M1 Registered"]  # fmt: skip
    assert province.recorded(
        "model", "recognise", *code, "--on", "2023-06-01", "--decision", "7/QĐ-UBND"
    ) == ["model M1 RecognisedEffective"]
    assert province.recorded("model", "replicate", *code, "--unit", "X2", "--on", "2023-07-01") == [
        "model M1 Replicated"
    ]
    assert province.recorded(
        "model", "review", *code, "--finding", "Sơ kết 6 tháng: tốt", "--on", "2023-08-01"
    ) == ["model M1 Reviewed"]
    assert province.recorded(
        "model", "suspend", *code, "--reason", "Thiếu kinh phí", "--on", "2023-09-01"
    ) == ["model M1 Suspended"]
    assert province.recorded("model", "reinstate", *code, "--on", "2023-10-01") == [
        "model M1 Reinstated"
    ]
    assert province.recorded(
        "model", "dissolve", *code, "--reason", "Sáp nhập mô hình", "--on", "2023-11-01"
    ) == ["model M1 Dissolved"]


def test_award_verbs_decide_present_correct_and_annul(province: Antq) -> None:
    key = ["--issuer", "UBND-TN", "--decision", "12/QĐ-UBND", "--year", "2023"]

    assert province.recorded(
        "award", "decide", "--issuer", "UBND-TN", "--decision", "12/QĐ-UBND",
        "--level", "province", "--form", "bang_khen", "--on", "15/12/2023",
        "--collective", "X1", "--individual", "Nguyễn Văn An@X2", "--reason", "Thành tích",
    ) == ["award UBND-TN 2023 12/QĐ-UBND Decided"]  # fmt: skip
    assert province.recorded(
        "award", "present", *key, "--presenter", "Chủ tịch UBND tỉnh", "--on", "2023-12-20"
    ) == ["award UBND-TN 2023 12/QĐ-UBND Presented"]
    assert province.recorded(
        "award", "correct", *key, "--line", "2", "--unit", "X2", "--name", "Nguyễn Văn Ân",
        "--birth-year", "1980", "--reason", "Sai chính tả", "--on", "2023-12-21",
    ) == ["award UBND-TN 2023 12/QĐ-UBND LineCorrected"]  # fmt: skip
    assert province.recorded(
        "award", "annul", *key, "--reason", "Điều 93", "--on", "2024-01-21"
    ) == ["award UBND-TN 2023 12/QĐ-UBND Annulled"]


def test_safety_verbs_register_recognise_deny_and_annul(province: Antq) -> None:
    def safety(verb: str, unit: str, on: str, *more: str) -> list[str]:
        return province.recorded(
            "safety", verb, "--unit", unit, "--year", "2023", "--on", on, *more
        )

    assert safety("register", "KP1", "10/02/2023") == ["safety KP1 2023 Registered"]
    assert safety("register", "xã hoà bình", "10/02/2023") == ["safety X1 2023 Registered"]
    assert safety("register", "TH1", "2023-02-10") == ["safety TH1 2023 Registered"]
    assert safety("recognise", "KP1", "2023-12-01", "--decision", "5/QĐ-UBND") == [
        "safety KP1 2023 Recognised"
    ]
    assert safety("recognise", "X1", "2023-12-20") == ["safety X1 2023 Recognised"]
    assert safety("deny", "TH1", "2023-12-20", "--reason", "Có vụ việc") == [
        "safety TH1 2023 Denied"
    ]
    assert safety("annul", "KP1", "2024-02-01", "--reason", "Kết quả sai") == [
        "safety KP1 2023 Annulled"
    ]


def test_a_commune_below_70_percent_is_recorded_and_flagged(province: Antq) -> None:
    for unit in ("X1", "KP1", "KP2"):
        province.ok("safety", "register", "--unit", unit, "--year", "2023", "--on", "2023-02-01")
    province.ok("safety", "recognise", "--unit", "KP1", "--year", "2023", "--on", "2023-12-01")

    output = province.ok(
        "safety", "recognise", "--unit", "X1", "--year", "2023", "--on", "2023-12-20"
    )

    assert output.endswith(" safety X1 2023 Recognised [flagged: commune_below_70_percent]\n")


def test_dispute_verbs_receive_assign_fail_resume_settle_refer_and_close(province: Antq) -> None:
    def dispute(verb: str, case: str, on: str, *more: str) -> list[str]:
        return province.recorded("dispute", verb, "--unit", "X1", "--case", case, "--on", on, *more)

    assert dispute(
        "receive", "HG-01", "2023-04-01", "--category", "đất đai", "--summary", "Ông A, bà B"
    ) == ["dispute X1 HG-01 Received"]
    assert dispute("assign", "HG-01", "2023-04-02", "--team", "Tổ hòa giải số 1") == [
        "dispute X1 HG-01 Assigned"
    ]
    assert dispute("fail", "HG-01", "2023-04-03", "--reason", "Không thống nhất") == [
        "dispute X1 HG-01 Failed"
    ]
    assert dispute("resume", "HG-01", "2023-04-04") == ["dispute X1 HG-01 Resumed"]
    assert dispute("settle", "HG-01", "2023-04-05") == ["dispute X1 HG-01 Settled"]
    assert dispute("close", "HG-01", "2023-04-06") == ["dispute X1 HG-01 Closed"]
    assert dispute("receive", "HG-02", "2023-05-01") == ["dispute X1 HG-02 Received"]
    assert dispute("refer", "HG-02", "2023-05-02", "--to", "UBND xã") == [
        "dispute X1 HG-02 Referred"
    ]


def test_the_actor_can_come_from_ANTQ_ACTOR(province: Antq) -> None:
    output = province.ok(
        "safety", "register", "--unit", "X2", "--year", "2023", "--on", "2023-02-01",
        actor=None, role=None, env={"ANTQ_ACTOR": "Trần Văn B", "ANTQ_ROLE": "MTTQ"},
    )  # fmt: skip

    assert output.endswith(" safety X2 2023 Registered\n")
    assert province.log()[-1]["actor"] == "Trần Văn B"
    assert province.log()[-1]["role"] == "MTTQ"


# --- refusals by a rule, or of a record that does not exist: exit 1, nothing written ----------

SETUP = [
    ["safety", "register", "--unit", "X1", "--year", "2023", "--on", "2023-02-01"],
    ["safety", "recognise", "--unit", "X1", "--year", "2023", "--on", "2023-12-20"],
    ["award", "decide", "--issuer", "UBND-TN", "--decision", "12/QĐ-UBND", "--level", "province",
     "--form", "bang_khen", "--on", "2023-12-15", "--collective", "X1"],
    ["award", "annul", "--issuer", "UBND-TN", "--decision", "12/QĐ-UBND", "--year", "2023",
     "--reason", "sai", "--on", "2024-01-15"],
    ["dispute", "receive", "--unit", "X1", "--case", "HG-01", "--on", "2023-04-01"],
    ["dispute", "refer", "--unit", "X1", "--case", "HG-01", "--to", "Tòa án", "--on", "2023-04-02"],
    ["unit", "merge", "--codes", "X2", "--into", "X3", "--on", "2025-07-01"],
    ["model", "register", "--code", "M1", "--name", "Tổ tự quản", "--field", "an ninh",
     "--unit", "X1", "--on", "2023-01-01"],
    ["model", "suspend", "--code", "M1", "--reason", "tạm dừng", "--on", "2023-03-01"],
]  # fmt: skip

REFUSALS = {
    "recognising twice": (
        ["safety", "recognise", "--unit", "X1", "--year", "2023", "--on", "2023-12-21"],
        "safety X1 2023 was already recognised on 20/12/2023; annul that decision first",
    ),
    "recognising without registering": (
        ["safety", "recognise", "--unit", "X3", "--year", "2023", "--on", "2023-12-21"],
        "unit X3 did not register for 2023: record 'antq safety register' first",
    ),
    "annulling an award twice": (
        ["award", "annul", "--issuer", "UBND-TN", "--decision", "12/QĐ-UBND", "--year", "2023",
         "--reason", "again", "--on", "2024-02-01"],
        "award UBND-TN 2023 12/QĐ-UBND was annulled on 15/01/2024: it cannot be annulled again",
    ),
    "settling a case that is not open": (
        ["dispute", "settle", "--unit", "X1", "--case", "HG-01", "--on", "2023-04-03"],
        "dispute X1 HG-01 is referred: it cannot be settled",
    ),
    "business on a merged unit": (
        ["safety", "register", "--unit", "X2", "--year", "2025", "--on", "2025-08-01"],
        "unit X2 was merged into X3 on 01/07/2025: record later business on X3",
    ),
    "replicating a suspended model": (
        ["model", "replicate", "--code", "M1", "--unit", "X2", "--on", "2023-04-01"],
        "model M1 is suspended: it cannot be replicated",
    ),
    "registering a unit code twice": (
        ["unit", "register", "--code", "X1", "--name", "Xã Khác", "--kind", "commune",
         "--parent", "TN", "--on", "2004-01-01"],
        "unit X1 is already recorded",
    ),
    "an unknown unit": (
        ["safety", "register", "--unit", "NOPE", "--year", "2023", "--on", "2023-02-01"],
        "unit 'NOPE' is not registered: record it with 'antq unit register'",
    ),
    "an unknown model": (
        ["model", "recognise", "--code", "M9", "--on", "2023-06-01"],
        "model 'M9' is not registered: record it with 'antq model register'",
    ),
    "an unknown award": (
        ["award", "present", "--issuer", "UBND-TN", "--decision", "99/QĐ-UBND", "--year", "2023",
         "--on", "2023-12-20"],
        "award UBND-TN 2023 99/QĐ-UBND is not recorded: check the issuer, year and decision number",
    ),
    "an unknown case": (
        ["dispute", "assign", "--unit", "X1", "--case", "HG-99", "--team", "Tổ 1",
         "--on", "2023-04-01"],
        "dispute X1 HG-99 is not recorded: record it with 'antq dispute receive'",
    ),
}  # fmt: skip


@pytest.fixture
def busy_province(province: Antq) -> Antq:
    for args in SETUP:
        province.ok(*args)
    return province


@pytest.mark.parametrize("args, message", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refusal_exits_1_naming_the_record_and_writes_nothing(
    busy_province: Antq, args: list[str], message: str
) -> None:
    before = busy_province.log()

    result = busy_province(*args)

    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert result.stdout == ""
    assert busy_province.log() == before


# --- invalid input: exit 2, naming the option ------------------------------------------------

REGISTER_X = ["unit", "register", "--code", "X9", "--name", "Xã Chín", "--kind", "commune",
              "--parent", "TN"]  # fmt: skip
DECIDE = ["award", "decide", "--issuer", "UBND-TN", "--decision", "1/QĐ-UBND", "--level",
          "province", "--form", "bang_khen", "--on", "2023-12-15"]  # fmt: skip
CORRECT = ["award", "correct", "--issuer", "UBND-TN", "--decision", "1/QĐ-UBND", "--year", "2023",
           "--line", "1", "--unit", "X1", "--reason", "sai", "--on", "2023-12-16"]  # fmt: skip

INVALID = {
    "an impossible date": (
        [*REGISTER_X, "--on", "31/02/2024"],
        "--effective-on: '31/02/2024' is not a real calendar date",
    ),
    "an ambiguous date": (
        [*REGISTER_X, "--on", "02/03/24"],
        "--effective-on: '02/03/24' is not a date: write YYYY-MM-DD or dd/mm/yyyy",
    ),
    "a year that is not a whole number": (
        ["safety", "register", "--unit", "X1", "--year", "54.307", "--on", "2023-02-01"],
        "--year: '54.307' is not a whole number (write digits only, e.g. 2023)",
    ),
    "an individual without @": (
        [*DECIDE, "--individual", "Nguyễn Văn An"],
        "--individual: 'Nguyễn Văn An' must be written NAME@UNIT",
    ),
    "an individual with a control character": (
        [*DECIDE, "--individual", "Nguyễn\x07 Văn An@X1"],
        "--individual: must not contain control characters",
    ),
    "an award without recipients": (
        DECIDE,
        "--collective/--individual: List should have at least 1 item after validation, not 0",
    ),
    "a birth year that is not a number": (
        [*CORRECT, "--name", "Nguyễn Văn Ân", "--birth-year", "abc"],
        "--birth-year: 'abc' is not a whole number (write digits only, e.g. 2023)",
    ),
    "an empty name": (
        ["unit", "rename", "--code", "X1", "--name", "  ", "--on", "2023-01-01"],
        "--name: must not be empty",
    ),
}  # fmt: skip


@pytest.mark.parametrize("args, message", INVALID.values(), ids=INVALID.keys())
def test_invalid_input_exits_2_naming_the_option(
    province: Antq, args: list[str], message: str
) -> None:
    before = province.log()

    result = province(*args)

    assert (result.exit_code, result.output) == (2, f"Error: {message}\n")
    assert province.log() == before


@pytest.mark.parametrize(
    "args, message",
    [
        ([*REGISTER_X[:-2], "--on", "2004-01-01", "--kind", "town"], "Invalid value for '--kind'"),
        (["unit", "register", "--name", "Xã", "--kind", "commune", "--on", "2004-01-01"],
         "Missing option '--code'"),
        (["unit", "dissolve", "--code", "X1", "--on", "2024-01-01", "--bogus", "1"],
         "No such option '--bogus'"),
        (["unit", "frobnicate"], "No such command 'frobnicate'"),
    ],
    ids=["a kind not in the list", "a missing option", "an unknown option", "an unknown verb"],
)  # fmt: skip
def test_usage_errors_exit_2_with_click_usage(
    province: Antq, args: list[str], message: str
) -> None:
    result = province(*args)

    assert result.exit_code == 2
    assert result.output.startswith("Usage: antq unit ")
    assert f"Error: {message}" in result.output


def test_writing_without_an_actor_exits_2_saying_how_to_give_one(province: Antq) -> None:
    before = province.log()

    result = province(
        "safety", "register", "--unit", "X1", "--year", "2023", "--on", "2023-02-01", actor=None
    )

    assert (result.exit_code, result.output) == (
        2,
        "Error: actor: required to write: give --actor NAME or set ANTQ_ACTOR\n",
    )
    assert province.log() == before


def test_an_unusable_storage_url_exits_2_naming_db(tmp_path) -> None:
    result = Antq(f"sqlite:///{tmp_path}/missing/antq.db")("log")

    assert (result.exit_code, result.output) == (
        2,
        f"Error: --db 'sqlite:///{tmp_path}/missing/antq.db': folder "
        f"'{tmp_path}/missing' does not exist\n",
    )


def test_a_file_that_is_not_a_database_exits_2_naming_db(tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("không phải cơ sở dữ liệu\n" * 100, "utf-8")

    result = Antq(f"sqlite:///{notes}")("log")

    assert (result.exit_code, result.output) == (
        2,
        f"Error: --db 'sqlite:///{notes}': cannot open the database: file is not a database\n",
    )


def test_a_folder_as_the_database_exits_2_naming_db(tmp_path) -> None:
    result = Antq(f"sqlite:///{tmp_path}")("log")

    assert (result.exit_code, result.output) == (
        2,
        f"Error: --db 'sqlite:///{tmp_path}': cannot open the database: "
        "unable to open database file\n",
    )


UNKNOWN_STORAGE = "unknown storage; use sqlite:///FILE or postgresql://USER@HOST/DATABASE"


@pytest.mark.parametrize(
    "url, message",
    [
        ("", UNKNOWN_STORAGE),
        ("sqlite:///", "write sqlite:///FILE, e.g. sqlite:///antq.db"),
        ("mysql://db/antq", UNKNOWN_STORAGE),
        (
            "postgresql://127.0.0.1",
            "write postgresql://USER@HOST[:PORT]/DATABASE, "
            "e.g. postgresql://postgres@127.0.0.1:5432/antq",
        ),
    ],
)
def test_a_malformed_storage_url_exits_2_naming_db(url: str, message: str) -> None:
    result = Antq(url)("log")

    assert (result.exit_code, result.output) == (2, f"Error: --db {url!r}: {message}\n")
