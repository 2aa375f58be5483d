"""Benchmark: `antq audit verify` against a plain sqlite3 scan, and the tree's cost to an import.

    python -m tests.benchmarks.bench_audit [--events 1000000] [--import-events 100000]
        [--repeats 3] [--ledger FILE] [--profile]

Targets (issue 4):

1. `antq audit verify` over a million events runs at >= 0.30x the rate of a plain sqlite3
   SELECT of the same stored-event rows (`SELECT rowid, originator_id, originator_version,
   topic, state FROM stored_events ORDER BY rowid`, iterated with fetchmany, nothing else), and
   its peak memory does not grow with the log (peak RSS of the CLI process, 100k and 1M events).
2. The integrity tree adds under 15% to import time: the same 100,000-event dispute file is
   imported in-process into fresh copies of one ledger, with the normal recorder and with
   ``UntreedRecorder`` (the same recorder, appending no leaves or nodes).

The ledgers are built with the real CLI from JSON Lines files, as in ``bench_projections``: a
small one (100,000 events) and a large one (``--events``); ``--ledger FILE`` copies an existing
ledger instead of building the large one (its tree must already exist: a ledger written before
the tree is covered when first opened, which this benchmark would otherwise time). Repeats are
interleaved; figures are medians.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import ledger.recorder
from ledger.application import Clerk, Ledger
from ledger.audit import verify
from ledger.imports import import_file
from ledger.scan import SCAN_BATCH
from ledger.storage import LedgerSQLiteRecorder
from tests.benchmarks.bench_projections import CASES_2023, build
from tests.benchmarks.common import (
    ANTQ,
    measured_run,
    median,
    run,
    write_dispute_file,
    write_units_file,
)

COMMUNES = 100
SMALL_EVENTS = 100_000
UNTREED = {"APPLICATION_RECORDER_TOPIC": "tests.benchmarks.bench_audit:UntreedRecorder"}


def _no_tree(c: Any, events: Sequence[Any], positions: Sequence[int]) -> None:
    """Stands in for ``ledger.recorder.append_to_tree``: appends nothing."""


class UntreedRecorder(LedgerSQLiteRecorder):
    """The ledger's recorder doing the same work minus the Merkle tree: ``_insert_events``
    runs with the module-level ``append_to_tree`` it calls replaced by a no-op."""

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> Sequence[int] | None:
        real = ledger.recorder.append_to_tree
        ledger.recorder.append_to_tree = _no_tree
        try:
            return super()._insert_events(c, stored_events, **kwargs)
        finally:
            ledger.recorder.append_to_tree = real


# --- target 1: verify ------------------------------------------------------------------------


def years_for(events: int) -> dict[int, int]:
    """Ten earlier years of cases and the 2023 of bench_projections: about ``events`` events."""
    earlier = (events - 2 * CASES_2023) // 2 // 10
    return {**{year: earlier for year in range(2013, 2023)}, 2023: CASES_2023}


def scan_rate(db: Path) -> tuple[int, float]:
    """Rows and rows/s of a plain sqlite3 SELECT of the stored-event rows, fetchmany, nothing
    else (the baseline)."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    began = time.perf_counter()
    cursor = connection.execute(
        "SELECT rowid, originator_id, originator_version, topic, state "
        "FROM stored_events ORDER BY rowid"
    )
    rows = 0
    while batch := cursor.fetchmany(SCAN_BATCH):
        rows += len(batch)
    seconds = time.perf_counter() - began
    connection.close()
    return rows, rows / seconds


def cli_verify(db: Path) -> tuple[int, float, float]:
    """Events verified, seconds and peak resident memory (MB) of `antq audit verify` in its own
    process."""
    output, seconds, peak = measured_run(ANTQ, "--db", f"sqlite:///{db}", "audit", "verify")
    found = re.match(r"OK: (\d+) events", output)
    if not found:
        raise RuntimeError(f"antq audit verify of {db} said: {output}")
    return int(found.group(1)), seconds, peak


