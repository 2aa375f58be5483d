"""Benchmark: `antq import` of 100,000 events against raw sqlite3 inserts measured in the same run.

    python -m tests.benchmarks.bench_import [--events 100000] [--repeats 3]

The workload is 50,000 new mediation cases, each received and settled (two events per record).
The baseline is raw sqlite3 executemany of 100,000 pre-built ~200-byte rows, 1,000 per
transaction, WAL mode. The target ratio (DESIGN, issue 2) is >= 0.20.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from ledger.application import Ledger
from tests.benchmarks.common import (
    ANTQ,
    import_phases,
    median,
    raw_sqlite_insert_rate,
    run,
    write_dispute_file,
    write_units_file,
)

COMMUNES = 100


def cli_import_rate(folder: Path, base_db: Path, workload: Path, events: int) -> float:
    """Events/s of the real CLI importing the workload into a ledger that holds the units."""
    db = folder / f"import-{time.perf_counter_ns()}.db"
    shutil.copy(base_db, db)
    start = time.perf_counter()
    run(ANTQ, "--db", f"sqlite:///{db}", "--actor", "bench", "import", str(workload))
    return events / (time.perf_counter() - start)


def phases(folder: Path, base_db: Path, workload: Path) -> dict[str, float]:
    """Seconds spent in each phase of an import, measured in-process."""
    db = folder / f"phases-{time.perf_counter_ns()}.db"
    shutil.copy(base_db, db)
    ledger = Ledger(f"sqlite:///{db}")
    try:
        return import_phases(ledger, workload)
    finally:
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        units, workload, base_db = (
            folder / "units.jsonl",
            folder / "cases.jsonl",
            folder / "base.db",
        )
        write_units_file(units, COMMUNES)
        write_dispute_file(workload, args.events // 2, COMMUNES)
        run(ANTQ, "--db", f"sqlite:///{base_db}", "--actor", "bench", "import", str(units))
        raw, cli = [], []
        for _ in range(args.repeats):  # interleaved, to spread the machine's noise
            raw.append(raw_sqlite_insert_rate(folder, args.events))
            cli.append(cli_import_rate(folder, base_db, workload, args.events))
        split = phases(folder, base_db, workload)
    print(
        f"raw sqlite3 executemany baseline: {median(raw):,.0f} rows/s  (runs: "
        f"{', '.join(f'{r:,.0f}' for r in raw)})"
    )
    print(
        f"antq import (CLI, whole process):  {median(cli):,.0f} events/s  (runs: "
        f"{', '.join(f'{r:,.0f}' for r in cli)})"
    )
    print(f"ratio: {median(cli) / median(raw):.3f}  (target >= 0.20)")
    total = sum(split.values())
    print("where the time goes (in-process, one run):")
    for phase, seconds in split.items():
        print(f"  {phase:<36} {seconds:6.2f} s  {100 * seconds / total:4.1f}%")


if __name__ == "__main__":
    main()
