"""Every input enters the ledger as one of these pydantic models: one per import action.

The CLI's recording verbs build the same models, so both paths share every check.
"""

from __future__ import annotations

import functools
import json
import re
from abc import abstractmethod
from datetime import date
from decimal import Decimal
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
    ValidationInfo,
    model_validator,
)

from ledger.errors import InvalidInput
from ledger.indicators import (
    INDICATORS,
    PERCENT,
    Indicator,
    Qualifier,
    first_day,
    last_day,
    parse_number,
)
from ledger.text import has_control_characters, match_key, nfc, parse_legal_date, today
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


# --- coordination programmes (chương trình phối hợp) ----------------------------------------


def _citation(value: str) -> str:
    if "/" not in value:
        raise ValueError(
            f"{value!r} is not a document citation: write its number and symbol, "
            "e.g. 07/CTrPH-BCA-MTTW"
        )
    return value


def _period_bound(value: Any) -> Any:
    """A period bound: a year (``2023``) kept as ``"2023"``, or a date kept as ISO text."""
    if isinstance(value, bool | float):
        raise ValueError(f"{value!r} is not a year or a date")
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        year = int(value.strip())
        if not 1945 <= year <= 2100:
            raise ValueError(f"{value!r} is not a year between 1945 and 2100")
        return str(year)
    try:
        return parse_legal_date(value).isoformat()
    except ValueError:
        raise ValueError(
            f"{value!r} is not a year or a date: write 2023, 2023-10-17 or 17/10/2023"
        ) from None


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")  # hyphen, non-breaking hyphen, en/em dash, minus
_AROUND_SEPARATORS = re.compile(r"\s*([/-])\s*")


def citation_key(citation: str) -> str:
    """The matching key of a document citation: "07 / CTrPH – BCA-MTTW" and "07/ctrph-bca-mttw"
    share one key; "07/CTr-BCA-MTTW" does not (that needs an alias: ledger.programmes)."""
    text = _DASHES.sub("-", nfc(citation))
    return match_key(_AROUND_SEPARATORS.sub(r"\1", text))


def period_start(bound: str) -> date:
    """The first day a period bound covers (a year: 1 January)."""
    return date(int(bound), 1, 1) if len(bound) == 4 else date.fromisoformat(bound)


def period_end(bound: str) -> date:
    """The last day a period bound covers (a year: 31 December)."""
    return date(int(bound), 12, 31) if len(bound) == 4 else date.fromisoformat(bound)


Citation = Annotated[
    str, Field(max_length=200), AfterValidator(_clean_text), AfterValidator(_citation)
]
PeriodBound = Annotated[str, BeforeValidator(_period_bound)]


def _period_after_start(value: str | None, info: ValidationInfo) -> str | None:
    start = info.data.get("period_from")
    if value is not None and start is not None and period_end(value) < period_start(start):
        raise ValueError(f"the period ends ({value}) before it starts ({start})")
    return value


class ProgrammeKey(Action):
    """Names one programme by its citation, or by a citation recorded as its alias."""

    citation: Citation

    def record_key(self) -> tuple[object, ...]:
        return ("programme", citation_key(self.citation))


class ProgrammeSign(ProgrammeKey):
    """Record a coordination programme (chương trình phối hợp) signed on the effective date."""

    ACTION = "programme.sign"
    action: Literal["programme.sign"] = "programme.sign"
    title: Text | None = None
    parties: Annotated[list[Text], Field(min_length=1, max_length=50)]
    period_from: PeriodBound | None = None
    period_to: Annotated[PeriodBound | None, AfterValidator(_period_after_start)] = None
    content_areas: Annotated[list[Text], Field(max_length=100)] = []
    implements: Citation | None = None
    scope: Code | None = None


class ProgrammeAlias(ProgrammeKey):
    """Record a variant citation of the same programme document (e.g. 07/CTr-BCA-MTTW)."""

    ACTION = "programme.alias"
    action: Literal["programme.alias"] = "programme.alias"
    alias: Citation


class ProgrammeAmend(ProgrammeKey):
    """Change a programme's content areas or period, citing the amending document."""

    ACTION = "programme.amend"
    action: Literal["programme.amend"] = "programme.amend"
    source: Text  # required: the document that amends the programme
    # Replaces the content areas when given (empty: unchanged).
    content_areas: Annotated[list[Text], Field(max_length=100)] = []
    period_from: PeriodBound | None = None
    period_to: Annotated[PeriodBound | None, AfterValidator(_period_after_start)] = None


