"""A person's sealed data as a record of its own: each viewing, and erasure by destroying the
person's key (crypto-shredding), which leaves the log, its counts and its hashes as they were."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from uuid import UUID

import pytest

from ledger.application import Clerk, Ledger, apply
from ledger.audit import verify
from ledger.commands import (
    AwardCorrect,
    AwardDecide,
    DisputeReceive,
    PersonErase,
    PersonView,
    build,
)
from ledger.errors import InvalidInput, NotFoundError, RuleViolation
from ledger.imports import import_bytes
from ledger.people import appearances
from ledger.persons import ERASED
from ledger.text import format_date, today

from ..conftest import sqlite_only
from .support import Refusal, events, record, refusal
from .test_awards import found_in_storage

AWARD = ["UBND-TN", "2023", "12/QĐ-UBND"]
KEY = {"issuer": "UBND-TN", "decision": "12/QĐ-UBND", "year": 2023}
SECRET = "Nguyễn Văn Bí Mật"
OTHER = "Trần Thị Hiển Nhiên"
SUMMARY = "Ông Lê Văn Tám tranh chấp ranh giới với bà Phạm Thị Chín"
DPO = Clerk(actor="Phạm Văn Bảo Vệ", role="DPO")
REASON = "rút lại sự đồng ý (NĐ 13/2023 Điều 16)"

DECIDE = AwardDecide(
    issuer="UBND-TN",
    decision="12/QĐ-UBND",
    level="province",
    form="bang_khen",
    effective_on="2023-12-15",
    recipients=[
        {"unit": "TN-X1"},
        {"person": {"name": SECRET, "birth_year": 1980, "unit": "TN-X1"}},
        {"person": {"name": OTHER, "unit": "TN-X2"}},
    ],
)
RECEIVE = DisputeReceive(
    unit="TN-X1", case="HG-01", effective_on="2023-05-01", category="đất đai", summary=SUMMARY
)


def erase(person: str) -> PersonErase:
    """Erase, as of today (the default): a person's record begins with its first viewing,
    which is always dated today, and a record's life runs forward."""
    return PersonErase(person=person, reason=REASON)


def erased_message(person: str) -> str:
    return (
        f"person {person} was erased on {format_date(today())} ({REASON}): "
        "their data no longer exists"
    )


def correct(name: str, line: int = 2) -> AwardCorrect:
    return AwardCorrect(
        **KEY,
        effective_on="2023-12-21",
        line=line,
        recipient={"person": {"name": name, "unit": "TN-X1"}},
        reason="đính chính",
    )


@pytest.fixture
def people(province: Ledger, clerk: Clerk) -> Ledger:
    """The province with an award to a collective and two individuals, and a sealed dispute."""
    record(province, clerk, DECIDE, RECEIVE)
    return province


def person_on(ledger: Ledger, line: int) -> str:
    """The person id history shows for an award line."""
    return ledger.history("award", AWARD)[0]["lines"][line - 1]["person"]["id"]


def summary_subject(ledger: Ledger) -> str:
    """The person id the dispute's summary is sealed under (read from the event itself)."""
    case = ledger.find("dispute", ["TN-X1", "HG-01"])
    return next(iter(ledger.events.get(case.id, limit=1))).summary_subject


# --- erasure: unreadable everywhere, and only that person ------------------------------------


def test_an_erased_person_shows_as_erased_on_their_line_only(people: Ledger, clerk: Clerk) -> None:
    person = person_on(people, 2)
    record(people, DPO, erase(person))

    assert people.history("award", AWARD)[0]["lines"] == [
        {"line": 1, "unit": "TN-X1", "recipient": "collective"},
        {
            "line": 2,
            "unit": "TN-X1",
            "recipient": "individual",
            "person": {"id": person, "name": ERASED, "erased": True},
        },
        {
            "line": 3,
            "unit": "TN-X2",
            "recipient": "individual",
            "person": {"id": person_on(people, 3), "name": OTHER},
        },
    ]


