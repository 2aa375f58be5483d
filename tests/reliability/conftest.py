"""Shared fuzz fixtures: one small valid ledger per test function (a copy of one built per
session), its fingerprint, valid lines of every action, and the count of inputs tried.

Set ANTQ_FUZZ_EXAMPLES=5000 for a deeper run; the terminal summary prints the inputs tried
per category.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from ledger.application import Clerk, Ledger
from ledger.audit import verify
from ledger.imports import import_file

from ..conftest import EXAMPLES

EXAMPLE = EXAMPLES / "small-province.jsonl"
DEEP = int(os.environ.get("ANTQ_FUZZ_EXAMPLES", "0"))
TRIED: Counter[str] = Counter()


def fuzz_settings(default: int) -> settings:
    """Hypothesis settings: ``default`` examples, or ANTQ_FUZZ_EXAMPLES for a deep run. The
    ledger fixture is reused across examples on purpose: each example must leave it unchanged."""
    return settings(
        max_examples=DEEP or default,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TRIED:
        terminalreporter.section("fuzz: inputs tried per category")
        for category, count in sorted(TRIED.items()):
            terminalreporter.write_line(f"{category:<40} {count:>7}")
        terminalreporter.write_line(f"{'total':<40} {sum(TRIED.values()):>7}")


@pytest.fixture(scope="session")
def base_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small province of tests/data, imported once into an SQLite file."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    ledger = Ledger(f"sqlite:///{folder / 'antq.db'}")
    import_file(ledger, EXAMPLE, Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA"))
    ledger.close()
    return folder / "antq.db"


class Fixed:
    """A copy of the base ledger, and its fingerprint: log length, Merkle root and the number
    of signed checkpoints."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.ledger = Ledger(self.url)
        self.before = self.fingerprint()

    def fingerprint(self) -> tuple[int, str, int]:
        result = verify(self.ledger.recorder)
        return result.tree_size, result.root.hex(), result.checkpoints

    def assert_unchanged(self, context: object = "") -> None:
        assert self.fingerprint() == self.before, f"the ledger changed: {context!r}"


@pytest.fixture
def fixed(base_ledger: Path, tmp_path: Path) -> Iterator[Fixed]:
    path = tmp_path / "antq.db"
    shutil.copy(base_ledger, path)
    state = Fixed(path)
    yield state
    state.ledger.close()


