"""The real Ledger (on a SQLite file) against a plain-Python model of the rules in DESIGN.md.

Every rule tries one action on both sides. When the model allows it, the ledger must record
exactly the events the model expects; when the model refuses it, the ledger must raise a
LedgerError and write nothing. After every step the histories, statuses and the log must agree.

The model below is written from the rules, not from the ledger's code: plain dataclasses, dicts
and lists; it knows which names fold together from the name pools, not from ``match_key``.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from ledger.application import Clerk, Ledger
from ledger.commands import (
    Action,
    AwardAnnul,
    AwardDecide,
    AwardPresent,
    DisputeAssign,
    DisputeClose,
    DisputeFail,
    DisputeReceive,
    DisputeRefer,
    DisputeResume,
    DisputeSettle,
    ModelDissolve,
    ModelRecognise,
    ModelRegister,
    ModelReinstate,
    ModelReplicate,
    ModelReview,
    ModelSuspend,
    SafetyAnnul,
    SafetyDeny,
    SafetyRecognise,
    SafetyRegister,
    UnitDissolve,
    UnitMerge,
    UnitRegister,
)
from ledger.errors import LedgerError

CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")

# --- the pools actions draw from ---------------------------------------------------------------

# Unit names and the class each folds to: case, spacing and tone placement (hòa/hoà, thủy/thuỷ)
# do not make a different name.
PROVINCE_NAMES = {"Tỉnh Bình Thuận": "binh-thuan", "Tỉnh Lâm Đồng": "lam-dong"}
COMMUNE_NAMES = {
    "Xã Hòa Thắng": "hoa-thang",
    "Xã Hoà Thắng": "hoa-thang",
    "Phường Phú Thủy": "phu-thuy",
    "Phường Phú Thuỷ": "phu-thuy",
    "Xã Tân Hải": "tan-hai",
}
AREA_NAMES = {
    "Thôn Hòa Bình": "hoa-binh",
    "Thôn Hoà Bình": "hoa-binh",
    "thôn  hòa bình": "hoa-binh",
    "Khu phố 1": "kp-1",
    "KHU PHỐ 1": "kp-1",
    "Thôn 2": "thon-2",
}
NAME_CLASS = {**PROVINCE_NAMES, **COMMUNE_NAMES, **AREA_NAMES}

# Codes may collide, also in another case ("c1" is C1): a second registration is refused.
PROVINCE_CODES = ["P2", "p1"]
COMMUNE_CODES = ["C3", "C4", "C5", "c1"]
AREA_CODES = ["A4", "A5", "A6", "A7", "a1"]
# Every run starts from one province with two communes and three residential areas.
SEED_UNITS = [
    ("P1", "province", "Tỉnh Bình Thuận", None),
    ("C1", "commune", "Xã Hòa Thắng", "P1"),
    ("C2", "commune", "Xã Tân Hải", "P1"),
    ("A1", "residential_area", "Thôn Hòa Bình", "C1"),
    ("A2", "residential_area", "Khu phố 1", "C1"),
    ("A3", "residential_area", "Thôn Hoà Bình", "C2"),
]
SEED_DAY = date(2020, 1, 1)
# ... and, from 15/01/2024, one record or more of each action, so follow-ups have work from step 1.
SEED_RECORD_DAY = date(2024, 1, 15)
SEED_SAFETY = [("C1", 2024), ("A1", 2024), ("A2", 2024)]
SEED_CASES = [("A1", "HG-001"), ("A2", "HG-002")]  # the second one assigned to a team
SEED_MODELS = ["M1"]
SEED_AWARDS = [("UBND-BT", 2024, "12/QĐ-UBND")]
# References to seeded units (by code in any case, or by name), to a unit never registered, and
# to a name two residential areas share ("Thôn Hòa Bình" folds to A1's and A3's name).
SEED_PROVINCE_REFS = ["P1", "p1", "Tỉnh Bình Thuận"]
SEED_COMMUNE_REFS = ["C1", "C2", "c1", "Xã Tân Hải"]
SEED_AREA_REFS = ["A1", "A2", "A3", "a1", "KHU PHỐ 1"]
OTHER_REFS = ["ZZ9", "Thôn Hòa Bình"]

UNIT_DAYS = [date(2020, 1, 1), date(2024, 1, 15), date(2024, 7, 1), date(2025, 3, 31)]
DAYS = [
    date(2024, 1, 15),
    date(2024, 3, 31),
    date(2024, 4, 1),
    date(2024, 7, 1),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 3, 31),
    date(2025, 6, 30),
    date(2025, 7, 1),
    date(2025, 12, 31),
]
# Units end late more often than not, so that most business falls before the end.
END_DAYS = [date(2024, 7, 1), date(2025, 1, 1), date(2025, 7, 1), date(2025, 12, 31)]
YEARS = [2024, 2025]
CASES = ["HG-001", "hg-001", "HG-002", "HG-003"]
TEAMS = ["Tổ hòa giải thôn 1", "Tổ hòa giải khu phố 2"]
MODEL_CODES = ["M1", "M2", "m1", "M3"]
ISSUERS = ["UBND-BT", "BCA", "ubnd-bt"]
DECISIONS = ["12/QĐ-UBND", "12/qđ-ubnd", "88/QĐ-UBND"]
LEVELS = ["prime_minister", "ministry", "province", "district", "commune", "organisation"]
FORMS = ["bang_khen", "giay_khen"]
AWARDING = [("prime_minister", "bang_khen"), ("ministry", "bang_khen"), ("province", "giay_khen"),
            ("district", "giay_khen"), ("commune", "giay_khen")]  # fmt: skip
PERSONS = ["Trần Văn Bình", "Lê Thị Hoà"]

# --- the model ------------------------------------------------------------------------------

# Legal facts the rules depend on (DESIGN.md, domain-research §2).
BANG_KHEN_LEVELS = {"prime_minister", "ministry", "province"}
DISTRICTS_ABOLISHED = date(2025, 7, 1)
SAFETY_SUBJECTS = {"commune", "residential_area"}  # of the kinds this machine registers
PARENT_KIND = {"province": None, "commune": "province", "residential_area": "commune"}
OPEN = {"received", "assigned"}


class Refused(Exception):
    """The model's verdict that an action breaks a rule."""