def test_an_erased_person_shows_as_erased_in_every_line_correcting_theirs(
    people: Ledger, clerk: Clerk
) -> None:
    person = person_on(people, 2)
    record(people, clerk, correct("Nguyễn Văn Bí Mật Hai"))
    record(people, DPO, erase(person))
    decided, corrected = people.history("award", AWARD)

    assert (decided["lines"][1]["person"], corrected["line"]["person"]) == (
        {"id": person, "name": ERASED, "erased": True},
        {"id": person, "name": ERASED, "erased": True},
    )


def test_an_erased_dispute_summary_shows_as_erased(people: Ledger, clerk: Clerk) -> None:
    record(people, DPO, erase(summary_subject(people)))

    assert people.history("dispute", ["TN-X1", "HG-01"])[0]["summary"] == ERASED


def test_erasure_destroys_the_key_but_the_person_stays_known(people: Ledger) -> None:
    person = person_on(people, 2)
    assert people.recorder.key_for(UUID(person)) is not None

    record(people, DPO, erase(person))

    assert (people.recorder.key_for(UUID(person)), people.recorder.has_subject(UUID(person))) == (
        None,
        True,
    )


def test_erasure_leaves_the_log_and_its_integrity_tree_verifiable(people: Ledger) -> None:
    before = verify(people.recorder)
    record(people, DPO, erase(person_on(people, 2)), erase(summary_subject(people)))
    after = verify(people.recorder)

    # Opened and Erased for each of the two people: the log only grew.
    assert (after.tree_size, after.log_position) == (before.tree_size + 4, before.log_position + 4)


# --- the record of what was done with the data: who, when, why ------------------------------


def test_viewing_and_erasure_are_events_with_who_when_and_why(people: Ledger, clerk: Clerk) -> None:
    person = person_on(people, 2)
    record(people, clerk, PersonView(person=person, purpose="xác minh hồ sơ"))
    record(people, DPO, erase(person))

    trail = people.history("person", [person])
    assert [
        (e["event"], e["actor"], e["role"], e.get("purpose"), e.get("reason")) for e in trail
    ] == [
        ("Opened", clerk.actor, clerk.role, None, None),
        ("Viewed", clerk.actor, clerk.role, "xác minh hồ sơ", None),
        ("Erased", DPO.actor, DPO.role, None, REASON),
    ]
    assert trail[-1]["effective_on"] == today()


def test_erasing_a_person_never_viewed_opens_their_record_and_erases_it_today(
    people: Ledger,
) -> None:
    person = summary_subject(people)
    record(people, DPO, PersonErase(person=person, reason=REASON))

    assert [(e["event"], e["effective_on"]) for e in people.history("person", [person])] == [
        ("Opened", today()),
        ("Erased", today()),
    ]


def test_a_person_id_is_accepted_with_dashes_and_capitals(people: Ledger, clerk: Clerk) -> None:
    person = person_on(people, 2)
    record(people, clerk, PersonView(person=str(UUID(person)).upper(), purpose="kiểm tra"))

    assert events(people, "person", person) == ["Opened", "Viewed"]


# --- where a person's data is, opened --------------------------------------------------------


def test_appearances_open_each_place_a_persons_data_is_sealed(people: Ledger, clerk: Clerk) -> None:
    person = person_on(people, 2)
    record(people, clerk, correct("Nguyễn Văn Bí Mật Hai"))
    found = list(appearances(people, person))
    decided, corrected = (item["position"] for item in found)

    assert (decided < corrected, [{**i, "position": None} for i in found]) == (
        True,
        [
            {
                "position": None,
                "record": "award UBND-TN 2023 12/QĐ-UBND",
                "event": "Decided",
                "where": "line 2",
                "name": SECRET,
                "birth_year": 1980,
            },
            {
                "position": None,
                "record": "award UBND-TN 2023 12/QĐ-UBND",
                "event": "LineCorrected",
                "where": "line 2",
                "name": "Nguyễn Văn Bí Mật Hai",
            },
        ],
    )