PERSON = "0" * 32  # schema-valid person id; no such person in the base ledger
# One schema-valid line of every action against the base ledger; those in RULE_VALID also pass
# every rule there (so a mutation that must be accepted can be checked with --dry-run).
VALID: dict[str, dict[str, Any]] = {
    "unit.register": {"code": "TN-X3", "name": "Xã Tân Lập", "kind": "commune", "parent": "TN",
                      "effective_on": "2005-01-01"},
    "unit.rename": {"code": "TN-X2", "name": "Phường Phú Thủy Mới", "effective_on": "2024-01-01"},
    "unit.merge": {"codes": ["TN-X1-T2"], "into": "TN-X1-T1", "effective_on": "2024-07-01"},
    "unit.dissolve": {"code": "TN-X2-K2", "effective_on": "2024-01-01"},
    "model.register": {"code": "MH-NEW", "name": "Mô hình mới", "field": "an ninh trật tự",
                       "unit": "TN-X1", "effective_on": "2024-01-01", "sponsor": "MTTQ"},
    "model.recognise": {"code": "MH-LG", "effective_on": "2024-01-01", "decision": "9/QĐ-UBND"},
    "model.replicate": {"code": "MH-LG", "unit": "TN-X1", "effective_on": "2024-01-01"},
    "model.review": {"code": "MH-CAM", "effective_on": "2024-01-01", "finding": "sơ kết"},
    "model.suspend": {"code": "MH-CAM", "effective_on": "2024-01-01", "reason": "tạm dừng"},
    "model.reinstate": {"code": "MH-CAM", "effective_on": "2024-03-01"},
    "model.dissolve": {"code": "MH-LG", "effective_on": "2024-01-01", "reason": "giải thể"},
    "award.decide": {"issuer": "UBND-TN", "decision": "13/QĐ-UBND", "level": "province",
                     "form": "giay_khen", "effective_on": "2023-12-20",
                     "recipients": [{"unit": "TN-X2"},
                                    {"person": {"name": "Lê Thị Cúc", "unit": "TN-X2",
                                                "birth_year": 1975, "position": "trưởng thôn"}}],
                     "reason": "thành tích xuất sắc"},
    "award.present": {"issuer": "UBND-TN", "decision": "12/QĐ-UBND", "year": 2023,
                      "effective_on": "2024-01-05", "presenter": "Phó Chủ tịch"},
    "award.correct": {"issuer": "UBND-TN", "decision": "12/QĐ-UBND", "year": 2023, "line": 3,
                      "recipient": {"person": {"name": "Trần Thị Bính", "unit": "TN-X2"}},
                      "reason": "đính chính họ tên", "effective_on": "2024-01-10"},
    "award.annul": {"issuer": "UBND-TN", "decision": "12/QĐ-UBND", "year": 2023,
                    "reason": "sai thẩm quyền", "effective_on": "2024-02-01"},
    "safety.register": {"unit": "TN-X1", "year": 2024, "effective_on": "10/02/2024"},
    "safety.recognise": {"unit": "TN-X2-K2", "year": 2023, "effective_on": "20/12/2023",
                         "decision": "57/QĐ-UBND"},
    "safety.deny": {"unit": "TN-X2-K2", "year": 2023, "effective_on": "20/12/2023",
                    "reason": "lặp lại"},
    "safety.annul": {"unit": "TN-X1", "year": 2023, "effective_on": "15/04/2024",
                     "reason": "hồ sơ giả mạo"},
    "dispute.receive": {"unit": "TN-X2", "case": "HG-03", "effective_on": "2023-09-01",
                        "category": "đất đai", "summary": "tranh chấp lối đi"},
    "dispute.assign": {"unit": "TN-X2", "case": "HG-02", "team": "Tổ hòa giải số 2",
                       "effective_on": "2023-08-02"},
    "dispute.settle": {"unit": "TN-X2", "case": "HG-02", "effective_on": "2023-08-10"},
    "dispute.fail": {"unit": "TN-X2", "case": "HG-02", "effective_on": "2023-08-10",
                     "reason": "không thống nhất"},
    "dispute.resume": {"unit": "TN-X1", "case": "HG-02", "effective_on": "2023-08-10"},
    "dispute.refer": {"unit": "TN-X2", "case": "HG-02", "to": "UBND phường",
                      "effective_on": "2023-08-10"},
    "dispute.close": {"unit": "TN-X2", "case": "HG-02", "effective_on": "2023-08-10"},
    "person.view": {"person": PERSON, "purpose": "xác minh"},
    "person.erase": {"person": PERSON, "reason": "rút lại sự đồng ý"},
    "programme.sign": {"citation": "01/CTrPH-CAT-MTTQT", "parties": ["Công an tỉnh", "MTTQ tỉnh"],
                       "period_from": "2024", "period_to": "2033", "effective_on": "2024-01-10",
                       "content_areas": ["đăng ký, bình xét, công nhận"], "scope": "TN"},
    "programme.alias": {"citation": "07/CTrPH-BCA-MTTW", "alias": "07/CTr-BCA-MTTW",
                        "effective_on": "2024-01-10"},
    "programme.amend": {"citation": "07/CTrPH-BCA-MTTW", "source": "Phụ lục 1",
                        "period_to": "2035", "effective_on": "2024-01-10"},
    "programme.end": {"citation": "07/CTrPH-BCA-MTTW", "reason": "hết hạn",
                      "effective_on": "2034-01-10"},
    "statistic.report": {"unit": "TN", "indicator": "MEDIATION_SETTLED", "period_from": "2013",
                         "period_to": "2023", "source": "Báo cáo tổng kết 10 năm",
                         "value": "54.307", "qualifier": "about", "reporting_body": "Công an tỉnh",
                         "effective_on": "2023-05-29"},
    "statistic.correct": {"unit": "TN", "indicator": "MEDIATION_SETTLED", "period_from": "2013",
                          "period_to": "2023", "source": "Báo cáo tổng kết 10 năm",
                          "value": "54.308", "reason": "đính chính", "effective_on": "2023-06-01"},
    "statistic.withdraw": {"unit": "TN", "indicator": "MEDIATION_SETTLED", "period_from": "2013",
                           "period_to": "2023", "source": "Báo cáo tổng kết 10 năm",
                           "reason": "rút lại", "effective_on": "2023-06-01"},
    "security-org.establish": {"unit": "TN-X1", "code": "ANXH-01", "kind": "social_security_team",
                               "name": "Tổ an ninh xã hội số 1", "members": 12,
                               "households_covered": 180, "households_in_area": 200,
                               "source": "5/QĐ-UBND", "effective_on": "2024-01-01"},
    "security-org.change": {"unit": "TN-X1", "code": "ANXH-01", "members": 14,
                            "source": "Báo cáo quý I", "effective_on": "2024-04-01"},
    "security-org.disband": {"unit": "TN-X1", "code": "ANXH-01", "reason": "sáp nhập tổ",
                             "effective_on": "2024-06-01"},
    "classification.assess": {"unit": "TN-X1", "year": 2024, "score": "92,5",
                              "proposed_grade": "xuat_sac", "dossier": "Báo cáo tự chấm",
                              "effective_on": "2024-11-10"},
    "classification.appraise": {"unit": "TN-X1", "year": 2024, "score": 90,
                                "proposed_grade": "kha", "appraiser": "Công an tỉnh",
                                "effective_on": "2024-11-25"},
    "classification.decide": {"unit": "TN-X1", "year": 2024, "grade": "kha",
                              "decision": "120/QĐ-UBND", "decided_by": "UBND tỉnh",
                              "effective_on": "2024-12-20"},
    "classification.annul": {"unit": "TN-X1", "year": 2024, "reason": "sai điểm",
                             "effective_on": "2025-01-20"},
}  # fmt: skip
RULE_VALID = sorted(
    set(VALID)
    - {"model.reinstate", "safety.recognise", "safety.deny", "dispute.resume", "person.view",
       "person.erase", "programme.alias", "programme.amend", "programme.end",
       "statistic.correct", "statistic.withdraw", "security-org.change", "security-org.disband",
       "classification.appraise", "classification.decide", "classification.annul"}
)  # fmt: skip
# Units whose names are unique in the base ledger, with their names as registered.
NAMED_UNITS = {"TN": "Tỉnh Thử Nghiệm", "TN-X1": "Xã Hòa Bình", "TN-X2": "Phường Phú Thủy"}