def in_process_verify(db: Path) -> tuple[int, float]:
    """Events and seconds of ``ledger.audit.verify`` alone (the ledger opened beforehand)."""
    opened = Ledger(f"sqlite:///{db}")
    began = time.perf_counter()
    result = verify(opened.recorder)
    seconds = time.perf_counter() - began
    opened.close()
    return result.tree_size, seconds


def profile_verify(db: Path, top: int = 12) -> str:
    """cProfile of one in-process verify: the top costs by own time."""
    opened = Ledger(f"sqlite:///{db}")
    profiler = cProfile.Profile()
    profiler.runcall(verify, opened.recorder)
    opened.close()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def bench_verify(folder: Path, events: int, repeats: int, ledger_file: Path | None,
                 profile: bool) -> None:  # fmt: skip
    small = folder / "small.db"
    build(folder, small.name, years_for(SMALL_EVENTS))
    large = folder / "large.db"
    if ledger_file is None:
        build(folder, large.name, years_for(events))
    else:
        shutil.copy(ledger_file, large)
    scans, cli, inproc, peaks = [], [], [], {small: [], large: []}
    rows = size = 0
    for _ in range(repeats):  # interleaved, to spread the machine's noise
        rows, rate = scan_rate(large)
        scans.append(rate)
        size, seconds, peak = cli_verify(large)
        cli.append(seconds)
        peaks[large].append(peak)
        _, seconds = in_process_verify(large)
        inproc.append(seconds)
        small_size, _, peak = cli_verify(small)
        peaks[small].append(peak)
    if rows != size:
        raise RuntimeError(f"verify covered {size} events, the log holds {rows}")
    baseline, cli_rate, inproc_rate = median(scans), size / median(cli), size / median(inproc)
    print(f"log: {size:,} events (large), {small_size:,} events (small)")
    print(f"plain sqlite3 SELECT, fetchmany (baseline): {baseline:,.0f} rows/s  "
          f"(runs: {', '.join(f'{r:,.0f}' for r in scans)})")  # fmt: skip
    print(f"antq audit verify (CLI, whole process):     {cli_rate:,.0f} events/s  "
          f"({median(cli):.1f} s; runs: {', '.join(f'{s:.1f}' for s in cli)} s)")  # fmt: skip
    print(f"ledger.audit.verify (in-process):           {inproc_rate:,.0f} events/s  "
          f"({median(inproc):.1f} s; runs: {', '.join(f'{s:.1f}' for s in inproc)} s)")  # fmt: skip
    print(f"ratio of medians: {cli_rate / baseline:.3f} CLI, {inproc_rate / baseline:.3f} "
          "in-process  (target >= 0.30)")  # fmt: skip
    paired_cli = [size / c / b for c, b in zip(cli, scans, strict=True)]
    paired_in = [size / i / b for i, b in zip(inproc, scans, strict=True)]
    print(f"ratio within each repeat (median): {median(paired_cli):.3f} CLI "
          f"({', '.join(f'{r:.3f}' for r in paired_cli)}), {median(paired_in):.3f} in-process "
          f"({', '.join(f'{r:.3f}' for r in paired_in)})")  # fmt: skip
    print(f"peak memory of antq audit verify: {median(peaks[large]):.0f} MB (large), "
          f"{median(peaks[small]):.0f} MB (small)  (target: not growing with the log)")  # fmt: skip
    if profile:
        print(f"cProfile of ledger.audit.verify over the small ledger ({small_size:,} events):")
        print(profile_verify(small))


# --- target 2: the tree's cost to an import ------------------------------------------------


TREE_CPU: list[float] = []  # CPU seconds inside append_to_tree, one entry per import with the tree


@contextlib.contextmanager
def _tree_cpu_counted() -> Iterator[None]:
    """Count the CPU time spent inside ``append_to_tree`` during an import."""
    real, spent = ledger.recorder.append_to_tree, [0.0]

    def counted(*args: Any) -> None:
        began = time.process_time()
        real(*args)
        spent[0] += time.process_time() - began

    ledger.recorder.append_to_tree = counted
    try:
        yield
    finally:
        ledger.recorder.append_to_tree = real
        if spent[0]:
            TREE_CPU.append(spent[0])