class ProgrammeEnd(ProgrammeKey):
    """Record that a programme ended (replaced, expired early, or withdrawn), with the reason."""

    ACTION = "programme.end"
    action: Literal["programme.end"] = "programme.end"
    reason: LongText


# --- reported statistics (số liệu báo cáo) ---------------------------------------------------


def _period_runs_forward(value: date, info: ValidationInfo) -> date:
    start = info.data.get("period_from")
    if start is not None and value < start:
        raise ValueError(
            f"the period ends ({value.isoformat()}) before it starts ({start.isoformat()})"
        )
    return value


def _figure_fits_indicator(value: Decimal, info: ValidationInfo) -> Decimal:
    indicator = info.data.get("indicator")
    if indicator is None:
        return value
    about = INDICATORS[indicator]
    if about.percent and value > 100:
        raise ValueError(f"{value} is over 100, and {indicator} is a percentage")
    if not about.percent and value != value.to_integral_value():
        raise ValueError(f"{indicator} counts {about.measure}: give a whole number, not {value}")
    return value


def _bound_fits_qualifier(value: Qualifier, info: ValidationInfo) -> Qualifier:
    figure = info.data.get("value")
    if value is Qualifier.thousands and figure is not None and figure < 1000:
        raise ValueError(
            '"thousands" (hàng nghìn) means at least 1.000: give that lower bound as the value'
        )
    return value


def _measure_fits_indicator(value: str | None, info: ValidationInfo) -> str | None:
    indicator = info.data.get("indicator")
    if value is None or indicator is None:
        return value
    about = INDICATORS[indicator]
    if (value == PERCENT) != about.percent:
        expected = "a percentage (%)" if about.percent else f"a count ({about.measure})"
        raise ValueError(f"{indicator} is measured as {expected}, not {value!r}")
    return value


class StatisticKey(Action):
    """Names one reported figure: the unit it covers, the indicator, the period, and the
    document that reported it (reporting it again from the same document is the same record)."""

    unit: Code
    indicator: Indicator
    period_from: Annotated[date, BeforeValidator(first_day)]
    period_to: Annotated[date, BeforeValidator(last_day), AfterValidator(_period_runs_forward)]
    source: Text  # required: the document (report, conference, article) giving the figure

    def record_key(self) -> tuple[object, ...]:
        return ("statistic", self.unit, self.indicator.value, self.period_from.isoformat(),
                self.period_to.isoformat(), self.source)  # fmt: skip


class StatisticFigure(StatisticKey):
    """A figure (exact decimal, Vietnamese number text accepted) and how exact the source says
    it is."""

    value: Annotated[Decimal, BeforeValidator(parse_number), AfterValidator(_figure_fits_indicator)]
    qualifier: Annotated[Qualifier, AfterValidator(_bound_fits_qualifier)] = Qualifier.exact


class StatisticReport(StatisticFigure):
    """Record a figure a report gives: an aggregate, never counted from the ledger's records."""

    ACTION = "statistic.report"
    action: Literal["statistic.report"] = "statistic.report"
    measure: Annotated[Text | None, AfterValidator(_measure_fits_indicator)] = None
    reporting_body: Text


class StatisticCorrect(StatisticFigure):
    """Correct a reported figure: a new value and qualifier, with the reason."""

    ACTION = "statistic.correct"
    action: Literal["statistic.correct"] = "statistic.correct"
    reason: LongText


class StatisticWithdraw(StatisticKey):
    """Withdraw a reported figure: reports stop showing it; its history stays."""

    ACTION = "statistic.withdraw"
    action: Literal["statistic.withdraw"] = "statistic.withdraw"
    reason: LongText


# --- security organisations (ban chỉ đạo ANTT, tổ bảo vệ ANTT, tổ an ninh xã hội) ------------


class SecurityOrgKind(StrEnum):
    """The bodies of the movement a unit sets up (domain-research §4: SteeringCommittee,
    GrassrootsSecurityTeam, NeighbourhoodGroup)."""

    steering_board = "steering_board"  # Ban chỉ đạo ANTT (BCĐ phòng chống tội phạm, TNXH…)
    security_team = "security_team"  # Tổ bảo vệ ANTT ở cơ sở (Luật 2023, TT 14/2024/TT-BCA)
    social_security_team = "social_security_team"  # Tổ an ninh xã hội / tổ liên gia


def _count(value: Any) -> Any:
    negative_text = isinstance(value, str) and value.strip().startswith("-")
    if negative_text or (isinstance(value, int) and not isinstance(value, bool) and value < 0):
        raise ValueError(f"{value!r}: a count cannot be negative")
    return _whole_number(value)


