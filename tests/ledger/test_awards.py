"""Award decisions: competence, unique numbers, lines, presentation, correction, annulment."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import AwardAnnul, AwardCorrect, AwardDecide, AwardPresent
from ledger.errors import AlreadyRecordedError, NotFoundError, RuleViolation
from ledger.text import with_article

from ..conftest import sqlite_only
from .support import Refusal, events, record, refusal

KEY = {"issuer": "UBND-TN", "decision": "12/QĐ-UBND", "year": 2023}
SECRET = "Nguyễn Văn Bí Mật"


def decide(
    issuer: str = "UBND-TN",
    decision: str = "12/QĐ-UBND",
    on: str = "2023-12-15",
    level: str = "province",
    form: str = "bang_khen",
    recipients: list | None = None,
) -> AwardDecide:
    return AwardDecide(
        issuer=issuer,
        decision=decision,
        level=level,
        form=form,
        effective_on=on,
        recipients=recipients
        or [{"unit": "TN-X1"}, {"person": {"name": SECRET, "birth_year": 1980, "unit": "TN-X1"}}],
    )


def annul(on: str = "2024-03-01") -> AwardAnnul:
    return AwardAnnul(**KEY, effective_on=on, reason="vi phạm Điều 93")


def present(on: str = "2023-12-20") -> AwardPresent:
    return AwardPresent(**KEY, effective_on=on)


def correct(line: int, recipient: dict, on: str = "2023-12-21") -> AwardCorrect:
    return AwardCorrect(**KEY, effective_on=on, line=line, recipient=recipient, reason="đính chính")


@pytest.mark.parametrize(
    ("level", "form"),
    [
        ("prime_minister", "giay_khen"),
        ("district", "bang_khen"),
        ("commune", "bang_khen"),
        ("organisation", "bang_khen"),
    ],
)
def test_an_authority_awarding_a_form_beyond_its_competence_is_refused(
    province: Ledger, clerk: Clerk, level: str, form: str
) -> None:
    assert refusal(province, clerk, decide(level=level, form=form)) == Refusal(
        RuleViolation,
        f"award 12/QĐ-UBND: {with_article(level)} authority does not award {form}",
        True,
    )


@pytest.mark.parametrize(
    ("level", "form"),
    [
        ("prime_minister", "bang_khen"),
        ("ministry", "bang_khen"),
        ("province", "giay_khen"),
        ("district", "giay_khen"),
        ("commune", "giay_khen"),
        ("organisation", "giay_khen"),
    ],
)
def test_an_authority_awarding_a_form_within_its_competence_is_accepted(
    province: Ledger, clerk: Clerk, level: str, form: str
) -> None:
    record(province, clerk, decide(level=level, form=form))

    assert events(province, "award", "UBND-TN", "2023", "12/QĐ-UBND") == ["Decided"]


def test_a_district_award_from_1_july_2025_is_refused(province: Ledger, clerk: Clerk) -> None:
    action = decide(level="district", form="giay_khen", on="01/07/2025")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        "award 12/QĐ-UBND: district authorities were abolished on 01/07/2025",
        True,
    )


@pytest.mark.parametrize(
    "again",
    [decide(on="2023-12-30"), decide(issuer="ubnd-tn", decision="12/qđ-ubnd")],
    ids=["same-number-same-year", "other-case"],
)
def test_a_decision_number_used_twice_by_an_issuer_in_a_year_is_refused(
    province: Ledger, clerk: Clerk, again: AwardDecide
) -> None:
    record(province, clerk, decide())

    assert refusal(province, clerk, again) == Refusal(
        AlreadyRecordedError, "award UBND-TN 2023 12/QĐ-UBND is already recorded", True
    )


@pytest.mark.parametrize(
    ("again", "key"),
    [
        (decide(on="2024-01-10"), ["UBND-TN", "2024", "12/QĐ-UBND"]),
        (decide(issuer="BCA", level="ministry"), ["BCA", "2023", "12/QĐ-UBND"]),
    ],
    ids=["next-year", "other-issuer"],
)
def test_a_decision_number_is_reused_in_another_year_or_by_another_issuer(
    province: Ledger, clerk: Clerk, again: AwardDecide, key: list[str]
) -> None:
    record(province, clerk, decide(), again)

    assert events(province, "award", *key) == ["Decided"]


@pytest.mark.parametrize("again", ["TN-X1", "tn-x1", "xã hoà bình"], ids=["code", "case", "name"])
def test_a_unit_listed_twice_as_a_collective_is_refused(
    province: Ledger, clerk: Clerk, again: str
) -> None:
    action = decide(recipients=[{"unit": "TN-X1"}, {"unit": "TN-X2"}, {"unit": again}])

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "award 12/QĐ-UBND: unit TN-X1 is listed twice", True
    )


def test_a_recipient_unit_that_is_not_registered_is_not_found(
    province: Ledger, clerk: Clerk
) -> None:
    action = decide(recipients=[{"person": {"name": SECRET, "unit": "TN-X9"}}])

    assert refusal(province, clerk, action) == Refusal(
        NotFoundError, "unit 'TN-X9' is not registered: record it with 'antq unit register'", True
    )


@pytest.mark.parametrize(
    "action",
    [present(), annul(), correct(1, {"unit": "TN-X2"})],
    ids=lambda action: action.ACTION,
)
def test_an_award_that_is_not_recorded_is_not_found(province: Ledger, clerk: Clerk, action) -> None:
    assert refusal(province, clerk, action) == Refusal(
        NotFoundError,
        "award UBND-TN 2023 12/QĐ-UBND is not recorded: check the issuer, year and decision number",
        True,
    )


def test_presenting_twice_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, decide(), present())

    assert refusal(province, clerk, present("2023-12-22")) == Refusal(
        RuleViolation, "award UBND-TN 2023 12/QĐ-UBND was already presented on 20/12/2023", True
    )


@pytest.mark.parametrize(
    ("action", "doing"),
    [
        (present("2024-03-02"), "presented"),
        (correct(1, {"unit": "TN-X2"}, "2024-03-02"), "corrected"),
        (annul("2024-03-02"), "annulled again"),
    ],
    ids=["present", "correct", "annul"],
)
def test_an_annulled_award_cannot_be_changed(
    province: Ledger, clerk: Clerk, action, doing: str
) -> None:
    record(province, clerk, decide(), annul())

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        f"award UBND-TN 2023 12/QĐ-UBND was annulled on 01/03/2024: it cannot be {doing}",
        True,
    )


@pytest.mark.parametrize(
    ("line", "recipient", "message"),
    [
        (
            1,
            {"person": {"name": "Trần Thị Bình", "unit": "TN-X1"}},
            "line 1 is a collective recipient; a correction cannot make it individual",
        ),
        (
            2,
            {"unit": "TN-X2"},
            "line 2 is an individual recipient; a correction cannot make it collective",
        ),
        (3, {"unit": "TN-X2"}, "has 2 lines, not 3"),
    ],
    ids=["collective-to-individual", "individual-to-collective", "no-such-line"],
)
def test_a_correction_cannot_change_the_kind_of_recipient_or_invent_a_line(
    province: Ledger, clerk: Clerk, line: int, recipient: dict, message: str
) -> None:
    record(province, clerk, decide())

    assert refusal(province, clerk, correct(line, recipient)) == Refusal(
        RuleViolation, f"award UBND-TN 2023 12/QĐ-UBND {message}", True
    )


def test_a_correction_keeps_the_person_and_replaces_the_line(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        decide(),
        correct(2, {"person": {"name": "Nguyễn Văn Bí", "unit": "TN-X2"}}),
    )
    decided, corrected = province.history("award", ["UBND-TN", "2023", "12/QĐ-UBND"])
    person = decided["lines"][1]["person"]["id"]

    assert corrected["line"] == {
        "line": 2,
        "unit": "TN-X2",
        "recipient": "individual",
        "person": {"id": person, "name": "Nguyễn Văn Bí"},
    }


def found_in_storage(db: Path, texts: list[str]) -> dict[str, tuple[bool, bool]]:
    """For each text: is it in some stored event's state, and anywhere in the database files?"""
    files = b"".join(path.read_bytes() for path in db.parent.glob(db.name + "*"))
    with sqlite3.connect(db) as connection:
        states = [
            json.dumps(json.loads(state), ensure_ascii=False)
            for (state,) in connection.execute("SELECT state FROM stored_events")
        ]
    return {
        text: (any(text in state for state in states), text.encode() in files) for text in texts
    }


