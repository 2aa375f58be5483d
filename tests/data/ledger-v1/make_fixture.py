"""Made tests/data/ledger-v1/: a small SQLite ledger written by the FIRST event schema.

    DO NOT RE-RUN THIS SCRIPT. It was run once, with the code as it stood before the first
    change of an event class (MediationCase.Received v1: ``category``, no ``initiation``).
    The committed ledger.db is the point: its events were written by the earlier schema, and
    tests/ledger/test_schema_evolution.py proves that later code still reads them, that their
    stored bytes (and so `antq audit verify`) never change, and what they show. Running it
    with later code would write later versions of events and prove nothing. It refuses to
    overwrite an existing ledger.db.

    .venv/bin/python tests/data/ledger-v1/make_fixture.py   (how it was run, once)

It writes, beside itself:

* ``ledger.db``: the ledger, one file (write-ahead log checkpointed, journal mode DELETE),
  holding at least one event of every event class of that schema, and one signed checkpoint;
* ``ledger.db.signing-key``: its Ed25519 signing key (a test key: it signs nothing real);
* ``public-key.txt``: the key's public half (hex), as `antq audit public-key` prints it;
* ``checkpoint.json``: the checkpoint, as `antq audit digest` prints it;
* ``log.json``, ``standings-2023.json``, ``standings-2025.json`` and ``history-*.json``:
  what that code showed for it (`antq log --json`, `antq standings --json`,
  `antq history ... --json`, read with no actor, so nothing is recorded by reading).

Actors and roles are fixed; recording times are the real times of the run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from ledger.application import Clerk, Ledger  # noqa: E402
from ledger.commands import parse_json_line  # noqa: E402
from ledger.imports import import_bytes  # noqa: E402

DB = HERE / "ledger.db"
URL = f"sqlite:///{DB}"
IMPORT_NAME = "mediation-2023.jsonl"

# (actor, role, action) in recording order. Dates are legal dates (valid time).
UNITS = [
    {"action": "unit.register", "code": "TN", "name": "Tỉnh Thuận Nam", "kind": "province",
     "effective_on": "2004-01-01"},
    {"action": "unit.register", "code": "TN-H1", "name": "Huyện Hòa Đa", "kind": "district",
     "parent": "TN", "effective_on": "2004-01-01"},
    {"action": "unit.register", "code": "TN-X1", "name": "Xã Hòa Bình", "kind": "commune",
     "parent": "TN-H1", "effective_on": "2004-01-01"},
    {"action": "unit.register", "code": "TN-X2", "name": "Xã Phú Lạc", "kind": "commune",
     "parent": "TN-H1", "effective_on": "2004-01-01"},
    {"action": "unit.register", "code": "TN-X3", "name": "Xã Tân Hải", "kind": "commune",
     "parent": "TN", "effective_on": "2010-01-01"},
    {"action": "unit.register", "code": "TN-X1-T1", "name": "Thôn 1", "kind": "residential_area",
     "parent": "TN-X1", "effective_on": "2004-01-01"},
    {"action": "unit.register", "code": "TN-X1-T2", "name": "Thôn 2", "kind": "residential_area",
     "parent": "TN-X1", "effective_on": "2004-01-01"},
    {"action": "unit.register", "code": "TN-CA", "name": "Công an tỉnh Thuận Nam",
     "kind": "agency", "parent": "TN", "effective_on": "2004-01-01"},
    {"action": "unit.rename", "code": "TN-X2", "name": "Xã Phú Lạc Mới",
     "effective_on": "2020-06-01", "source": "Nghị quyết số 9/NQ-HĐND"},
]  # fmt: skip
MODELS = [
    {"action": "model.register", "code": "MH-01", "name": "Camera với ANTT", "field": "trật tự",
     "unit": "TN-X1", "sponsor": "MTTQ", "effective_on": "2022-03-01"},
    {"action": "model.recognise", "code": "MH-01", "decision": "7/QĐ-CAT",
     "effective_on": "2023-02-01"},
    {"action": "model.replicate", "code": "MH-01", "unit": "TN-X2", "effective_on": "2023-03-01"},
    {"action": "model.review", "code": "MH-01", "finding": "sơ kết: hoạt động tốt",
     "effective_on": "2023-06-30"},
    {"action": "model.suspend", "code": "MH-01", "reason": "thiếu kinh phí",
     "effective_on": "2023-09-01"},
    {"action": "model.reinstate", "code": "MH-01", "effective_on": "2023-10-01"},
    {"action": "model.register", "code": "MH-02", "name": "Tổ tự quản", "field": "an ninh",
     "unit": "TN-X3", "effective_on": "2022-05-01"},
    {"action": "model.dissolve", "code": "MH-02", "reason": "không còn hoạt động",
     "effective_on": "2023-12-01"},
]  # fmt: skip
AWARDS = [
    {"action": "award.decide", "issuer": "UBND-TN", "decision": "12/QĐ-UBND", "level": "province",
     "form": "bang_khen", "reason": "thành tích xuất sắc", "effective_on": "2023-12-15",
     "recipients": [{"unit": "TN-X1"},
                    {"person": {"name": "Nguyễn Văn Anh", "unit": "TN-X1", "birth_year": 1980}},
                    {"person": {"name": "Trần Thị Bình", "unit": "TN-X2",
                                "position": "Trưởng thôn"}}]},
    {"action": "award.present", "issuer": "UBND-TN", "year": 2023, "decision": "12/QĐ-UBND",
     "presenter": "Công an tỉnh", "effective_on": "2023-12-20"},
    {"action": "award.correct", "issuer": "UBND-TN", "year": 2023, "decision": "12/QĐ-UBND",
     "line": 2, "recipient": {"person": {"name": "Nguyễn Văn An", "unit": "TN-X1",
                                         "birth_year": 1980}},
     "reason": "sai chính tả", "effective_on": "2023-12-21"},
    {"action": "award.decide", "issuer": "UBND-H1", "decision": "5/QĐ-UBND", "level": "district",
     "form": "giay_khen", "effective_on": "2023-11-01", "recipients": [{"unit": "TN-X2"}]},
    {"action": "award.annul", "issuer": "UBND-H1", "year": 2023, "decision": "5/QĐ-UBND",
     "reason": "Điều 93 khoản 2 điểm a", "effective_on": "2024-02-01"},
]  # fmt: skip
SAFETY = [
    {"action": "safety.register", "unit": "TN-X1-T1", "year": 2023, "effective_on": "2023-02-01"},
    {"action": "safety.register", "unit": "TN-X1-T2", "year": 2023, "effective_on": "2023-04-10"},
    {"action": "safety.register", "unit": "TN-X1", "year": 2023, "effective_on": "2023-02-01"},
    {"action": "safety.register", "unit": "TN-X2", "year": 2023, "effective_on": "2023-02-01"},
    {"action": "safety.recognise", "unit": "TN-X1-T1", "year": 2023, "decision": "50/QĐ-UBND",
     "effective_on": "2023-12-10"},
    {"action": "safety.deny", "unit": "TN-X1-T2", "year": 2023,
     "reason": "chưa đạt tiêu chí 3", "effective_on": "2023-12-10"},
    {"action": "safety.recognise", "unit": "TN-X1", "year": 2023, "decision": "55/QĐ-UBND",
     "effective_on": "2023-12-20"},
    {"action": "safety.recognise", "unit": "TN-X2", "year": 2023, "decision": "56/QĐ-UBND",
     "effective_on": "2023-12-20"},
    {"action": "safety.annul", "unit": "TN-X2", "year": 2023, "reason": "hồ sơ giả mạo",
     "effective_on": "2024-01-15"},
    {"action": "safety.annul", "unit": "TN-X1-T2", "year": 2023, "reason": "xét lại",
     "effective_on": "2024-01-15"},
]  # fmt: skip
# Imported as one file (ImportRun.Started, ImportRun.BatchCommitted), actor from the lines.
MEDIATION = [
    {"action": "dispute.receive", "unit": "TN-X1", "case": "HG-01", "category": "đất đai",
     "summary": "Ông Lê A và bà Phạm B tranh chấp ranh giới", "effective_on": "2023-03-01"},
    {"action": "dispute.assign", "unit": "TN-X1", "case": "HG-01", "team": "Tổ hòa giải thôn 1",
     "effective_on": "2023-03-02"},
    {"action": "dispute.fail", "unit": "TN-X1", "case": "HG-01", "reason": "chưa thống nhất",
     "effective_on": "2023-03-20"},
    {"action": "dispute.resume", "unit": "TN-X1", "case": "HG-01", "effective_on": "2023-04-01"},
    {"action": "dispute.settle", "unit": "TN-X1", "case": "HG-01", "reason": "hai bên thỏa thuận",
     "effective_on": "2023-04-15"},
    {"action": "dispute.close", "unit": "TN-X1", "case": "HG-01", "effective_on": "2023-04-20"},
    {"action": "dispute.receive", "unit": "TN-X1", "case": "HG-02",
     "category": "hôn nhân và gia đình", "summary": "Vợ chồng anh Đỗ C mâu thuẫn",
     "effective_on": "2023-05-01"},
    {"action": "dispute.refer", "unit": "TN-X1", "case": "HG-02", "to": "UBND xã",
     "effective_on": "2023-05-10"},
    {"action": "dispute.close", "unit": "TN-X1", "case": "HG-02", "reason": "đã chuyển",
     "effective_on": "2023-05-11"},
    {"action": "dispute.receive", "unit": "TN-X2", "case": "HG-01", "effective_on": "2023-06-01"},
    {"action": "dispute.fail", "unit": "TN-X2", "case": "HG-01", "effective_on": "2023-06-15"},
    {"action": "dispute.receive", "unit": "TN-X2", "case": "HG-02", "category": "đất đai",
     "effective_on": "2023-07-01"},
]  # fmt: skip
# After 01/07/2025: the commune mergers and the end of the district level.
REORGANISATION = [
    {"action": "unit.merge", "codes": ["TN-X3"], "into": "TN-X1", "effective_on": "2025-07-01",
     "source": "Nghị quyết số 1/NQ-UBTVQH15"},
    {"action": "unit.dissolve", "code": "TN-H1", "effective_on": "2025-07-01"},
]  # fmt: skip

ADMIN = Clerk("Nguyễn Quản Trị", "ADMIN_REF")
POLICE = Clerk("Lê Văn C", "CA_TINH")
AWARDS_OFFICE = Clerk("Phan Thị D", "TD_KT")
COMMUNE = Clerk("Lê Văn C", "UBND_XA")
MEDIATOR = Clerk("Hoàng Văn E", "HOA_GIAI_VIEN")
DPO = Clerk("Vũ Thị F", "DPO")

HISTORIES = {
    "history-unit-TN-X2.json": ["unit", "TN-X2"],
    "history-unit-TN-X3.json": ["unit", "TN-X3"],
    "history-model-MH-01.json": ["model", "MH-01"],
    "history-award-UBND-TN.json": ["award", "UBND-TN", "2023", "12/QĐ-UBND"],
    "history-safety-TN-X2.json": ["safety", "TN-X2", "2023"],
    "history-dispute-TN-X1-HG-01.json": ["dispute", "TN-X1", "HG-01"],
    "history-dispute-TN-X1-HG-02.json": ["dispute", "TN-X1", "HG-02"],
    "history-dispute-TN-X2-HG-01.json": ["dispute", "TN-X2", "HG-01"],
}


def record(ledger: Ledger, clerk: Clerk, lines: list[dict]) -> None:
    for line in lines:
        ledger.execute(parse_json_line(json.dumps(line).encode()), clerk)


def antq(*args: str) -> str:
    """Run the CLI in its own process (so it leaves no connection open), with no actor."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTQ_")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "antq"), "--db", URL, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"antq {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def write_ledger() -> None:
    ledger = Ledger(URL)
    try:
        record(ledger, ADMIN, UNITS)
        record(ledger, POLICE, MODELS)
        record(ledger, AWARDS_OFFICE, AWARDS)
        record(ledger, COMMUNE, SAFETY)
        lines = "".join(
            json.dumps({**line, "actor": MEDIATOR.actor, "role": MEDIATOR.role}, ensure_ascii=False)
            + "\n"
            for line in MEDIATION
        )
        import_bytes(ledger, IMPORT_NAME, lines.encode(), Clerk(None))
        record(ledger, ADMIN, REORGANISATION)
        # The data-protection officer views one individual recipient and erases a case summary.
        award = ledger.history("award", ["UBND-TN", "2023", "12/QĐ-UBND"])
        viewed = award[0]["lines"][1]["person"]["id"]
        case = ledger.history("dispute", ["TN-X1", "HG-02"])
        erased = case[0]["summary_subject"]
        record(
            ledger,
            DPO,
            [
                {"action": "person.view", "person": viewed, "purpose": "kiểm tra hồ sơ",
                 "effective_on": "2024-03-01"},
                {"action": "person.erase", "person": erased,
                 "reason": "NĐ 13/2023/NĐ-CP Điều 16", "effective_on": "2024-03-02"},
            ],
        )  # fmt: skip
    finally:
        ledger.close()


