"""Helpers shared by the benchmarks: timing, medians, a raw sqlite3 baseline, workload files."""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ANTQ = str(Path(sys.executable).with_name("antq"))


def timed(function: Callable[[], object]) -> float:
    """Wall seconds one call takes."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, failing loudly if it fails."""
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


# Spawns the command it is given and reports its seconds and peak RSS (os.wait4). Linux floors a
# child's ru_maxrss at the peak of the process that spawned it (the spawner's memory map is
# what exec replaces), so commands are spawned from this small interpreter, not from the
# benchmark, whose own peak would otherwise be reported.
SPAWNER = """
import os, subprocess, sys, time
began = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=sys.stdout, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - began, usage.ru_maxrss, status, file=sys.stderr)
"""


def measured_run(*args: str) -> tuple[str, float, float]:
    """Run a command in its own process; its output, seconds and peak resident memory (MB).
    Raises RuntimeError if it fails."""
    result = subprocess.run([sys.executable, "-c", SPAWNER, *args], capture_output=True, text=True)
    seconds, peak_kb, status = result.stderr.split()[-3:]
    if status != "0":
        raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result.stdout, float(seconds), int(peak_kb) / 1024


def raw_sqlite_insert_rate(folder: Path, rows: int, per_transaction: int = 1000) -> float:
    """Rows/s of raw sqlite3 executemany of pre-built ~200-byte rows, WAL mode (the baseline)."""
    path = folder / f"raw-{uuid.uuid4().hex}.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
        "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    topic = "ledger.disputes:MediationCase.Received"
    prebuilt = [(uuid.uuid4().hex, 1, topic, os.urandom(130)) for _ in range(rows)]
    start = time.perf_counter()
    for offset in range(0, rows, per_transaction):
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
            prebuilt[offset : offset + per_transaction],
        )
        connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return rows / seconds


def write_units_file(path: Path, communes: int) -> None:
    """A province and its communes: the units the dispute workload refers to."""
    lines = [{"action": "unit.register", "code": "BX", "name": "Tỉnh Bình Xuyên",
              "kind": "province", "effective_on": "2004-01-01"}]  # fmt: skip
    lines += [
        {"action": "unit.register", "code": f"BX-C{n:03d}", "name": f"Xã số {n}",
         "kind": "commune", "parent": "BX", "effective_on": "2004-01-01"}
        for n in range(communes)
    ]  # fmt: skip
    _write_jsonl(path, lines)


def write_dispute_file(path: Path, cases: int, communes: int, prefix: str = "HG") -> None:
    """New records, two events each: every case is received, then settled."""
    receive = [
        {"action": "dispute.receive", "unit": f"BX-C{n % communes:03d}",
         "case": f"{prefix}-{n:07d}", "effective_on": "2023-03-01", "category": "đất đai"}
        for n in range(cases)
    ]  # fmt: skip
    settle = [
        {"action": "dispute.settle", "unit": f"BX-C{n % communes:03d}",
         "case": f"{prefix}-{n:07d}", "effective_on": "05/03/2023"}
        for n in range(cases)
    ]  # fmt: skip
    _write_jsonl(path, receive + settle)


def _write_jsonl(path: Path, lines: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as file:
        for line in lines:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")


def import_phases(ledger: Any, workload: Path) -> dict[str, float]:
    """Seconds each phase of importing ``workload`` into ``ledger`` takes, measured in-process
    (the import's own steps, timed one after another)."""
    from datetime import UTC, datetime

    from ledger.application import Clerk
    from ledger.imports import _no_cyclic_gc, _validated_batches, read_lines

    times = {}
    with _no_cyclic_gc():
        start = time.perf_counter()
        _, lines = read_lines(workload.read_bytes(), Clerk("bench"))
        times["parse and validate (pydantic)"] = time.perf_counter() - start
        start = time.perf_counter()
        batches = _validated_batches(ledger.session(), lines, datetime.now(UTC))
        times["domain rules and events"] = time.perf_counter() - start
        start = time.perf_counter()
        stored = [[ledger.mapper.to_stored_event(e) for e in events] for _, events, _ in batches]
        times["transcode to stored events (JSON)"] = time.perf_counter() - start
        start = time.perf_counter()
        for rows in stored:
            ledger.recorder.insert_events(rows)
        times["insert, tree and commit"] = time.perf_counter() - start
    return times
