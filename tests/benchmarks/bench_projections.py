"""Benchmark: projection rebuild and standings against reading the log, measured in the same run.

    python -m tests.benchmarks.bench_projections [--events 1000000] [--order receipts-first]

Targets (issue 3): a full rebuild runs at >= 0.5x the rate of merely reading and deserialising the
same log; its peak memory stays under 300 MB and does not grow with the log; `standings` on the
large ledger takes at most 2x its time on a 10,000-event ledger.

Both ledgers hold the same 2023 (5,000 mediation cases, received then settled: 10,000 events); the
large one adds ten earlier years of cases, so only history grows.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from ledger.application import Ledger
from projections.runner import Projector, engine_for
from projections.standings import standings
from tests.benchmarks.common import ANTQ, measured_run, median, run, write_units_file

COMMUNES = 100
CASES_2023 = 5_000


def write_cases(path: Path, years: dict[int, int], order: str = "monthly") -> None:
    """Two events a case: received, then settled.

    ``monthly``, the order a real logbook has: each month's cases are received on the 1st and
    settled on the 1st of the next month. ``receipts-first``: every case of every year is
    received before any is settled, the worst order for a projector with bounded memory.
    """
    with path.open("w", encoding="utf-8") as file:

        def line(verb: str, year: int, n: int, on: str) -> None:
            file.write(
                f'{{"action": "dispute.{verb}", "unit": "BX-C{n % COMMUNES:03d}", '
                f'"case": "HG-{year}-{n:07d}", "effective_on": "{on}"}}\n'
            )

        if order == "receipts-first":
            for verb, day in (("receive", "01"), ("settle", "05")):
                for year, cases in years.items():
                    for n in range(cases):
                        line(verb, year, n, f"{year}-03-{day}")
            return
        for year, cases in years.items():
            months = [range(cases * m // 12, cases * (m + 1) // 12) for m in range(12)]
            for month, numbers in enumerate(months, start=1):
                for n in numbers:
                    line("receive", year, n, f"{year}-{month:02d}-01")
                if month > 1:
                    for n in months[month - 2]:
                        line("settle", year, n, f"{year}-{month:02d}-01")
            for n in months[11]:
                line("settle", year, n, f"{year}-12-31")


def build(folder: Path, name: str, years: dict[int, int], order: str = "monthly") -> str:
    """A ledger holding the units and the cases of ``years``; returns its URL."""
    url = f"sqlite:///{folder / name}"
    units, cases = folder / f"{name}.units.jsonl", folder / f"{name}.cases.jsonl"
    write_units_file(units, COMMUNES)
    write_cases(cases, years, order)
    run(ANTQ, "--db", url, "--actor", "bench", "import", str(units))
    run(ANTQ, "--db", url, "--actor", "bench", "import", str(cases))
    return url


def read_rate(url: str) -> tuple[int, float]:
    """Events and events/s of reading and deserialising the whole log, with no projection."""
    ledger = Ledger(url)
    start, count, began = 0, 0, time.perf_counter()
    while notes := ledger.recorder.select_notifications(start, 5000, inclusive_of_start=False):
        for note in notes:
            ledger.mapper.to_domain_event(note)
        count, start = count + len(notes), notes[-1].id
    return count, count / (time.perf_counter() - began)


def rebuild(url: str) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of `antq projections rebuild` in its own process."""
    _, seconds, peak = measured_run(ANTQ, "--db", url, "projections", "rebuild")
    return seconds, peak


def standings_ms(url: str, repeats: int = 15) -> float:
    """Median milliseconds of the 2023 standings on a caught-up ledger."""
    projector = Projector(Ledger(url), engine_for(url))
    projector.catch_up()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        standings(projector.engine, 2023)
        times.append(1000 * (time.perf_counter() - began))
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--order", choices=["monthly", "receipts-first"], default="monthly")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ledger", type=Path, help="rebuild a copy of this ledger (its tree "
                        "already written) instead of building the large one")  # fmt: skip
    args = parser.parse_args()
    earlier = (args.events - 2 * CASES_2023) // 2 // 10
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small = build(folder, "small.db", {2023: CASES_2023}, args.order)
        years = {**{y: earlier for y in range(2013, 2023)}, 2023: CASES_2023}
        if args.ledger:
            shutil.copy(args.ledger, folder / "large.db")
            large = f"sqlite:///{folder / 'large.db'}"
        else:
            large = build(folder, "large.db", years, args.order)
        baselines, rebuilds, ratios, peaks = [], [], [], []
        for _ in range(args.repeats):  # interleaved: this machine's speed drifts by 2x
            events, baseline = read_rate(large)
            seconds, peak = rebuild(large)
            baselines.append(baseline)
            rebuilds.append(events / seconds)
            ratios.append(events / seconds / baseline)
            peaks.append(peak)
        _, peak_small = rebuild(small)
        small_ms, large_ms = standings_ms(small), standings_ms(large)
    runs = ", ".join
    print(f"log: {events:,} events (large), 10,000 events of 2023 in both ledgers, "
          f"order: {args.order}")  # fmt: skip
    print(f"read and deserialise the log (baseline): {median(baselines):,.0f} events/s  "
          f"(runs: {runs(f'{b:,.0f}' for b in baselines)})")  # fmt: skip
    print(f"antq projections rebuild:                {median(rebuilds):,.0f} events/s  "
          f"(runs: {runs(f'{r:,.0f}' for r in rebuilds)})")  # fmt: skip
    print(f"ratio within each repeat (median): {median(ratios):.2f}  "
          f"(runs: {runs(f'{r:.2f}' for r in ratios)}; target >= 0.5)")  # fmt: skip
    peak_large = max(peaks)
    print(f"peak memory of the rebuild: {peak_large:.0f} MB (large), {peak_small:.0f} MB (small)"
          "  (target < 300 MB, not growing with the log)")  # fmt: skip
    print(f"standings 2023: {small_ms:.1f} ms (small), {large_ms:.1f} ms (large), "
          f"ratio {large_ms / small_ms:.2f}  (target <= 2)")  # fmt: skip


if __name__ == "__main__":
    main()