def test_appearances_of_a_dispute_summary(people: Ledger) -> None:
    assert [
        {k: v for k, v in item.items() if k != "position"}
        for item in appearances(people, summary_subject(people))
    ] == [
        {
            "record": "dispute TN-X1 HG-01",
            "event": "Received",
            "where": "summary",
            "summary": SUMMARY,
        }
    ]


# --- refusals: each writes nothing -----------------------------------------------------------


def test_an_unknown_person_is_not_found(people: Ledger, clerk: Clerk) -> None:
    unknown = "0" * 32

    assert refusal(people, clerk, PersonView(person=unknown)) == Refusal(
        NotFoundError, f"person {unknown}: no personal data is recorded under this id", True
    )


def test_a_record_id_is_not_a_person(people: Ledger, clerk: Clerk) -> None:
    # The award's own id is a valid UUID, but nothing is sealed under it.
    award = people.find("award", AWARD).id.hex

    assert refusal(people, clerk, erase(award)).error is NotFoundError


@pytest.mark.parametrize("value", ["xyz", "0" * 31, "g" * 32, ""])
def test_a_malformed_person_id_is_invalid_input_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build(PersonView, person=value)

    assert [problem.split(":")[0] for problem in caught.value.problems] == ["person"]


def test_erasing_twice_is_refused_saying_when_and_why(people: Ledger) -> None:
    person = person_on(people, 2)
    record(people, DPO, erase(person))

    assert refusal(people, DPO, erase(person)) == Refusal(
        RuleViolation, erased_message(person), True
    )


def test_viewing_an_erased_person_is_refused(people: Ledger, clerk: Clerk) -> None:
    person = person_on(people, 2)
    record(people, DPO, erase(person))

    assert refusal(people, clerk, PersonView(person=person, purpose="tò mò")) == Refusal(
        RuleViolation, erased_message(person), True
    )


def test_an_erased_persons_line_cannot_be_corrected_with_a_new_name(
    people: Ledger, clerk: Clerk
) -> None:
    person = person_on(people, 2)
    record(people, DPO, erase(person))

    assert refusal(people, clerk, correct("Tên Mới")) == Refusal(
        RuleViolation, f"person {person} was erased: their data cannot be recorded again", True
    )
    assert people.recorder.key_for(UUID(person)) is None


def test_another_persons_line_is_still_corrected_after_an_erasure(
    people: Ledger, clerk: Clerk
) -> None:
    record(people, DPO, erase(person_on(people, 2)))
    record(people, clerk, correct("Trần Thị Hiển", line=3))

    assert people.history("award", AWARD)[-1]["line"]["person"]["name"] == "Trần Thị Hiển"


def test_an_import_cannot_record_data_for_a_person_it_erases(people: Ledger, clerk: Clerk) -> None:
    person = person_on(people, 2)
    lines = [
        {
            "action": "person.erase",
            "person": person,
            "reason": REASON,
            "effective_on": "2024-02-01",
        },
        {"action": "award.correct", **correct("Tên Mới Sau Khi Xoá").model_dump(mode="json")},
    ]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    before = people.recorder.max_notification_id()

    with pytest.raises(RuleViolation, match="cannot be recorded again"):
        import_bytes(people, "erase-then-correct.jsonl", data, clerk)

    assert people.recorder.max_notification_id() == before


def test_an_erasure_dated_before_the_last_viewing_is_refused_and_keeps_the_key(
    people: Ledger, clerk: Clerk
) -> None:
    person = person_on(people, 2)
    key = people.recorder.key_for(UUID(person))
    record(people, clerk, PersonView(person=person, purpose="xác minh"))  # dated today
    backdated = PersonErase(person=person, reason=REASON, effective_on="2024-02-01")

    assert refusal(people, DPO, backdated) == Refusal(
        RuleViolation,
        f"person {person} began on {format_date(today())}: an event cannot take effect "
        "before that (01/02/2024)",
        True,
    )
    assert people.recorder.key_for(UUID(person)) == key


