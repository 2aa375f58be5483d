"""Every input enters the ledger as one of these pydantic models: one per import action.

The CLI's recording verbs build the same models, so both paths share every check.
"""

from __future__ import annotations

import functools
import json
from abc import abstractmethod
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from ledger.errors import InvalidInput
from ledger.text import has_control_characters, nfc, parse_legal_date, today
from ledger.values import AwardForm, AwardLevel, UnitKind


def _clean_text(value: str) -> str:
    text = nfc(value)
    if not text:
        raise ValueError("must not be empty")
    if has_control_characters(text):
        raise ValueError("must not contain control characters")
    return text


def _whole_number(value: Any) -> Any:
    if isinstance(value, str) and not (value.strip().isascii() and value.strip().isdigit()):
        raise ValueError(f"{value!r} is not a whole number (write digits only, e.g. 2023)")
    if isinstance(value, bool | float):
        raise ValueError(f"{value!r} is not a whole number")
    return value


Text = Annotated[str, Field(max_length=500), AfterValidator(_clean_text)]
LongText = Annotated[str, Field(max_length=4000), AfterValidator(_clean_text)]
Code = Annotated[str, Field(max_length=64), AfterValidator(_clean_text)]


def _no_slash(value: str) -> str:
    if "/" in value:
        raise ValueError(f"{value!r}: a code may not contain '/' (it separates the parts of keys)")
    return value


# Codes that lead a record's key (units, issuers) may not contain the key separator.
LeadingCode = Annotated[Code, AfterValidator(_no_slash)]
LegalDate = Annotated[date, BeforeValidator(parse_legal_date)]
Year = Annotated[int, BeforeValidator(_whole_number), Field(ge=1945, le=2100)]


# Schemas are built on first use, so a CLI verb pays only for the one action it records.
STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Action(BaseModel):
    """Fields every action accepts: who records it, the legal date, and the source document."""

    model_config = STRICT
    ACTION: ClassVar[str]

    effective_on: LegalDate
    actor: Text | None = None
    role: Text | None = None
    source: Text | None = None
    note: LongText | None = None

    @abstractmethod
    def record_key(self) -> tuple[object, ...]:
        """Kind and natural key of the record this action is about, as the user wrote them."""


# --- administrative units -------------------------------------------------------------------


class UnitRegister(Action):
    """Register an administrative unit or organisation under its parent."""

    ACTION = "unit.register"
    action: Literal["unit.register"] = "unit.register"
    code: LeadingCode
    name: Text
    kind: UnitKind
    parent: Code | None = None

    def record_key(self) -> tuple[object, ...]:
        return ("unit", self.code)


class UnitRename(Action):
    """Rename a unit (the old name stays in its history)."""

    ACTION = "unit.rename"
    action: Literal["unit.rename"] = "unit.rename"
    code: Code
    name: Text

    def record_key(self) -> tuple[object, ...]:
        return ("unit", self.code)


class UnitMerge(Action):
    """Merge units into a successor; later business is recorded on the successor."""

    ACTION = "unit.merge"
    action: Literal["unit.merge"] = "unit.merge"
    codes: Annotated[list[Code], Field(min_length=1, max_length=1000)]
    into: Code

    def record_key(self) -> tuple[object, ...]:
        return ("unit", self.into)


class UnitDissolve(Action):
    """Dissolve a unit: nothing can be recorded on it after that date."""

    ACTION = "unit.dissolve"
    action: Literal["unit.dissolve"] = "unit.dissolve"
    code: Code

    def record_key(self) -> tuple[object, ...]:
        return ("unit", self.code)


# --- self-management models -----------------------------------------------------------------


class ModelRegister(Action):
    """Register a self-management model type at its first site."""

    ACTION = "model.register"
    action: Literal["model.register"] = "model.register"
    code: Code
    name: Text
    field: Text
    unit: Code
    sponsor: Text | None = None

    def record_key(self) -> tuple[object, ...]:
        return ("model", self.code)


class ModelRecognise(Action):
    """Recognise a model as effective (once)."""

    ACTION = "model.recognise"
    action: Literal["model.recognise"] = "model.recognise"
    code: Code
    decision: Text | None = None

    def record_key(self) -> tuple[object, ...]:
        return ("model", self.code)


class ModelReplicate(Action):
    """Replicate a model to a new site (unit)."""

    ACTION = "model.replicate"
    action: Literal["model.replicate"] = "model.replicate"
    code: Code
    unit: Code

    def record_key(self) -> tuple[object, ...]:
        return ("model", self.code)


class ModelReview(Action):
    """Record a review (sơ kết, tổng kết) of a model."""

    ACTION = "model.review"
    action: Literal["model.review"] = "model.review"
    code: Code
    finding: LongText | None = None

    def record_key(self) -> tuple[object, ...]:
        return ("model", self.code)


class ModelSuspend(Action):
    """Suspend a model: it cannot be replicated or recognised until reinstated."""

    ACTION = "model.suspend"
    action: Literal["model.suspend"] = "model.suspend"
    code: Code
    reason: LongText

    def record_key(self) -> tuple[object, ...]:
        return ("model", self.code)


