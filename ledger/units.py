"""Administrative units: provinces, communes, residential areas and organisations."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.commands import UnitDissolve, UnitMerge, UnitRegister, UnitRename
from ledger.dispatch import handles
from ledger.errors import NotFoundError, RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date, match_key, with_article
from ledger.values import DISTRICTS_ABOLISHED_ON, Entry, UnitKind

NAMES = "unit-name"
CHILDREN = "unit-children"

# Which kinds of unit may sit directly under which (None: no parent).
ALLOWED_PARENTS: dict[UnitKind, set[UnitKind | None]] = {
    UnitKind.province: {None},
    UnitKind.district: {UnitKind.province},
    UnitKind.commune: {UnitKind.province, UnitKind.district},
    UnitKind.residential_area: {UnitKind.commune},
    UnitKind.agency: {UnitKind.province, UnitKind.district, UnitKind.commune},
    UnitKind.enterprise: {UnitKind.province, UnitKind.district, UnitKind.commune},
    UnitKind.school: {UnitKind.province, UnitKind.district, UnitKind.commune},
}


class AdminUnit(Record):
    """One unit's life: registered, renamed, merged into a successor, or dissolved."""

    KIND = "unit"

    def __init__(self) -> None:
        self.code = ""
        self.name = ""
        self.kind = UnitKind.commune
        self.parent: str | None = None
        self.ended_on: date | None = None
        self.merged_into: str | None = None
        self.absorbed: list[str] = []

    @staticmethod
    def id_for(code: str) -> UUID:
        return record_id("unit", code)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.code,)

    class Registered(Record.Created):
        code: str
        name: str
        kind: str
        parent: str | None

        def apply(self, unit: AdminUnit) -> None:
            unit.code, unit.name, unit.parent = self.code, self.name, self.parent
            unit.kind = UnitKind(self.kind)

    class Renamed(Record.Event):
        name: str

        def apply(self, unit: AdminUnit) -> None:
            unit.name = self.name

    class MergedInto(Record.Event):
        into: str

        def apply(self, unit: AdminUnit) -> None:
            unit.merged_into = self.into
            unit.ended_on = self.effective_on

    class Absorbed(Record.Event):
        codes: list[str]

        def apply(self, unit: AdminUnit) -> None:
            unit.absorbed.extend(self.codes)

    class Dissolved(Record.Event):
        def apply(self, unit: AdminUnit) -> None:
            unit.ended_on = self.effective_on

    def is_active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)

    def ensure_active_on(self, day: date) -> None:
        """Raises RuleViolation unless the unit exists and is not merged or dissolved on ``day``."""
        if day < self.started_on:
            raise RuleViolation(
                f"unit {self.code} was registered on {format_date(self.started_on)}, "
                f"after {format_date(day)}: check the date"
            )
        if self.ended_on is not None and day >= self.ended_on:
            if self.merged_into:
                raise RuleViolation(
                    f"unit {self.code} was merged into {self.merged_into} on "
                    f"{format_date(self.ended_on)}: record later business on {self.merged_into}"
                )
            raise RuleViolation(f"unit {self.code} was dissolved on {format_date(self.ended_on)}")


def unit_to_end(session: Session, ref: str, day: date) -> AdminUnit:
    """The unit named by ``ref``, active on ``day`` and not yet merged or dissolved.

    A unit ends once: ending it again, even on an earlier date, is refused.
    """
    unit = active_unit(session, ref, day)
    if unit.ended_on is not None:
        how = f"merged into {unit.merged_into}" if unit.merged_into else "dissolved"
        raise RuleViolation(
            f"unit {unit.code} was already {how} on {format_date(unit.ended_on)}: a unit ends once"
        )
    return unit


def find_unit(session: Session, ref: str) -> AdminUnit:
    """The unit a user names by code or by name (any case, spacing or tone placement).

    Raises NotFoundError when nothing matches, RuleViolation when a name is ambiguous.
    """
    unit = session.get(AdminUnit, AdminUnit.id_for(ref))
    if unit is not None:
        return unit
    codes = session.members(NAMES, ref)
    if len(codes) == 1:
        return session.get(AdminUnit, AdminUnit.id_for(codes[0]))
    if codes:
        raise RuleViolation(f"unit name {ref!r} matches {', '.join(codes)}: give the code")
    raise NotFoundError(f"unit {ref!r} is not registered: record it with 'antq unit register'")


