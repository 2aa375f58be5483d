"""Whole lifecycles of each record, the provenance every event carries, and the time rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

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
    ModelReview,
    ModelSuspend,
    SafetyAnnul,
    SafetyDeny,
    SafetyRecognise,
    SafetyRegister,
    UnitDissolve,
    UnitMerge,
    UnitRegister,
    UnitRename,
)
from ledger.errors import InvalidInput, RuleViolation

from .support import Refusal, events, record, refusal

AWARD = {"issuer": "UBND-TN", "decision": "12/QĐ-UBND", "year": 2023}
CASE = {"unit": "TN-X1", "case": "HG-02"}
SAFETY = {"unit": "TN-X1-T1", "year": 2023}

# name: (actions, kind, key, expected event names in order)
LIFECYCLES: dict[str, tuple[list[Action], str, list[str], list[str]]] = {
    "unit-renamed-then-merged": (
        [
            UnitRename(code="TN-X1", name="Xã Hòa Bình Mới", effective_on="2020-01-01"),
            UnitMerge(codes=["TN-X1"], into="TN-X2", effective_on="2025-07-01"),
        ],
        "unit",
        ["TN-X1"],
        ["Registered", "Renamed", "MergedInto"],
    ),
    "unit-absorbing-a-merge": (
        [UnitMerge(codes=["TN-X1"], into="TN-X2", effective_on="2025-07-01")],
        "unit",
        ["TN-X2"],
        ["Registered", "Absorbed"],
    ),
    "unit-dissolved": (
        [UnitDissolve(code="TN-S1", effective_on="2024-08-31")],
        "unit",
        ["TN-S1"],
        ["Registered", "Dissolved"],
    ),
    "safety-recognised-annulled-recognised": (
        [
            SafetyRegister(**SAFETY, effective_on="10/02/2023"),
            SafetyRecognise(**SAFETY, effective_on="05/11/2023", decision="101/QĐ-UBND"),
            SafetyAnnul(**SAFETY, effective_on="15/04/2024", reason="hồ sơ giả mạo"),
            SafetyRecognise(**SAFETY, effective_on="20/05/2024", decision="7/QĐ-UBND"),
        ],
        "safety",
        ["TN-X1-T1", "2023"],
        ["Registered", "Recognised", "Annulled", "Recognised"],
    ),
    "safety-denied": (
        [
            SafetyRegister(**SAFETY, effective_on="10/02/2023"),
            SafetyDeny(**SAFETY, effective_on="05/11/2023", reason="có vụ việc phức tạp"),
        ],
        "safety",
        ["TN-X1-T1", "2023"],
        ["Registered", "Denied"],
    ),
    "model-full-life": (
        [
            ModelRegister(
                code="MH-CAM",
                name="Camera với ANTT",
                field="an ninh trật tự",
                unit="TN-X1",
                effective_on="2023-03-01",
            ),
            ModelReplicate(code="MH-CAM", unit="TN-X2", effective_on="2023-06-01"),
            ModelRecognise(code="MH-CAM", effective_on="2023-09-09", decision="9/QĐ"),
            ModelReview(code="MH-CAM", effective_on="2023-12-01", finding="sơ kết"),
            ModelSuspend(code="MH-CAM", effective_on="2024-02-01", reason="tạm ngừng"),
            ModelReinstate(code="MH-CAM", effective_on="2024-03-01"),
            ModelReplicate(code="MH-CAM", unit="TN-X1-T1", effective_on="2024-04-01"),
            ModelDissolve(code="MH-CAM", effective_on="2025-01-01", reason="không còn hoạt động"),
        ],
        "model",
        ["MH-CAM"],
        [
            "Registered",
            "Replicated",
            "RecognisedEffective",
            "Reviewed",
            "Suspended",
            "Reinstated",
            "Replicated",
            "Dissolved",
        ],
    ),
    "award-presented-corrected-annulled": (
        [
            AwardDecide(
                issuer="UBND-TN",
                decision="12/QĐ-UBND",
                level="province",
                form="bang_khen",
                effective_on="2023-12-15",
                recipients=[{"unit": "TN-X1"}, {"person": {"name": "Trần Thị B", "unit": "TN-X2"}}],
            ),
            AwardPresent(**AWARD, effective_on="2023-12-20", presenter="Chủ tịch UBND tỉnh"),
            AwardCorrect(
                **AWARD,
                effective_on="2024-01-05",
                line=1,
                recipient={"unit": "TN-X2"},
                reason="ghi nhầm đơn vị",
            ),
            AwardAnnul(**AWARD, effective_on="2025-03-01", reason="Điều 93"),
        ],
        "award",
        ["UBND-TN", "2023", "12/QĐ-UBND"],
        ["Decided", "Presented", "LineCorrected", "Annulled"],
    ),
    "dispute-failed-resumed-settled-closed": (
        [
            DisputeReceive(**CASE, effective_on="2023-05-01", summary="tranh chấp lối đi"),
            DisputeAssign(**CASE, team="Tổ hòa giải", effective_on="2023-05-02"),
            DisputeFail(**CASE, effective_on="2023-05-10"),
            DisputeResume(**CASE, effective_on="2023-06-01"),
            DisputeSettle(**CASE, effective_on="2023-06-05"),
            DisputeClose(**CASE, effective_on="2023-06-30"),
        ],
        "dispute",
        ["TN-X1", "HG-02"],
        ["Received", "Assigned", "Failed", "Resumed", "Settled", "Closed"],
    ),
    "dispute-failed-referred-closed": (
        [
            DisputeReceive(**CASE, effective_on="2023-05-01"),
            DisputeFail(**CASE, effective_on="2023-05-10"),
            DisputeRefer(**CASE, to="Tòa án nhân dân", effective_on="2023-05-20"),
            DisputeClose(**CASE, effective_on="2023-06-30"),
        ],
        "dispute",
        ["TN-X1", "HG-02"],
        ["Received", "Failed", "Referred", "Closed"],
    ),
}


@pytest.mark.parametrize("name", LIFECYCLES)
def test_a_valid_lifecycle_is_recorded_as_its_events_in_order(
    province: Ledger, clerk: Clerk, name: str
) -> None:
    actions, kind, key, expected = LIFECYCLES[name]
    record(province, clerk, *actions)

    assert events(province, kind, *key) == expected


def with_source(action: Action, number: int) -> Action:
    return action.model_copy(update={"source": f"Quyết định số {number}/QĐ-UBND"})


@pytest.mark.parametrize("name", LIFECYCLES)
def test_every_event_carries_actor_role_dates_and_source(
    province: Ledger, clerk: Clerk, name: str
) -> None:
    actions, kind, key, _ = LIFECYCLES[name]
    before = datetime.now().astimezone()
    record(province, clerk, *(with_source(a, n) for n, a in enumerate(actions, start=1)))
    trail = province.history(kind, key)[-len(actions) :]
    after = datetime.now().astimezone()

    provenance = [
        (
            entry["actor"],
            entry["role"],
            entry["effective_on"],
            before <= entry["recorded_at"] <= after,
            entry["source"],
        )
        for entry in trail
    ]

    assert provenance == [
        ("Nguyễn Thị Thư Ký", "CA_XA", action.effective_on, True, f"Quyết định số {n}/QĐ-UBND")
        for n, action in enumerate(actions, start=1)
    ]


def test_an_action_names_its_own_actor_and_role_over_the_clerks(
    province: Ledger, clerk: Clerk
) -> None:
    action = SafetyRegister(
        **SAFETY, effective_on="2023-02-10", actor="Trần Văn Trưởng", role="TRUONG_THON"
    )
    record(province, clerk, action)
    entry = province.history("safety", ["TN-X1-T1", "2023"])[0]

    assert (entry["actor"], entry["role"]) == ("Trần Văn Trưởng", "TRUONG_THON")


def test_a_clerk_without_a_role_records_as_clerk(province: Ledger) -> None:
    record(province, Clerk(actor="Lê Văn Ghi"), SafetyRegister(**SAFETY, effective_on="2023-02-10"))
    entry = province.history("safety", ["TN-X1-T1", "2023"])[0]

    assert (entry["actor"], entry["role"]) == ("Lê Văn Ghi", "clerk")


def test_nothing_is_recorded_without_an_actor(province: Ledger) -> None:
    before = province.recorder.max_notification_id()
    with pytest.raises(InvalidInput) as refused:
        province.execute(SafetyRegister(**SAFETY, effective_on="2023-02-10"), Clerk(actor=None))

    assert (refused.value.problems, province.recorder.max_notification_id()) == (
        ["actor: required to write: give --actor NAME or set ANTQ_ACTOR"],
        before,
    )


def test_every_event_in_the_log_has_a_timezone_aware_recording_time(
    province: Ledger, clerk: Clerk
) -> None:
    for name in (
        "unit-renamed-then-merged",
        "safety-denied",
        "model-full-life",
        "award-presented-corrected-annulled",
        "dispute-failed-resumed-settled-closed",
    ):
        record(province, clerk, *LIFECYCLES[name][0])

    naive = [entry for entry in province.log() if entry["recorded_at"].utcoffset() is None]

    assert naive == []


def test_the_log_lists_events_in_commit_order_with_their_records(
    province: Ledger, clerk: Clerk
) -> None:
    since = province.recorder.max_notification_id()
    record(
        province,
        clerk,
        SafetyRegister(**SAFETY, effective_on="2023-02-10"),
        SafetyRecognise(**SAFETY, effective_on="2023-11-05"),
    )
    entries = [
        (entry["position"] - since, entry["record"], entry["event"], entry["effective_on"])
        for entry in province.log(since=since)
    ]

    assert entries == [
        (1, "safety TN-X1-T1 2023", "Registered", date(2023, 2, 10)),
        (2, "safety TN-X1-T1 2023", "Recognised", date(2023, 11, 5)),
    ]


def test_history_as_of_a_legal_date_leaves_out_later_events(province: Ledger, clerk: Clerk) -> None:
    actions, kind, key, _ = LIFECYCLES["safety-recognised-annulled-recognised"]
    record(province, clerk, *actions)

    as_of = [entry["event"] for entry in province.history(kind, key, as_of=date(2024, 1, 1))]

    assert as_of == ["Registered", "Recognised"]


BEFORE_START = {
    "safety": (
        [SafetyRegister(**SAFETY, effective_on="10/02/2023")],
        SafetyRecognise(**SAFETY, effective_on="09/02/2023"),
        "safety TN-X1-T1 2023 began on 10/02/2023",
        "09/02/2023",
    ),
    "model": (
        [
            ModelRegister(
                code="MH-1", name="Camera", field="an ninh", unit="TN-X1", effective_on="2023-03-01"
            )
        ],
        ModelReplicate(code="MH-1", unit="TN-X2", effective_on="2023-02-28"),
        "model MH-1 began on 01/03/2023",
        "28/02/2023",
    ),
    "award": (
        [
            AwardDecide(
                issuer="UBND-TN",
                decision="12/QĐ-UBND",
                level="province",
                form="bang_khen",
                effective_on="2023-12-15",
                recipients=[{"unit": "TN-X1"}],
            )
        ],
        AwardPresent(**AWARD, effective_on="2023-12-14"),
        "award UBND-TN 2023 12/QĐ-UBND began on 15/12/2023",
        "14/12/2023",
    ),
    "dispute": (
        [DisputeReceive(**CASE, effective_on="2023-05-01")],
        DisputeSettle(**CASE, effective_on="2023-04-30"),
        "dispute TN-X1 HG-02 began on 01/05/2023",
        "30/04/2023",
    ),
}


@pytest.mark.parametrize("kind", BEFORE_START)
def test_an_event_dated_before_its_record_began_is_refused(
    province: Ledger, clerk: Clerk, kind: str
) -> None:
    history, action, began, day = BEFORE_START[kind]
    record(province, clerk, *history)

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, f"{began}: an event cannot take effect before that ({day})", True
    )


def test_an_event_dated_the_day_its_record_began_is_accepted(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        DisputeReceive(**CASE, effective_on="2023-05-01"),
        DisputeSettle(**CASE, effective_on="2023-05-01"),
    )

    assert events(province, "dispute", "TN-X1", "HG-02") == ["Received", "Settled"]


def test_a_unit_event_dated_before_the_unit_was_registered_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    action = UnitRename(code="TN-S1", name="Trường Mới", effective_on="2010-08-31")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation,
        "unit TN-S1 was registered on 01/09/2010, after 31/08/2010: check the date",
        True,
    )


def test_a_unit_registered_in_the_past_is_recorded_now(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        UnitRegister(
            code="TN-X1-T4",
            name="Thôn 4",
            kind="residential_area",
            parent="TN-X1",
            effective_on="2004-01-01",
        ),
    )
    entry = province.history("unit", ["TN-X1-T4"])[0]

    assert (entry["effective_on"], entry["recorded_at"].date() > date(2004, 1, 1)) == (
        date(2004, 1, 1),
        True,
    )