class ModelReinstate(Action):
    """Reinstate a suspended model."""

    ACTION = "model.reinstate"
    action: Literal["model.reinstate"] = "model.reinstate"
    code: Code

    def record_key(self) -> tuple[object, ...]:
        return ("model", self.code)


class ModelDissolve(Action):
    """Dissolve a model, with the reason."""

    ACTION = "model.dissolve"
    action: Literal["model.dissolve"] = "model.dissolve"
    code: Code
    reason: LongText

    def record_key(self) -> tuple[object, ...]:
        return ("model", self.code)


# --- commendations --------------------------------------------------------------------------


class Person(BaseModel):
    """An individual recipient. Sealed before it reaches an event."""

    model_config = STRICT
    name: Text
    unit: Code
    birth_year: Annotated[int, BeforeValidator(_whole_number), Field(ge=1900, le=2100)] | None = (
        None
    )
    position: Text | None = None


class Recipient(BaseModel):
    """One recipient line: a collective (``unit``) or an individual (``person``)."""

    model_config = STRICT
    unit: Code | None = None
    person: Person | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Recipient:
        if (self.unit is None) == (self.person is None):
            raise ValueError('give either "unit" (a collective) or "person" (an individual)')
        return self

    @property
    def unit_code(self) -> str:
        return self.unit if self.person is None else self.person.unit


class AwardKey(Action):
    """Names one award decision: unique per issuer, year and decision number."""

    issuer: LeadingCode
    decision: Code
    year: Year

    def record_key(self) -> tuple[object, ...]:
        return ("award", self.issuer, self.year, self.decision)


class AwardDecide(Action):
    """Record an award decision with its recipient lines (collectives and individuals)."""

    ACTION = "award.decide"
    action: Literal["award.decide"] = "award.decide"
    issuer: LeadingCode
    decision: Code
    level: AwardLevel
    form: AwardForm
    recipients: Annotated[list[Recipient], Field(min_length=1, max_length=10000)]
    reason: LongText | None = None

    def record_key(self) -> tuple[object, ...]:
        return ("award", self.issuer, self.effective_on.year, self.decision)


class AwardPresent(AwardKey):
    """Record that an award was presented."""

    ACTION = "award.present"
    action: Literal["award.present"] = "award.present"
    presenter: Text | None = None


class AwardCorrect(AwardKey):
    """Correct one recipient line by erratum (the recipient type cannot change)."""

    ACTION = "award.correct"
    action: Literal["award.correct"] = "award.correct"
    line: Annotated[int, BeforeValidator(_whole_number), Field(ge=1)]
    recipient: Recipient
    reason: LongText


class AwardAnnul(AwardKey):
    """Annul an award decision (Điều 93 Luật Thi đua, khen thưởng)."""

    ACTION = "award.annul"
    action: Literal["award.annul"] = "award.annul"
    reason: LongText


# --- "An toàn về an ninh, trật tự" recognition ----------------------------------------------


class SafetyKey(Action):
    unit: Code
    year: Year

    def record_key(self) -> tuple[object, ...]:
        return ("safety", self.unit, self.year)


class SafetyRegister(SafetyKey):
    """Register a unit to strive for the standard in a year (due in Quarter I)."""

    ACTION = "safety.register"
    action: Literal["safety.register"] = "safety.register"


class SafetyRecognise(SafetyKey):
    """Recognise a registered unit for the year (communes below 70% are flagged)."""

    ACTION = "safety.recognise"
    action: Literal["safety.recognise"] = "safety.recognise"
    decision: Text | None = None


class SafetyDeny(SafetyKey):
    """Record that a registered unit did not meet the standard for the year."""

    ACTION = "safety.deny"
    action: Literal["safety.deny"] = "safety.deny"
    reason: LongText | None = None


class SafetyAnnul(SafetyKey):
    """Annul a recognition (the record keeps it, reports stop counting it)."""

    ACTION = "safety.annul"
    action: Literal["safety.annul"] = "safety.annul"
    reason: LongText


# --- grassroots mediation -------------------------------------------------------------------


class DisputeKey(Action):
    unit: Code
    case: Code

    def record_key(self) -> tuple[object, ...]:
        return ("dispute", self.unit, self.case)


class Initiation(StrEnum):
    """How a mediation case began (căn cứ tiến hành hòa giải, Điều 16 Luật Hòa giải ở cơ sở):
    one or both parties asked for it; a mediator witnessed the matter or learned of it; the team
    leader assigned it, or an agency, organisation or person proposed it."""

    request = "request"
    mediator = "mediator"
    proposal = "proposal"


class DisputeReceive(DisputeKey):
    """Receive a mediation case into the logbook (the summary is sealed)."""

    ACTION = "dispute.receive"
    action: Literal["dispute.receive"] = "dispute.receive"
    category: Text | None = None  # stored as the event's ``field`` (lĩnh vực)
    initiation: Initiation | None = None
    summary: LongText | None = None