CORRECTED = "Lê Thị Kín Đáo"


def test_history_shows_individual_names_unsealed(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, decide(), correct(2, {"person": {"name": CORRECTED, "unit": "TN-X1"}}))
    decided, corrected = province.history("award", ["UBND-TN", "2023", "12/QĐ-UBND"])

    assert (decided["lines"][1]["person"]["name"], corrected["line"]["person"]["name"]) == (
        SECRET,
        CORRECTED,
    )


@sqlite_only  # scans the database file's bytes
def test_individual_names_are_never_stored_in_clear_text(
    province: Ledger, clerk: Clerk, tmp_path: Path
) -> None:
    record(province, clerk, decide(), correct(2, {"person": {"name": CORRECTED, "unit": "TN-X1"}}))

    # The clerk's name is stored in clear text: it proves the search finds what is there.
    assert found_in_storage(tmp_path / "antq.db", [SECRET, CORRECTED, clerk.actor]) == {
        SECRET: (False, False),
        CORRECTED: (False, False),
        clerk.actor: (True, True),
    }


def test_a_correction_cannot_list_a_unit_twice(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, decide(recipients=[{"unit": "TN-X1"}, {"unit": "TN-X2"}]))

    assert refusal(province, clerk, correct(2, {"unit": "xã hoà bình"})) == Refusal(
        RuleViolation,
        "award UBND-TN 2023 12/QĐ-UBND line 2: unit TN-X1 is already listed on line 1",
        True,
    )


def test_a_correction_may_name_the_same_unit_its_line_had(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        decide(recipients=[{"unit": "TN-X1"}, {"unit": "TN-X2"}]),
        correct(2, {"unit": "TN-X2"}),
    )

    assert events(province, "award", "UBND-TN", "2023", "12/QĐ-UBND") == [
        "Decided",
        "LineCorrected",
    ]