def fold(text: str) -> str:
    """Codes, case numbers, issuers and decision numbers match whatever their case."""
    return " ".join(text.split()).casefold()


@dataclass
class Trail:
    """One record in the model: the label the log shows and the names of its events."""

    kind: str
    key: list[str]
    started: date
    events: list[str] = field(default_factory=list)
    latest: date = date.min  # the latest legal date among its events: a record's life runs forward

    def __post_init__(self) -> None:
        self.latest = max(self.latest, self.started)

    @property
    def label(self) -> str:
        return " ".join([self.kind, *self.key])


@dataclass
class Unit(Trail):
    unit_kind: str = ""
    name_class: str = ""
    parent: str | None = None  # folded code
    ended: date | None = None
    merged_into: str | None = None  # code as registered
    absorbed: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.key[0]

    def active_on(self, day: date) -> bool:
        return self.started <= day and (self.ended is None or day < self.ended)


@dataclass
class Safety(Trail):
    status: str = "registered"
    flags: list[str] = field(default_factory=list)


@dataclass
class Case(Trail):
    status: str = "received"
    team: str | None = None
    resumed: int = 0


@dataclass
class Model(Trail):
    status: str = "active"
    sites: list[str] = field(default_factory=list)
    recognised: bool = False


@dataclass
class Award(Trail):
    lines: list[tuple[str, str]] = field(default_factory=list)  # collective/individual, unit
    annulled: bool = False
    presented: bool = False


Expected = list[tuple[str, str]]  # (record label, event name), index records as "index NAME"


