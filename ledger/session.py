"""A unit of work: the records one command, or one import, reads and changes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import CanMutateAggregate

from ledger.errors import AlreadyRecordedError, RuleViolation
from ledger.persons import Vault, new_key, seal
from ledger.records import Index, Record
from ledger.values import Entry

R = TypeVar("R", bound=Record)


class Store(Vault, Protocol):
    """What a session needs from storage beyond the repository."""

    def existing_ids(self, record_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these record ids have events."""

    def has_subject(self, subject_id: UUID) -> bool:
        """Whether personal data was ever sealed for this subject (erased or not)."""


class Session:
    """Identity map over the repository; collects the new events of the records it hands out."""

    def __init__(self, repository: Repository, store: Store) -> None:
        self._repository = repository
        self._store = store
        self._records: dict[UUID, Record | None] = {}
        self._touched: dict[UUID, Record] = {}
        # Keys created, read or destroyed (None) in this session, and those since the last
        # collect: an import's later lines see what its earlier lines did before it is stored.
        self._keys: dict[UUID, bytes | None] = {}
        self._new_keys: dict[UUID, bytes | None] = {}
        self._erased: set[UUID] = set()

    def get(self, cls: type[R], record_id: UUID) -> R | None:
        """The record with this id as changed so far in this session, or None."""
        record = self._load(record_id)
        if record is None:
            return None
        if not isinstance(record, cls):
            raise TypeError(f"record {record_id} is a {type(record).__name__}, not {cls.__name__}")
        self._touched[record_id] = record
        return record

    def add(self, record: Record) -> None:
        """Add a new record. Raises AlreadyRecordedError if its natural key is taken."""
        existing = self._load(record.id)
        if existing is not None:
            raise AlreadyRecordedError(f"{existing.label()} is already recorded")
        self._records[record.id] = record
        self._touched[record.id] = record

    def prefetch(self, record_ids: Iterable[UUID]) -> None:
        """Learn in one query which of these records do not exist, so adding them costs none."""
        unknown = [i for i in dict.fromkeys(record_ids) if i not in self._records]
        existing = self._store.existing_ids(unknown)
        self._records.update((i, None) for i in unknown if i not in existing)

    def _load(self, record_id: UUID) -> Record | None:
        if record_id not in self._records:
            try:
                self._records[record_id] = self._repository.get(record_id)
            except AggregateNotFoundError:
                self._records[record_id] = None
        return self._records[record_id]

    def file(self, name: str, key: str, member: str, entry: Entry) -> None:
        """File ``member`` under ``key`` in index ``name``, opening that entry if it is new."""
        index = self.get(Index, Index.id_for(name, key))
        if index is None:
            self.add(Index.open(name, key, member, entry))
        else:
            index.add(member, entry)

    def members(self, name: str, key: str) -> list[str]:
        """Codes filed under ``key`` in index ``name`` (empty when there are none)."""
        index = self.get(Index, Index.id_for(name, key))
        return list(index.members) if index else []

    def seal(self, fields: dict[str, object], subject_id: UUID | None = None) -> tuple[UUID, str]:
        """Encrypt personal ``fields`` under the subject's key; without ``subject_id``, a new
        subject with a new key. Returns the subject id and the sealed text. Raises RuleViolation
        for an erased subject."""
        if subject_id is None:
            subject_id = uuid4()
        key = self._key_of(subject_id)
        if key is None:
            if self.has_subject(subject_id):
                raise RuleViolation(
                    f"person {subject_id.hex} was erased: their data cannot be recorded again"
                )
            key = self._keys[subject_id] = self._new_keys[subject_id] = new_key()
        return subject_id, seal(key, subject_id, fields)

    def _key_of(self, subject_id: UUID) -> bytes | None:
        if subject_id not in self._keys:
            self._keys[subject_id] = self._store.key_for(subject_id)
        return self._keys[subject_id]

    def has_subject(self, subject_id: UUID) -> bool:
        """Whether personal data was ever sealed for this subject (erased or not)."""
        return (
            subject_id in self._erased
            or self._keys.get(subject_id) is not None
            or self._store.has_subject(subject_id)
        )

    def destroy_key(self, subject_id: UUID) -> None:
        """Destroy the subject's key when this session's events are stored (crypto-shredding)."""
        self._erased.add(subject_id)
        self._keys[subject_id] = self._new_keys[subject_id] = None

    def label(self, record_id: UUID) -> str:
        """``kind key...`` of a record this session holds."""
        record = self._records[record_id]
        return record.label() if record else str(record_id)

    def collect(self) -> tuple[list[CanMutateAggregate[UUID]], dict[UUID, bytes | None]]:
        """New events and personal-data keys since the last collect (None: a key to destroy),
        in recording order."""
        events = [event for record in self._touched.values() for event in record.collect_events()]
        keys, self._new_keys = self._new_keys, {}
        self._touched = {}
        return events, keys
