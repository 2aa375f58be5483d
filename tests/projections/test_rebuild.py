"""Rebuilding from zero equals catching up step by step, whatever was recorded in between."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from itertools import product
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from ledger.application import Clerk, Ledger
from ledger.commands import (
    Action,
    AwardAnnul,
    AwardCorrect,
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
    ModelSuspend,
    SafetyAnnul,
    SafetyDeny,
    SafetyRecognise,
    SafetyRegister,
    UnitMerge,
    UnitRename,
)
from ledger.errors import LedgerError
from projections.runner import Projector, engine_for
from projections.standings import Point, standings

from .conftest import dump, record, unit

# P ─┬─ P-C1 ─┬─ P-C1-T1, P-C1-T2 (residential areas)     Q ── Q-C1 ── Q-C1-T1
#    │        └─ P-C1-S1 (school)                          (another province: the spurious
#    ├─ P-C2 ── P-C2-T1                                     records a scope P must leave out)
#    └─ P-C3
UNITS = (
    unit("P", "province"),
    unit("P-C1", "commune", "P"),
    unit("P-C2", "commune", "P"),
    unit("P-C3", "commune", "P"),
    unit("P-C1-T1", "residential_area", "P-C1"),
    unit("P-C1-T2", "residential_area", "P-C1"),
    unit("P-C2-T1", "residential_area", "P-C2"),
    unit("P-C1-S1", "school", "P-C1"),
    unit("Q", "province"),
    unit("Q-C1", "commune", "Q"),
    unit("Q-C1-T1", "residential_area", "Q-C1"),
)
SAFETY_UNITS = ["P-C1", "P-C2", "P-C3", "P-C1-T1", "P-C1-T2", "P-C2-T1", "P-C1-S1", "Q-C1",
                "Q-C1-T1"]  # fmt: skip
MERGES = [("P-C1", "P-C2"), ("P-C3", "P-C2"), ("P-C2", "P-C3"), ("P-C1-T2", "P-C1-T1")]
DATES = [date(2023, 2, 10), date(2023, 4, 1), date(2023, 7, 15), date(2023, 11, 5),
         date(2023, 12, 20), date(2024, 2, 10), date(2024, 5, 1), date(2024, 11, 5),
         date(2025, 1, 15)]  # fmt: skip
AWARD_KINDS = [("province", "bang_khen"), ("ministry", "bang_khen"), ("commune", "giay_khen")]
# Recorded first in every example: a record no scope under P may count.
SPURIOUS = SafetyRegister(unit="Q-C1-T1", year=2023, effective_on="2023-02-10")
YEARS = (2023, 2024)
SCOPES = (None, "P", "P-C2", "P-C3", "P-C1-T1", "Q")
CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")
NEXT_IN_CASE = {  # what may follow a case's status (anything else is refused)
    "open": [DisputeAssign, DisputeSettle, DisputeFail, DisputeRefer, DisputeClose],
    "failed": [DisputeResume, DisputeRefer, DisputeClose],
}
NEXT_IN_MODEL = {
    "active": [ModelReplicate, ModelReplicate, ModelRecognise, ModelSuspend, ModelDissolve],
    "suspended": [ModelReinstate, ModelDissolve],
}


class Step(NamedTuple):
    """One action, chosen by ``verb`` and three numbers; then maybe a catch-up."""

    verb: str
    a: int
    b: int
    c: int
    catch_up: bool
    switch: bool  # catch up with the other projector (as another process would)


def pick(options: list[Any], n: int, default: Any) -> Any:
    return options[n % len(options)] if options else default


class Scenario:
    """Turns steps into actions that are mostly valid, by remembering what the ledger accepted
    (the ledger still decides: a refused action writes nothing and changes nothing here)."""

    def __init__(self) -> None:
        self.ended: dict[str, date] = {}  # unit -> date it merged into another
        self.safety: dict[tuple[str, int], str] = {}
        self.cases: dict[tuple[str, str], tuple[str, date]] = {}  # -> status, received on
        self.models: dict[str, tuple[str, date]] = {}  # -> status, registered on
        self.awards: dict[tuple[str, int], tuple[bool, date]] = {}  # -> annulled, decided on

    def units_on(self, day: date) -> list[str]:
        return [u for u in SAFETY_UNITS if u not in self.ended or day < self.ended[u]]

    def action(self, step: Step) -> Action:
        """The action a step stands for."""
        verb, a, b, c = step.verb, step.a, step.b, step.c
        year, on = YEARS[b % 2], DATES[c % len(DATES)]
        units = self.units_on(on)
        if verb == "safety.register":
            day = date(year, 2 + c % 3, 10)
            return SafetyRegister(unit=pick(self.units_on(day), a, "P"), year=year,
                                  effective_on=day)  # fmt: skip
        if verb in ("safety.recognise", "safety.deny"):
            undecided = [k for k, status in self.safety.items() if status == "registered"]
            if not undecided:
                return self.action(step._replace(verb="safety.register"))
            unit, year = pick(undecided, a, None)
            kind = SafetyRecognise if verb == "safety.recognise" else SafetyDeny
            return kind(unit=unit, year=year, effective_on=date(year, 11, 5 + c % 20))
        if verb == "safety.annul":
            decided = [k for k, status in self.safety.items() if status in ("recognised", "denied")]
            if not decided:
                return self.action(step._replace(verb="safety.recognise"))
            unit, year = pick(decided, a, None)
            return SafetyAnnul(unit=unit, year=year, effective_on=date(year + 1, 1 + c % 6, 15),
                               reason="hồ sơ sai")  # fmt: skip
        if verb == "dispute.receive":
            return DisputeReceive(unit=pick(units, a, "P"), case=f"HG-{b % 4}", effective_on=on)
        if verb == "dispute.change":
            if not self.cases:
                return self.action(step._replace(verb="dispute.receive"))
            (unit, case), (status, received) = pick(list(self.cases.items()), a, None)
            later = [
                d
                for d in DATES
                if d >= received and (unit not in self.ended or d < self.ended[unit])
            ]
            day = pick(later, c, received)
            kinds = NEXT_IN_CASE.get(status, [DisputeClose])
            kind = kinds[b % len(kinds)]
            extra = {"team": "Tổ hòa giải"} if kind is DisputeAssign else {}
            extra |= {"to": "UBND xã"} if kind is DisputeRefer else {}
            return kind(unit=unit, case=case, effective_on=day, **extra)
        if verb == "model.register":
            return ModelRegister(code=f"M{len(self.models)}", name="Tổ tự quản",
                                 field=["ANTT", "PCCC"][c % 2], unit=pick(units, b, "P"),
                                 effective_on=on)  # fmt: skip
        if verb == "model.change":
            if not self.models:
                return self.action(step._replace(verb="model.register"))
            code, (status, registered) = pick(list(self.models.items()), a, None)
            day = pick([d for d in DATES if d >= registered], c, registered)
            kinds = NEXT_IN_MODEL.get(status, [ModelReinstate])
            kind = kinds[b % len(kinds)]
            extra = {"unit": pick(self.units_on(day), c, "P")} if kind is ModelReplicate else {}
            extra |= {"reason": "ngừng"} if kind in (ModelSuspend, ModelDissolve) else {}
            return kind(code=code, effective_on=day, **extra)
        if verb == "award.decide":
            level, form = AWARD_KINDS[b % len(AWARD_KINDS)]
            recipients: list[dict[str, Any]] = [{"unit": pick(units, c, "P")}]
            if b % 2:
                recipients.append({"person": {"name": f"Người {c}", "unit": pick(units, a, "P")}})
            return AwardDecide(issuer="UBND-P", decision=f"{len(self.awards)}/QĐ", level=level,
                               form=form, effective_on=on, recipients=recipients)  # fmt: skip
        standing = [(k, decided) for k, (annulled, decided) in self.awards.items() if not annulled]
        if verb.startswith("award.") and not standing:
            return self.action(step._replace(verb="award.decide"))
        if verb.startswith("award."):
            (decision, year), decided = pick(standing, a, None)
            day = pick([d for d in DATES if d >= decided], c, decided)
            award = {"issuer": "UBND-P", "decision": decision, "year": year, "effective_on": day}
        if verb == "award.correct":
            recipient = {"unit": pick(units, c, "P")}
            if b % 2:
                recipient = {"person": {"name": f"Người {c}", "unit": recipient["unit"]}}
            return AwardCorrect(**award, line=1 + b % 2, recipient=recipient, reason="đính chính")
        if verb == "award.present":
            return AwardPresent(**award)
        if verb == "award.annul":
            return AwardAnnul(**award, reason="không đúng đối tượng")
        if verb == "unit.merge":
            code, into = MERGES[a % len(MERGES)]
            return UnitMerge(codes=[code], into=into, effective_on=on)
        if verb == "unit.rename":
            return UnitRename(code=pick(units, a, "P"), name=f"Tên mới {b}", effective_on=on)
        raise AssertionError(verb)

    def accepted(self, action: Action) -> None:
        """Remember what the ledger accepted."""
        match action:
            case SafetyRegister():
                self.safety[(action.unit, action.year)] = "registered"
            case SafetyRecognise() | SafetyDeny():
                recognised = isinstance(action, SafetyRecognise)
                self.safety[(action.unit, action.year)] = "recognised" if recognised else "denied"
            case SafetyAnnul():
                key = (action.unit, action.year)
                self.safety[key] = "annulled" if self.safety[key] == "recognised" else "registered"
            case DisputeReceive():
                self.cases[(action.unit, action.case)] = ("open", action.effective_on)
            case (
                DisputeSettle() | DisputeFail() | DisputeRefer() | DisputeClose() | DisputeResume()
            ):
                status = {
                    DisputeSettle: "settled",
                    DisputeFail: "failed",
                    DisputeRefer: "referred",
                    DisputeClose: "closed",
                    DisputeResume: "open",
                }[type(action)]
                self.cases[(action.unit, action.case)] = (
                    status,
                    self.cases[(action.unit, action.case)][1],
                )
            case ModelRegister():
                self.models[action.code] = ("active", action.effective_on)
            case ModelSuspend() | ModelReinstate() | ModelDissolve():
                status = {
                    ModelSuspend: "suspended",
                    ModelReinstate: "active",
                    ModelDissolve: "dissolved",
                }[type(action)]
                self.models[action.code] = (status, self.models[action.code][1])
            case AwardDecide():
                self.awards[(action.decision, action.effective_on.year)] = (
                    False,
                    action.effective_on,
                )
            case AwardAnnul():
                key = (action.decision, action.year)
                self.awards[key] = (True, self.awards[key][1])
            case UnitMerge():
                self.ended[action.codes[0]] = action.effective_on


VERBS = ["safety.register"] * 4 + ["safety.recognise"] * 3 + ["safety.deny", "safety.annul"] * 2 + [
    "dispute.receive", "dispute.receive", "dispute.change", "dispute.change", "dispute.change",
    "model.register", "model.change", "model.change", "award.decide", "award.decide",
    "award.correct", "award.present", "award.annul", "unit.merge", "unit.rename",
]  # fmt: skip
steps = st.lists(
    st.builds(
        Step,
        st.sampled_from(VERBS),
        st.integers(0, 50),
        st.integers(0, 50),
        st.integers(0, 50),
        st.booleans(),
        st.booleans(),
    ),
    min_size=10,
    max_size=35,
)


def evaluation_points(moments: list[datetime]) -> list[Point]:
    return [Point(), Point(as_of=date(2023, 12, 31)), *(Point(known_at=m) for m in moments)]


def all_standings(engine: Any, points: list[Point]) -> dict[tuple, dict]:
    return {
        (year, scope, point): standings(engine, year, scope, point)
        for year, scope, point in product(YEARS, SCOPES, points)
    }


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_rebuild_from_zero_equals_catching_up_after_every_few_steps(steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'antq.db'}"
        ledger, engine = Ledger(url), engine_for(url)
        elsewhere = engine_for(f"sqlite:///{Path(folder) / 'rebuilt.db'}")
        try:
            record(ledger, CLERK, *UNITS, SPURIOUS)
            projector, other = Projector(ledger, engine), Projector(ledger, engine)
            moments, accepted = [], 0
            scenario = Scenario()
            scenario.accepted(SPURIOUS)
            for n, step in enumerate(steps):
                chosen = scenario.action(step)
                try:
                    ledger.execute(chosen, CLERK)
                except LedgerError as refused:
                    note(f"{n}: refused {chosen!r}: {refused}")
                else:
                    note(f"{n}: {chosen!r}")
                    scenario.accepted(chosen)
                    accepted += 1
                if step.catch_up:
                    if step.switch:
                        projector, other = other, projector
                    projector.catch_up()
                if n == len(steps) // 2:
                    moments.append(datetime.now(UTC))
            event(f"accepted actions: {min(accepted, 10)}{'+' if accepted >= 10 else ''}")
            projector.catch_up()
            Projector(ledger, elsewhere).catch_up()  # the whole log in one go, from zero
            points = evaluation_points(moments)

            assert (dump(engine), all_standings(engine, points)) == (
                dump(elsewhere),
                all_standings(elsewhere, points),
            )
        finally:
            engine.dispose()
            elsewhere.dispose()
            ledger.close()


def test_a_scope_leaves_out_records_of_units_outside_it(
    ledger: Ledger, projector: Projector
) -> None:
    record(
        ledger,
        CLERK,
        *UNITS,
        SPURIOUS,
        SafetyRegister(unit="P-C1-T1", year=2023, effective_on="2023-02-10"),
    )
    projector.catch_up()
    registered = {
        scope: standings(projector.engine, 2023, scope)["safety"]["residential_area"]["registered"]
        for scope in (None, "P", "Q")
    }

    assert registered == {None: 2, "P": 1, "Q": 1}
