"""Copying a ledger to another storage (SQLite, PostgreSQL) with its history intact: the same
events at the same log positions, hence the same integrity tree and root, its signed checkpoints
and its subject keys.

The source is read in one snapshot, so the copy is of one moment of it. Events are copied in log
order, a batch per target transaction that also grows the target's tree; a batch is only
committed if the tree then has the source's root at that size, so the target always holds an
exact prefix of the source. A copy that was interrupted is completed by running it again: it
resumes after the prefix the target holds. A target that holds anything else is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from ledger.audit import verify
from ledger.errors import IntegrityError, InvalidInput, LedgerError
from ledger.merkle import leaf_hash
from ledger.recorder import stored_key
from ledger.storage import display_url, environment_for
from ledger.tree_tables import stored_frontier, tree_size

BATCH = 5_000  # events per target transaction
Progress = Callable[[int], None]


class MigrationRefused(LedgerError):
    """Raised when the target holds events that are not the start of the source's log."""


@dataclass(frozen=True)
class Migrated:
    """What a migration did, and what the target holds after it."""

    copied: int  # events copied by this run
    already: int  # events the target held before it (from an interrupted run)
    tree_size: int
    log_position: int
    root: bytes
    checkpoints: int  # signed checkpoints the target holds, all verified
    checkpoints_copied: int
    subject_keys_copied: int


def same_storage(first: str, second: str) -> bool:
    """Whether two storage URLs name the same database (raises StorageError for a bad URL)."""
    return _identity(first) == _identity(second)


