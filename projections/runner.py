"""Keeps the read models in step with the log: pull events after each model's position, apply
them in batches, and commit rows and positions in one transaction (exactly once, no gaps)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, delete, insert, make_url, select, text, update
from sqlalchemy import event as sqlalchemy_events
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.application import Ledger
from ledger.errors import LedgerError
from projections.audit import AuditModel
from projections.awards import AwardsModel
from projections.base import UNWRITTEN, Common, Handler, ReadModel, Rows
from projections.bulk import FactWriter
from projections.classification import ClassificationModel
from projections.mediation import MediationModel
from projections.models import ModelsModel
from projections.parallel import rebuild_in_workers
from projections.programmes import ProgrammesModel
from projections.safety import SafetyModel
from projections.schema import POSITION, RECORD_ID, metadata, positions
from projections.security_orgs import SecurityOrgsModel
from projections.statistics import StatisticsModel
from projections.units import UnitsModel

PAGE = 5000  # events per transaction
SCHEMA_ATTEMPTS = 5  # looks at the tables, when other processes create them at the same time
SCHEMA_LOCK = 0x616E7472  # PostgreSQL advisory lock held while creating the read models
REBUILDING = "(rebuilding)"  # a positions row present while a rebuild has not finished
READ_MODELS = (
    UnitsModel,
    SafetyModel,
    ModelsModel,
    AwardsModel,
    MediationModel,
    ProgrammesModel,
    StatisticsModel,
    SecurityOrgsModel,
    ClassificationModel,
    AuditModel,
)
Progress = Callable[[int], None]


class RebuildUnfinished(LedgerError):
    """Raised when the read models are half-built: a rebuild is running or was interrupted."""


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
    # PostgreSQL through psycopg 3, the driver the event store uses.
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"))


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
        self._names = [model.name for model in self.models]
        self._handlers: dict[type, list[tuple[ReadModel, Handler]]] = {}
        self._committed: dict[str, int] = {}  # the positions this projector last committed
        self._writer = FactWriter(engine.dialect)
        self._ensure_tables()

    def _ensure_tables(self, rebuilding: bool = False) -> None:
        """Create missing tables and positions; mark a rebuild as begun when ``rebuilding``.

        On SQLite, processes opening a new ledger at once race between looking for a table and
        creating it (SQLite runs each CREATE by itself): the loser of a race finds the table or
        row made by the winner, and looks again.
        """
        for attempt in range(SCHEMA_ATTEMPTS):
            try:
                return self._create_tables(rebuilding)
            except (OperationalError, IntegrityError) as error:
                lost_race = "already exists" in str(error) or "UNIQUE" in str(error)
                if not lost_race or attempt == SCHEMA_ATTEMPTS - 1:
                    raise

    def _create_tables(self, rebuilding: bool) -> None:
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # processes starting at once
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            metadata.create_all(connection)
            known = set(connection.scalars(select(positions.c.name)))
            names = [*self._names, REBUILDING] if rebuilding else self._names
            missing = [{"name": name, "position": 0} for name in names if name not in known]
            if missing:
                connection.execute(insert(positions), missing)

    def _stored_positions(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return dict(connection.execute(select(positions.c.name, positions.c.position)).all())

    def rebuilding(self) -> bool:
        """Whether a rebuild is running, or was interrupted and must be run again."""
        return REBUILDING in self._stored_positions()

    def positions(self) -> dict[str, int]:
        """Each read model's position: every event up to it is applied, none after it."""
        stored = self._stored_positions()
        if REBUILDING in stored:
            raise RebuildUnfinished(
                "the read models are being rebuilt, or a rebuild was interrupted; "
                "wait for it or run: antq projections rebuild"
            )
        return stored

    def status(self) -> list[Status]:
        """Each read model's position and how many events it is behind."""
        head = self.ledger.recorder.max_notification_id() or 0
        stored = self._stored_positions()
        return [
            Status(name, position, head - position)
            for name, position in stored.items()
            if name != REBUILDING
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
        return self.project(start, None, reached, progress)

    def project(
        self,
        start: int,
        stop: int | None,
        reached: dict[str, int] | None,
        progress: Progress | None = None,
    ) -> int:
        """Apply the events after ``start`` (through ``stop``, or the head) in batches; return
        the position reached.

        With ``reached`` (each model's stored position), every batch also moves the positions,
        compare-and-set; without it, only rows are written: a rebuild sets the positions at
        the end.
        """
        models_reached = reached if reached is not None else dict.fromkeys(self._names, start)
        while notifications := self.ledger.recorder.select_notifications(
            start=start, limit=PAGE, stop=stop, inclusive_of_start=False
        ):
            events = [self.ledger.mapper.to_domain_event(n) for n in notifications]
            shared = self._writer.common
            commons = [shared(e, n.id) for e, n in zip(events, notifications, strict=True)]
            self._recall(events, commons, before=notifications[0].id)
            rows: Rows = defaultdict(list)
            for event, common in zip(events, commons, strict=True):
                for model, handler in self._handlers_of(type(event)):
                    # A model already past this event only updates what it remembers.
                    past = common[POSITION] <= models_reached[model.name]
                    handler(event, common, UNWRITTEN if past else rows)
            end = notifications[-1].id
            self._commit(rows, reached, end)
            for model in self.models:
                models_reached[model.name] = end
                model.trim()
            if reached is not None:
                self._committed = dict(reached)
            start = end
            if progress:
                progress(len(notifications))
        return start

    def _recall(self, events: list[Any], commons: list[Common], before: int) -> None:
        """Replay, without writing rows, the earlier events of records this batch continues
        that some model no longer remembers (the log is the memory of last resort)."""
        forgotten: set[str] = set()
        for event, common in zip(events, commons, strict=True):
            if event.originator_version > 1:
                key = common[RECORD_ID]
                if not all(model.remembers(key) for model, _ in self._handlers_of(type(event))):
                    forgotten.add(key)
        if not forgotten:
            return
        for notification in self.ledger.recorder.notifications_of(sorted(forgotten), before):
            event = self.ledger.mapper.to_domain_event(notification)
            common = self._writer.common(event, notification.id)
            for _, handler in self._handlers_of(type(event)):
                handler(event, common, UNWRITTEN)

    def _handlers_of(self, event_class: type) -> list[tuple[ReadModel, Handler]]:
        if event_class not in self._handlers:
            pairs = [(m, m.handler_for(event_class)) for m in self.models if not m.takes_unclaimed]
            if not any(handler for _, handler in pairs):
                pairs = [(m, m.handler_for(event_class)) for m in self.models if m.takes_unclaimed]
            self._handlers[event_class] = [(m, h) for m, h in pairs if h is not None]
        return self._handlers[event_class]

    def _commit(self, rows: Rows, reached: dict[str, int] | None, end: int) -> None:
        """Move every position to ``end`` (unless ``reached`` is None) and insert the batch's
        rows, in one transaction.

        Positions move first, compare-and-set: a projector that another process overtook stops
        there (ConcurrentCatchUp) before writing a single row, and starts again from the stored
        positions.
        """
        with self.engine.begin() as connection:
            for model in self.models if reached is not None else ():
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

    def _ledger_file(self) -> str | None:
        """The SQLite file of the ledger (whose log worker processes read), or None when the
        ledger is not in a file of its own."""
        database = self.ledger.env.get("SQLITE_DBNAME")
        if not database or ":memory:" in database or database.startswith("file:"):
            return None
        return database

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every read model and project the whole log again (a long log in worker
        processes: ``projections.parallel``).

        A marker row says the rebuild is unfinished until the end, so that reads refuse
        half-built tables and an interrupted rebuild is run again rather than resumed.
        """
        head = self.ledger.recorder.max_notification_id() or 0
        # The marker goes in before anything is dropped: on SQLite each DROP TABLE commits on
        # its own, so a rebuild killed while dropping must already read as unfinished (else
        # the tables left standing and the old positions pass for caught-up read models).
        self._ensure_tables(rebuilding=True)
        models = [table for table in metadata.sorted_tables if table is not positions]
        metadata.drop_all(self.engine, tables=models)
        with self.engine.begin() as connection:
            connection.execute(delete(positions).where(positions.c.name != REBUILDING))
        for model in self.models:
            model.forget()
        self._ensure_tables(rebuilding=True)
        if not rebuild_in_workers(self._ledger_file(), self.engine, head, progress):
            self.project(0, head, None, progress)
        with self.engine.begin() as connection:
            connection.execute(update(positions).values(position=head))
            connection.execute(delete(positions).where(positions.c.name == REBUILDING))
        self._committed = self.positions()
        return self.catch_up(progress)
