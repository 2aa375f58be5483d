"""Recognition of a unit as "An toàn về an ninh, trật tự" for one year (TT 124/2021/TT-BCA)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.commands import SafetyAnnul, SafetyDeny, SafetyKey, SafetyRecognise, SafetyRegister
from ledger.dispatch import handles
from ledger.errors import RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date, with_article
from ledger.units import CHILDREN, AdminUnit, active_unit, find_unit
from ledger.values import SAFETY_KINDS, Entry, UnitKind

REGISTERED, RECOGNISED, DENIED, ANNULLED = "registered", "recognised", "denied", "annulled"
LATE_REGISTRATION = "late_registration"
COMMUNE_BELOW_70_PERCENT = "commune_below_70_percent"
COMMUNE_THRESHOLD = 0.7


def missed(on: date, last_day: date) -> bool:
    """Whether a step dated ``on`` missed a deadline whose last on-time day is ``last_day``
    (registration here: 31/03; movement classification: ledger.classification)."""
    return on > last_day


class SafetyRecognition(Record):
    """One unit's evaluation for one year: registered, then recognised or denied; annullable."""

    KIND = "safety"

    def __init__(self) -> None:
        self.unit = ""
        self.year = 0
        self.unit_kind = UnitKind.commune
        self.status = REGISTERED
        self.decided_on: date | None = None
        self.flags: list[str] = []

    @staticmethod
    def id_for(unit: str, year: int) -> UUID:
        return record_id("safety", unit, year)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.unit, str(self.year))

    class Registered(Record.Created):
        unit: str
        year: int
        unit_kind: str
        flags: list[str]

        def apply(self, record: SafetyRecognition) -> None:
            record.unit, record.year = self.unit, self.year
            record.unit_kind = UnitKind(self.unit_kind)
            record.flags = list(self.flags)

    class Recognised(Record.Event):
        decision: str | None
        flags: list[str]

        def apply(self, record: SafetyRecognition) -> None:
            record.status = RECOGNISED
            record.decided_on = self.effective_on
            record.flags.extend(self.flags)

    class Denied(Record.Event):
        reason: str | None

        def apply(self, record: SafetyRecognition) -> None:
            record.status = DENIED
            record.decided_on = self.effective_on

    class Annulled(Record.Event):
        reason: str

        def apply(self, record: SafetyRecognition) -> None:
            # An annulled recognition stays "annulled"; an annulled denial is pending again.
            record.status = ANNULLED if record.status == RECOGNISED else REGISTERED
            record.decided_on = None

    def ensure_undecided(self) -> None:
        """Raises RuleViolation if a decision for the year stands (annul it first)."""
        if self.status in (RECOGNISED, DENIED):
            raise RuleViolation(
                f"safety {self.unit} {self.year} was already {self.status} on "
                f"{format_date(self.decided_on)}; annul that decision first"
            )


def registered_record(
    session: Session, action: SafetyKey, *, unit_active: bool = True
) -> tuple[AdminUnit, SafetyRecognition]:
    """The unit (active on the action's date, unless a correction) and its registration."""
    unit = find_unit(session, action.unit)
    if unit_active:
        unit.ensure_active_on(action.effective_on)
    record = session.get(SafetyRecognition, SafetyRecognition.id_for(unit.code, action.year))
    if record is None:
        raise RuleViolation(
            f"unit {unit.code} did not register for {action.year}: record "
            f"'antq safety register' first"
        )
    return unit, record


def commune_share_recognised(session: Session, commune: AdminUnit, year: int) -> float | None:
    """Recognised / registered among the commune's residential areas, None if none registered."""
    registered = recognised = 0
    for code in session.members(CHILDREN, commune.code):
        child = find_unit(session, code)
        if child.kind is not UnitKind.residential_area:
            continue
        record = session.get(SafetyRecognition, SafetyRecognition.id_for(child.code, year))
        if record is not None:
            registered += 1
            recognised += record.status == RECOGNISED
    return recognised / registered if registered else None


@handles(SafetyRegister)
def register(session: Session, action: SafetyRegister, entry: Entry) -> None:
    unit = active_unit(session, action.unit, action.effective_on)
    if unit.kind not in SAFETY_KINDS:
        raise RuleViolation(
            f"unit {unit.code} is {with_article(unit.kind)}: only communes, residential areas "
            "and organisations register for the standard"
        )
    if action.effective_on.year != action.year:
        raise RuleViolation(
            f"safety {unit.code} {action.year}: a registration for {action.year} must be dated "
            f"in {action.year}, not {format_date(action.effective_on)}"
        )
    late = missed(action.effective_on, date(action.year, 3, 31))
    record = SafetyRecognition._start(
        SafetyRecognition.Registered,
        SafetyRecognition.id_for(unit.code, action.year),
        entry,
        unit=unit.code,
        year=action.year,
        unit_kind=unit.kind.value,
        flags=[LATE_REGISTRATION] if late else [],
    )
    session.add(record)


@handles(SafetyRecognise)
def recognise(session: Session, action: SafetyRecognise, entry: Entry) -> None:
    unit, record = registered_record(session, action)
    record.ensure_undecided()
    flags = []
    if unit.kind is UnitKind.commune:
        share = commune_share_recognised(session, unit, action.year)
        if share is None or share < COMMUNE_THRESHOLD:
            flags.append(COMMUNE_BELOW_70_PERCENT)
    record._record(SafetyRecognition.Recognised, entry, decision=action.decision, flags=flags)


@handles(SafetyDeny)
def deny(session: Session, action: SafetyDeny, entry: Entry) -> None:
    _, record = registered_record(session, action)
    record.ensure_undecided()
    record._record(SafetyRecognition.Denied, entry, reason=action.reason)


@handles(SafetyAnnul)
def annul(session: Session, action: SafetyAnnul, entry: Entry) -> None:
    _, record = registered_record(session, action, unit_active=False)
    if record.status == ANNULLED:
        raise RuleViolation(
            f"safety {record.unit} {record.year}: the recognition is already annulled"
        )
    if record.status not in (RECOGNISED, DENIED):
        raise RuleViolation(
            f"safety {record.unit} {record.year} has no decision to annul: it is {record.status}"
        )
    record._record(SafetyRecognition.Annulled, entry, reason=action.reason)
