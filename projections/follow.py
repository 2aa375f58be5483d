"""Following the log: keep the read models caught up as events arrive, until asked to stop.

Each catch-up commits rows and positions together (``projections.runner``), so a follower stopped
at any moment resumes from its stored positions. It wakes on PostgreSQL's NOTIFY, which the event
store sends with every insert, and otherwise polls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from projections.runner import Projector

Wait = Callable[[float], None]  # returns when events may have arrived, or after the timeout


def follow(
    projector: Projector,
    stop: threading.Event,
    caught_up: Callable[[int], None],
    poll_seconds: float = 1.0,
) -> int:
    """Catch up, then again whenever events may have arrived, until ``stop`` is set; call
    ``caught_up(position)`` after each catch-up that moved the models on. Returns the position
    reached."""
    position = projector.catch_up()
    with arrivals(projector.ledger.recorder, stop) as wait:
        while not stop.is_set():
            wait(poll_seconds)
            if stop.is_set():
                break
            reached = projector.catch_up()
            if reached > position:
                caught_up(reached)
            position = reached
    return position


@contextmanager
def arrivals(recorder: Any, stop: threading.Event) -> Iterator[Wait]:
    """A wait that ends early when the recorder announces new events (PostgreSQL LISTEN) or
    when ``stop`` is set."""
    channel = getattr(recorder, "channel_name", None)
    if channel is None:
        yield stop.wait
        return
    from psycopg.sql import SQL, Identifier

    with recorder.datastore.get_connection() as connection:
        connection.execute(SQL("LISTEN {0}").format(Identifier(channel)))

        def wait(timeout: float) -> None:
            # Wake at least every tenth of a second to notice ``stop``.
            for _ in range(max(1, round(timeout / 0.1))):
                if stop.is_set() or any(True for _ in connection.notifies(timeout=0.1)):
                    return

        try:
            yield wait
        finally:
            connection.execute(SQL("UNLISTEN {0}").format(Identifier(channel)))
