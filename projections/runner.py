"""Keeps the read models in step with the log: pull events after each model's position, apply
them in batches, and commit rows and positions in one transaction (exactly once, no gaps)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, update
from sqlalchemy import event as sqlalchemy_events

from ledger.application import Ledger
from projections.audit import AuditModel
from projections.awards import AwardsModel
from projections.base import Handler, ReadModel, Rows
from projections.bulk import FactWriter
from projections.mediation import MediationModel
from projections.models import ModelsModel
from projections.safety import SafetyModel
from projections.schema import metadata, positions
from projections.units import UnitsModel

PAGE = 5000  # events per transaction
READ_MODELS = (UnitsModel, SafetyModel, ModelsModel, AwardsModel, MediationModel, AuditModel)
Progress = Callable[[int], None]


class ConcurrentCatchUp(Exception):
    """Raised when another process advanced a read model while this one was applying a batch."""


@dataclass(frozen=True)
class Status:
    name: str
    position: int
    lag: int


def engine_for(url: str) -> Engine:
    """The SQLAlchemy engine over the ledger's own database (read models live beside events)."""
    if url.startswith("sqlite:"):
        engine = create_engine(url, connect_args={"timeout": 60})
        sqlalchemy_events.listen(engine, "connect", _tune_for_read_models)
        return engine
    return create_engine(url)


def _tune_for_read_models(connection: Any, _: Any) -> None:
    # Read models are rebuildable and their positions commit with their rows, so a power cut
    # can only roll both back together. WAL mode keeps the file consistent either way.
    connection.execute("PRAGMA synchronous=NORMAL")
    # Fact tables are indexed by random record ids; a larger page cache keeps those index
    # pages in memory during a rebuild (64 MB, within the memory target).
    connection.execute("PRAGMA cache_size=-65536")
    # Checkpoint the write-ahead log less often (80 MB instead of 4 MB): a rebuild rewrites the
    # same index pages batch after batch, and each checkpoint copies them back to the file.
    connection.execute("PRAGMA wal_autocheckpoint=20000")


class Projector:
    """The read models of one ledger, and the loop that keeps them caught up."""

    def __init__(self, ledger: Ledger, engine: Engine) -> None:
        self.ledger = ledger
        self.engine = engine
        self.models: list[ReadModel] = [model(engine) for model in READ_MODELS]
        self._handlers: dict[type, list[tuple[ReadModel, Handler]]] = {}
        self._committed: dict[str, int] = {}  # the positions this projector last committed
        self._writer = FactWriter(engine.dialect)
        self._ensure_tables()

    def _ensure_tables(self) -> None:
        metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            known = set(connection.scalars(select(positions.c.name)))
            missing = [{"name": m.name, "position": 0} for m in self.models if m.name not in known]
            if missing:
                connection.execute(insert(positions), missing)

    def positions(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return dict(connection.execute(select(positions.c.name, positions.c.position)).all())

    def status(self) -> list[Status]:
        """Each read model's position and how many events it is behind."""
        head = self.ledger.recorder.max_notification_id() or 0
        return [
            Status(name, position, head - position) for name, position in self.positions().items()
        ]

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply every event after each model's position; return the log position reached."""
        while True:
            try:
                return self._catch_up(progress)
            except ConcurrentCatchUp:
                for model in self.models:
                    model.forget()

    def _catch_up(self, progress: Progress | None) -> int:
        reached = self.positions()
        if reached != self._committed:
            # Another projector moved the models on: facts remembered here may be stale.
            for model in self.models:
                model.forget()
        start = min(reached[m.name] for m in self.models)
        while notifications := self.ledger.recorder.select_notifications(
            start=start, limit=PAGE, inclusive_of_start=False
        ):
            events = [self.ledger.mapper.to_domain_event(n) for n in notifications]
            self._prefetch(events)
            rows: Rows = defaultdict(list)
            for notification, event in zip(notifications, events, strict=True):
                common = self._writer.common(event, notification.id)
                for model, handler in self._handlers_of(type(event)):
                    if notification.id > reached[model.name]:
                        handler(event, common, rows)
            end = notifications[-1].id
            self._commit(rows, reached, end)
            for model in self.models:
                reached[model.name] = end
                model.trim()
            self._committed = dict(reached)
            start = end
            if progress:
                progress(len(notifications))
        return start

    def _prefetch(self, events: list[Any]) -> None:
        """Let each model read back, in bulk, the records this batch continues."""
        continuing: defaultdict[ReadModel, set[str]] = defaultdict(set)
        for event in events:
            if event.originator_version > 1:
                for model, _ in self._handlers_of(type(event)):
                    continuing[model].add(event.originator_id.hex)
        for model, record_ids in continuing.items():
            model.prefetch(record_ids)

    def _handlers_of(self, event_class: type) -> list[tuple[ReadModel, Handler]]:
        if event_class not in self._handlers:
            pairs = [(m, m.handler_for(event_class)) for m in self.models]
            self._handlers[event_class] = [(m, h) for m, h in pairs if h is not None]
        return self._handlers[event_class]

    def _commit(self, rows: Rows, reached: dict[str, int], end: int) -> None:
        """Move every position to ``end`` and insert the batch's rows, in one transaction.

        Positions move first, compare-and-set: a projector that another process overtook stops
        there (ConcurrentCatchUp) before writing a single row, and starts again from the stored
        positions.
        """
        with self.engine.begin() as connection:
            for model in self.models:
                moved = connection.execute(
                    update(positions)
                    .where(positions.c.name == model.name)
                    .where(positions.c.position == reached[model.name])
                    .values(position=end)
                )
                if moved.rowcount != 1:
                    raise ConcurrentCatchUp(model.name)
            for table, table_rows in rows.items():
                self._writer.insert(connection, table, table_rows)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every read model and project the whole log again."""
        metadata.drop_all(self.engine)
        for model in self.models:
            model.forget()
        self._ensure_tables()
        return self.catch_up(progress)
