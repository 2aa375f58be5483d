"""What antq-ledger's recorders add to eventsourcing's, in SQL both storages run: subject keys,
bulk reads by record, the integrity tree written with the events, and copies between ledgers.

The shared SQL is written in SQLite's dialect (``?`` placeholders, tuple rows); the PostgreSQL
recorder (``ledger.postgres``) hands it a cursor that speaks that dialect."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

from ledger.errors import IntegrityError, StorageError
from ledger.tree_tables import InsertRows, append_to_tree, insert_rows, stored_frontier, tree_size

ID_QUERY_CHUNK = 500


@dataclass(frozen=True)
class LogTable:
    """How a recorder keeps the log: the events table, the column holding each event's log
    position, and the stored form of record ids (as a query parameter, and back to 16 bytes)."""

    name: str
    position: str
    stored_id: Callable[[UUID], Any]
    id_bytes: Callable[[Any], bytes]


def hex_id(record_id: UUID | str) -> str:
    return record_id.hex if isinstance(record_id, UUID) else record_id


def _uuid(stored: UUID | str) -> UUID:
    return stored if isinstance(stored, UUID) else UUID(stored)


class LedgerRecorder(ABC):
    """What antq-ledger's recorders add to an eventsourcing application recorder, in SQL both
    storages run: subject keys, bulk reads by record, and access for the integrity tree."""

    log: LogTable
    insert_rows: InsertRows = staticmethod(insert_rows)  # how many rows are best inserted
    # Checks the log's first event was written with the ledger's cipher key (ledger.encryption),
    # in each transaction that appends, until a committed first event has passed it.
    first_event_check: Callable[[bytes], None] | None = None

    @abstractmethod
    def cursor(self, commit: bool = False) -> AbstractContextManager[Any]:
        """A transaction's cursor in SQLite's dialect (committed at the end when ``commit``)."""

    @abstractmethod
    def purge_erased_keys(self) -> None:
        """After an erasure: remove what the storage may still hold of destroyed keys (old row
        versions, the write-ahead log), as far as the storage allows."""

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[Any]:
        """A separate read-only connection holding one consistent snapshot of the database,
        even while writers commit; ``execute`` returns a cursor."""

    def first_state(self) -> bytes | None:
        """The stored state of the log's first event; None while the log is empty."""
        with self.cursor() as c:
            return self._first_state(c)

    def _first_state(self, c: Any, before: int | None = None) -> bytes | None:
        where, params = (
            ("", ()) if before is None else (f"WHERE {self.log.position} < ?", (before,))
        )
        c.execute(
            f"SELECT state FROM {self.log.name} {where} ORDER BY {self.log.position} LIMIT 1",
            params,
        )
        row = c.fetchone()
        return None if row is None else bytes(row[0])

    def _check_first_event(
        self, c: Any, before: int | None = None, own: bytes | None = None
    ) -> None:
        """In a transaction that appends to the log and holds its write lock: raise (and so roll
        it back) unless the log's first event, before position ``before`` (else ``own``, the
        first of those appended), was written with the ledger's cipher key, or without one."""
        check = self.first_event_check
        if check is None:
            return
        first = self._first_state(c, before)
        if first is not None:
            check(first)
            self.first_event_check = None  # committed by an earlier transaction: settled
        elif own is not None:
            check(own)

    def existing_ids(self, record_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these record ids have events (one query per few hundred ids)."""
        found: set[UUID] = set()
        with self.cursor() as c:
            for chunk in _chunks([self.log.stored_id(i) for i in record_ids]):
                c.execute(
                    f"SELECT DISTINCT originator_id FROM {self.log.name} "
                    f"WHERE originator_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                found.update(_uuid(row[0]) for row in c.fetchall())
        return found

    def notifications_of(self, record_ids: Sequence[str], before: int) -> list[Notification]:
        """The events of these records (hex ids) logged before position ``before``, in log
        order: what a read model replays to recall records it no longer remembers."""
        found: list[Notification] = []
        with self.cursor() as c:
            for chunk in _chunks([self.log.stored_id(UUID(i)) for i in record_ids]):
                c.execute(
                    f"SELECT {self.log.position}, originator_id, originator_version, topic, state "
                    f"FROM {self.log.name} WHERE originator_id IN "
                    f"({','.join('?' * len(chunk))}) AND {self.log.position} < ?",
                    [*chunk, before],
                )
                found.extend(
                    Notification(
                        id=row[0],
                        originator_id=_uuid(row[1]),
                        originator_version=row[2],
                        topic=row[3],
                        state=bytes(row[4]),
                    )
                    for row in c.fetchall()
                )
        found.sort(key=lambda notification: notification.id)
        return found

    def key_for(self, subject_id: UUID) -> bytes | None:
        """The subject's key, or None if it has none (never had, or erased)."""
        with self.cursor() as c:
            c.execute("SELECT key FROM subject_keys WHERE subject_id = ?", (subject_id.hex,))
            row = c.fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def has_subject(self, subject_id: UUID) -> bool:
        """Whether personal data was ever sealed for this subject (erased or not)."""
        with self.cursor() as c:
            c.execute("SELECT 1 FROM subject_keys WHERE subject_id = ?", (subject_id.hex,))
            return c.fetchone() is not None

    def copy_events(
        self, notifications: Sequence[Notification], expected_root: bytes | None = None
    ) -> int:
        """Append events copied from another ledger at their own log positions, which must come
        after this log's last, with their leaves, in one transaction; return the tree's new size.

        With ``expected_root``, roll back unless the tree then has exactly that root (the
        source's at the same size): what is committed is always an exact prefix of the source.
        """
        if not notifications:
            return self.tree_size()
        first = notifications[0].id
        with self._appending() as c:
            self._check_first_event(c, first, notifications[0].state)
            c.executemany(
                f"INSERT INTO {self.log.name} ({self.log.position}, originator_id, "
                "originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        n.id,
                        self.log.stored_id(_uuid(n.originator_id)),
                        n.originator_version,
                        n.topic,
                        n.state,
                    )
                    for n in notifications
                ],
            )
            c.execute(
                f"SELECT COUNT(*), MAX({self.log.position}) FROM {self.log.name} "
                f"WHERE {self.log.position} >= ?",
                (first,),
            )
            count, last = c.fetchone()
            if count != len(notifications):
                raise StorageError(
                    f"cannot copy events from log position {first}: this ledger already holds "
                    f"events up to position {last}"
                )
            append_to_tree(
                c,
                [(n.originator_id, n.originator_version, n.topic, n.state) for n in notifications],
                [n.id for n in notifications],
                self.insert_rows,
            )
            frontier = stored_frontier(c)
            if expected_root is not None and frontier.root() != expected_root:
                raise IntegrityError(
                    f"the copy of the events up to log position {last} does not have the "
                    "source's integrity root: nothing of it was kept"
                )
            self._continue_after(c, last)
        return frontier.size

    def copy_subject_keys(self, keys: Sequence[tuple[str, bytes | None]]) -> tuple[int, list[str]]:
        """Add the subject keys (hex subject id, key) this ledger lacks; return how many were
        added, and the ids of those it holds with another key (then nothing is added)."""
        wanted = dict(keys)
        with self.cursor(commit=True) as c:
            held: dict[str, bytes | None] = {}
            for chunk in _chunks(list(wanted)):
                c.execute(
                    "SELECT subject_id, key FROM subject_keys "
                    f"WHERE subject_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                held.update((subject, stored_key(key)) for subject, key in c.fetchall())
            differing = [subject for subject, key in held.items() if key != wanted[subject]]
            missing = [(subject, key) for subject, key in wanted.items() if subject not in held]
            if missing and not differing:
                c.executemany(
                    "INSERT INTO subject_keys (subject_id, key) VALUES (?, ?) "
                    "ON CONFLICT (subject_id) DO NOTHING",
                    missing,
                )
        return (0 if differing else len(missing)), differing

    def copy_checkpoints(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Add signed checkpoints (rows of ``integrity_checkpoints``) this ledger lacks; return
        how many were added."""
        with self.cursor(commit=True) as c:
            c.execute("SELECT COUNT(*) FROM integrity_checkpoints")
            before = c.fetchone()[0]
            c.executemany(
                "INSERT INTO integrity_checkpoints (tree_size, log_position, root, created_at, "
                "public_key, signature) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (tree_size) DO NOTHING",
                [tuple(row) for row in rows],
            )
            c.execute("SELECT COUNT(*) FROM integrity_checkpoints")
            return int(c.fetchone()[0]) - int(before)

    def tree_size(self) -> int:
        """How many leaves the stored tree has."""
        with self.cursor() as c:
            return tree_size(c)

    @abstractmethod
    def _appending(self) -> AbstractContextManager[Any]:
        """A write transaction that may append to the log: no other writer can append to it
        until this one ends."""

    @abstractmethod
    def _continue_after(self, c: Any, position: int) -> None:
        """After events were inserted at explicit positions up to ``position``: make the next
        ones the ledger writes come after it."""

    def _store_extras(
        self,
        c: Any,
        stored_events: Sequence[StoredEvent],
        positions: Sequence[int],
        subject_keys: dict[UUID, bytes | None] | None,
    ) -> None:
        """In the transaction storing ``stored_events`` at ``positions``: their subjects' new
        keys (or keys destroyed: None), and their leaves in the integrity tree."""
        new = [(subject.hex, key) for subject, key in (subject_keys or {}).items() if key]
        if new:
            c.executemany("INSERT INTO subject_keys (subject_id, key) VALUES (?, ?)", new)
        # An erased subject keeps its row, without a key: it is known, and can never get one.
        for subject in [subject for subject, key in (subject_keys or {}).items() if key is None]:
            c.execute("UPDATE subject_keys SET key = NULL WHERE subject_id = ?", (subject.hex,))
        append_to_tree(
            c,
            [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events],
            positions,
            self.insert_rows,
        )


def stored_key(stored: Any) -> bytes | None:
    """A stored subject key as bytes; None for an erased subject."""
    return None if stored is None else bytes(stored)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), ID_QUERY_CHUNK):
        yield values[start : start + ID_QUERY_CHUNK]
