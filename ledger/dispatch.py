"""Which handler records each action: filled in by the family modules with ``@handles``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ledger.commands import Action

if TYPE_CHECKING:
    from ledger.session import Session
    from ledger.values import Entry

A = TypeVar("A", bound=Action)
Handler = Callable[["Session", A, "Entry"], None]
HANDLERS: dict[type[Action], Handler] = {}


def handles(action_class: type[A]) -> Callable[[Handler[A]], Handler[A]]:
    """Register the decorated function as the handler of ``action_class``."""

    def register(handler: Handler[A]) -> Handler[A]:
        HANDLERS[action_class] = handler
        return handler

    return register
