"""Benchmark: `antq report` against `antq standings --json` of the same year, on the same ledger,
measured in the same run.

    python -m tests.benchmarks.bench_report [--cases 5000] [--repeats 5]

The ledger holds eleven years (2013-2023) of mediation cases (received, then settled) in 100
communes. The page reads the standings of every year it charts (up to ten) and its flags, so it
is compared with one year's standings, and with the demo province (9,225 events) alone.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.benchmarks.bench_projections import build
from tests.benchmarks.common import ANTQ, measured_run, median, run


def seconds(*args: str, repeats: int) -> list[float]:
    return [measured_run(*args)[1] for _ in range(repeats)]


def compare(url: str, out: Path, repeats: int, label: str) -> None:
    run(ANTQ, "--db", url, "standings", "--year", "2023")  # catch the read models up first
    base = ("--db", url)
    standings = seconds(ANTQ, *base, "standings", "--year", "2023", "--json", repeats=repeats)
    page = seconds(ANTQ, *base, "report", "--year", "2023", "--out", str(out / "r.html"),
                   repeats=repeats)  # fmt: skip
    pdf = seconds(ANTQ, *base, "report", "--year", "2023", "--format", "pdf",
                  "--out", str(out / "r.pdf"), repeats=max(1, repeats // 2))  # fmt: skip
    size = (out / "r.html").stat().st_size
    print(f"{label}: standings --json {median(standings):.2f} s; report (HTML, {size:,} bytes) "
          f"{median(page):.2f} s = {median(page) / median(standings):.1f}x; "
          f"report --format pdf {median(pdf):.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5_000, help="mediation cases a year")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        demo = f"sqlite:///{folder / 'demo.db'}"
        run(ANTQ, "--db", demo, "--actor", "bench", "demo")
        compare(demo, folder, args.repeats, "demo province (9,225 events)")
        years = {year: args.cases for year in range(2013, 2024)}
        url = build(folder, "years.db", years)
        compare(url, folder, args.repeats, f"11 years x {args.cases:,} cases ({22 * args.cases:,}"
                " events)")  # fmt: skip


if __name__ == "__main__":
    main()