class World:
    """What the rules say the ledger holds."""

    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        self.names: dict[str, list[str]] = {}  # name class -> folded unit codes
        self.children: dict[str, list[str]] = {}  # folded parent code -> folded child codes
        self.safety: dict[tuple[str, int], Safety] = {}
        self.cases: dict[tuple[str, str], Case] = {}
        self.models: dict[str, Model] = {}
        self.awards: dict[tuple[str, int, str], Award] = {}
        self.log: Counter[tuple[str, str]] = Counter()

    def trails(self) -> list[Trail]:
        return [
            *self.units.values(),
            *self.safety.values(),
            *self.cases.values(),
            *self.models.values(),
            *self.awards.values(),
        ]

    def _emit(self, trail: Trail, event: str, expected: Expected, day: date) -> None:
        trail.events.append(event)
        trail.latest = max(trail.latest, day)
        expected.append((trail.label, event))

    def _file(self, index: dict[str, list[str]], name: str, key: str, member: str, out: Expected):
        if key not in index:
            index[key] = [member]
            out.append((f"index {name}", "Opened"))
        elif member not in index[key]:
            index[key].append(member)
            out.append((f"index {name}", "Added"))

    @staticmethod
    def _not_before(trail: Trail, day: date) -> None:
        if day < trail.latest:
            raise Refused(f"{trail.label}'s latest event is of {trail.latest}, not before {day}")

    # units

    def unit(self, ref: str) -> Unit:
        """The unit a reference names: its code (any case), or a name matching exactly one unit."""
        if fold(ref) in self.units:
            return self.units[fold(ref)]
        members = self.names.get(NAME_CLASS.get(ref, ""), [])
        if len(members) == 1:
            return self.units[members[0]]
        raise Refused(f"{ref!r} is ambiguous" if members else f"{ref!r} is not registered")

    def active_unit(self, ref: str, day: date) -> Unit:
        unit = self.unit(ref)
        if not unit.active_on(day):
            raise Refused(f"unit {unit.code} is not active on {day}")
        return unit

    def register_unit(
        self, code: str, kind: str, name: str, parent_ref: str | None, day: date
    ) -> Expected:
        if fold(code) in self.units:
            raise Refused(f"unit {code} is already registered")
        parent = self.active_unit(parent_ref, day) if parent_ref else None
        if (parent.unit_kind if parent else None) != PARENT_KIND[kind]:
            raise Refused(f"a {kind} cannot sit under {parent.unit_kind if parent else None}")
        name_class = NAME_CLASS[name]
        if parent:
            for sibling in map(self.units.get, self.children.get(fold(parent.code), [])):
                # Two units of one parent may not share a name while both are active.
                overlaps = sibling.ended is None or sibling.ended > day
                if sibling.name_class == name_class and overlaps:
                    raise Refused(f"{parent.code} already has {name!r} as {sibling.code}")
        unit = Unit("unit", [code], day, unit_kind=kind, name_class=name_class)
        unit.parent = fold(parent.code) if parent else None
        self.units[fold(code)] = unit
        out: Expected = []
        self._emit(unit, "Registered", out, day)
        self._file(self.names, "unit-name", name_class, fold(code), out)
        if parent:
            self._file(self.children, "unit-children", fold(parent.code), fold(code), out)
        return out

    def _ensure_can_end(self, unit: Unit, day: date) -> None:
        if not unit.active_on(day):
            raise Refused(f"unit {unit.code} is not active on {day}")
        if unit.ended is not None:  # a unit ends once: merged or dissolved, not both or twice
            raise Refused(f"unit {unit.code} already ended on {unit.ended}")

    def merge(self, refs: list[str], into_ref: str, day: date) -> Expected:
        successor = self.active_unit(into_ref, day)
        predecessors: list[Unit] = []
        for ref in refs:
            unit = self.unit(ref)
            self._ensure_can_end(unit, day)
            self._not_before(unit, day)
            if unit is successor or any(unit is seen for seen in predecessors):
                raise Refused(f"unit {unit.code} cannot be merged into itself or listed twice")
            if unit.unit_kind != successor.unit_kind:
                raise Refused(f"a {unit.unit_kind} cannot merge into a {successor.unit_kind}")
            predecessors.append(unit)
        # A back-dated merge may not close a loop: the successor was itself merged (perhaps
        # through others) into one of the units now merging into it.
        later = successor
        while later.merged_into:
            later = self.units[fold(later.merged_into)]
            if any(later is unit for unit in predecessors):
                raise Refused(f"unit {successor.code} was already merged into {later.code}")
        self._not_before(successor, day)
        out: Expected = []
        for unit in predecessors:
            unit.ended, unit.merged_into = day, successor.code
            self._emit(unit, "MergedInto", out, day)
        successor.absorbed.extend(unit.code for unit in predecessors)
        self._emit(successor, "Absorbed", out, day)
        return out

    def dissolve(self, ref: str, day: date) -> Expected:
        unit = self.unit(ref)
        self._ensure_can_end(unit, day)
        self._not_before(unit, day)
        unit.ended = day
        out: Expected = []
        self._emit(unit, "Dissolved", out, day)
        return out

    # safety

    def safety_register(self, ref: str, year: int, day: date) -> Expected:
        unit = self.active_unit(ref, day)
        if unit.unit_kind not in SAFETY_SUBJECTS:
            raise Refused(f"a {unit.unit_kind} does not register for the standard")
        if day.year != year:
            raise Refused(f"a registration for {year} dated {day}")
        if (fold(unit.code), year) in self.safety:
            raise Refused(f"safety {unit.code} {year} is already registered")
        record = Safety("safety", [unit.code, str(year)], day)
        if day > date(year, 3, 31):  # registration is due in Quarter I: late ones are flagged
            record.flags.append("late_registration")
        self.safety[(fold(unit.code), year)] = record
        out: Expected = []
        self._emit(record, "Registered", out, day)
        return out

    def _safety_record(self, unit: Unit, year: int) -> Safety:
        record = self.safety.get((fold(unit.code), year))
        if record is None:
            raise Refused(f"unit {unit.code} did not register for {year}")
        return record

    def _share_of_areas_recognised(self, commune: Unit, year: int) -> float | None:
        records = [
            self.safety[(child, year)]
            for child in self.children.get(fold(commune.code), [])
            if self.units[child].unit_kind == "residential_area" and (child, year) in self.safety
        ]
        if not records:
            return None
        return sum(r.status == "recognised" for r in records) / len(records)

    def safety_decide(self, ref: str, year: int, day: date, recognise: bool) -> Expected:
        unit = self.active_unit(ref, day)
        record = self._safety_record(unit, year)
        if record.status not in ("registered", "annulled"):
            raise Refused(f"{record.label} is already {record.status}")
        self._not_before(record, day)
        out: Expected = []
        if recognise:
            share = self._share_of_areas_recognised(unit, year)
            if unit.unit_kind == "commune" and (share is None or share < 0.7):
                record.flags.append("commune_below_70_percent")  # recorded and flagged
            record.status = "recognised"
            self._emit(record, "Recognised", out, day)
        else:
            record.status = "denied"
            self._emit(record, "Denied", out, day)
        return out

    def safety_annul(self, ref: str, year: int, day: date) -> Expected:
        record = self._safety_record(self.unit(ref), year)  # a correction: the unit may be gone
        if record.status not in ("recognised", "denied"):
            raise Refused(f"{record.label} is {record.status}: there is no decision to annul")
        self._not_before(record, day)
        # An annulled recognition counts as annulled; an annulled denial is pending again.
        record.status = "annulled" if record.status == "recognised" else "registered"
        out: Expected = []
        self._emit(record, "Annulled", out, day)
        return out

    # mediation

    def receive(self, ref: str, case: str, day: date) -> Expected:
        unit = self.active_unit(ref, day)
        if (fold(unit.code), fold(case)) in self.cases:
            raise Refused(f"dispute {unit.code} {case} is already recorded")
        record = Case("dispute", [unit.code, case], day)
        self.cases[(fold(unit.code), fold(case))] = record
        out: Expected = []
        self._emit(record, "Received", out, day)
        return out

    def dispute_step(self, op: str, ref: str, case: str, day: date, team: str) -> Expected:
        # Business on a case needs its unit active that day; closing a former unit's case does not.
        unit = self.unit(ref) if op == "close" else self.active_unit(ref, day)
        record = self.cases.get((fold(unit.code), fold(case)))
        if record is None:
            raise Refused(f"dispute {unit.code} {case} is not recorded")
        allowed = {
            "assign": OPEN,
            "settle": OPEN,
            "fail": OPEN,
            "resume": {"failed"},
            "refer": OPEN | {"failed"},
            "close": OPEN | {"settled", "failed", "referred"},
        }[op]
        if record.status not in allowed:
            raise Refused(f"{record.label} is {record.status}: it cannot {op}")
        self._not_before(record, day)
        out: Expected = []
        if op == "assign":
            record.status, record.team = "assigned", team
        elif op == "resume":
            record.status = "assigned" if record.team else "received"
            record.resumed += 1
        else:
            record.status = {"settle": "settled", "fail": "failed", "refer": "referred"}.get(
                op, "closed"
            )
        event = {"assign": "Assigned", "settle": "Settled", "fail": "Failed",
                 "resume": "Resumed", "refer": "Referred", "close": "Closed"}[op]  # fmt: skip
        self._emit(record, event, out, day)
        return out

    # self-management models

    def model_register(self, code: str, ref: str, day: date) -> Expected:
        unit = self.active_unit(ref, day)
        if fold(code) in self.models:
            raise Refused(f"model {code} is already registered")
        model = Model("model", [code], day, sites=[unit.code])
        self.models[fold(code)] = model
        out: Expected = []
        self._emit(model, "Registered", out, day)
        return out

    def _model(self, code: str) -> Model:
        if fold(code) not in self.models:
            raise Refused(f"model {code} is not registered")
        return self.models[fold(code)]

    def model_replicate(self, code: str, ref: str, day: date) -> Expected:
        model = self._model(code)
        if model.status != "active":
            raise Refused(f"model {code} is {model.status}")
        unit = self.active_unit(ref, day)
        if unit.code in model.sites:
            raise Refused(f"model {code} already runs at {unit.code}")
        self._not_before(model, day)
        model.sites.append(unit.code)
        out: Expected = []
        self._emit(model, "Replicated", out, day)
        return out

    def model_step(self, op: str, code: str, day: date) -> Expected:
        model = self._model(code)
        allowed, after, event = {
            "recognise": ({"active"}, "active", "RecognisedEffective"),
            "review": ({"active", "suspended"}, model.status, "Reviewed"),
            "suspend": ({"active"}, "suspended", "Suspended"),
            "reinstate": ({"suspended"}, "active", "Reinstated"),
            "dissolve": ({"active", "suspended"}, "dissolved", "Dissolved"),
        }[op]
        if model.status not in allowed:
            raise Refused(f"model {code} is {model.status}: it cannot {op}")
        if op == "recognise" and model.recognised:
            raise Refused(f"model {code} is already recognised as effective")
        self._not_before(model, day)
        model.status = after
        model.recognised = model.recognised or op == "recognise"
        out: Expected = []
        self._emit(model, event, out, day)
        return out

    # commendations

    def decide(
        self,
        issuer: str,
        decision: str,
        level: str,
        form: str,
        recipients: list[tuple[str, str]],
        day: date,
    ) -> Expected:
        if form == "bang_khen" and level not in BANG_KHEN_LEVELS:
            raise Refused(f"a {level} authority does not award Bằng khen")
        if form == "giay_khen" and level == "prime_minister":
            raise Refused("the Prime Minister awards no Giấy khen")
        if level == "district" and day >= DISTRICTS_ABOLISHED:
            raise Refused("district authorities were abolished")
        lines: list[tuple[str, str]] = []
        for recipient_kind, ref in recipients:
            unit = self.active_unit(ref, day)
            line = ("collective" if recipient_kind == "unit" else "individual", unit.code)
            if line[0] == "collective" and line in lines:
                raise Refused(f"unit {unit.code} is listed twice")
            lines.append(line)
        key = (fold(issuer), day.year, fold(decision))
        if key in self.awards:
            raise Refused(f"award {issuer} {day.year} {decision} is already recorded")
        award = Award("award", [issuer, str(day.year), decision], day, lines=lines)
        self.awards[key] = award
        out: Expected = []
        self._emit(award, "Decided", out, day)
        return out

    def _award(self, issuer: str, year: int, decision: str) -> Award:
        award = self.awards.get((fold(issuer), year, fold(decision)))
        if award is None:
            raise Refused(f"award {issuer} {year} {decision} is not recorded")
        return award

    def annul_award(self, issuer: str, year: int, decision: str, day: date) -> Expected:
        award = self._award(issuer, year, decision)
        if award.annulled:
            raise Refused(f"{award.label} is already annulled")
        self._not_before(award, day)
        award.annulled = True
        out: Expected = []
        self._emit(award, "Annulled", out, day)
        return out

    def present_award(self, issuer: str, year: int, decision: str, day: date) -> Expected:
        award = self._award(issuer, year, decision)
        if award.annulled or award.presented:
            raise Refused(f"{award.label} is annulled or already presented")
        self._not_before(award, day)
        award.presented = True
        out: Expected = []
        self._emit(award, "Presented", out, day)
        return out


