"""``antq programme …``: the verbs, their refusals and exit codes, and the alias in every entry
point (verbs, import lines, history, standings, export), on both storages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.conftest import EXAMPLES

from .conftest import Antq

NATIONAL = "07/CTrPH-BCA-MTTW"
VARIANT = "07/CTr-BCA-MTTW"
PROVINCIAL = "01/CTrPH-CAT-MTTQT"
SIGN_NATIONAL = [
    "programme", "sign", "--citation", NATIONAL, "--on", "17/10/2023",
    "--title", "Đẩy mạnh phong trào toàn dân bảo vệ an ninh Tổ quốc trong tình hình mới",
    "--parties", "Bộ Công an", "--parties", "Ủy ban Trung ương MTTQ Việt Nam",
    "--period-from", "2023", "--period-to", "2033",
]  # fmt: skip
SIGN_PROVINCIAL = [
    "programme", "sign", "--citation", PROVINCIAL, "--on", "10/01/2024",
    "--parties", "Công an tỉnh", "--parties", "Ủy ban MTTQ tỉnh", "--implements", VARIANT,
    "--scope", "TN", "--content-areas", "tuyên truyền", "--content-areas", "khen thưởng",
]  # fmt: skip
ALIAS = ["programme", "alias", "--citation", NATIONAL, "--alias", VARIANT, "--on", "10/01/2024"]


def test_programme_verbs_follow_a_programme_from_signing_to_its_end(province: Antq) -> None:
    assert province.recorded(*SIGN_NATIONAL) == [f"programme {NATIONAL} Signed"]
    assert province.recorded(*ALIAS) == [f"programme {NATIONAL} AliasAdded"]
    assert province.recorded(*SIGN_PROVINCIAL) == [f"programme {PROVINCIAL} Signed"]
    assert province.recorded(
        "programme", "amend", "--citation", "07/ctr-bca-mttw", "--on", "2025-01-01",
        "--period-to", "2030", "--source", "Phụ lục sửa đổi",
    ) == [f"programme {NATIONAL} Amended"]  # fmt: skip
    assert province.recorded(
        "programme", "end", "--citation", VARIANT, "--on", "2026-01-01", "--reason", "thay thế"
    ) == [f"programme {NATIONAL} Ended"]


def test_history_accepts_the_citation_folded_or_any_alias(province: Antq) -> None:
    province.ok(*SIGN_NATIONAL)
    province.ok(*ALIAS)

    for written in (NATIONAL, "07 / ctrph-bca-mttw", VARIANT, "07/CTR-BCA-MTTW"):
        trail = json.loads(province.ok("history", "programme", written, "--json"))
        assert [e["event"] for e in trail] == ["Signed", "AliasAdded"], written
        assert trail[0]["citation"] == NATIONAL


def test_an_unrecorded_variant_is_not_found_until_it_is_an_alias(province: Antq) -> None:
    province.ok(*SIGN_NATIONAL)

    result = province("history", "programme", VARIANT)
    assert result.exit_code == 1
    assert result.output.startswith("Error: programme '07/CTr-BCA-MTTW' is not recorded")
    refused = province(*SIGN_PROVINCIAL)
    assert (refused.exit_code, "is not recorded" in refused.output) == (1, True)


def test_refusals_exit_1_naming_the_other_programme(province: Antq) -> None:
    province.ok(*SIGN_NATIONAL)
    province.ok(*ALIAS)
    province.ok(*SIGN_PROVINCIAL)

    taken = province("programme", "alias", "--citation", PROVINCIAL, "--alias", VARIANT,
                     "--on", "2024-02-01")  # fmt: skip
    assert (taken.exit_code, taken.output) == (
        1,
        f"Error: programme {PROVINCIAL}: alias '{VARIANT}' refused: '{VARIANT}' is already an "
        f"alias of programme {NATIONAL}; one citation names one programme\n",
    )
    citation = province("programme", "alias", "--citation", PROVINCIAL, "--alias", NATIONAL,
                        "--on", "2024-02-01")  # fmt: skip
    assert citation.exit_code == 1
    assert f"is the citation of programme {NATIONAL}" in citation.output
    again = province(*SIGN_NATIONAL)
    assert (again.exit_code, again.output) == (
        1, f"Error: programme {NATIONAL} was already signed on 17/10/2023\n"
    )  # fmt: skip
    province.ok("programme", "end", "--citation", NATIONAL, "--on", "2026-01-01", "--reason", "x")
    ended = province("programme", "amend", "--citation", NATIONAL, "--on", "2026-02-01",
                     "--period-to", "2030", "--source", "QĐ")  # fmt: skip
    assert (ended.exit_code, ended.output) == (
        1, f"Error: programme {NATIONAL} ended on 01/01/2026: it cannot be amended\n"
    )  # fmt: skip


def test_invalid_input_exits_2_naming_the_options(province: Antq) -> None:
    result = province(
        "programme", "sign", "--citation", "07", "--on", "17/10/2023", "--parties", "Bộ Công an",
        "--period-from", "2033", "--period-to", "2023",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: --citation: '07' is not a document citation: write its number and symbol, "
        "e.g. 07/CTrPH-BCA-MTTW",
        "--period-to: the period ends (2023) before it starts (2033)",
    ]
    no_parties = province("programme", "sign", "--citation", NATIONAL, "--on", "17/10/2023")
    assert no_parties.exit_code == 2 and "Missing option '--parties'" in no_parties.output


def test_an_import_file_may_name_programmes_by_their_aliases(antq: Antq) -> None:
    assert "imported 4 lines" in antq.ok("import", str(EXAMPLES / "seed-programmes.jsonl"))

    trail = json.loads(antq.ok("history", "programme", "01/ctrph-cat-mttqt", "--json"))
    assert (trail[0]["implements"], trail[0]["scope"]) == (NATIONAL, "TH")
    assert len(trail[0]["content_areas"]) == 7


def test_standings_and_the_export_show_the_canonical_citation_with_its_aliases(
    antq: Antq, tmp_path: Path
) -> None:
    antq.ok("import", str(EXAMPLES / "seed-programmes.jsonl"))

    standings = json.loads(antq.ok("standings", "--year", "2024", "--scope", "TH", "--json"))
    assert standings["programmes"] == {
        "in_force": 2,
        "citations": [NATIONAL, PROVINCIAL],
        "aliases": {NATIONAL: [VARIANT]},
    }
    earlier = json.loads(antq.ok("standings", "--year", "2023", "--json"))["programmes"]
    assert (earlier["in_force"], earlier["citations"]) == (1, [NATIONAL])

    antq.ok("export", "--format", "csv", "--out", str(tmp_path / "csv"))
    with (tmp_path / "csv" / "programmes.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == [
        "Số hiệu", "Ngày ký", "Tên chương trình", "Các bên", "Thời hạn", "Nội dung",
        "Thực hiện chương trình", "Tên gọi khác", "Phạm vi", "Ngày kết thúc",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == [NATIONAL, PROVINCIAL]
    assert rows[1][1:5] == [
        "17/10/2023", "Đẩy mạnh phong trào toàn dân bảo vệ an ninh Tổ quốc trong tình hình mới",
        "Bộ Công an; Ủy ban Trung ương MTTQ Việt Nam", "2023 – 2033",
    ]  # fmt: skip
    assert (rows[1][7], rows[2][6], rows[2][8]) == (VARIANT, NATIONAL, "TH")
    assert "antq export verify" not in antq.ok("export", "verify", str(tmp_path / "csv"))


def test_each_programme_verb_has_help(antq: Antq) -> None:
    for verb in ("sign", "alias", "amend", "end"):
        result = antq("programme", verb, "--help", actor=None, role=None)
        assert result.exit_code == 0
        assert f"Same fields as the import action 'programme.{verb}'" in result.output