def _identity(url: str) -> tuple[str, ...]:
    environment = environment_for(url)
    if environment["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        return ("sqlite", str(Path(environment["SQLITE_DBNAME"]).resolve()))
    return tuple(environment[key] for key in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME"))


def check_urls(source_url: str, target_url: str) -> None:
    """Refuse a copy of a ledger onto itself (InvalidInput)."""
    if same_storage(source_url, target_url):
        raise InvalidInput(
            [f"--to: {display_url(target_url)} is the ledger given as --from: name another one"]
        )


class Migration:
    """One copy of ``source`` into ``target`` (both ``ledger.application.Ledger``). Entering it
    takes the source's snapshot and checks the target; ``run`` copies and verifies."""

    def __init__(self, source: Any, target: Any, batch: int = BATCH) -> None:
        self.source, self.target, self.batch = source.recorder, target.recorder, batch
        self.already = 0  # events the target holds: a prefix of the source's log
        self.after = 0  # the log position of the last of them
        self.remaining = 0  # events of the source's tree to copy
        self._snapshot: Any = None
        self._open = ExitStack()

    def __enter__(self) -> Migration:
        with ExitStack() as opening:
            self._snapshot = opening.enter_context(self.source.snapshot())
            cursor = self._snapshot.cursor()
            self.already, self.after = self._held_prefix(cursor)
            self.remaining = tree_size(cursor) - self.already
            self._open = opening.pop_all()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._open.close()

    def _held_prefix(self, source: Any) -> tuple[int, int]:
        """How many events the target holds, and the position of the last; refuse unless they
        are the source's first ones."""
        log = self.target.log
        with self.target.cursor() as c:
            size = tree_size(c)
            c.execute(f"SELECT COUNT(*), MAX({log.position}) FROM {log.name}")
            count, last = c.fetchone()
            if not count and not size:
                return 0, 0
            root = stored_frontier(c, size).root()
        if count != size:
            raise MigrationRefused(
                f"the target holds {count:,} events but its integrity tree covers {size:,}: "
                "it is not a ledger a migration started; run antq audit verify on it"
            )
        source_size = tree_size(source)
        if size <= source_size:
            source.execute("SELECT position FROM integrity_leaves WHERE idx = ?", (size - 1,))
            (source_last,) = source.fetchone()
            if source_last == last and stored_frontier(source, size).root() == root:
                return size, last
        raise MigrationRefused(
            f"the target already holds {count:,} events (up to log position {last:,}) that are "
            "not the start of the source's log: migrate into an empty database, or into one "
            "that an earlier migration from this source started"
        )

    def run(self, progress: Progress | None = None) -> Migrated:
        """Copy subject keys, events (after those the target holds) and checkpoints, verify the
        target, and check its root is the source's."""
        cursor = self._snapshot.cursor()
        keys_copied = self._copy_subject_keys(cursor)
        size, position = self.already, self.after
        for notifications in self._batches(cursor):
            self._check_leaves(cursor, size, notifications)
            expected = stored_frontier(cursor, size + len(notifications)).root()
            size = self.target.copy_events(notifications, expected)
            position = notifications[-1].id
            if progress:
                progress(len(notifications))
        cursor.execute(
            "SELECT tree_size, log_position, root, created_at, public_key, signature "
            "FROM integrity_checkpoints WHERE tree_size <= ? ORDER BY tree_size",
            (size,),
        )
        checkpoints = cursor.fetchall()
        checkpoints_copied = self.target.copy_checkpoints(checkpoints) if checkpoints else 0
        source_root = stored_frontier(cursor, size).root()
        verified = verify(self.target)
        if verified.tree_size != size or verified.root != source_root:
            raise IntegrityError(
                f"the target's integrity root at {verified.tree_size:,} events is "
                f"{verified.root.hex()}, the source's at {size:,} events is {source_root.hex()}"
            )
        return Migrated(
            copied=size - self.already,
            already=self.already,
            tree_size=size,
            log_position=position,
            root=verified.root,
            checkpoints=verified.checkpoints,
            checkpoints_copied=checkpoints_copied,
            subject_keys_copied=keys_copied,
        )

    def _copy_subject_keys(self, source: Any) -> int:
        """All the source's subject keys the target lacks (first, so every copied event's
        subject has its key); refuse if the target holds one with another key."""
        copied, after = 0, ""
        while True:
            source.execute(
                "SELECT subject_id, key FROM subject_keys WHERE subject_id > ? "
                "ORDER BY subject_id LIMIT ?",
                (after, self.batch),
            )
            rows = [(subject, stored_key(key)) for subject, key in source.fetchall()]
            if not rows:
                return copied
            added, differing = self.target.copy_subject_keys(rows)
            if differing:
                raise MigrationRefused(
                    f"the target holds another key for personal-data subject {differing[0]} "
                    "than the source: it is not a ledger a migration from this source started"
                )
            copied += added
            after = rows[-1][0]

    def _batches(self, source: Any) -> Iterator[list[Notification]]:
        """The source's events after the target's last, in log order, a batch at a time."""
        log, after = self.source.log, self.after
        while True:
            source.execute(
                f"SELECT {log.position}, originator_id, originator_version, topic, state "
                f"FROM {log.name} WHERE {log.position} > ? ORDER BY {log.position} LIMIT ?",
                (after, self.batch),
            )
            rows = source.fetchall()
            if not rows:
                return
            yield [
                Notification(
                    id=position,
                    originator_id=record_id if isinstance(record_id, UUID) else UUID(record_id),
                    originator_version=version,
                    topic=topic,
                    state=bytes(state),
                )
                for position, record_id, version, topic, state in rows
            ]
            after = rows[-1][0]

    @staticmethod
    def _check_leaves(source: Any, first: int, notifications: list[Notification]) -> None:
        """Each event is the source's leaf at its place in the tree, as committed there."""
        source.execute(
            "SELECT position, hash FROM integrity_leaves WHERE idx >= ? AND idx < ? ORDER BY idx",
            (first, first + len(notifications)),
        )
        leaves = source.fetchall()
        for index, n in enumerate(notifications):
            position, stored = leaves[index] if index < len(leaves) else (None, None)
            hashed = leaf_hash(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            if position != n.id or stored is None or bytes(stored) != hashed:
                raise IntegrityError(
                    f"position {n.id}: the source's event does not match its integrity tree "
                    "(run antq audit verify on the source); nothing of this batch was copied"
                )