Count = Annotated[int, BeforeValidator(_count), Field(le=10_000_000)]


def _area_holds_covered(value: int | None, info: ValidationInfo) -> int | None:
    covered = info.data.get("households_covered")
    if covered is not None and value is not None and covered > value:
        raise ValueError(f"{covered} households covered cannot exceed the {value} in the area")
    return value


AreaHouseholds = Annotated[
    Count | None, AfterValidator(_area_holds_covered), Field(validate_default=True)
]


class SecurityOrgKey(Action):
    """Names one body: the unit that set it up and the body's code (or short name) there."""

    unit: Code
    code: LeadingCode

    def record_key(self) -> tuple[object, ...]:
        return ("security-org", self.unit, self.code)


class SecurityOrgEstablish(SecurityOrgKey):
    """Record a body a unit established: its kind, member count and households covered."""

    ACTION = "security-org.establish"
    action: Literal["security-org.establish"] = "security-org.establish"
    kind: SecurityOrgKind
    name: Text
    members: Count
    households_covered: Count | None = None
    households_in_area: AreaHouseholds = None
    source: Text  # required: the decision establishing the body


class SecurityOrgChange(SecurityOrgKey):
    """Record a body's new member count or household coverage, citing the document."""

    ACTION = "security-org.change"
    action: Literal["security-org.change"] = "security-org.change"
    members: Count | None = None
    households_covered: Count | None = None
    households_in_area: AreaHouseholds = None
    source: Text  # required: the document reporting the change


class SecurityOrgDisband(SecurityOrgKey):
    """Record that a body was disbanded (giải thể), with the reason."""

    ACTION = "security-org.disband"
    action: Literal["security-org.disband"] = "security-org.disband"
    reason: LongText


# --- movement classification (đánh giá, phân loại phong trào, QĐ 510/QĐ-BCA-V05) --------------


class Grade(StrEnum):
    """The four grades of QĐ 510/QĐ-BCA-V05 (the scale is unconfirmed [U]: domain-research §2.5)."""

    xuat_sac = "xuat_sac"  # xuất sắc
    kha = "kha"  # khá
    trung_binh = "trung_binh"  # trung bình
    yeu = "yeu"  # yếu (kém)


def _score(value: Any) -> Any:
    """A score as written: a whole number, or an exact decimal with a comma or a dot (92,5)."""
    if isinstance(value, bool | float):
        raise ValueError(f"{value!r}: give the score as a whole number or exact decimal text")
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", text):
            raise ValueError(f"{value!r} is not a score (write e.g. 92 or 92,5)")
        return Decimal(text)
    return value


def _score_in_range(value: Decimal) -> Decimal:
    if not 0 <= value <= 100:
        raise ValueError(f"{value} is not a score from 0 to 100")
    return value


Score = Annotated[Decimal, BeforeValidator(_score), AfterValidator(_score_in_range)]


class ClassificationKey(Action):
    unit: Code
    year: Year

    def record_key(self) -> tuple[object, ...]:
        return ("classification", self.unit, self.year)


class ClassificationAssess(ClassificationKey):
    """Record a unit's self-assessment: score, proposed grade, dossier (late if past due)."""

    ACTION = "classification.assess"
    action: Literal["classification.assess"] = "classification.assess"
    score: Score
    proposed_grade: Grade
    dossier: Text


class ClassificationAppraise(ClassificationKey):
    """Record the appraisal one level up of a self-assessed unit: score and proposed grade."""

    ACTION = "classification.appraise"
    action: Literal["classification.appraise"] = "classification.appraise"
    score: Score
    proposed_grade: Grade
    appraiser: Text


class ClassificationDecide(ClassificationKey):
    """Decide an appraised unit's grade for the year (once; annul to decide again)."""

    ACTION = "classification.decide"
    action: Literal["classification.decide"] = "classification.decide"
    grade: Grade
    decision: Text
    decided_by: Text


class ClassificationAnnul(ClassificationKey):
    """Annul a classification decision (the unit stands appraised again; counts drop it)."""

    ACTION = "classification.annul"
    action: Literal["classification.annul"] = "classification.annul"
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
        ProgrammeSign, ProgrammeAlias, ProgrammeAmend, ProgrammeEnd,
        StatisticReport, StatisticCorrect, StatisticWithdraw,
        ClassificationAssess, ClassificationAppraise, ClassificationDecide,
        ClassificationAnnul,
        SecurityOrgEstablish, SecurityOrgChange, SecurityOrgDisband,
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
