"""Benchmark: CLI start-up against the bare imports it cannot avoid, measured in the same run.

    python -m tests.benchmarks.bench_startup [--repeats 15]

Targets (issue 2): `antq --help` within 2x `python -c "import click"`; one recording command
within 2x `python -c "import click, pydantic, eventsourcing.application"`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import ANTQ, median, run, write_units_file


def wall(*args: str) -> float:
    start = time.perf_counter()
    run(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        db = f"sqlite:///{folder / 'antq.db'}"
        units = folder / "units.jsonl"
        write_units_file(units, communes=3)
        run(ANTQ, "--db", db, "--actor", "bench", "import", str(units))
        samples: dict[str, list[float]] = {key: [] for key in ("click", "help", "stack", "record")}
        for n in range(args.repeats):  # interleaved, to spread the machine's noise
            samples["click"].append(wall(sys.executable, "-c", "import click"))
            samples["help"].append(wall(ANTQ, "--help"))
            samples["stack"].append(
                wall(sys.executable, "-c", "import click, pydantic, eventsourcing.application")
            )
            samples["record"].append(
                wall(ANTQ, "--db", db, "--actor", "bench", "dispute", "receive",
                     "--unit", "BX-C001", "--case", f"HG-{n:04d}", "--on", "2023-03-01")
            )  # fmt: skip
    ms = {key: 1000 * median(values) for key, values in samples.items()}
    print(f'python -c "import click":                                {ms["click"]:6.0f} ms')
    print(f"antq --help:                                             {ms['help']:6.0f} ms  "
          f"ratio {ms['help'] / ms['click']:.2f} (target <= 2)")  # fmt: skip
    print(f'python -c "import click, pydantic, eventsourcing.application": {ms["stack"]:4.0f} ms')
    print(f"antq dispute receive (one recording command):            {ms['record']:6.0f} ms  "
          f"ratio {ms['record'] / ms['stack']:.2f} (target <= 2)")  # fmt: skip


if __name__ == "__main__":
    main()