def active_unit(session: Session, ref: str, day: date) -> AdminUnit:
    """The unit named by ``ref``, checked to be active on ``day``."""
    unit = find_unit(session, ref)
    unit.ensure_active_on(day)
    return unit


def ensure_name_free(session: Session, parent: str, name: str, code: str, on: date) -> None:
    """Raises RuleViolation if a sibling under ``parent`` active on or after ``on`` has ``name``.

    Looks up the name index, not every sibling: the cost does not grow with the parent's size.
    """
    for candidate in session.members(NAMES, name):
        sibling = find_unit(session, candidate)
        if (
            sibling.parent == parent
            and sibling.id != AdminUnit.id_for(code)
            and match_key(sibling.name) == match_key(name)
            and (sibling.ended_on is None or sibling.ended_on > on)
        ):
            raise RuleViolation(
                f"unit {code}: {parent} already has {sibling.name!r} "
                f"as {sibling.code}; record business on {sibling.code}"
            )


@handles(UnitRegister)
def register(session: Session, action: UnitRegister, entry: Entry) -> None:
    kind = action.kind
    if kind is UnitKind.district and action.effective_on >= DISTRICTS_ABOLISHED_ON:
        raise RuleViolation(
            f"unit {action.code}: districts were abolished on {format_date(DISTRICTS_ABOLISHED_ON)}"
        )
    parent = active_unit(session, action.parent, action.effective_on) if action.parent else None
    allowed = ALLOWED_PARENTS[kind]
    if (parent.kind if parent else None) not in allowed:
        under = f"under {parent.kind} {parent.code}" if parent else "without a parent"
        needs = " or ".join(sorted(str(k) if k else "no parent" for k in allowed))
        raise RuleViolation(
            f"unit {action.code}: {with_article(kind)} cannot sit {under} (needs {needs})"
        )
    if parent:
        ensure_name_free(session, parent.code, action.name, action.code, action.effective_on)
    unit = AdminUnit._start(
        AdminUnit.Registered,
        AdminUnit.id_for(action.code),
        entry,
        code=action.code,
        name=action.name,
        kind=kind.value,
        parent=parent.code if parent else None,
    )
    session.add(unit)
    session.file(NAMES, action.name, action.code, entry)
    if parent:
        session.file(CHILDREN, parent.code, action.code, entry)


@handles(UnitRename)
def rename(session: Session, action: UnitRename, entry: Entry) -> None:
    unit = active_unit(session, action.code, action.effective_on)
    if unit.name == action.name:
        raise RuleViolation(f"unit {unit.code} is already named {action.name!r}")
    if unit.parent:
        ensure_name_free(session, unit.parent, action.name, unit.code, action.effective_on)
    unit._record(AdminUnit.Renamed, entry, name=action.name)
    session.file(NAMES, action.name, unit.code, entry)


@handles(UnitMerge)
def merge(session: Session, action: UnitMerge, entry: Entry) -> None:
    successor = active_unit(session, action.into, action.effective_on)
    predecessors: list[AdminUnit] = []
    for code in action.codes:
        unit = unit_to_end(session, code, action.effective_on)
        if unit.id == successor.id:
            raise RuleViolation(f"unit {unit.code} cannot be merged into itself")
        if any(unit.id == seen.id for seen in predecessors):
            raise RuleViolation(f"unit {unit.code} is listed twice in codes")
        if unit.kind != successor.kind:
            raise RuleViolation(
                f"unit {unit.code} is {with_article(unit.kind)} and cannot merge into "
                f"{successor.kind} {successor.code}"
            )
        predecessors.append(unit)
    later = successor  # a back-dated merge must not close a loop in the lineage
    while later.merged_into:
        later = find_unit(session, later.merged_into)
        if any(later.id == unit.id for unit in predecessors):
            raise RuleViolation(
                f"unit {successor.code} was already merged into {later.code}: "
                f"{later.code} cannot merge into {successor.code}"
            )
    for unit in predecessors:
        unit._record(AdminUnit.MergedInto, entry, into=successor.code)
    successor._record(AdminUnit.Absorbed, entry, codes=[unit.code for unit in predecessors])


@handles(UnitDissolve)
def dissolve(session: Session, action: UnitDissolve, entry: Entry) -> None:
    unit = unit_to_end(session, action.code, action.effective_on)
    unit._record(AdminUnit.Dissolved, entry)