def write_views() -> None:
    """What the code of that schema showed, read from a copy (the read models it builds stay
    out of the committed file: the tests build them from the log)."""
    global URL
    copy = HERE / "views.db"
    copy.write_bytes(DB.read_bytes())
    (HERE / "views.db.signing-key").write_bytes((HERE / "ledger.db.signing-key").read_bytes())
    kept, URL = URL, f"sqlite:///{copy}"
    try:
        outputs = {
            "log.json": antq("log", "--json"),
            "standings-2023.json": antq("standings", "--year", "2023", "--json"),
            "standings-2025.json": antq("standings", "--year", "2025", "--json"),
        }
        for name, args in HISTORIES.items():
            outputs[name] = antq("history", *args, "--json")
    finally:
        URL = kept
        for leftover in HERE.glob("views.db*"):
            leftover.unlink()
    for name, text in outputs.items():
        (HERE / name).write_text(text, encoding="utf-8")


def single_file() -> None:
    """Fold the write-ahead log into the file and leave it in rollback-journal mode, so the
    committed ledger.db is complete on its own (no -wal or -shm beside it)."""
    connection = sqlite3.connect(DB)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        if Path(f"{DB}{suffix}").exists():
            raise SystemExit(f"{DB}{suffix} was left behind")


def main() -> None:
    if DB.exists():
        raise SystemExit(f"{DB} exists: this fixture is made once, by the earlier schema")
    write_ledger()
    (HERE / "checkpoint.json").write_text(antq("audit", "digest"), encoding="utf-8")
    (HERE / "public-key.txt").write_text(
        antq("audit", "public-key").split()[0] + "\n", encoding="utf-8"
    )
    single_file()
    write_views()
    single_file()
    print(f"{DB}: {DB.stat().st_size} bytes")


if __name__ == "__main__":
    main()