class DisputeAssign(DisputeKey):
    """Assign a mediation team to an open case."""

    ACTION = "dispute.assign"
    action: Literal["dispute.assign"] = "dispute.assign"
    team: Text


class DisputeSettle(DisputeKey):
    """Record that mediation succeeded."""

    ACTION = "dispute.settle"
    action: Literal["dispute.settle"] = "dispute.settle"
    reason: LongText | None = None


class DisputeFail(DisputeKey):
    """Record that mediation failed (it may be resumed or referred)."""

    ACTION = "dispute.fail"
    action: Literal["dispute.fail"] = "dispute.fail"
    reason: LongText | None = None


class DisputeResume(DisputeKey):
    """Resume a failed mediation (Điều 27 Luật Hòa giải ở cơ sở)."""

    ACTION = "dispute.resume"
    action: Literal["dispute.resume"] = "dispute.resume"


class DisputeRefer(DisputeKey):
    """Refer a case to a competent authority."""

    ACTION = "dispute.refer"
    action: Literal["dispute.refer"] = "dispute.refer"
    to: Text


class DisputeClose(DisputeKey):
    """Close a case."""

    ACTION = "dispute.close"
    action: Literal["dispute.close"] = "dispute.close"
    reason: LongText | None = None


# --- personal data ---------------------------------------------------------------------------


def _person_id(value: Any) -> Any:
    """A person id as 32 hex digits (also accepted with dashes, as a UUID is written)."""
    if isinstance(value, str):
        text = value.strip().replace("-", "").lower()
        if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
            raise ValueError(f"{value!r} is not a person id (32 hex digits, as history shows)")
        return text
    return value


PersonId = Annotated[str, BeforeValidator(_person_id)]


class PersonKey(Action):
    """Names one person whose data is sealed in the ledger, by the id history shows."""

    person: PersonId
    effective_on: LegalDate = Field(default_factory=today)

    def record_key(self) -> tuple[object, ...]:
        return ("person", self.person)


class PersonView(PersonKey):
    """Open a person's sealed data; the viewing is recorded (who, when, why)."""

    ACTION = "person.view"
    action: Literal["person.view"] = "person.view"
    purpose: Text | None = None


class PersonErase(PersonKey):
    """Erase a person's data by destroying their key (Nghị định 13/2023/NĐ-CP Điều 16)."""

    ACTION = "person.erase"
    action: Literal["person.erase"] = "person.erase"
    reason: LongText


ACTIONS: dict[str, type[Action]] = {
    cls.ACTION: cls
    for cls in (
        UnitRegister, UnitRename, UnitMerge, UnitDissolve,
        ModelRegister, ModelRecognise, ModelReplicate, ModelReview, ModelSuspend,
        ModelReinstate, ModelDissolve,
        AwardDecide, AwardPresent, AwardCorrect, AwardAnnul,
        SafetyRegister, SafetyRecognise, SafetyDeny, SafetyAnnul,
        DisputeReceive, DisputeAssign, DisputeSettle, DisputeFail, DisputeResume,
        DisputeRefer, DisputeClose,
        PersonView, PersonErase,
    )
}  # fmt: skip


@functools.cache
def _any_action() -> TypeAdapter[Action]:
    union = Annotated[
        functools.reduce(lambda a, b: a | b, ACTIONS.values()), Field(discriminator="action")
    ]
    return TypeAdapter(union)


def parse_action(data: object) -> Action:
    """Validate one import line (a decoded JSON object). Raises InvalidInput naming each field."""
    if not isinstance(data, dict):
        raise InvalidInput(['line must be a JSON object with an "action" field'])
    action = data.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        known = ", ".join(sorted(ACTIONS))
        raise InvalidInput([f"action: unknown action {action!r} (expected one of: {known})"])
    try:
        return _any_action().validate_python(data)
    except ValidationError as error:
        raise InvalidInput(describe(error, skip=1)) from None


def parse_json_line(raw: bytes) -> Action:
    """Validate one raw import line. Raises InvalidInput naming each field, or ValueError when
    the line is not UTF-8 JSON."""
    try:
        return _any_action().validate_json(raw)
    except ValidationError:
        pass  # re-validate the slow way, which names the problem precisely
    return parse_action(json.loads(raw.decode("utf-8")))


def build(action_class: type[Action], **fields: Any) -> Action:
    """Validate CLI input into an action. Raises InvalidInput naming each field."""
    try:
        return action_class.model_validate(fields)
    except ValidationError as error:
        raise InvalidInput(describe(error)) from None


def describe(error: ValidationError, skip: int = 0) -> list[str]:
    """``field: problem`` for each error, with nested fields as ``recipients[0].person.name``."""
    problems = []
    for item in error.errors(include_url=False):
        location = ""
        for part in item["loc"][skip:]:
            if isinstance(part, int):
                location += f"[{part}]"
                continue
            # An unknown key may be empty, padded or unprintable: show it quoted.
            name = part if part and part.isprintable() and part.strip() == part else repr(part)
            location += f".{name}" if location else name
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        problems.append(f"{location or 'line'}: {message}")
    return problems
