"""Benchmark: the ledger on PostgreSQL against SQLite, and four writers against one, in one run.

    python -m tests.benchmarks.bench_postgres [--events 100000] [--repeats 3] [--writers 4]
        [--commands 300] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
        [--only import|writers]

Targets (issue 5):

- bulk import: `antq import` (the real CLI, whole process) of the same 100,000-event file (the
  dispute workload of bench_import) into a fresh PostgreSQL ledger runs at >= 0.6x the rate of
  the same import into a fresh SQLite ledger;
- concurrent writers: 4 writer processes, each recording its own communes' mediation cases one
  command per transaction (receive a case, then settle it: `Ledger.execute`, as the CLI does),
  together record >= 1.5x the events/s of one such writer alone, on PostgreSQL. The same
  comparison on SQLite is printed for context (no target).

Every ledger starts fresh from one holding the province and its communes (a file copy for SQLite,
``CREATE DATABASE ... TEMPLATE`` for PostgreSQL); the scratch databases are dropped at the end.
``--postgres`` (or ANTQ_TEST_POSTGRES) names the server and a database to administer it from.
Within each repeat the two sides of each comparison run back to back, in alternating order.
Besides rates, it prints where an import's time goes (in-process, per phase, on each storage) and,
for the writers, the time in `Ledger.store` (the insert transaction, lock waits included), each
writer's CPU per command, the CPU of the machine's postgres processes and how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg

from tests.benchmarks.common import (
    ANTQ,
    import_phases,
    median,
    run,
    write_dispute_file,
    write_units_file,
)

COMMUNES = 100
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


class Server:
    """Scratch databases on a PostgreSQL server, all named antq_bench_<pid>_*."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.prefix = f"antq_bench_{os.getpid()}"
        self.created: list[str] = []
        self.count = 0

    def url(self, database: str) -> str:
        return urlunparse(urlparse(self.admin_url)._replace(path=f"/{database}"))

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(sql)  # type: ignore[arg-type]

    def create(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of ``template`` if given); returns its name."""
        database = f"{self.prefix}_{name}"
        self._admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {database}" + (f" TEMPLATE {template}" if template else ""))
        self.created.append(database)
        return database

    def fresh_copy(self, template: str) -> str:
        self.count += 1
        return self.create(f"run{self.count}", template)

    def drop(self, database: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if database in self.created:
            self.created.remove(database)

    def drop_all(self) -> None:
        for database in list(self.created):
            self.drop(database)


@contextmanager
def fresh_ledger(folder: Path, server: Server, storage: str, base: str) -> Iterator[str]:
    """The URL of a new ledger copied from ``base`` (an SQLite file or a template database)."""
    if storage == "sqlite":
        db = folder / f"run-{time.perf_counter_ns()}.db"
        shutil.copy(base, db)
        try:
            yield f"sqlite:///{db}"
        finally:
            for path in folder.glob(f"{db.name}*"):
                path.unlink()
    else:
        database = server.fresh_copy(base)
        try:
            yield server.url(database)
        finally:
            server.drop(database)


def import_rate(url: str, workload: Path, events: int) -> float:
    """Events/s of the real CLI importing the workload (start-up included)."""
    start = time.perf_counter()
    run(ANTQ, "--db", url, "--actor", "bench", "import", str(workload))
    return events / (time.perf_counter() - start)


# --- writers ---------------------------------------------------------------------------------


def writer(url: str, index: int, writers: int, commands: int) -> None:
    """One clerk's process: receive and settle cases of its own communes, one command (one
    transaction) at a time. Says "ready" when open, starts on a line on stdin, and prints its
    events, start and end (monotonic clock, shared by processes) and seconds spent storing."""
    from ledger.application import Clerk, Ledger
    from ledger.commands import parse_action

    ledger = Ledger(url)
    clerk = Clerk("bench", "CA_XA")
    storing = [0.0]
    store = ledger.store

    def timed_store(*args: Any) -> Any:
        began = time.perf_counter()
        try:
            return store(*args)
        finally:
            storing[0] += time.perf_counter() - began

    ledger.store = timed_store  # type: ignore[method-assign]
    mine = [n for n in range(COMMUNES) if n % writers == index]
    lines = []
    for n in range(commands // 2):
        unit, case = f"BX-C{mine[n % len(mine)]:03d}", f"W{index}-{n:06d}"
        lines.append({"action": "dispute.receive", "unit": unit, "case": case,
                      "effective_on": "2023-03-01", "category": "đất đai"})  # fmt: skip
        lines.append({"action": "dispute.settle", "unit": unit, "case": case,
                      "effective_on": "2023-03-05"})  # fmt: skip
    parse_action(lines[0])  # builds the validation schema: a one-off cost, not measured
    print("ready", flush=True)
    sys.stdin.readline()
    events, start, cpu = 0, time.monotonic(), time.process_time()
    for line in lines:
        events += len(ledger.execute(parse_action(line), clerk))
    end, cpu = time.monotonic(), time.process_time() - cpu
    print(json.dumps({"events": events, "commands": len(lines), "start": start, "end": end,
                      "cpu": cpu, "storing": storing[0]}), flush=True)  # fmt: skip
    sys.stdin.readline()  # closed once the server's CPU has been read
    ledger.close()


def writers_rate(url: str, writers: int, commands: int) -> dict[str, float]:
    """Events/s of ``writers`` processes writing at once, from the first start to the last end;
    and the share of their time spent storing (the insert transaction, lock waits included)."""
    command = [sys.executable, "-m", "tests.benchmarks.bench_postgres", "--writer", url]
    processes: list[subprocess.Popen[str]] = []
    for index in range(writers):
        # Opened one after another: processes opening a PostgreSQL ledger at the same moment
        # can fail in the library's CREATE ... IF NOT EXISTS / CREATE OR REPLACE FUNCTION
        # ("tuple concurrently updated").
        process = subprocess.Popen(
            [*command, str(index), str(writers), str(commands)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            for other in processes:
                other.kill()  # only the writers started here, by their own handles
            raise RuntimeError(f"a writer failed to open {url}")
    for process in processes:  # all open: start them together
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results, busy_before, began, server_before = [], machine_busy(), time.monotonic(), server_cpu()
    for process in processes:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            process.communicate()
            raise RuntimeError(f"writer failed ({process.returncode})")
        results.append(json.loads(line))
    server = server_cpu() - server_before
    cores = (machine_busy() - busy_before) / (time.monotonic() - began)
    for process in processes:
        process.communicate("exit\n")
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    busy = sum(r["end"] - r["start"] for r in results)
    events = sum(r["events"] for r in results)
    return {
        "rate": events / seconds,
        "events": events,
        "ms": 1000 * busy / sum(r["commands"] for r in results),  # a command, on average
        "storing": sum(r["storing"] for r in results) / busy,
        "cpu": 1000 * sum(r["cpu"] for r in results) / sum(r["commands"] for r in results),
        "cores": cores,
        "server": 1000 * server / sum(r["commands"] for r in results),
    }


def server_cpu() -> float:
    """CPU seconds used so far by the processes of the machine named postgres that are running
    (a local server's backends; other databases' work included)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        if name == "postgres":
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """Seconds of CPU the whole machine has spent busy since boot (Linux /proc/stat): every
    process, the database server's and other work's included."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# --- phases of an import ---------------------------------------------------------------------


def phases(url: str, workload: Path) -> dict[str, float]:
    """Seconds spent in each phase of an import, measured in-process."""
    from ledger.application import Ledger

    ledger = Ledger(url)
    try:
        return import_phases(ledger, workload)
    finally:
        ledger.close()


# --- report ----------------------------------------------------------------------------------


def figures(values: list[float], unit: str = "events/s") -> str:
    return f"{median(values):,.0f} {unit}  (runs: {', '.join(f'{v:,.0f}' for v in values)})"


def ratios(values: list[float]) -> str:
    return f"{median(values):.2f}  (runs: {', '.join(f'{v:.2f}' for v in values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the import file")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--commands", type=int, default=300, help="commands per writer")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ANTQ_TEST_POSTGRES") or DEFAULT_SERVER,
        help="a postgresql:// URL of the server and a database to administer it from",
    )
    parser.add_argument("--only", choices=["import", "writers"], help="run one part only")
    parser.add_argument("--writer", nargs=4, help=argparse.SUPPRESS)  # a writer process
    args = parser.parse_args()
    if args.writer:
        url, index, writers, commands = args.writer
        writer(url, int(index), int(writers), int(commands))
        return
    server = Server(args.postgres)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ["ANTQ_SIGNING_KEY"] = str(folder / "antq.signing-key")
        try:
            results = measure(args, folder, server)
        finally:
            server.drop_all()
    report(args, results)


def measure(args: argparse.Namespace, folder: Path, server: Server) -> dict[str, Any]:
    units, workload = folder / "units.jsonl", folder / "cases.jsonl"
    write_units_file(units, COMMUNES)
    write_dispute_file(workload, args.events // 2, COMMUNES)
    bases = {"sqlite": str(folder / "base.db"), "postgres": server.create("base")}
    for url in (f"sqlite:///{bases['sqlite']}", server.url(bases["postgres"])):
        run(ANTQ, "--db", url, "--actor", "bench", "import", str(units))
    results: dict[str, Any] = {key: [] for key in
                               ("import sqlite", "import postgres", "import ratio",
                                "1 postgres", "n postgres", "postgres ratio",
                                "1 sqlite", "n sqlite", "sqlite ratio")}  # fmt: skip

    def imported(storage: str) -> Callable[[], None]:
        def measure_one() -> None:
            with fresh_ledger(folder, server, storage, bases[storage]) as url:
                results[f"import {storage}"].append(import_rate(url, workload, args.events))

        return measure_one

    def written(storage: str, writers: int) -> Callable[[], None]:
        def measure_one() -> None:
            with fresh_ledger(folder, server, storage, bases[storage]) as url:
                key = f"{1 if writers == 1 else 'n'} {storage}"
                results[key].append(writers_rate(url, writers, args.commands))

        return measure_one

    parts = []
    if args.only in (None, "import"):
        parts.append(("import", [imported("sqlite"), imported("postgres")]))
    if args.only in (None, "writers"):
        parts.append(("postgres", [written("postgres", 1), written("postgres", args.writers)]))
        parts.append(("sqlite", [written("sqlite", 1), written("sqlite", args.writers)]))
    for repeat in range(args.repeats):  # interleaved: this machine's speed drifts
        for part, (first, second) in parts:
            for step in (first, second) if repeat % 2 == 0 else (second, first):
                step()
            if part == "import":
                results["import ratio"].append(
                    results["import postgres"][-1] / results["import sqlite"][-1]
                )
            else:
                results[f"{part} ratio"].append(
                    results[f"n {part}"][-1]["rate"] / results[f"1 {part}"][-1]["rate"]
                )
    if args.only in (None, "import"):
        for storage in ("sqlite", "postgres"):
            with fresh_ledger(folder, server, storage, bases[storage]) as url:
                results[f"phases {storage}"] = phases(url, workload)
    return results


def report(args: argparse.Namespace, results: dict[str, Any]) -> None:
    if args.only in (None, "import"):
        sqlite, postgres = results["import sqlite"], results["import postgres"]
        print(f"import of {args.events:,} events (antq import, CLI, whole process), fresh ledgers:")
        print(f"  SQLite:     {figures(sqlite)}")
        print(f"  PostgreSQL: {figures(postgres)}")
        print(f"  ratio of medians: {median(postgres) / median(sqlite):.2f}  (target >= 0.6)")
        print(f"  ratio within each repeat (median): {ratios(results['import ratio'])}")
        print("  where the time goes (in-process, one run each): SQLite | PostgreSQL")
        for phase, seconds in results["phases sqlite"].items():
            other = results["phases postgres"][phase]
            print(f"    {phase:<36} {seconds:6.2f} s | {other:6.2f} s")
    if args.only in (None, "writers"):
        target = {"postgres": "target >= 1.5", "sqlite": "context, no target"}
        for storage, title in (("postgres", "PostgreSQL"), ("sqlite", "SQLite")):
            one, many = results[f"1 {storage}"], results[f"n {storage}"]
            print(f"{title}: writers recording their own cases, one command a transaction "
                  f"({args.commands} commands each, receive then settle):")  # fmt: skip
            for label, runs in (("1 writer: ", one), (f"{args.writers} writers:", many)):
                ms = median([r["ms"] for r in runs])
                storing = median([100 * r["storing"] for r in runs])
                cpu, cores = median([r["cpu"] for r in runs]), median([r["cores"] for r in runs])
                server = median([r["server"] for r in runs])
                print(f"  {label} {figures([r['rate'] for r in runs])}")
                print(f"      {ms:.1f} ms a command, {storing:.0f}% of it storing; CPU a command: "
                      f"{cpu:.1f} ms writer, {server:.1f} ms PostgreSQL processes; "
                      f"machine busy: {cores:.2f} of {os.cpu_count()} cores")  # fmt: skip
            scaling = median([r["rate"] for r in many]) / median([r["rate"] for r in one])
            within = ratios(results[f"{storage} ratio"])
            print(f"  {args.writers} writers / 1 writer: {scaling:.2f} by medians; "
                  f"within each repeat {within}  ({target[storage]})")  # fmt: skip


if __name__ == "__main__":
    main()
