"""Bulk import of JSON Lines: validated whole, committed in batches, resumable, idempotent."""

from __future__ import annotations

import codecs
import gc
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import IntegrityError

from ledger.application import ATTEMPTS, Clerk, Guard, Ledger, apply
from ledger.commands import Action, parse_json_line
from ledger.errors import ConflictError, InvalidInput, LedgerError
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import VIETNAM
from ledger.values import Entry

BATCH_EVENTS = 5000  # events per transaction (whole lines only)
MAX_REPORTED_PROBLEMS = 50


class ImportRun(Record):
    """The progress of one file (by content digest): which lines are committed."""

    KIND = "import"

    def __init__(self) -> None:
        self.digest = ""
        self.lines = 0
        self.committed_lines = 0

    @staticmethod
    def id_for(digest: str) -> UUID:
        return record_id("import", digest)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.digest,)

    class Started(Record.Created):
        digest: str
        file_name: str
        lines: int

        def apply(self, run: ImportRun) -> None:
            run.digest, run.lines = self.digest, self.lines

    class BatchCommitted(Record.Event):
        through_line: int
        events: int

        def apply(self, run: ImportRun) -> None:
            run.committed_lines = self.through_line


@dataclass
class ImportReport:
    """What an import did: lines in the file, lines and events it wrote, batches committed."""

    lines: int
    already_committed: int = 0
    written_lines: int = 0
    written_events: int = 0
    batches: int = 0
    last_position: int | None = None

    @property
    def already_imported(self) -> bool:
        return self.lines > 0 and self.already_committed == self.lines


@dataclass(frozen=True)
class Line:
    number: int
    action: Action
    entry: Entry


def read_lines(data: bytes, recorder: Clerk) -> tuple[str, list[Line]]:
    """The content's digest and its validated lines. Raises InvalidInput listing every bad line."""
    lines, problems = [], []
    # A byte order mark, as Windows editors write one, is not part of the first line.
    text = data.removeprefix(codecs.BOM_UTF8)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            action = parse_json_line(raw)
            lines.append(Line(number, action, recorder.entry_for(action)))
        except UnicodeDecodeError:
            problems.append(f"line {number}: not valid UTF-8 text")
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not valid JSON ({error.msg}, column {error.colno})")
        except RecursionError:
            problems.append(f"line {number}: not valid JSON (nested too deeply)")
        except ValueError:  # json refuses to convert an integer of over 4,300 digits
            problems.append(f"line {number}: not valid JSON (a number has too many digits)")
        except InvalidInput as error:
            problems.extend(f"line {number}: {problem}" for problem in error.problems)
    if problems:
        if len(problems) > MAX_REPORTED_PROBLEMS:
            more = len(problems) - MAX_REPORTED_PROBLEMS
            problems = [*problems[:MAX_REPORTED_PROBLEMS], f"... and {more} more problems"]
        raise InvalidInput([*problems, "nothing was written"])
    return hashlib.sha256(data).hexdigest(), lines


def import_file(
    ledger: Ledger,
    path: Path,
    recorder: Clerk,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a JSON Lines file; see ``import_bytes``."""
    return import_bytes(
        ledger, path.name, path.read_bytes(), recorder, dry_run=dry_run, progress=progress
    )


def import_bytes(
    ledger: Ledger,
    name: str,
    data: bytes,
    recorder: Clerk,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate every line, then record them in batches; skip lines a previous run committed.

    Raises InvalidInput (bad lines) or a LedgerError naming the first line that breaks a rule;
    in both cases nothing is written.
    """
    with _no_cyclic_gc():
        digest, lines = read_lines(data, recorder)
        for _ in range(ATTEMPTS):
            try:
                return _import(ledger, name, digest, lines, recorder, dry_run, progress)
            except IntegrityError:
                continue  # another writer changed records we validated: validate again
    raise ConflictError(f"{name}: other writers kept changing the same records; import again")


def _import(
    ledger: Ledger,
    name: str,
    digest: str,
    lines: list[Line],
    recorder: Clerk,
    dry_run: bool,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    session = ledger.session()
    run = session.get(ImportRun, ImportRun.id_for(digest))
    report = ImportReport(lines=len(lines))
    committed = run.committed_lines if run else 0
    todo = [line for line in lines if line.number > committed]
    report.already_committed = len(lines) - len(todo)
    if not todo:
        return report
    # Every attempt takes its own recording time, just before its events are built and stored:
    # all events of one attempt share it, and a retry never reuses an older one.
    recorded_at = datetime.now(UTC)
    batches = _validated_batches(session, todo, recorded_at, ledger.policy)
    if dry_run:
        return report
    if run is None:
        run = ImportRun._start(
            ImportRun.Started,
            ImportRun.id_for(digest),
            _run_entry(recorder, lines[0], name, recorded_at),
            digest=digest,
            file_name=name,
            lines=lines[-1].number,
        )
    for last_line, events, keys in batches:
        run._record(
            ImportRun.BatchCommitted,
            _run_entry(recorder, lines[0], name, recorded_at),
            through_line=last_line.number,
            events=len(events),
        )
        report.last_position = ledger.store([*events, *run.collect_events()], keys)[-1]
        report.written_events += len(events)
        report.batches += 1
        if progress:
            progress(last_line.number)
    report.written_lines = len(todo)
    return report


Batch = tuple[Line, list[CanMutateAggregate[UUID]], dict[UUID, bytes]]


def _validated_batches(
    session: Session, todo: list[Line], recorded_at: datetime, policy: Guard | None = None
) -> list[Batch]:
    """Apply every line to the session, as recorded at ``recorded_at`` and checked by
    ``policy``; group the resulting events into whole-line batches."""
    batches: list[Batch] = []
    events: list[CanMutateAggregate[UUID]] = []
    keys: dict[UUID, bytes] = {}
    session.prefetch(record_id(*line.action.record_key()) for line in todo)
    for line in todo:
        try:
            apply(session, line.action, replace(line.entry, recorded_at=recorded_at), policy)
        except LedgerError as error:
            error.args = (f"line {line.number}: {error}; nothing was written",)
            raise
        line_events, line_keys = session.collect()
        events.extend(line_events)
        keys.update(line_keys)
        if len(events) >= BATCH_EVENTS:
            batches.append((line, events, keys))
            events, keys = [], {}
    if events:
        batches.append((todo[-1], events, keys))
    return batches


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: an import builds hundreds of thousands of acyclic
    objects, and repeated full collections over them cost more than the import's own work."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_entry(recorder: Clerk, first: Line, name: str, recorded_at: datetime) -> Entry:
    """The import's own progress is recorded by whoever runs it (else the first line's actor)."""
    return Entry(
        actor=recorder.actor or first.entry.actor,
        role=recorder.role or first.entry.role,
        effective_on=today_in_vietnam(),
        source=name,
        recorded_at=recorded_at,
    )


def today_in_vietnam() -> date:
    """Today's date in Vietnam (UTC+7), where legal dates are counted."""
    return datetime.now(VIETNAM).date()