# --- the erasure is atomic --------------------------------------------------------------------


def test_a_conflicting_erasure_is_rolled_back_with_its_key(people: Ledger, clerk: Clerk) -> None:
    from eventsourcing.persistence import IntegrityError

    person = person_on(people, 2)
    key = people.recorder.key_for(UUID(person))
    session = people.session()
    apply(session, erase(person), DPO.entry_for(erase(person)))
    erasure, keys = session.collect()
    record(people, clerk, PersonView(person=person))  # another writer opens the record first
    before = people.recorder.max_notification_id()

    with pytest.raises(IntegrityError):
        people.store(erasure, keys)

    assert keys == {UUID(person): None}  # the erasure did ask for the key to be destroyed
    assert (people.recorder.key_for(UUID(person)), people.recorder.max_notification_id()) == (
        key,
        before,
    )


def test_an_erasure_retried_after_a_conflict_destroys_the_key_once(
    people: Ledger, clerk: Clerk, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = person_on(people, 2)
    other = Ledger(db_url)
    store = people.store
    calls: list[int] = []

    def store_after_another_writer(events, keys):
        if not calls:  # another writer opens the person's record between read and write
            other.execute(PersonView(person=person, purpose="song song"), clerk)
        calls.append(1)
        return store(events, keys)

    monkeypatch.setattr(people, "store", store_after_another_writer)
    try:
        record(people, DPO, erase(person))
    finally:
        other.close()

    assert (
        len(calls),
        events(people, "person", person),
        people.recorder.key_for(UUID(person)),
    ) == (
        2,
        ["Opened", "Viewed", "Erased"],
        None,
    )


# --- storage: no personal field in clear text; the key row emptied ---------------------------


def stored_key_column(db: Path, person: str) -> list[object]:
    with sqlite3.connect(db) as connection:
        return [
            key
            for (key,) in connection.execute(
                "SELECT key FROM subject_keys WHERE subject_id = ?", (person,)
            )
        ]


@sqlite_only  # scans the database file's bytes
def test_personal_fields_are_never_stored_in_clear_text_before_or_after_erasure(
    people: Ledger, clerk: Clerk, tmp_path: Path
) -> None:
    db = tmp_path / "antq.db"
    person, subject = person_on(people, 2), summary_subject(people)
    texts = [SECRET, OTHER, "Lê Văn Tám", clerk.actor]
    # The clerk's name is stored in clear text: it proves the search finds what is there.
    clear = {SECRET: (False, False), OTHER: (False, False), "Lê Văn Tám": (False, False)}
    assert found_in_storage(db, texts) == {**clear, clerk.actor: (True, True)}

    record(people, clerk, PersonView(person=person, purpose="xác minh"))
    record(people, DPO, erase(person), erase(subject))

    assert found_in_storage(db, texts) == {**clear, clerk.actor: (True, True)}
    assert [stored_key_column(db, s) for s in (person, subject)] == [[None], [None]]
    assert [len(key) for key in stored_key_column(db, person_on(people, 3))] == [32]


@sqlite_only  # scans the database file's bytes
def test_an_erased_key_leaves_no_copy_in_the_database_files(people: Ledger, tmp_path: Path) -> None:
    person, other = person_on(people, 2), person_on(people, 3)
    key, other_key = (people.recorder.key_for(UUID(p)) for p in (person, other))

    def stored() -> bytes:
        return b"".join(path.read_bytes() for path in tmp_path.glob("antq.db*"))

    assert (key in stored(), other_key in stored()) == (True, True)  # the scan sees keys
    record(people, DPO, erase(person))

    assert (key in stored(), other_key in stored()) == (False, True)
