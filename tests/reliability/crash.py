"""Crash safety trials: ``antq import`` and ``antq projections rebuild`` killed with SIGKILL at a
random moment, then checked (no pytest here: ``test_crash.py`` runs a few trials, and
``python -m tests.reliability.crash_trials`` many).

An import trial:

1. copies a base ledger holding the units, starts ``antq import FILE`` in its own process and
   kills it (SIGKILL) after a delay drawn by a seeded ``random.Random`` over the import's
   measured duration;
2. checks that ``antq audit verify`` exits 0 and that the log holds exactly a prefix of whole
   batches of the file (see ``check_prefix``);
3. runs the same import again and checks that it exits 0 and that the log then holds every event
   of the file exactly once, in strictly increasing positions, and still verifies;
4. checks that ``antq standings --json`` equals the standings of a ledger that imported the file
   without interruption.

A rebuild trial copies that uninterrupted ledger (read models built), starts ``antq projections
rebuild``, kills it, and checks what reads and ``antq projections status`` say, that a second
rebuild completes, that the read-model tables then equal those of a fresh rebuild into another
database, that no scratch file of the parallel rebuild is left beside the database, and that no
process of the killed rebuild outlives it.

Every trial prints its seed, its delay and what it found, so a failing trial can be replayed with
``crash_trials --seed N``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ANTQ = Path(sys.executable).with_name("antq")
CLERK = "Nguyễn Thị Thư Ký"
YEAR = 2023
HERMETIC = ("ANTQ_DB", "ANTQ_ACTOR", "ANTQ_ROLE", "ANTQ_POLICY")
INTERRUPTED = "rebuild was interrupted"  # what reads and `status` say about a half-built model
STATUS_LINE = "a rebuild is running or was interrupted"
PAGE = 20_000  # notifications read per query when checking a log
# What each case goes through after it is received, by case number modulo 20: every kind of
# MediationCase event appears, and a case's events are spread far apart in the file.
LIVES: list[tuple[str, ...]] = (
    [("settle",)] * 8
    + [("assign", "settle")] * 4
    + [("fail",)] * 3
    + [("fail", "resume", "settle")] * 2
    + [("refer", "close")] * 2
    + [("assign", "close")]
)
EVENT_OF = {
    "safety.register": "Registered",
    "safety.recognise": "Recognised",
    "safety.deny": "Denied",
    "dispute.receive": "Received",
    "dispute.assign": "Assigned",
    "dispute.settle": "Settled",
    "dispute.fail": "Failed",
    "dispute.resume": "Resumed",
    "dispute.refer": "Referred",
    "dispute.close": "Closed",
}


# --- storage: a new ledger per trial, copied from a prepared one --------------------------------


class Storage:
    """Where trial ledgers live: SQLite files in a folder, or databases on a PostgreSQL server."""

    kind = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def url(self, name: str) -> str:
        return f"sqlite:///{self.folder / name}.db"

    def create(self, name: str) -> str:
        """A new, empty ledger."""
        url = self.url(name)
        self.drop(url)
        return url

    def file_of(self, url: str) -> Path | None:
        return Path(url.removeprefix("sqlite:///"))

    def env(self, url: str) -> dict[str, str]:
        """Environment for ``antq`` on this ledger (the caller's ANTQ_* settings left out)."""
        env = {k: v for k, v in os.environ.items() if k not in HERMETIC}
        return {**env, "PYTHONIOENCODING": "utf-8"}

    def copy(self, source: str, name: str) -> str:
        """A new ledger holding exactly what ``source`` holds (page for page: same positions)."""
        target = self.url(name)
        self.drop(target)
        source_file, target_file = self.file_of(source), self.file_of(target)
        assert source_file and target_file
        with sqlite3.connect(source_file) as src, sqlite3.connect(target_file) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        key = Path(f"{source_file}.signing-key")
        if key.exists():
            shutil.copy(key, f"{target_file}.signing-key")
        return target

    def drop(self, url: str) -> None:
        path = self.file_of(url)
        assert path
        for suffix in ("", "-wal", "-shm", "-journal", ".signing-key"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def leftovers(self, url: str) -> list[str]:
        """Scratch files of a parallel rebuild left beside the ledger's file."""
        path = self.file_of(url)
        assert path
        return sorted(p.name for p in path.parent.glob(f"{path.name}.rebuild-*"))

    def close(self) -> None:
        pass


class PostgresStorage(Storage):
    """Databases ``antq_crash_<pid>_<name>`` on the server of ``admin_url``, dropped at the end."""

    kind = "postgres"

    def __init__(self, folder: Path, admin_url: str) -> None:
        super().__init__(folder)
        self.admin_url = admin_url
        self.prefix = f"antq_crash_{os.getpid()}_"
        self.made: set[str] = set()

    def _name(self, name: str) -> str:
        return self.prefix + "".join(c if c.isalnum() else "_" for c in name.lower())

    def url(self, name: str) -> str:
        return urlunparse(urlparse(self.admin_url)._replace(path=f"/{self._name(name)}"))

    def file_of(self, url: str) -> Path | None:
        return None

    def env(self, url: str) -> dict[str, str]:
        key = self.folder / f"{urlparse(url).path.strip('/')}.signing-key"
        return {**super().env(url), "ANTQ_SIGNING_KEY": str(key)}

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)

    def create(self, name: str) -> str:
        database = self._name(name)
        self._admin(
            f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"CREATE DATABASE {database}"
        )
        self.made.add(database)
        return self.url(name)

    def copy(self, source: str, name: str) -> str:
        database, template = self._name(name), urlparse(source).path.strip("/")
        self._admin(
            f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
            f"CREATE DATABASE {database} TEMPLATE {template}",
        )
        self.made.add(database)
        key = self.folder / f"{template}.signing-key"
        if key.exists():
            shutil.copy(key, self.folder / f"{database}.signing-key")
        return self.url(name)

    def drop(self, url: str) -> None:
        database = urlparse(url).path.strip("/")
        self._admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        self.made.discard(database)

    def leftovers(self, url: str) -> list[str]:
        return sorted(p.name for p in self.folder.glob("*.rebuild-*"))

    def close(self) -> None:
        for database in sorted(self.made):
            self._admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        self.made.clear()


# --- running antq --------------------------------------------------------------------------------


def antq(
    storage: Storage, url: str, *args: str, timeout: float = 900
) -> subprocess.CompletedProcess:
    """Run the installed ``antq`` script on ``url`` as the clerk, in its own process."""
    return subprocess.run(
        [str(ANTQ), "--db", url, "--actor", CLERK, "--role", "CA_XA", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=storage.env(url),
    )


def must(result: subprocess.CompletedProcess, what: str) -> str:
    if result.returncode != 0:
        raise RuntimeError(f"{what} exited {result.returncode}: {result.stdout}{result.stderr}")
    return result.stdout


@dataclass
class Killed:
    """A command killed with SIGKILL after ``delay`` seconds (or finished before)."""

    delay: float
    finished_first: bool  # it exited on its own before the kill
    returncode: int
    seconds: float
    output: str
    survivors: list[int]  # processes of its group still alive after it died


def run_and_kill(storage: Storage, url: str, args: Sequence[str], delay: float) -> Killed:
    """Start ``antq ARGS`` in a process group of its own, SIGKILL its main process after
    ``delay`` seconds (as the kernel's OOM killer or a power cut would end it: its children are
    not told), and report which of its children are still alive a moment later."""
    folder = storage.folder
    out = folder / "killed.out"
    with out.open("w") as sink:
        began = time.perf_counter()
        process = subprocess.Popen(
            [str(ANTQ), "--db", url, "--actor", CLERK, "--role", "CA_XA", *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=storage.env(url),
            start_new_session=True,
        )
        try:
            process.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            finished = False
        seconds = time.perf_counter() - began
    survivors = group_members(process.pid, grace=3.0)
    for pid in survivors:  # processes this trial started: end them before anything else runs
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return Killed(delay, finished, process.returncode, seconds, out.read_text(), survivors)


def group_members(group: int, grace: float) -> list[int]:
    """Live processes of process group ``group`` after waiting up to ``grace`` seconds for them
    to exit on their own."""
    deadline = time.monotonic() + grace
    while True:
        members = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                members.append(int(entry.name))
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.1)


# --- the workload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of the workload file and the one event it must cause."""

    line: int
    action: str
    unit: str
    key: str  # the case, or the year of a safety registration
    version: int  # the event's version within its record

    @property
    def event(self) -> str:
        return EVENT_OF[self.action]


def workload_lines(events: int) -> tuple[int, list[dict[str, Any]]]:
    """The communes and the lines of a workload of about ``events`` events: each commune
    registered for the safety standard and then recognised or denied, and cases that are
    received and go through the lives of ``LIVES`` (every line causes one event)."""
    communes = max(20, min(200, events // 1000))
    per_case = sum(1 + len(life) for life in LIVES) / len(LIVES)
    cases = max(1, round((events - 2 * communes) / per_case))
    unit = [f"BX-C{n % communes:03d}" for n in range(cases)]
    lines: list[dict[str, Any]] = [
        {"action": "safety.register", "unit": f"BX-C{c:03d}", "year": YEAR,
         "effective_on": "2023-02-10"}
        for c in range(communes)
    ]  # fmt: skip
    lines += [
        {"action": "dispute.receive", "unit": unit[n], "case": f"HG-{n:07d}",
         "effective_on": "2023-03-01", "category": "đất đai" if n % 3 else "hôn nhân gia đình"}
        for n in range(cases)
    ]  # fmt: skip
    for stage in range(max(len(life) for life in LIVES)):
        for n in range(cases):
            life = LIVES[n % len(LIVES)]
            if stage < len(life):
                lines.append(_step_line(life[stage], unit[n], f"HG-{n:07d}", stage))
    lines += [
        {"action": "safety.recognise", "unit": f"BX-C{c:03d}", "year": YEAR,
         "effective_on": "2023-12-20", "decision": f"{c + 1}/QĐ-UBND"}
        if c % 7 else
        {"action": "safety.deny", "unit": f"BX-C{c:03d}", "year": YEAR,
         "effective_on": "2023-12-20", "reason": "chưa đạt tiêu chí"}
        for c in range(communes)
    ]  # fmt: skip
    return communes, lines


def _step_line(verb: str, unit: str, case: str, stage: int) -> dict[str, Any]:
    line: dict[str, Any] = {
        "action": f"dispute.{verb}",
        "unit": unit,
        "case": case,
        "effective_on": f"2023-{4 + stage:02d}-01",
    }
    extra = {"assign": {"team": "Tổ hòa giải số 1"}, "fail": {"reason": "không thống nhất"},
             "refer": {"to": "UBND xã"}}  # fmt: skip
    return {**line, **extra.get(verb, {})}


def plan_of(lines: list[dict[str, Any]]) -> list[Step]:
    """The event each line must cause (line numbers from 1, as the import counts them)."""
    versions: Counter[tuple[str, str]] = Counter()
    steps = []
    for number, line in enumerate(lines, start=1):
        key = (line["unit"], str(line.get("case", line.get("year"))))
        versions[key] += 1
        steps.append(Step(number, line["action"], key[0], key[1], versions[key]))
    return steps


def write_jsonl(path: Path, lines: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as file:
        for line in lines:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")


# --- reading a log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    position: int
    record: str  # the record id (hex)
    version: int
    name: str  # "MediationCase.Received", "ImportRun.BatchCommitted", ...


@dataclass(frozen=True)
class Marker:
    """An ``ImportRun.BatchCommitted`` event: the batch's last line and its event count."""

    position: int
    through_line: int
    events: int


@dataclass
class Log:
    """The events after the base ledger's head, split into the file's events and the import's
    own progress events."""

    positions: list[int]  # of the whole log, in log order
    after_base: list[Event]
    markers: list[Marker]
    started: list[int]  # positions of ImportRun.Started events

    @property
    def file_events(self) -> list[Event]:
        return [e for e in self.after_base if not e.name.startswith("ImportRun.")]


def read_log(url: str, base_head: int) -> Log:
    """Every position of the log, and the events after ``base_head`` (read in this process)."""
    from ledger.application import Ledger

    ledger = Ledger(url)
    try:
        positions: list[int] = []
        after: list[Event] = []
        markers: list[Marker] = []
        started: list[int] = []
        start = 0
        while page := ledger.recorder.select_notifications(
            start=start, limit=PAGE, inclusive_of_start=False
        ):
            for n in page:
                positions.append(n.id)
                if n.id <= base_head:
                    continue
                name = n.topic.rsplit(":", 1)[-1]
                after.append(Event(n.id, n.originator_id.hex, n.originator_version, name))
                if name == "ImportRun.BatchCommitted":
                    event = ledger.mapper.to_domain_event(n)
                    markers.append(Marker(n.id, event.through_line, event.events))
                elif name == "ImportRun.Started":
                    started.append(n.id)
            start = page[-1].id
        return Log(positions, after, markers, started)
    finally:
        ledger.close()


def record_id_of(step: Step) -> str:
    """The id of the record a line's event belongs to (the ledger's deterministic ids)."""
    from ledger.disputes import MediationCase
    from ledger.records import record_id

    if step.action.startswith("dispute."):
        return MediationCase.id_for(step.unit, step.key).hex
    return record_id("safety", step.unit, step.key).hex


@dataclass
class Workload:
    """A workload file, the base ledger it is imported into, and an uninterrupted import of it."""

    storage: Storage
    file: Path
    plan: list[Step]
    base_url: str
    base_head: int
    reference_url: str
    reference: Log
    standings: Any
    import_seconds: float  # one uninterrupted `antq import`, whole process
    identities: list[tuple[str, int, str]] = field(default_factory=list)  # per line, from `plan`

    @property
    def events(self) -> int:
        return len(self.plan)


def prepare(storage: Storage, events: int, say: Any = print) -> Workload:
    """Write the workload, build the base ledger (units only) and the reference ledger (base +
    the whole file, imported without interruption); check the reference against the plan."""
    folder = storage.folder
    communes, lines = workload_lines(events)
    units, file = folder / "units.jsonl", folder / "workload.jsonl"
    from tests.benchmarks.common import write_units_file

    write_units_file(units, communes)
    write_jsonl(file, lines)
    plan = plan_of(lines)
    base = storage.create("base")
    must(antq(storage, base, "import", str(units)), "importing the units")
    base_head = max(read_log(base, 0).positions)
    # The import's duration, the span kill moments are drawn over: the shorter of two
    # uninterrupted runs (a run slowed by other work on the machine would put kills after the end).
    times = []
    for name in ("timing", "reference"):
        url = storage.copy(base, name)
        began = time.perf_counter()
        must(antq(storage, url, "import", str(file)), "the uninterrupted import")
        times.append(time.perf_counter() - began)
    storage.drop(storage.url("timing"))
    reference, seconds = storage.url("reference"), min(times)
    log = read_log(reference, base_head)
    identities = [(record_id_of(s), s.version, s.event) for s in plan]
    found = [(e.record, e.version, e.name.rsplit(".", 1)[-1]) for e in log.file_events]
    if found != identities:
        raise RuntimeError("the uninterrupted import did not record one event per line, in order")
    standings = json.loads(must(antq(storage, reference, *STANDINGS), "standings"))
    say(
        f"workload: {len(plan)} events ({len(plan)} lines, {communes} communes), "
        f"{len(log.markers)} batches; uninterrupted import {seconds:.1f} s"
    )
    return Workload(
        storage, file, plan, base, base_head, reference, log, standings, seconds, identities
    )


STANDINGS = ("standings", "--year", str(YEAR), "--json")


# --- checks --------------------------------------------------------------------------------------


def check_prefix(workload: Workload, log: Log) -> tuple[list[str], int, int]:
    """Problems, if the log after the base is not exactly a prefix of whole batches of the file;
    and the batches and lines found committed.

    A prefix of k whole batches means: the events after the base split, at each
    ``ImportRun.BatchCommitted``, into k transactions with nothing after the last; each
    transaction holds exactly as many of the file's events as its marker says (the first one
    also the run's single ``ImportRun.Started``); the k markers are the uninterrupted import's
    first k (same last lines, same event counts); the file's events are the uninterrupted
    import's first ones, in order; and every line of the file up to the k-th marker's last line
    has its event in the log and no line after it has (so a record the file touches has exactly
    the events of its committed lines).
    """
    problems = []
    k = len(log.markers)
    reference = workload.reference.markers
    if log.markers != [] and [(m.through_line, m.events) for m in log.markers] != [
        (m.through_line, m.events) for m in reference[:k]
    ]:
        problems.append(
            "batch markers differ from the uninterrupted import's: "
            f"{[(m.through_line, m.events) for m in log.markers][:5]}..."
        )
    # Split into transactions at each marker.
    segment: list[Event] = []
    for event in log.after_base:
        segment.append(event)
        if event.name == "ImportRun.BatchCommitted":
            marker = next(m for m in log.markers if m.position == event.position)
            own = [e for e in segment if not e.name.startswith("ImportRun.")]
            if len(own) != marker.events:
                problems.append(
                    f"batch through line {marker.through_line}: {len(own)} events, "
                    f"its marker says {marker.events}"
                )
            segment = []
    if segment:
        problems.append(f"{len(segment)} events after the last committed batch (a partial batch)")
    expected_started = 1 if k else 0
    if len(log.started) != expected_started:
        problems.append(f"{len(log.started)} ImportRun.Started events, expected {expected_started}")
    elif k and not log.started[0] < log.markers[0].position:
        problems.append("ImportRun.Started is not in the first batch")
    through = log.markers[-1].through_line if k else 0
    committed_events = sum(m.events for m in log.markers)
    file_events = log.file_events
    if len(file_events) != committed_events:
        problems.append(f"{len(file_events)} file events, the batches say {committed_events}")
    found = [(e.record, e.version, e.name.rsplit(".", 1)[-1]) for e in file_events]
    if found != workload.identities[: len(found)]:
        problems.append("the file's events are not the uninterrupted import's first ones")
    wanted = {workload.identities[s.line - 1] for s in workload.plan if s.line <= through}
    present = set(found)
    if missing := wanted - present:
        problems.append(f"{len(missing)} lines up to line {through} have no event")
    if extra := present - wanted:
        problems.append(f"{len(extra)} events of lines after line {through}")
    return problems, k, through


def check_complete(workload: Workload, log: Log) -> list[str]:
    """Problems, if the log after the base is not every event of the file exactly once."""
    problems = []
    found = [(e.record, e.version, e.name.rsplit(".", 1)[-1]) for e in log.file_events]
    counts = Counter(found)
    if duplicates := [key for key, n in counts.items() if n > 1]:
        problems.append(f"{len(duplicates)} events stored twice, e.g. {duplicates[0]}")
    if missing := set(workload.identities) - set(counts):
        problems.append(f"{len(missing)} events of the file missing, e.g. {sorted(missing)[0]}")
    if extra := set(counts) - set(workload.identities):
        problems.append(f"{len(extra)} events the file does not cause")
    versions: dict[str, list[int]] = {}
    for record, version, _ in found:
        versions.setdefault(record, []).append(version)
    if any(v != list(range(1, len(v) + 1)) for v in versions.values()):
        problems.append("a record's versions are not 1, 2, 3... in log order")
    kinds = Counter(name for _, _, name in found)  # e.g. one Received per case, no more
    if kinds != (expected := Counter(step.event for step in workload.plan)):
        problems.append(f"events of each kind: {dict(kinds)}, the file's lines: {dict(expected)}")
    if any(b <= a for a, b in zip(log.positions, log.positions[1:], strict=False)):
        problems.append("log positions are not strictly increasing")
    lines = [m.through_line for m in log.markers]
    if lines != sorted(set(lines)) or not lines or lines[-1] != workload.plan[-1].line:
        problems.append(f"batch markers do not end at the last line: {lines[-3:]}")
    if sum(m.events for m in log.markers) != len(found):
        problems.append("the batches' event counts do not add up to the file's events")
    if len(log.started) != 1:
        problems.append(f"{len(log.started)} ImportRun.Started events, expected 1")
    return problems


def verify(storage: Storage, url: str) -> list[str]:
    result = antq(storage, url, "audit", "verify")
    if result.returncode != 0:
        return [
            f"audit verify exited {result.returncode}: {(result.stdout + result.stderr)[-300:]}"
        ]
    return []


# --- an import trial -----------------------------------------------------------------------------


@dataclass
class ImportTrial:
    number: int
    seed: int
    delay: float
    finished_first: bool = False
    batches: int = 0  # committed at the kill
    lines: int = 0  # the last committed line at the kill
    position: int = 0  # the log's head at the kill
    rerun: str = ""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        state = "finished before the kill" if self.finished_first else "killed"
        verdict = "ok" if not self.problems else "FAILED: " + "; ".join(self.problems)
        return (
            f"import trial {self.number} (seed {self.seed}): {state} after {self.delay:.2f} s at "
            f"position {self.position}, {self.batches} batches ({self.lines} lines) committed; "
            f"re-run: {self.rerun.strip()[-90:]!r}; {self.seconds:.1f} s; {verdict}"
        )


def import_trial(
    workload: Workload, number: int, seed: int, window: tuple[float, float] = (0.0, 1.0)
) -> ImportTrial:
    """One import killed after a delay drawn (by ``random.Random(seed)``) over ``window`` times
    the uninterrupted import's duration, then checked and completed."""
    began = time.perf_counter()
    storage = workload.storage
    delay = random.Random(seed).uniform(*window) * workload.import_seconds
    trial = ImportTrial(number, seed, delay)
    url = storage.copy(workload.base_url, f"import-{number}")
    try:
        killed = run_and_kill(storage, url, ["import", str(workload.file)], delay)
        trial.finished_first = killed.finished_first
        if killed.finished_first:
            # Faster than estimated: later kills are drawn over what this run took.
            workload.import_seconds = min(workload.import_seconds, killed.seconds)
            if killed.returncode != 0:
                trial.problems.append(f"the import failed on its own: {killed.output[-300:]}")
        if killed.survivors:
            trial.problems.append(f"processes outlived the import: {killed.survivors}")
        trial.problems += verify(storage, url)
        log = read_log(url, workload.base_head)
        trial.position = max(log.positions)
        problems, trial.batches, trial.lines = check_prefix(workload, log)
        trial.problems += problems
        rerun = antq(storage, url, "import", str(workload.file))
        trial.rerun = rerun.stdout + rerun.stderr
        trial.problems += rerun_problems(workload, rerun, trial.lines)
        trial.problems += check_complete(workload, read_log(url, workload.base_head))
        trial.problems += verify(storage, url)
        standings = antq(storage, url, *STANDINGS)
        if standings.returncode != 0:
            trial.problems.append(f"standings exited {standings.returncode}: {standings.stderr}")
        elif not same_standings(workload, json.loads(standings.stdout)):
            trial.problems.append("standings differ from the uninterrupted import's")
    finally:
        if not trial.problems:
            storage.drop(url)
        trial.seconds = time.perf_counter() - began
    return trial


def same_standings(workload: Workload, found: Any) -> bool:
    """Whether ``found`` equals the uninterrupted ledger's standings; on a difference these are
    computed again, from read models rebuilt by the code as it is now (others may change the
    read models' code while a long run goes on), and compared once more."""
    if found == workload.standings:
        return True
    workload.standings = reference_standings(workload)
    return found == workload.standings


def reference_standings(workload: Workload) -> Any:
    """The standings of the uninterrupted ledger, its read models rebuilt first (on a copy)."""
    storage = workload.storage
    url = storage.copy(workload.reference_url, "reference-now")
    try:
        must(antq(storage, url, "projections", "rebuild"), "rebuilding the reference's models")
        return json.loads(must(antq(storage, url, *STANDINGS), "standings"))
    finally:
        storage.drop(url)


def rerun_problems(
    workload: Workload, rerun: subprocess.CompletedProcess, through: int
) -> list[str]:
    """Problems, if the re-run of an import whose lines up to ``through`` were committed did not
    exit 0 saying what it did: imported all (nothing committed), resumed after the committed
    lines, or found the file already imported."""
    said = rerun.stdout
    if rerun.returncode != 0:
        return [f"the re-run exited {rerun.returncode}: {rerun.stderr[-300:]}"]
    done = sum(1 for step in workload.plan if step.line <= through)
    if through == workload.plan[-1].line:
        expected = "already imported"
    elif through:
        expected = f"(resumed after {done} lines)"
    else:
        expected = f"imported {len(workload.plan)} lines"
    return [] if expected in said else [f"the re-run did not say {expected!r}: {said!r}"]


# --- a rebuild trial -----------------------------------------------------------------------------


@dataclass
class Rebuilt:
    """The uninterrupted ledger with its read models."""

    url: str
    seconds: float  # one uninterrupted `antq projections rebuild`, whole process
    parallel: bool  # whether the log is long enough for the workers


def prepare_rebuild(workload: Workload, say: Any = print) -> Rebuilt:
    """Time one uninterrupted rebuild of the reference ledger's read models (and take the
    standings they give as the reference: the read models' code may have changed since)."""
    from projections.parallel import PARALLEL_FROM

    storage = workload.storage
    url = storage.copy(workload.reference_url, "rebuilt")
    began = time.perf_counter()
    must(antq(storage, url, "projections", "rebuild"), "the uninterrupted rebuild")
    seconds = time.perf_counter() - began
    workload.standings = json.loads(must(antq(storage, url, *STANDINGS), "standings"))
    storage.drop(url)
    head = max(workload.reference.positions)
    parallel = head >= PARALLEL_FROM and storage.kind == "sqlite"
    path = "parallel (worker processes)" if parallel else "single-process"
    say(f"rebuild: {head} events, {path} path, uninterrupted {seconds:.1f} s")
    return Rebuilt(workload.reference_url, seconds, parallel)


def tables_differing_from_a_fresh_rebuild(workload: Workload, url: str) -> list[str]:
    """The read-model tables of ``url`` whose rows differ from those projected from zero, from
    the uninterrupted ledger's log, into a separate SQLite file (in a new process, so with the
    read models' code as it is now)."""
    target = workload.storage.folder / "elsewhere.db"
    code = (
        "import json, sys; from tests.reliability.crash import compare_with_elsewhere; "
        "print(json.dumps(compare_with_elsewhere(*sys.argv[1:])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, workload.reference_url, url, str(target)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env=workload.storage.env(url),
    )
    if result.returncode != 0:
        return [f"the comparison failed: {result.stderr[-300:]}"]
    return json.loads(result.stdout.splitlines()[-1])


def compare_with_elsewhere(ledger_url: str, url: str, target: str) -> list[str]:
    """Rebuild the read models of the ledger at ``ledger_url`` into the new SQLite file
    ``target``; the tables whose rows differ from those of ``url``."""
    from ledger.application import Ledger
    from projections.runner import Projector, engine_for

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    ledger = Ledger(ledger_url)
    engine = engine_for(f"sqlite:///{target}")
    try:
        Projector(ledger, engine).rebuild()
        fresh = dump(engine)
    finally:
        engine.dispose()
        ledger.close()
    found = dump_of(url)
    return sorted(name for name in set(fresh) | set(found) if fresh.get(name) != found.get(name))


def dump(engine: Any) -> dict[str, list[dict[str, Any]]]:
    """Every read-model table's rows (positions included), in primary-key order."""
    from sqlalchemy import select

    from projections.schema import metadata

    contents = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            contents[table.name] = [dict(row._mapping) for row in connection.execute(query)]
    return contents


def dump_of(url: str) -> dict[str, list[dict[str, Any]]]:
    from projections.runner import engine_for

    engine = engine_for(url)
    try:
        return dump(engine)
    finally:
        engine.dispose()


@dataclass
class RebuildTrial:
    number: int
    seed: int
    delay: float
    finished_first: bool = False
    interrupted: bool = False  # the marker row was left: reads refused
    status: str = ""
    leftovers_at_kill: list[str] = field(default_factory=list)
    survivors: list[int] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        state = "finished before the kill" if self.finished_first else "killed"
        found = "reads refused (interrupted)" if self.interrupted else "reads answered"
        verdict = "ok" if not self.problems else "FAILED: " + "; ".join(self.problems)
        extra = f"; scratch files at the kill: {len(self.leftovers_at_kill)}"
        extra += f"; workers alive after the kill: {len(self.survivors)}"
        return (
            f"rebuild trial {self.number} (seed {self.seed}): {state} after {self.delay:.2f} s; "
            f"{found}{extra}; {self.seconds:.1f} s; {verdict}"
        )


def rebuild_trial(
    workload: Workload,
    rebuilt: Rebuilt,
    number: int,
    seed: int,
    window: tuple[float, float] = (0.0, 1.0),
) -> RebuildTrial:
    """One rebuild killed after a delay drawn over ``window`` times an uninterrupted one's
    duration, then checked and completed by a second rebuild."""
    began = time.perf_counter()
    storage = workload.storage
    delay = random.Random(seed).uniform(*window) * rebuilt.seconds
    trial = RebuildTrial(number, seed, delay)
    url = storage.copy(rebuilt.url, f"rebuild-{number}")
    try:
        killed = run_and_kill(storage, url, ["projections", "rebuild"], delay)
        trial.finished_first = killed.finished_first
        trial.survivors = killed.survivors
        if killed.finished_first:
            rebuilt.seconds = min(rebuilt.seconds, killed.seconds)
            if killed.returncode != 0:
                trial.problems.append(f"the rebuild failed on its own: {killed.output[-300:]}")
        if killed.survivors:
            trial.problems.append(f"{len(killed.survivors)} worker processes outlived the rebuild")
        trial.leftovers_at_kill = storage.leftovers(url)
        status = antq(storage, url, "projections", "status")
        trial.status = status.stdout + status.stderr
        if status.returncode != 0:
            trial.problems.append(f"status exited {status.returncode}: {trial.status[-200:]}")
        standings = antq(storage, url, *STANDINGS)
        trial.interrupted = standings.returncode != 0
        if trial.interrupted:
            if standings.returncode != 1 or INTERRUPTED not in standings.stderr:
                trial.problems.append(
                    f"standings exited {standings.returncode}: {standings.stderr[-200:]}"
                )
            if STATUS_LINE not in trial.status:
                trial.problems.append("status does not say the rebuild was interrupted")
        else:
            if not same_standings(workload, json.loads(standings.stdout)):
                trial.problems.append("standings after the kill differ from the uninterrupted")
            if STATUS_LINE in trial.status:
                trial.problems.append("status says a rebuild is unfinished, but reads answered")
        second = antq(storage, url, "projections", "rebuild")
        if second.returncode != 0:
            trial.problems.append(f"the second rebuild exited {second.returncode}: {second.stderr}")
        else:
            after = antq(storage, url, "projections", "status")
            rows = after.stdout.splitlines()
            if STATUS_LINE in after.stdout or not all(r.endswith(" behind by 0") for r in rows):
                trial.problems.append(f"status after the second rebuild: {after.stdout!r}")
            standings = antq(storage, url, *STANDINGS)
            if standings.returncode != 0 or not same_standings(
                workload, json.loads(standings.stdout)
            ):
                trial.problems.append("standings after the second rebuild differ")
            if differing := tables_differing_from_a_fresh_rebuild(workload, url):
                trial.problems.append(f"read-model tables differ from a fresh rebuild: {differing}")
        if leftovers := storage.leftovers(url):
            trial.problems.append(f"scratch files left behind: {leftovers}")
    finally:
        if not trial.problems:
            storage.drop(url)
        trial.seconds = time.perf_counter() - began
    return trial
