"""The base of every ledger aggregate, deterministic record ids, and lookup indexes."""

from __future__ import annotations

import functools
from abc import abstractmethod
from datetime import date
from typing import Any, Self
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import resolve_topic

from ledger.errors import InvalidInput, RuleViolation
from ledger.text import format_date, match_key
from ledger.topics import register_topics
from ledger.values import Entry

# Fixed once: every record id is uuid5(NAMESPACE, "<kind>/<folded key parts>").
NAMESPACE = UUID("6f1c7a52-3c1e-5b0e-9a57-41a1e0c0a7b1")


@functools.lru_cache(maxsize=1 << 16)
def record_id(kind: str, *key: object) -> UUID:
    """The deterministic id of a record, from its kind and natural key (matching-folded).

    Raises InvalidInput for a key that is not text (a lone surrogate: bytes that were not UTF-8).
    """
    try:
        return uuid5(NAMESPACE, "/".join([kind, *(match_key(str(part)) for part in key)]))
    except UnicodeEncodeError:
        written = " ".join(str(part) for part in key)
        raise InvalidInput(
            [f"{kind} {written!r}: not valid text (it holds bytes that are not UTF-8)"]
        ) from None


class Record(Aggregate):
    """An aggregate whose every event says who recorded it, when it takes legal effect and why.

    The recording timestamp (transaction time) is the event's ``timestamp``, set by the ledger.
    """

    # No class-level annotations here: the library would turn every record class into a
    # dataclass. Subclasses set KIND ("unit", "safety", ...); events set started_on (the first
    # event's legal date) and latest_on (the latest legal date so far).
    KIND = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every record class and the events its body defines are stored under explicit, frozen
        # topics (ledger.topics): a record class missing there cannot even be defined.
        super().__init_subclass__(**kwargs)
        register_topics(cls)

    class Event(Aggregate.Event):
        actor: str
        role: str
        effective_on: date
        source: str | None
        note: str | None

        def mutate(self, aggregate: Record | None) -> Record | None:
            record = super().mutate(aggregate)
            record.latest_on = max(record.latest_on, self.effective_on)
            return record

    class Created(Event, Aggregate.Created):
        def mutate(self, aggregate: None) -> Record:
            # Records take no constructor arguments (state comes from apply), so this skips the
            # library's per-event signature filtering.
            record_class = resolve_topic(self.originator_topic)
            record = record_class.__new__(record_class)
            record.__base_init__(self.originator_id, self.originator_version, self.timestamp)
            record.__init__()
            self.apply(record)
            record.started_on = record.latest_on = self.effective_on
            return record

    @classmethod
    def _start(cls, created: type[Created], record_id: UUID, entry: Entry, **fields: Any) -> Self:
        """Create the record with its first event."""
        return cls._create(created, id=record_id, **entry.fields(), **fields)

    def _record(self, event_class: type[Event], entry: Entry, **fields: Any) -> None:
        """Trigger the next event of this record. Raises RuleViolation if dated before the
        record began or before its latest event: a record's life runs forward."""
        if entry.effective_on < self.started_on:
            raise RuleViolation(
                f"{self.label()} began on {format_date(self.started_on)}: an event cannot take "
                f"effect before that ({format_date(entry.effective_on)})"
            )
        if entry.effective_on < self.latest_on:
            raise RuleViolation(
                f"{self.label()}: its latest event took effect on {format_date(self.latest_on)}; "
                f"a later event cannot take effect before that ({format_date(entry.effective_on)})"
            )
        self.trigger_event(event_class, **entry.fields(), **fields)

    @property
    @abstractmethod
    def key(self) -> tuple[str, ...]:
        """The natural key that names this record to users."""

    def label(self) -> str:
        """``kind key...`` as a user types it after ``antq history``."""
        return " ".join([self.KIND, *self.key])


class Index(Record):
    """A lookup from a folded key (a unit name, a parent unit) to the codes filed under it.

    Saved in the same transaction as the records it indexes, so it never disagrees with them.
    """

    KIND = "index"

    def __init__(self) -> None:
        self.name = ""
        self.members: list[str] = []

    @staticmethod
    def id_for(name: str, key: str) -> UUID:
        return record_id("index", name, key)

    class Opened(Record.Created):
        name: str
        key: str
        member: str

        def apply(self, index: Index) -> None:
            index.name = self.name
            index.index_key = self.key
            index.members.append(self.member)

    class Added(Record.Event):
        member: str

        def apply(self, index: Index) -> None:
            index.members.append(self.member)

    @classmethod
    def open(cls, name: str, key: str, member: str, entry: Entry) -> Index:
        return cls._start(
            cls.Opened, cls.id_for(name, key), entry, name=name, key=match_key(key), member=member
        )

    def add(self, member: str, entry: Entry) -> None:
        # Bookkeeping, not business: members are filed in recording order, whatever their
        # legal dates, so the "not before the record began" rule does not apply here.
        if member not in self.members:
            self.trigger_event(self.Added, **entry.fields(), member=member)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.name, self.index_key)
