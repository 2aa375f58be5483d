"""Which handler records each action: filled in by the family modules with ``@handles``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ledger.commands import Action

if TYPE_CHECKING:
    from ledger.session import Session
    from ledger.values import Entry

A = TypeVar("A", bound=Action)
Handler = Callable[["Session", A, "Entry"], None]
HANDLERS: dict[type[Action], Handler] = {}
# The module that records each family of actions ("safety.recognise" -> ledger.safety), and the
# record class behind each kind that `antq history` names. Loaded on first use.
FAMILIES = {
    "unit": "ledger.units:AdminUnit",
    "model": "ledger.security_models:SecurityModel",
    "award": "ledger.awards:Commendation",
    "safety": "ledger.safety:SafetyRecognition",
    "dispute": "ledger.disputes:MediationCase",
    "person": "ledger.people:PersonalData",
    "programme": "ledger.programmes:CoordinationProgramme",
    "statistic": "ledger.statistics:ReportedStatistic",
    "classification": "ledger.classification:MovementClassification",
    "security-org": "ledger.security_orgs:SecurityOrganisation",
}


def handler_for(action: Action) -> Handler:
    """The handler of ``action``, importing its family's module on first use."""
    if type(action) not in HANDLERS:
        record_class(action.ACTION.split(".")[0])
    return HANDLERS[type(action)]


def record_class(kind: str) -> type:
    """The record class of a family, e.g. ``record_class("safety")``."""
    module, _, name = FAMILIES[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def handles(action_class: type[A]) -> Callable[[Handler[A]], Handler[A]]:
    """Register the decorated function as the handler of ``action_class``."""

    def register(handler: Handler[A]) -> Handler[A]:
        HANDLERS[action_class] = handler
        return handler

    return register
