"""The Ledger application: records actions as events, and reads a record's history and the log."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from pydantic import TypeAdapter, ValidationError

from ledger import topics, units
from ledger.commands import Action, Text
from ledger.dispatch import FAMILIES, handler_for, record_class
from ledger.encryption import CipherMismatch, StoreKey
from ledger.errors import ConflictError, InvalidInput, LedgerError, NotFoundError
from ledger.records import Index, Record
from ledger.session import Session
from ledger.storage import DEFAULT_URL, display_url, environment_for
from ledger.trail import describe, provenance, sealed_subjects
from ledger.transcodings import DateAsISO
from ledger.values import Entry

KEY_PARTS = {"unit": ["code"], "model": ["code"], "award": ["issuer", "year", "decision"],
             "safety": ["unit", "year"], "dispute": ["unit", "case"],
             "person": ["person"], "programme": ["citation"],
             "statistic": ["unit", "indicator", "from", "to", "source"]}  # fmt: skip
KEY_PARTS["security-org"] = ["unit", "code"]
KEY_PARTS["classification"] = ["unit", "year"]
REMEMBERED_LABELS = 50_000  # record labels `log` keeps in memory while it streams
ATTEMPTS = 5  # a command is re-run this often when another writer changed its records
UNNAMED_ROLE = "clerk"  # the role of an entry when nobody names one


class Guard(Protocol):
    """Checks a write before its handler runs (ledger.policy): returns the entry to record it
    with, or raises a LedgerError."""

    def authorise(self, session: Session, action: Action, entry: Entry) -> Entry: ...


@dataclass(frozen=True)
class Recorded:
    """One event an action recorded: its log position and the record it belongs to."""

    position: int
    record: str
    event: CanMutateAggregate[UUID]

    @property
    def is_bookkeeping(self) -> bool:
        """True for index events, which only keep lookups in step with the records."""
        return self.record.startswith(f"{Index.KIND} ")


@dataclass(frozen=True)
class Clerk:
    """Who records: the default actor and role for entries that do not name their own."""

    actor: str | None
    role: str | None = None

    def __post_init__(self) -> None:
        """Refuse an actor or role (from --actor, --role or the environment) that an action's
        own ``actor`` or ``role`` field would refuse: control characters, over 500 characters."""
        for name in ("actor", "role"):
            value = getattr(self, name)
            if value is None or not value.strip():  # a blank actor or role is none given
                object.__setattr__(self, name, None)
                continue
            try:
                object.__setattr__(self, name, _text_adapter().validate_python(value))
            except ValidationError as error:
                problem = error.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
                raise InvalidInput([f"{name}: {problem}"]) from None

    def entry_for(self, action: Action, recorded_at: datetime | None = None) -> Entry:
        """The entry of an action. Raises InvalidInput when nobody is named as actor."""
        actor = action.actor or self.actor
        if not actor:
            raise InvalidInput(["actor: required to write: give --actor NAME or set ANTQ_ACTOR"])
        return Entry(
            actor=actor,
            role=action.role or self.role or UNNAMED_ROLE,
            effective_on=action.effective_on,
            source=action.source,
            note=action.note,
            recorded_at=recorded_at,
        )


@functools.cache
def _text_adapter() -> TypeAdapter[str]:
    return TypeAdapter(Text)


class Ledger(Application[UUID]):
    """antq-ledger's write side over an eventsourcing event store."""

    name = "antq"
    policy: Guard | None = None  # who may record what (ledger.policy); None: no check

    def __init__(
        self, url: str = DEFAULT_URL, env: dict[str, str] | None = None, check_key: bool = True
    ) -> None:
        """Open the ledger at ``url``, its events encrypted with ``ANTQ_CIPHER_KEY`` if set.

        Raises StorageError when the key is not the one the ledger's events were written with
        (or is missing, or given for a ledger in clear); ``check_key=False`` defers that check
        to the first write, for reading the stored bytes only (``antq audit verify``).
        """
        topics.install()  # every stored topic finds its class, wherever the class moved
        store_key = StoreKey.from_environment()
        super().__init__(env={**environment_for(url), **store_key.environment(), **(env or {})})
        first = self.recorder.first_state() if check_key else None
        if first is None:
            self.recorder.first_event_check = partial(store_key.check, where=display_url(url))
        else:
            try:
                store_key.check(first, where=display_url(url))
            except CipherMismatch:
                self.close()
                raise

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def session(self) -> Session:
        """A new unit of work over the current state of the ledger."""
        return Session(self.repository, self.recorder)

    def execute(self, action: Action, recorder: Clerk) -> list[Recorded]:
        """Record one action; return what it recorded, one item per event.

        Raises a LedgerError when the action breaks a rule; retries when another writer
        changed the same records between reading and writing them.
        """
        entry = recorder.entry_for(action)
        for _ in range(ATTEMPTS):
            session = self.session()
            apply(session, action, entry, self.policy)
            events, keys = session.collect()
            try:
                positions = self.store(events, keys)
            except IntegrityError:
                continue
            return [
                Recorded(position, session.label(event.originator_id), event)
                for position, event in zip(positions, events, strict=True)
            ]
        raise ConflictError(
            f"{action.ACTION}: other writers kept changing the same records; try again"
        )

    def store(
        self, events: Sequence[CanMutateAggregate[UUID]], subject_keys: dict[UUID, bytes | None]
    ) -> Sequence[int]:
        """Write events (and new subject keys) in one transaction; return their log positions."""
        stored = [self.mapper.to_stored_event(event) for event in events]
        positions = self.recorder.insert_events(stored, subject_keys=subject_keys) or []
        if None in subject_keys.values():  # an erasure: leave no copy of the destroyed keys
            self.recorder.purge_erased_keys()
        return positions

    def find(self, kind: str, key: Sequence[str]) -> Record:
        """The record of ``kind`` named by its natural key. Raises NotFoundError."""
        if kind not in FAMILIES:
            raise InvalidInput([f"KIND: {kind!r} is not one of {', '.join(FAMILIES)}"])
        cls, parts = record_class(kind), KEY_PARTS[kind]
        if len(key) != len(parts):
            raise InvalidInput([f"KEY: {kind} is named by {' '.join(p.upper() for p in parts)}"])
        session = self.session()
        if kind in ("unit", "safety", "dispute", "statistic"):
            key = [units.find_unit(session, key[0]).code, *key[1:]]
        if kind == "security-org":
            key = [units.find_unit(session, key[0]).code, *key[1:]]
        if kind == "classification":
            key = [units.find_unit(session, key[0]).code, *key[1:]]
        if kind == "programme":  # its citation or any alias of it
            from ledger.programmes import existing_programme

            return existing_programme(session, key[0])
        record = session.get(cls, cls.id_for(*key))
        if record is None:
            raise NotFoundError(f"{kind} {' '.join(key)} is not recorded")
        return record

    def history(
        self,
        kind: str,
        key: Sequence[str],
        as_of: date | None = None,
        known_at: datetime | None = None,
        version: int | None = None,
        reader: Clerk | None = None,
    ) -> list[dict[str, Any]]:
        """The event trail of one record, oldest first: only events in force by ``as_of``
        (valid time), recorded by ``known_at`` (transaction time), up to ``version``.

        Sealed personal fields are opened for a ``reader`` only when their viewing could be
        recorded (``person.view``: an actor, and a policy that allows it); others show sealed.
        Without a reader (code inside the ledger) they are opened unrecorded.
        """
        record = self.find(kind, key)
        events = [
            event
            for event in self.events.get(record.id, lte=version)
            if (as_of is None or event.effective_on <= as_of)
            and (known_at is None or event.timestamp <= known_at)
        ]
        may_open = None
        if reader is not None:
            subjects = {subject for event in events for subject in sealed_subjects(event)}
            may_open = self._viewings(subjects, reader, f"history {record.label()}").__contains__
        return [describe(event, self.recorder, may_open) for event in events]

    def _viewings(self, subjects: set[str], reader: Clerk, purpose: str) -> set[str]:
        """Record ``reader``'s viewing of each subject's data; return the subjects it may see
        opened: those whose viewing was recorded, and the erased (nothing left to see)."""
        from ledger.commands import PersonView

        allowed = set()
        for subject in sorted(subjects):
            if self.recorder.key_for(UUID(subject)) is None:
                allowed.add(subject)  # erased: shows as erased
                continue
            try:
                self.execute(PersonView(person=subject, purpose=purpose), reader)
            except (LedgerError, InvalidInput):
                continue  # no actor, or not allowed to view: stays sealed
            allowed.add(subject)
        return allowed

    def log(self, since: int = 0, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """The global log after position ``since``: one dict per event, in commit order."""
        labels: dict[UUID, str] = {}
        position, remaining = since, limit
        while remaining is None or remaining > 0:
            page = 500 if remaining is None else min(500, remaining)
            notifications = self.recorder.select_notifications(
                start=position, limit=page, inclusive_of_start=False
            )
            if not notifications:
                return
            for notification in notifications:
                event = self.mapper.to_domain_event(notification)
                yield {
                    "position": notification.id,
                    "record": self.label(event, labels),
                    "event": type(event).__name__,
                    "version": event.originator_version,
                    "recorded_at": event.timestamp,
                    **provenance(event),
                }
            position = notifications[-1].id
            if remaining is not None:
                remaining -= len(notifications)

    def label(self, event: CanMutateAggregate[UUID], labels: dict[UUID, str]) -> str:
        """The record's label: from the event itself when it created the record, else from a
        bounded memory, else from the record's first event."""
        record_id = event.originator_id
        if record_id not in labels:
            if len(labels) >= REMEMBERED_LABELS:
                labels.clear()
            created = event
            if event.originator_version != 1:
                created = next(iter(self.events.get(record_id, limit=1)))
            labels[record_id] = created.mutate(None).label()
        return labels[record_id]


def apply(session: Session, action: Action, entry: Entry, policy: Guard | None = None) -> None:
    """Run the handler of ``action`` against the session's records, once ``policy`` allows it."""
    if policy is not None:
        entry = policy.authorise(session, action, entry)
    handler_for(action)(session, action, entry)
