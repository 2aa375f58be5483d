"""Crash-safety trials on demand: imports and rebuilds killed with SIGKILL at random moments.

    python -m tests.reliability.crash_trials --trials 20 --events 200000 \\
        [--rebuild-trials 10] [--storage sqlite|postgres] [--seed N] [--keep DIR]

Each trial's seed is ``--seed`` plus its number, printed with its delay and what it found;
``--seed S --trials 1`` with S the printed seed replays one trial. PostgreSQL trials use
``--postgres URL`` (default: ANTQ_TEST_POSTGRES, else postgresql://postgres@127.0.0.1:5432/test)
and drop the databases they create. Exits 1 if any trial found a problem (its ledger is kept
in the folder printed at the start).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from tests.reliability.crash import (
    ImportTrial,
    PostgresStorage,
    RebuildTrial,
    Storage,
    import_trial,
    prepare,
    prepare_rebuild,
    rebuild_trial,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="import trials")
    parser.add_argument("--rebuild-trials", type=int, default=10)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--storage", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(3)))
    parser.add_argument(
        "--window",
        type=float,
        nargs=2,
        default=(0.0, 1.0),
        metavar=("FROM", "TO"),
        help="kill between these fractions of an uninterrupted run's duration",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ANTQ_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument("--keep", type=Path, help="folder for the ledgers (default: a new one)")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="antq-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    storage = (
        PostgresStorage(folder, args.postgres) if args.storage == "postgres" else Storage(folder)
    )
    print(f"crash trials: {args.storage}, seed {args.seed}, folder {folder}", flush=True)
    imports: list[ImportTrial] = []
    rebuilds: list[RebuildTrial] = []
    try:
        workload = prepare(storage, args.events, say=lambda s: print(s, flush=True))
        for number in range(args.trials):
            trial = import_trial(workload, number, args.seed + number, tuple(args.window))
            imports.append(trial)
            print(trial.describe(), flush=True)
        if args.rebuild_trials:
            rebuilt = prepare_rebuild(workload, say=lambda s: print(s, flush=True))
            for number in range(args.rebuild_trials):
                seed = args.seed + 1000 + number
                trial = rebuild_trial(workload, rebuilt, number, seed, tuple(args.window))
                rebuilds.append(trial)
                print(trial.describe(), flush=True)
    finally:
        failed = [t for t in [*imports, *rebuilds] if t.problems]
        if not failed:
            storage.close()
    print(summary(args, imports, rebuilds))
    return 1 if failed else 0


def summary(
    args: argparse.Namespace, imports: list[ImportTrial], rebuilds: list[RebuildTrial]
) -> str:
    lines = ["", f"summary ({args.storage}, {args.events} events, seed {args.seed}):"]
    if imports:
        killed = [t for t in imports if not t.finished_first]
        batches = [t.batches for t in imports]
        lines.append(
            f"  import trials: {len(imports)} ({len(killed)} killed mid-run, "
            f"{len(imports) - len(killed)} finished before the kill)"
        )
        lines.append(
            f"  batches committed at the kill: min {min(batches)}, "
            f"median {statistics.median(batches):g}, max {max(batches)}; "
            f"with none committed: {sum(1 for b in batches if b == 0)}"
        )
        lines.append(
            "  kill moments (delay s / log position / batches): "
            + ", ".join(f"{t.delay:.1f}/{t.position}/{t.batches}" for t in imports)
        )
        lines.append(f"  time per trial: median {_median([t.seconds for t in imports])}")
        lines.append(f"  failures: {sum(1 for t in imports if t.problems)}")
    if rebuilds:
        refused = sum(1 for t in rebuilds if t.interrupted)
        scratch = sum(1 for t in rebuilds if t.leftovers_at_kill)
        lines.append(
            f"  rebuild trials: {len(rebuilds)} ({refused} left the read models interrupted, "
            f"{len(rebuilds) - refused} answered reads; scratch files present at the kill in "
            f"{scratch})"
        )
        lines.append("  kill delays (s): " + ", ".join(f"{t.delay:.1f}" for t in rebuilds))
        lines.append(f"  time per trial: median {_median([t.seconds for t in rebuilds])}")
        lines.append(f"  failures: {sum(1 for t in rebuilds if t.problems)}")
    for trial in [*imports, *rebuilds]:
        if trial.problems:
            lines.append("  FAILED " + trial.describe())
    return "\n".join(lines)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s (min {min(values):.1f}, max {max(values):.1f})"


if __name__ == "__main__":
    sys.exit(main())
