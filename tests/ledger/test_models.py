"""Self-management models: registration, replication to sites, recognition, suspension."""

from __future__ import annotations

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    ModelDissolve,
    ModelRecognise,
    ModelRegister,
    ModelReinstate,
    ModelReplicate,
    ModelReview,
    ModelSuspend,
)
from ledger.errors import AlreadyRecordedError, NotFoundError, RuleViolation

from .support import Refusal, events, record, refusal

REGISTER = ModelRegister(
    code="MH-CAM",
    name="Camera với ANTT",
    field="an ninh trật tự",
    unit="TN-X1",
    effective_on="2023-03-01",
    sponsor="MTTQ",
)


def suspend(on: str = "2023-05-01") -> ModelSuspend:
    return ModelSuspend(code="MH-CAM", effective_on=on, reason="tạm ngừng hoạt động")


def dissolve(on: str = "2023-10-01") -> ModelDissolve:
    return ModelDissolve(code="MH-CAM", effective_on=on, reason="không còn hoạt động")


def test_registering_a_model_code_twice_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, REGISTER)
    again = ModelRegister(
        code="mh-cam", name="Khác", field="khác", unit="TN-X2", effective_on="2023-04-01"
    )

    assert refusal(province, clerk, again) == Refusal(
        AlreadyRecordedError, "model MH-CAM is already recorded", True
    )


@pytest.mark.parametrize("site", ["TN-X1", "xã hoà bình"], ids=["first-site", "by-name"])
def test_replicating_to_a_site_the_model_runs_at_is_refused(
    province: Ledger, clerk: Clerk, site: str
) -> None:
    record(province, clerk, REGISTER)
    action = ModelReplicate(code="MH-CAM", unit=site, effective_on="2023-06-01")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "model MH-CAM already runs at TN-X1", True
    )


def test_replicating_twice_to_a_new_site_is_refused(province: Ledger, clerk: Clerk) -> None:
    replicate = ModelReplicate(code="MH-CAM", unit="TN-X2", effective_on="2023-06-01")
    record(province, clerk, REGISTER, replicate)

    assert refusal(province, clerk, replicate) == Refusal(
        RuleViolation, "model MH-CAM already runs at TN-X2", True
    )


def test_recognising_a_model_twice_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, REGISTER, ModelRecognise(code="MH-CAM", effective_on="2023-09-09"))
    again = ModelRecognise(code="MH-CAM", effective_on="2024-09-09", decision="9/QĐ")

    assert refusal(province, clerk, again) == Refusal(
        RuleViolation, "model MH-CAM was already recognised as effective on 09/09/2023", True
    )


@pytest.mark.parametrize(
    ("action", "doing"),
    [
        (ModelReplicate(code="MH-CAM", unit="TN-X2", effective_on="2023-06-01"), "replicated"),
        (ModelRecognise(code="MH-CAM", effective_on="2023-06-01"), "recognised as effective"),
        (suspend("2023-06-01"), "suspended"),
    ],
    ids=lambda value: getattr(value, "ACTION", ""),
)
def test_a_suspended_model_cannot_grow_or_be_recognised(
    province: Ledger, clerk: Clerk, action, doing: str
) -> None:
    record(province, clerk, REGISTER, suspend())

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, f"model MH-CAM is suspended: it cannot be {doing}", True
    )


def test_a_reinstated_model_replicates_again(province: Ledger, clerk: Clerk) -> None:
    record(
        province,
        clerk,
        REGISTER,
        suspend(),
        ModelReview(code="MH-CAM", effective_on="2023-05-15", finding="cần củng cố"),
        ModelReinstate(code="MH-CAM", effective_on="2023-06-01"),
        ModelReplicate(code="MH-CAM", unit="TN-X2", effective_on="2023-06-02"),
    )

    assert events(province, "model", "MH-CAM") == [
        "Registered",
        "Suspended",
        "Reviewed",
        "Reinstated",
        "Replicated",
    ]


def test_reinstating_an_active_model_is_refused(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, REGISTER)
    action = ModelReinstate(code="MH-CAM", effective_on="2023-06-01")

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, "model MH-CAM is active: it cannot be reinstated", True
    )


@pytest.mark.parametrize(
    ("action", "doing"),
    [
        (ModelReplicate(code="MH-CAM", unit="TN-X2", effective_on="2023-11-01"), "replicated"),
        (ModelRecognise(code="MH-CAM", effective_on="2023-11-01"), "recognised as effective"),
        (ModelReview(code="MH-CAM", effective_on="2023-11-01"), "reviewed"),
        (suspend("2023-11-01"), "suspended"),
        (ModelReinstate(code="MH-CAM", effective_on="2023-11-01"), "reinstated"),
        (dissolve("2023-11-01"), "dissolved"),
    ],
    ids=lambda value: getattr(value, "ACTION", ""),
)
def test_a_dissolved_model_is_final(province: Ledger, clerk: Clerk, action, doing: str) -> None:
    record(province, clerk, REGISTER, dissolve())

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, f"model MH-CAM is dissolved: it cannot be {doing}", True
    )


def test_a_suspended_model_can_be_dissolved(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, REGISTER, suspend(), dissolve())

    assert events(province, "model", "MH-CAM") == ["Registered", "Suspended", "Dissolved"]


@pytest.mark.parametrize(
    "action",
    [
        ModelRecognise(code="MH-NOPE", effective_on="2023-11-01"),
        ModelReplicate(code="MH-NOPE", unit="TN-X2", effective_on="2023-11-01"),
        ModelDissolve(code="MH-NOPE", effective_on="2023-11-01", reason="x"),
    ],
    ids=lambda action: action.ACTION,
)
def test_a_model_that_is_not_registered_is_not_found(
    province: Ledger, clerk: Clerk, action
) -> None:
    assert refusal(province, clerk, action) == Refusal(
        NotFoundError,
        "model 'MH-NOPE' is not registered: record it with 'antq model register'",
        True,
    )
