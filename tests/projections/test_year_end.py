"""Models count as they stood at the end of the evaluation year; annulled awards drop out now
but stay in what the ledger knew before the annulment was recorded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from ledger.application import Clerk, Ledger
from ledger.commands import (
    AwardAnnul,
    AwardDecide,
    ModelDissolve,
    ModelRecognise,
    ModelRegister,
    ModelReplicate,
)
from projections.runner import Projector
from projections.standings import Point, standings

from .conftest import moment, record, unit

PROVINCE = (
    unit("P", "province"),
    unit("P-X1", "commune", "P"),
    unit("P-X2", "commune", "P"),
)


def model(code: str, on: str, field: str = "an ninh trật tự") -> ModelRegister:
    return ModelRegister(code=code, name=f"Mô hình {code}", field=field, unit="P-X1",
                         effective_on=on)  # fmt: skip


@pytest.fixture
def models(ledger: Ledger, clerk: Clerk, projector: Projector) -> Engine:
    """M1 runs from 2023 and is dissolved in 2024; M2 starts in 2024; M3 runs throughout and
    is replicated and recognised in 2024."""
    record(
        ledger,
        clerk,
        *PROVINCE,
        model("M1", "2023-03-01"),
        ModelDissolve(code="M1", effective_on="2024-02-01", reason="ngừng hoạt động"),
        model("M2", "2024-03-01", field="phòng cháy, chữa cháy"),
        model("M3", "2023-05-01"),
        ModelReplicate(code="M3", unit="P-X2", effective_on="2024-06-01"),
        ModelRecognise(code="M3", effective_on="2024-10-09"),
    )
    projector.catch_up()
    return projector.engine


def test_a_model_dissolved_the_next_year_still_counts_as_active_for_this_year(
    models: Engine,
) -> None:
    assert standings(models, 2023, "P")["models"] == {
        "active": 2,
        "sites": 2,
        "recognised_effective": 0,
        "by_field": {"an ninh trật tự": 2},
    }


def test_the_next_year_counts_the_models_as_they_stood_at_its_end(models: Engine) -> None:
    assert standings(models, 2024, "P")["models"] == {
        "active": 2,
        "sites": 3,
        "recognised_effective": 1,
        "by_field": {"an ninh trật tự": 1, "phòng cháy, chữa cháy": 1},
    }


def test_an_as_of_date_inside_the_year_cuts_the_models_there(models: Engine) -> None:
    result = standings(models, 2024, "P", Point(as_of=date(2024, 1, 31)))

    assert result["models"]["active"] == 2  # M1 not yet dissolved, M2 not yet registered


@pytest.fixture
def annulled_award(ledger: Ledger, clerk: Clerk, projector: Projector) -> datetime:
    """A 2023 award annulled with effect from March 2024; returns a moment between recording
    the decision and the annulment."""
    record(
        ledger,
        clerk,
        *PROVINCE,
        AwardDecide(
            issuer="UBND-P",
            decision="12/QĐ-UBND",
            level="province",
            form="bang_khen",
            effective_on="2023-12-15",
            recipients=[{"unit": "P-X1"}, {"person": {"name": "Trần Văn Nam", "unit": "P-X2"}}],
        ),
    )
    before_annulment = moment()
    record(
        ledger,
        clerk,
        AwardAnnul(issuer="UBND-P", decision="12/QĐ-UBND", year=2023, effective_on="2024-03-01",
                   reason="khen thưởng không đúng đối tượng"),
    )  # fmt: skip
    projector.catch_up()
    return before_annulment


AWARDED: list[dict[str, Any]] = [
    {"level": "province", "form": "bang_khen", "collective": 1, "individual": 1}
]


def test_an_annulled_award_drops_out_of_the_current_count(
    engine: Engine, annulled_award: datetime
) -> None:
    assert standings(engine, 2023, "P")["awards"] == []


def test_an_annulled_award_still_counts_as_known_before_the_annulment(
    engine: Engine, annulled_award: datetime
) -> None:
    assert standings(engine, 2023, "P", Point(known_at=annulled_award))["awards"] == AWARDED


def test_an_annulled_award_still_counts_as_of_a_date_before_the_annulment_took_effect(
    engine: Engine, annulled_award: datetime
) -> None:
    assert standings(engine, 2023, "P", Point(as_of=date(2023, 12, 31)))["awards"] == AWARDED