# --- the machine ----------------------------------------------------------------------------


def report(text: str | None, outcome: str | None = None) -> None:
    """Note for the failing program, and count outcomes; quiet outside Hypothesis (regressions)."""
    if currently_in_test_context():
        if text:
            note(text)
        if outcome:
            event(outcome)


def log_key(record: str, event: str) -> tuple[str, str]:
    """Index bookkeeping is compared by index name: its keys are the ledger's folding."""
    if record.startswith("index "):
        return " ".join(record.split()[:2]), event
    return record, event


days = st.sampled_from(DAYS)


# A record's first event falls early; later events are late half the time (any day otherwise),
# so that most follow the record's start and some are dated before it.
start_days = st.sampled_from(DAYS[:6])
later_days = st.one_of(st.sampled_from(DAYS[5:]), days)
unit_days = st.sampled_from(UNIT_DAYS)
end_days = st.sampled_from(END_DAYS)
years = st.sampled_from(YEARS)


class LedgerAgainstModel(RuleBasedStateMachine):
    provinces = Bundle("provinces")
    communes = Bundle("communes")
    areas = Bundle("areas")
    safety_keys = Bundle("safety_keys")
    case_keys = Bundle("case_keys")
    model_codes = Bundle("model_codes")
    award_keys = Bundle("award_keys")

    province_refs = st.one_of(provinces, st.sampled_from(SEED_PROVINCE_REFS))
    commune_refs = st.one_of(communes, st.sampled_from(SEED_COMMUNE_REFS))
    area_refs = st.one_of(areas, st.sampled_from(SEED_AREA_REFS))
    unit_refs = st.one_of(province_refs, commune_refs, area_refs, st.sampled_from(OTHER_REFS))
    # Merges mostly of one kind; some mix kinds or name unknown units.
    merges = st.one_of(
        st.tuples(st.lists(commune_refs, min_size=1, max_size=2), commune_refs),
        st.tuples(st.lists(area_refs, min_size=1, max_size=2), area_refs),
        st.tuples(st.lists(unit_refs, min_size=1, max_size=2), unit_refs),
    )
    # Follow-ups often name a seeded record, so that some records go far into their
    # lifecycle; otherwise a record created in this run, or any key (mostly unrecorded).
    safety_refs = st.one_of(st.sampled_from(SEED_SAFETY), safety_keys, st.tuples(unit_refs, years))
    case_refs = st.one_of(
        st.sampled_from(SEED_CASES), case_keys, st.tuples(unit_refs, st.sampled_from(CASES))
    )
    model_refs = st.one_of(st.sampled_from(SEED_MODELS), model_codes, st.sampled_from(MODEL_CODES))
    award_refs = st.one_of(
        st.sampled_from(SEED_AWARDS),
        award_keys,
        st.tuples(st.sampled_from(ISSUERS), years, st.sampled_from(DECISIONS)),
    )
    recipient_lists = st.lists(
        st.tuples(
            st.sampled_from(["unit", "unit", "person"]),
            st.one_of(commune_refs, area_refs, unit_refs),
        ),
        min_size=1,
        max_size=3,
    )
    # Mostly a level that awards that form; otherwise any pair.
    awarding = st.one_of(
        st.sampled_from(AWARDING),
        st.sampled_from(AWARDING),
        st.tuples(st.sampled_from(LEVELS), st.sampled_from(FORMS)),
    )

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory(prefix="antq-stateful-")
        self.url = f"sqlite:///{Path(self.folder.name) / 'antq.db'}"
        self.ledger = Ledger(self.url)
        self.world = World()
        self.logged: Counter[tuple[str, str]] = Counter()
        self.log_position = 0

    def teardown(self) -> None:
        longest = (
            max(len(trail.events) for trail in self.world.trails()) if self.world.trails() else 0
        )
        report(
            None, f"longest record history: {min(longest, 5)}{'+' if longest >= 5 else ''} events"
        )
        report(None, f"events recorded: {sum(self.world.log.values()) // 10 * 10}+")
        self.ledger.close()
        self.folder.cleanup()

    def attempt(self, action: Action, change: Callable[[], Expected]) -> bool:
        """Try ``action`` on the model and the ledger; True when both recorded it."""
        try:
            expected = change()
        except Refused as refusal:
            report(f"model refuses {action.ACTION}: {refusal}", f"{action.ACTION}: refused")
            before = self.ledger.recorder.max_notification_id()
            with pytest.raises(LedgerError) as error:
                self.ledger.execute(action, CLERK)
            report(f"ledger refuses: {error.value}")
            assert self.ledger.recorder.max_notification_id() == before
            return False
        report(f"model records {action.ACTION}: {expected}", f"{action.ACTION}: recorded")
        recorded = self.ledger.execute(action, CLERK)
        got = Counter(log_key(r.record, type(r.event).__name__) for r in recorded)
        assert got == Counter(expected)
        self.world.log.update(expected)
        return True

    # units

    @initialize()
    def seed_a_province(self) -> None:
        for code, kind, name, parent in SEED_UNITS:
            action = UnitRegister(
                code=code, name=name, kind=kind, parent=parent, effective_on=SEED_DAY
            )
            seed = (code, kind, name, parent, SEED_DAY)
            assert self.attempt(action, lambda seed=seed: self.world.register_unit(*seed))
        day = SEED_RECORD_DAY
        for unit, year in SEED_SAFETY:
            assert self.safety_register(unit=unit, day=day, year=year) == (unit, year)
        for unit, case in SEED_CASES:
            assert self.dispute_receive(unit=unit, case=case, day=day) == (unit, case)
        self.dispute_assign(key=SEED_CASES[1], day=day, team=TEAMS[0])
        for code in SEED_MODELS:
            assert self.model_register(code=code, unit="C1", day=day) == code
        for issuer, _, decision in SEED_AWARDS:
            recipients = [("unit", "C1"), ("person", "A1")]
            decided = self.award_decide(
                issuer, decision, ("province", "giay_khen"), recipients, day
            )
            assert decided == (issuer, day.year, decision)

    @rule(
        target=provinces,
        code=st.sampled_from(PROVINCE_CODES),
        name=st.sampled_from(list(PROVINCE_NAMES)),
        day=unit_days,
    )
    def register_province(self, code: str, name: str, day: date) -> Any:
        action = UnitRegister(code=code, name=name, kind="province", effective_on=day)
        registered = self.attempt(
            action, lambda: self.world.register_unit(code, "province", name, None, day)
        )
        return code if registered else multiple()

    @rule(
        target=communes,
        code=st.sampled_from(COMMUNE_CODES),
        name=st.sampled_from(list(COMMUNE_NAMES)),
        parent=st.one_of(province_refs, unit_refs),
        day=unit_days,
    )
    def register_commune(self, code: str, name: str, parent: str, day: date) -> Any:
        action = UnitRegister(code=code, name=name, kind="commune", parent=parent, effective_on=day)
        registered = self.attempt(
            action, lambda: self.world.register_unit(code, "commune", name, parent, day)
        )
        return code if registered else multiple()

    @rule(
        target=areas,
        code=st.sampled_from(AREA_CODES),
        name=st.sampled_from(list(AREA_NAMES)),
        parent=st.one_of(commune_refs, unit_refs),
        day=unit_days,
    )
    def register_area(self, code: str, name: str, parent: str, day: date) -> Any:
        action = UnitRegister(
            code=code, name=name, kind="residential_area", parent=parent, effective_on=day
        )
        registered = self.attempt(
            action, lambda: self.world.register_unit(code, "residential_area", name, parent, day)
        )
        return code if registered else multiple()

    @rule(merge=merges, day=end_days)
    def merge_units(self, merge: tuple[list[str], str], day: date) -> None:
        codes, into = merge
        action = UnitMerge(codes=codes, into=into, effective_on=day)
        self.attempt(action, lambda: self.world.merge(codes, into, day))

    @rule(code=unit_refs, day=end_days)
    def dissolve_unit(self, code: str, day: date) -> None:
        self.attempt(
            UnitDissolve(code=code, effective_on=day), lambda: self.world.dissolve(code, day)
        )

    # safety

    @rule(
        target=safety_keys,
        unit=st.one_of(commune_refs, area_refs, unit_refs),
        day=start_days,
        year=st.sampled_from([None, None, None, *YEARS]),
    )
    def safety_register(self, unit: str, day: date, year: int | None) -> Any:
        year = day.year if year is None else year
        action = SafetyRegister(unit=unit, year=year, effective_on=day)
        registered = self.attempt(action, lambda: self.world.safety_register(unit, year, day))
        return (unit, year) if registered else multiple()

    @rule(key=safety_refs, day=later_days)
    def safety_recognise(self, key: tuple[str, int], day: date) -> None:
        unit, year = key
        action = SafetyRecognise(unit=unit, year=year, effective_on=day, decision="5/QĐ-UBND")
        self.attempt(action, lambda: self.world.safety_decide(unit, year, day, recognise=True))

    @rule(key=safety_refs, day=later_days)
    def safety_deny(self, key: tuple[str, int], day: date) -> None:
        unit, year = key
        action = SafetyDeny(unit=unit, year=year, effective_on=day)
        self.attempt(action, lambda: self.world.safety_decide(unit, year, day, recognise=False))

    @rule(key=safety_refs, day=later_days)
    def safety_annul(self, key: tuple[str, int], day: date) -> None:
        unit, year = key
        action = SafetyAnnul(unit=unit, year=year, effective_on=day, reason="hồ sơ giả mạo")
        self.attempt(action, lambda: self.world.safety_annul(unit, year, day))

    # mediation

    @rule(
        target=case_keys,
        unit=st.one_of(area_refs, commune_refs, unit_refs),
        case=st.sampled_from(CASES),
        day=start_days,
    )
    def dispute_receive(self, unit: str, case: str, day: date) -> Any:
        action = DisputeReceive(
            unit=unit, case=case, effective_on=day, category="đất đai", summary="tranh chấp ranh"
        )
        received = self.attempt(action, lambda: self.world.receive(unit, case, day))
        return (unit, case) if received else multiple()

    def dispute_step(self, op: str, key: tuple[str, str], day: date, team: str) -> None:
        unit, case = key
        common = {"unit": unit, "case": case, "effective_on": day}
        action = {
            "assign": lambda: DisputeAssign(**common, team=team),
            "settle": lambda: DisputeSettle(**common),
            "fail": lambda: DisputeFail(**common, reason="các bên không thống nhất"),
            "resume": lambda: DisputeResume(**common),
            "refer": lambda: DisputeRefer(**common, to="UBND xã"),
            "close": lambda: DisputeClose(**common),
        }[op]()
        self.attempt(action, lambda: self.world.dispute_step(op, unit, case, day, team))

    # One rule per transition, so that cases get far into their lifecycle.
    @rule(key=case_refs, day=later_days, team=st.sampled_from(TEAMS))
    def dispute_assign(self, key: tuple[str, str], day: date, team: str) -> None:
        self.dispute_step("assign", key, day, team)

    @rule(key=case_refs, day=later_days)
    def dispute_settle(self, key: tuple[str, str], day: date) -> None:
        self.dispute_step("settle", key, day, "")

    @rule(key=case_refs, day=later_days)
    def dispute_fail(self, key: tuple[str, str], day: date) -> None:
        self.dispute_step("fail", key, day, "")

    @rule(key=case_refs, day=later_days)
    def dispute_resume(self, key: tuple[str, str], day: date) -> None:
        self.dispute_step("resume", key, day, "")

    @rule(key=case_refs, day=later_days)
    def dispute_refer(self, key: tuple[str, str], day: date) -> None:
        self.dispute_step("refer", key, day, "")

    @rule(key=case_refs, day=later_days)
    def dispute_close(self, key: tuple[str, str], day: date) -> None:
        self.dispute_step("close", key, day, "")

    # self-management models

    @rule(target=model_codes, code=st.sampled_from(MODEL_CODES), unit=unit_refs, day=start_days)
    def model_register(self, code: str, unit: str, day: date) -> Any:
        action = ModelRegister(
            code=code, name="Camera với ANTT", field="an ninh trật tự", unit=unit, effective_on=day
        )
        registered = self.attempt(action, lambda: self.world.model_register(code, unit, day))
        return code if registered else multiple()

    @rule(code=model_refs, unit=unit_refs, day=later_days)
    def model_replicate(self, code: str, unit: str, day: date) -> None:
        action = ModelReplicate(code=code, unit=unit, effective_on=day)
        self.attempt(action, lambda: self.world.model_replicate(code, unit, day))

    def model_step(self, op: str, code: str, day: date) -> None:
        action = {
            "recognise": lambda: ModelRecognise(code=code, effective_on=day),
            "review": lambda: ModelReview(code=code, effective_on=day),
            "suspend": lambda: ModelSuspend(code=code, effective_on=day, reason="không duy trì"),
            "reinstate": lambda: ModelReinstate(code=code, effective_on=day),
            "dissolve": lambda: ModelDissolve(code=code, effective_on=day, reason="giải thể"),
        }[op]()
        self.attempt(action, lambda: self.world.model_step(op, code, day))

    @rule(code=model_refs, day=later_days)
    def model_recognise(self, code: str, day: date) -> None:
        self.model_step("recognise", code, day)

    @rule(code=model_refs, day=later_days)
    def model_review(self, code: str, day: date) -> None:
        self.model_step("review", code, day)

    @rule(code=model_refs, day=later_days)
    def model_suspend(self, code: str, day: date) -> None:
        self.model_step("suspend", code, day)

    @rule(code=model_refs, day=later_days)
    def model_reinstate(self, code: str, day: date) -> None:
        self.model_step("reinstate", code, day)

    @rule(code=model_refs, day=later_days)
    def model_dissolve(self, code: str, day: date) -> None:
        self.model_step("dissolve", code, day)

    # commendations

    @rule(
        target=award_keys,
        issuer=st.sampled_from(ISSUERS),
        decision=st.sampled_from(DECISIONS),
        awarding=awarding,
        recipients=recipient_lists,
        day=st.one_of(start_days, days),
    )
    def award_decide(
        self,
        issuer: str,
        decision: str,
        awarding: tuple[str, str],
        recipients: list[tuple[str, str]],
        day: date,
    ) -> Any:
        level, form = awarding
        lines = [
            {"unit": ref}
            if kind == "unit"
            else {"person": {"name": PERSONS[number % 2], "unit": ref}}
            for number, (kind, ref) in enumerate(recipients)
        ]
        action = AwardDecide(
            issuer=issuer,
            decision=decision,
            level=level,
            form=form,
            recipients=lines,
            effective_on=day,
        )
        decided = self.attempt(
            action, lambda: self.world.decide(issuer, decision, level, form, recipients, day)
        )
        return (issuer, day.year, decision) if decided else multiple()

    @rule(key=award_refs, day=later_days)
    def award_annul(self, key: tuple[str, int, str], day: date) -> None:
        issuer, year, decision = key
        action = AwardAnnul(
            issuer=issuer, year=year, decision=decision, effective_on=day, reason="Điều 93"
        )
        self.attempt(action, lambda: self.world.annul_award(issuer, year, decision, day))

    @rule(key=award_refs, day=later_days)
    def award_present(self, key: tuple[str, int, str], day: date) -> None:
        issuer, year, decision = key
        action = AwardPresent(issuer=issuer, year=year, decision=decision, effective_on=day)
        self.attempt(action, lambda: self.world.present_award(issuer, year, decision, day))

    # replay

    @rule()
    def another_ledger_on_the_same_file_sees_the_same_history(self) -> None:
        other = Ledger(self.url)
        try:
            for trail in self.world.trails():
                assert other.history(trail.kind, trail.key) == self.ledger.history(
                    trail.kind, trail.key
                )
            log = list(other.log())
            assert log == list(self.ledger.log())
            assert Counter(log_key(item["record"], item["event"]) for item in log) == self.world.log
        finally:
            other.close()

    # invariants

    @invariant()
    def every_record_has_the_models_history_and_state(self) -> None:
        for trail in self.world.trails():
            events = [item["event"] for item in self.ledger.history(trail.kind, trail.key)]
            assert events == trail.events, trail.label
            record = self.ledger.find(trail.kind, trail.key)
            assert record.label() == trail.label
            match trail:
                case Unit():
                    parent = self.world.units[trail.parent].code if trail.parent else None
                    observed = (record.kind, record.parent, record.ended_on, record.merged_into)
                    assert observed == (trail.unit_kind, parent, trail.ended, trail.merged_into)
                    assert record.absorbed == trail.absorbed
                case Safety():
                    assert (record.status, record.flags) == (trail.status, trail.flags)
                case Case():
                    observed = (record.status, record.team, record.resumed)
                    assert observed == (trail.status, trail.team, trail.resumed)
                case Model():
                    observed = (record.status, record.sites, record.recognised_on is not None)
                    assert observed == (trail.status, trail.sites, trail.recognised)
                case Award():
                    observed = (record.annulled_on is not None, record.presented_on is not None)
                    assert observed == (trail.annulled, trail.presented)
                    lines = [(line["recipient"], line["unit"]) for line in record.lines]
                    assert lines == trail.lines

    @invariant()
    def the_log_holds_the_models_events(self) -> None:
        # The log only grows: read what was appended since the last step (the replay rule
        # compares the whole log).
        for item in self.ledger.log(since=self.log_position):
            self.logged[log_key(item["record"], item["event"])] += 1
            self.log_position = item["position"]
        assert self.logged == self.world.log


LedgerAgainstModel.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerAgainstModel = pytest.mark.slow(LedgerAgainstModel.TestCase)
