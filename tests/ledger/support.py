"""Helpers for the ledger tests: record actions, and describe a refusal as one comparable value."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import Action
from ledger.errors import LedgerError


class Refusal(NamedTuple):
    """How the ledger refused an action: the error class, its message, and whether it wrote."""

    error: type[LedgerError]
    message: str
    wrote_nothing: bool


def record(ledger: Ledger, clerk: Clerk, *actions: Action) -> None:
    """Execute each action in turn (each must be accepted)."""
    for action in actions:
        ledger.execute(action, clerk)


def refusal(ledger: Ledger, clerk: Clerk, action: Action) -> Refusal:
    """Execute an action that must be refused; return how it was refused."""
    before = ledger.recorder.max_notification_id()
    with pytest.raises(LedgerError) as caught:
        ledger.execute(action, clerk)
    return Refusal(
        type(caught.value), str(caught.value), ledger.recorder.max_notification_id() == before
    )


def events(ledger: Ledger, kind: str, *key: str) -> list[str]:
    """The event names of one record's history, oldest first."""
    return [entry["event"] for entry in ledger.history(kind, list(key))]
