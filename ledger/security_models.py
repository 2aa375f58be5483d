"""Self-management models ("mô hình tự phòng, tự quản"): one type, replicated to many sites."""

from __future__ import annotations

from uuid import UUID

from ledger.commands import (
    ModelDissolve,
    ModelRecognise,
    ModelRegister,
    ModelReinstate,
    ModelReplicate,
    ModelReview,
    ModelSuspend,
)
from ledger.dispatch import handles
from ledger.errors import NotFoundError, RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date
from ledger.units import active_unit
from ledger.values import Entry

ACTIVE, SUSPENDED, DISSOLVED = "active", "suspended", "dissolved"


class SecurityModel(Record):
    """A model type with the sites (units) it runs at, and its recognition as effective."""

    KIND = "model"

    def __init__(self) -> None:
        self.code = ""
        self.name = ""
        self.field = ""
        self.sponsor: str | None = None
        self.sites: list[str] = []
        self.status = ACTIVE
        self.recognised_on = None
        self.reviews = 0

    @staticmethod
    def id_for(code: str) -> UUID:
        return record_id("model", code)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.code,)

    class Registered(Record.Created):
        code: str
        name: str
        field: str
        unit: str
        sponsor: str | None

        def apply(self, model: SecurityModel) -> None:
            model.code, model.name, model.field = self.code, self.name, self.field
            model.sponsor = self.sponsor
            model.sites = [self.unit]

    class RecognisedEffective(Record.Event):
        decision: str | None

        def apply(self, model: SecurityModel) -> None:
            model.recognised_on = self.effective_on

    class Replicated(Record.Event):
        unit: str

        def apply(self, model: SecurityModel) -> None:
            model.sites.append(self.unit)

    class Reviewed(Record.Event):
        finding: str | None

        def apply(self, model: SecurityModel) -> None:
            model.reviews += 1

    class Suspended(Record.Event):
        reason: str

        def apply(self, model: SecurityModel) -> None:
            model.status = SUSPENDED

    class Reinstated(Record.Event):
        def apply(self, model: SecurityModel) -> None:
            model.status = ACTIVE

    class Dissolved(Record.Event):
        reason: str

        def apply(self, model: SecurityModel) -> None:
            model.status = DISSOLVED

    def ensure_status(self, *allowed: str, doing: str) -> None:
        """Raises RuleViolation unless the model is in one of the ``allowed`` states."""
        if self.status not in allowed:
            raise RuleViolation(f"model {self.code} is {self.status}: it cannot be {doing}")


def existing_model(session: Session, code: str) -> SecurityModel:
    model = session.get(SecurityModel, SecurityModel.id_for(code))
    if model is None:
        raise NotFoundError(
            f"model {code!r} is not registered: record it with 'antq model register'"
        )
    return model


@handles(ModelRegister)
def register(session: Session, action: ModelRegister, entry: Entry) -> None:
    unit = active_unit(session, action.unit, action.effective_on)
    model = SecurityModel._start(
        SecurityModel.Registered,
        SecurityModel.id_for(action.code),
        entry,
        code=action.code,
        name=action.name,
        field=action.field,
        unit=unit.code,
        sponsor=action.sponsor,
    )
    session.add(model)


@handles(ModelRecognise)
def recognise(session: Session, action: ModelRecognise, entry: Entry) -> None:
    model = existing_model(session, action.code)
    model.ensure_status(ACTIVE, doing="recognised as effective")
    if model.recognised_on is not None:
        raise RuleViolation(
            f"model {model.code} was already recognised as effective on "
            f"{format_date(model.recognised_on)}"
        )
    model._record(SecurityModel.RecognisedEffective, entry, decision=action.decision)


@handles(ModelReplicate)
def replicate(session: Session, action: ModelReplicate, entry: Entry) -> None:
    model = existing_model(session, action.code)
    model.ensure_status(ACTIVE, doing="replicated")
    unit = active_unit(session, action.unit, action.effective_on)
    if unit.code in model.sites:
        raise RuleViolation(f"model {model.code} already runs at {unit.code}")
    model._record(SecurityModel.Replicated, entry, unit=unit.code)


@handles(ModelReview)
def review(session: Session, action: ModelReview, entry: Entry) -> None:
    model = existing_model(session, action.code)
    model.ensure_status(ACTIVE, SUSPENDED, doing="reviewed")
    model._record(SecurityModel.Reviewed, entry, finding=action.finding)


@handles(ModelSuspend)
def suspend(session: Session, action: ModelSuspend, entry: Entry) -> None:
    model = existing_model(session, action.code)
    model.ensure_status(ACTIVE, doing="suspended")
    model._record(SecurityModel.Suspended, entry, reason=action.reason)


@handles(ModelReinstate)
def reinstate(session: Session, action: ModelReinstate, entry: Entry) -> None:
    model = existing_model(session, action.code)
    model.ensure_status(SUSPENDED, doing="reinstated")
    model._record(SecurityModel.Reinstated, entry)


@handles(ModelDissolve)
def dissolve(session: Session, action: ModelDissolve, entry: Entry) -> None:
    model = existing_model(session, action.code)
    model.ensure_status(ACTIVE, SUSPENDED, doing="dissolved")
    model._record(SecurityModel.Dissolved, entry, reason=action.reason)
