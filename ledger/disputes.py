"""Grassroots mediation cases (Luật Hòa giải ở cơ sở 2013): received, assigned, ended, resumed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.commands import (
    DisputeAssign,
    DisputeClose,
    DisputeFail,
    DisputeKey,
    DisputeReceive,
    DisputeRefer,
    DisputeResume,
    DisputeSettle,
)
from ledger.dispatch import handles
from ledger.errors import NotFoundError, RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.units import active_unit, find_unit
from ledger.values import Entry

RECEIVED, ASSIGNED, SETTLED, FAILED, REFERRED, CLOSED = (
    "received", "assigned", "settled", "failed", "referred", "closed"
)  # fmt: skip
OPEN_STATES = (RECEIVED, ASSIGNED)


class MediationCase(Record):
    """One case in a commune's mediation logbook. The summary is sealed: it may name parties."""

    KIND = "dispute"

    def __init__(self) -> None:
        self.unit = ""
        self.case = ""
        self.field: str | None = None
        self.initiation: str | None = None
        self.status = RECEIVED
        self.team: str | None = None
        self.resumed = 0

    @staticmethod
    def id_for(unit: str, case: str) -> UUID:
        return record_id("dispute", unit, case)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.unit, self.case)

    class Received(Record.Created):
        # v2: ``category`` is named ``field`` (lĩnh vực, as SecurityModel names it), and
        # ``initiation`` says how the case began (Điều 16), None when not recorded.
        class_version = 2

        unit: str
        case: str
        field: str | None
        initiation: str | None
        summary_subject: str | None
        sealed_summary: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A v1 event (stored before 2): its category is the field; how the case began
            was not recorded."""
            state["field"] = state.pop("category", None)
            state["initiation"] = None

        def apply(self, case: MediationCase) -> None:
            case.unit, case.case = self.unit, self.case
            case.field, case.initiation = self.field, self.initiation

    class Assigned(Record.Event):
        team: str

        def apply(self, case: MediationCase) -> None:
            case.status, case.team = ASSIGNED, self.team

    class Settled(Record.Event):
        reason: str | None

        def apply(self, case: MediationCase) -> None:
            case.status = SETTLED

    class Failed(Record.Event):
        reason: str | None

        def apply(self, case: MediationCase) -> None:
            case.status = FAILED

    class Resumed(Record.Event):
        def apply(self, case: MediationCase) -> None:
            case.status = ASSIGNED if case.team else RECEIVED
            case.resumed += 1

    class Referred(Record.Event):
        to: str

        def apply(self, case: MediationCase) -> None:
            case.status = REFERRED

    class Closed(Record.Event):
        reason: str | None

        def apply(self, case: MediationCase) -> None:
            case.status = CLOSED

    def ensure_status(self, *allowed: str, doing: str) -> None:
        """Raises RuleViolation unless the case is in one of the ``allowed`` states."""
        if self.status not in allowed:
            state = "open" if self.status in OPEN_STATES else self.status
            raise RuleViolation(f"dispute {self.unit} {self.case} is {state}: it cannot be {doing}")


def existing_case(
    session: Session, action: DisputeKey, *, unit_active: bool = True
) -> MediationCase:
    """The case, refused when its unit was merged or dissolved before the action's date
    (unless ``unit_active`` is False: a case of a former unit can still be closed)."""
    unit = find_unit(session, action.unit)
    if unit_active:
        unit.ensure_active_on(action.effective_on)
    case = session.get(MediationCase, MediationCase.id_for(unit.code, action.case))
    if case is None:
        raise NotFoundError(
            f"dispute {unit.code} {action.case} is not recorded: "
            "record it with 'antq dispute receive'"
        )
    return case


@handles(DisputeReceive)
def receive(session: Session, action: DisputeReceive, entry: Entry) -> None:
    unit = active_unit(session, action.unit, action.effective_on)
    subject, sealed = session.seal({"summary": action.summary}) if action.summary else (None, None)
    case = MediationCase._start(
        MediationCase.Received,
        MediationCase.id_for(unit.code, action.case),
        entry,
        unit=unit.code,
        case=action.case,
        field=action.category,
        initiation=action.initiation.value if action.initiation else None,
        summary_subject=subject.hex if subject else None,
        sealed_summary=sealed,
    )
    session.add(case)


@handles(DisputeAssign)
def assign(session: Session, action: DisputeAssign, entry: Entry) -> None:
    case = existing_case(session, action)
    case.ensure_status(*OPEN_STATES, doing="assigned")
    case._record(MediationCase.Assigned, entry, team=action.team)


@handles(DisputeSettle)
def settle(session: Session, action: DisputeSettle, entry: Entry) -> None:
    case = existing_case(session, action)
    case.ensure_status(*OPEN_STATES, doing="settled")
    case._record(MediationCase.Settled, entry, reason=action.reason)


@handles(DisputeFail)
def fail(session: Session, action: DisputeFail, entry: Entry) -> None:
    case = existing_case(session, action)
    case.ensure_status(*OPEN_STATES, doing="recorded as failed")
    case._record(MediationCase.Failed, entry, reason=action.reason)


@handles(DisputeResume)
def resume(session: Session, action: DisputeResume, entry: Entry) -> None:
    case = existing_case(session, action)
    case.ensure_status(FAILED, doing="resumed (only a failed mediation resumes)")
    case._record(MediationCase.Resumed, entry)


@handles(DisputeRefer)
def refer(session: Session, action: DisputeRefer, entry: Entry) -> None:
    case = existing_case(session, action)
    case.ensure_status(*OPEN_STATES, FAILED, doing="referred")
    case._record(MediationCase.Referred, entry, to=action.to)


@handles(DisputeClose)
def close(session: Session, action: DisputeClose, entry: Entry) -> None:
    case = existing_case(session, action, unit_active=False)
    case.ensure_status(*OPEN_STATES, SETTLED, FAILED, REFERRED, doing="closed")
    case._record(MediationCase.Closed, entry, reason=action.reason)