def import_seconds(
    folder: Path, base_db: Path, workload: Path, env: dict[str, str]
) -> tuple[float, float]:
    """Wall and CPU seconds of an in-process import of the workload into a fresh copy of
    ``base_db`` (CPU time is far steadier than wall time on this shared machine)."""
    db = folder / f"import-{time.perf_counter_ns()}.db"
    shutil.copy(base_db, db)
    opened = Ledger(f"sqlite:///{db}", env=env)
    began, cpu = time.perf_counter(), time.process_time()
    with _tree_cpu_counted():
        import_file(opened, workload, Clerk(actor="bench"))
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    opened.close()
    connection = sqlite3.connect(db)
    leaves, stored = connection.execute(
        "SELECT (SELECT COUNT(*) FROM integrity_leaves), (SELECT COUNT(*) FROM stored_events)"
    ).fetchone()
    connection.close()
    if (leaves == stored) != (env is not UNTREED):
        raise RuntimeError(f"{leaves} leaves cover {stored} events after an import with {env}")
    db.unlink()
    return seconds, cpu


def bench_import(folder: Path, events: int, repeats: int) -> None:
    units, workload, base_db = folder / "units.jsonl", folder / "cases.jsonl", folder / "base.db"
    write_units_file(units, COMMUNES)
    write_dispute_file(workload, events // 2, COMMUNES)
    run(ANTQ, "--db", f"sqlite:///{base_db}", "--actor", "bench", "import", str(units))
    without, with_tree, cpu_without, cpu_with = [], [], [], []
    for _ in range(repeats):  # interleaved, to spread the machine's noise
        for runs, cpus, env in ((without, cpu_without, UNTREED), (with_tree, cpu_with, {})):
            seconds, cpu = import_seconds(folder, base_db, workload, env)
            runs.append(seconds)
            cpus.append(cpu)
    plain, treed = median(without), median(with_tree)
    print(f"import of {events:,} events without the tree: {events / plain:,.0f} events/s  "
          f"({plain:.2f} s; runs: {', '.join(f'{s:.2f}' for s in without)} s)")  # fmt: skip
    print(f"import of {events:,} events with the tree:    {events / treed:,.0f} events/s  "
          f"({treed:.2f} s; runs: {', '.join(f'{s:.2f}' for s in with_tree)} s)")  # fmt: skip
    print(f"the tree adds: {100 * (treed / plain - 1):.1f}% to import time  (target < 15%)")
    paired = [100 * (t / p - 1) for t, p in zip(with_tree, without, strict=True)]
    print(f"within each repeat (median): {median(paired):.1f}%  "
          f"(runs: {', '.join(f'{r:.1f}' for r in paired)}%)")  # fmt: skip
    extra = 100 * (median(cpu_with) / median(cpu_without) - 1)
    print(f"CPU time: {median(cpu_without):.2f} s without, {median(cpu_with):.2f} s with the tree: "
          f"+{extra:.1f}%")  # fmt: skip
    best = 100 * (min(with_tree) / min(without) - 1)
    print(f"best of the runs: {min(without):.2f} s without, {min(with_tree):.2f} s with: "
          f"+{best:.1f}%")  # fmt: skip
    shares = [100 * t / (c - t) for t, c in zip(TREE_CPU, cpu_with, strict=True)]
    print(f"CPU inside append_to_tree, against the rest of the same import: "
          f"{median(shares):.1f}%  (runs: {', '.join(f'{r:.1f}' for r in shares)}%)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--import-events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ledger", type=Path, help="copy this ledger instead of building one")
    parser.add_argument("--profile", action="store_true", help="cProfile one verify (small)")
    parser.add_argument("--only", choices=["verify", "import"], help="run one part only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if args.only != "import":
            bench_verify(folder, args.events, args.repeats, args.ledger, args.profile)
        if args.only != "verify":
            bench_import(folder, args.import_events, args.repeats)


if __name__ == "__main__":
    main()
