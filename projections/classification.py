"""Movement classification on the read side (R6, QĐ 510/QĐ-BCA-V05): one fact per event (the
record as it stands after it), the grade distribution a year's standings show per unit group
("3 xuất sắc, 45 khá, 4 trung bình trên tổng số 52"), the late self-assessments, and the
``classification`` export report.

Counted apart from recognition (``safety`` in the standings): the units classified are another
population than those recognised, and neither count is derived from the other (domain-research
tricky case 16)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection

from ledger.classification import GRADE_WORDS, LATE_SELF_ASSESSMENT, MovementClassification
from ledger.values import ORGANISATION_KINDS
from projections.base import Common, Handler, ReadModel, Rows
from projections.facts import Point, Scope, latest_facts
from projections.schema import ClassificationFact, classification_facts
from projections.statistics import Figure

GRADES = tuple(GRADE_WORDS)  # best first: xuat_sac, kha, trung_binh, yeu
GROUPS = {
    "residential_area": "residential_area",
    "commune": "commune",
    **dict.fromkeys(ORGANISATION_KINDS, "organisation"),
    "district": "district",
}
GROUP_ORDER = ("residential_area", "commune", "organisation", "district")


class ClassificationModel(ReadModel):
    name = "classification"
    facts = classification_facts

    def define_handlers(self) -> dict[type, Handler]:
        return {
            MovementClassification.SelfAssessed: self.assessed,
            MovementClassification.Appraised: self.appraised,
            MovementClassification.Decided: self.decided,
            MovementClassification.Annulled: self.annulled,
        }

    def assessed(self, event: Any, common: Common, rows: Rows) -> None:
        fact = ClassificationFact(
            event.unit,
            event.year,
            event.unit_kind,
            "assessed",
            event.score,
            event.proposed_grade,
            event.dossier,
            event.deadline.isoformat(),
            LATE_SELF_ASSESSMENT in event.flags,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        self.add(rows, common, fact)

    def appraised(self, event: Any, common: Common, rows: Rows) -> None:
        fact = self.latest(event.originator_id)._replace(
            status="appraised",
            appraised_score=event.score,
            appraised_grade=event.proposed_grade,
            appraiser=event.appraiser,
        )
        self.add(rows, common, fact)

    def decided(self, event: Any, common: Common, rows: Rows) -> None:
        fact = self.latest(event.originator_id)._replace(
            status="decided",
            grade=event.grade,
            decision=event.decision,
            decided_by=event.decided_by,
        )
        self.add(rows, common, fact)

    def annulled(self, event: Any, common: Common, rows: Rows) -> None:
        fact = self.latest(event.originator_id)._replace(
            status="appraised", grade=None, decision=None, decided_by=None
        )
        self.add(rows, common, fact)


def classification_latest(connection: Connection, year: int, point: Point) -> list[Any]:
    """Each unit's latest visible classification fact for ``year``."""
    table = classification_facts
    return latest_facts(
        connection, table, (table.c.unit,), table.c.year == year, *point.visible(table)
    )


def written(counts: dict[str, int]) -> str:
    """The distribution as people say it: "3 xuất sắc, 45 khá, 4 trung bình trên tổng số 52"."""
    if not counts["decided"]:
        return "chưa có quyết định xếp loại"
    parts = [f"{counts[grade]} {GRADE_WORDS[grade]}" for grade in GRADES if counts[grade]]
    return f"{', '.join(parts)} trên tổng số {counts['decided']}"


def classification(connection: Connection, year: int, area: Scope, point: Point) -> dict:
    """The ``classification`` section of the standings: per unit group, the units self-assessed,
    the count per decided grade, the total decided and the late self-assessments; then the late
    ones by unit (``flags``)."""
    latest = sorted(
        (row for row in classification_latest(connection, year, point) if row.unit in area),
        key=lambda row: row.unit,
    )
    counts: dict[str, Counter[str]] = {group: Counter() for group in GROUP_ORDER}
    flags = []
    for row in latest:
        group = counts[GROUPS[row.unit_kind]]
        group["assessed"] += 1
        if row.status == "decided":
            group["decided"] += 1
            group[row.grade] += 1
        if row.late:
            group["late"] += 1
            flags.append({"unit": row.unit, "rule": LATE_SELF_ASSESSMENT})
    result: dict[str, Any] = {}
    for name in GROUP_ORDER:
        c = counts[name]
        group = {
            "assessed": c["assessed"],
            **{grade: c[grade] for grade in GRADES},
            "decided": c["decided"],
            "late": c["late"],
        }
        group["written"] = written(group)
        result[name] = group
    result["flags"] = flags
    return result


def classification_rows(
    connection: Connection, year: int, area: Scope, point: Point
) -> list[dict[str, Any]]:
    """The ``classification`` report (R6): every unit classified in ``year`` within ``area``."""
    return [
        {
            "unit": row.unit,
            "year": year,
            "self_score": Figure(row.self_score, "exact", ""),
            "appraised_score": (
                Figure(row.appraised_score, "exact", "") if row.appraised_score else None
            ),
            "grade": row.grade,
            "decided_by": row.decided_by,
            "decision": row.decision,
            "on_time": "no" if row.late else "yes",
        }
        for row in sorted(classification_latest(connection, year, point), key=lambda r: r.unit)
        if row.unit in area
    ]
