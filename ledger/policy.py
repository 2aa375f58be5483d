"""Who may record what, and for which units: the access policy checked before every write.

A policy file (TOML) names each actor's roles and the units they act for; the built-in table
``MAY`` says which roles may record which actions, following domain-research §4 ("Roles (who may
record)" and the "Recorded by" column of §4.1–4.5). See docs/access.md.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.application import UNNAMED_ROLE
from ledger.commands import (
    ACTIONS,
    Action,
    AwardCorrect,
    AwardDecide,
    AwardKey,
    ClassificationKey,
    DisputeKey,
    ModelRegister,
    ModelReplicate,
    ProgrammeSign,
    SafetyKey,
    StatisticKey,
    UnitMerge,
    UnitRegister,
)
from ledger.errors import LedgerError
from ledger.records import record_id
from ledger.session import Session
from ledger.text import format_date, match_key, nfc
from ledger.values import DISTRICTS_ABOLISHED_ON, Entry

EVERY_UNIT = "*"

# --- the built-in table: which roles may record which actions -------------------------------
#
# A permission is an action ("safety.recognise") or a pattern ("safety.*"), optionally narrowed
# by what the action concerns after a colon:
#   unit.*     by the kind of unit:  unit.register:residential_area
#   safety.*   by the subject:       residential_area, commune, commune_org, district_org,
#              provincial_org (an organisation is managed at the level of the unit above it)
#   award.*    by the decision's level: award.decide:province
#   statistic.* by the indicator:    statistic.report:MEDIATION_SETTLED
# A permission without a colon allows the action whatever it concerns.
_ORGS = ("agency", "enterprise", "school")
_LOCAL_UNITS = ("residential_area", *_ORGS)
# fmt: off
MAY: dict[str, tuple[str, ...]] = {
    # §4.1 AdminUnit*: ADMIN_REF keeps every unit.
    "ADMIN_REF": ("unit.*",),
    # §4.2 StandardRegistrationFiled (CA_XA); §4.4 ModelSiteEstablished, ModelReplicated,
    # ModelReviewHeld (CA_*), ModelSuspended/Dissolved/Reinstated (CA_XA).
    # §4 SteeringCommittee, GrassrootsSecurityTeam, NeighbourhoodGroup: the commune police set
    # up and keep the bodies of their unit (security-org.*).
    "CA_XA": ("safety.register", "model.*",
              "security-org.*"),
    # §4.1 ResidentialArea*, Organization* (UBND_XA); §4.2 StandardRegistrationFiled (commune),
    # RecognitionDecided/Denied/Annulled for residential areas and commune-managed organisations;
    # §4.3 AwardDecided by the commune chair, AwardPresented (UBND_*); §4.4 ModelSuspended/
    # Dissolved/Reinstated (UBND_XA).
    "UBND_XA": (
        *(f"unit.*:{kind}" for kind in _LOCAL_UNITS),
        "safety.register:commune",
        "safety.recognise:residential_area", "safety.deny:residential_area",
        "safety.annul:residential_area",
        "safety.recognise:commune_org", "safety.deny:commune_org", "safety.annul:commune_org",
        "award.*:commune", "award.present",
        "model.suspend", "model.reinstate", "model.dissolve",
        # The commune chair establishes and dissolves the security teams (Luật Lực lượng tham gia
        # bảo vệ ANTT ở cơ sở 2023; TT 14/2024/TT-BCA) and the commune's steering board.
        "security-org.*",
    ),
    # §4.2 RecognitionDecided for communes before 2025-07-01 (and district-managed
    # organisations); §4.3 the district chair's awards. Only for dates before ROLE_UNTIL.
    "UBND_HUYEN": (
        "safety.recognise:commune", "safety.deny:commune", "safety.annul:commune",
        "safety.recognise:district_org", "safety.deny:district_org",
        "safety.annul:district_org",
        "award.*:district", "award.present",
    ),
    # §4.2 RecognitionDecided for provincial organisations (and, since districts were abolished,
    # for communes: TT 48/2025, unconfirmed [U]); §4.3 the province chair's awards, presented;
    # §4.4 ModelRecognizedEffective.
    "UBND_TINH": (
        "safety.recognise:provincial_org", "safety.deny:provincial_org",
        "safety.annul:provincial_org",
        "safety.recognise:commune", "safety.deny:commune", "safety.annul:commune",
        "award.*:province", "award.present",
        "model.recognise",
    ),
    # §4.1 Organization* (CA_TINH); §4.3 ministry awards, AwardPresented; §4.4 ModelFieldDefined,
    # ModelRecognizedEffective, ModelReviewHeld, ModelGraded.
    "CA_TINH": (
        *(f"unit.*:{kind}" for kind in _ORGS),
        "award.*:ministry", "award.present",
        "model.register", "model.recognise", "model.review",
        "programme.*:scoped",  # §4.7 CoordinationProgramSigned, for the units it acts for
        "statistic.*",  # §4.7 StatisticReported
    ),
    # §4.3 ministry awards (BCA); §4.4 ExemplarRecognized.
    "BCA": ("award.*:ministry", "award.present", "model.recognise",
            "programme.*"),  # §4.7: the ministry signs the national programmes
    # §4.4 ModelSiteEstablished / Replicated (MTTQ_XA), ModelReviewHeld (MTTQ_*);
    # §4.3 AwardPresented (MTTQ).
    "MTTQ_XA": ("model.register", "model.replicate", "model.review", "award.present"),
    # §4.4 ModelTypeDefined (MTTQ_TINH), ModelReviewHeld (MTTQ_*); §4.3 AwardPresented.
    "MTTQ_TINH": ("model.register", "model.review", "award.present",
                  "programme.*:scoped",  # §4.7 CoordinationProgramSigned
                  "statistic.*"),  # §4.7 StatisticReported
    # §4.2 StandardRegistrationFiled for a residential area (its head).
    "TRUONG_KDC": ("safety.register:residential_area",),
    # §4.2 StandardRegistrationFiled for an organisation; §4.4 ModelSiteEstablished/Replicated;
    # §4.3 the organisation head's awards.
    "HEAD_ORG": ("safety.register:*_org", "model.register", "model.replicate",
                 "award.*:organisation"),
    # §4.3 AwardDecided (TD_KT records for the issuers), corrections, annulments, presentation.
    "TD_KT": ("award.*", "person.view"),
    # §4.5 MediationCaseReceived, MediatorAssigned, MediationClosed, CaseRecordCorrected (the team
    # leader, who is also one of the team's mediators: Luật Hòa giải ở cơ sở 2013).
    "TO_TRUONG_HG": ("dispute.*", "person.view"),
    # §4.5 MediationCaseReceived, Succeeded, Failed, Resumed, Closed, CaseReferred (mediator).
    "HOA_GIAI_VIEN": (
        "dispute.receive", "dispute.settle", "dispute.fail", "dispute.resume",
        "dispute.refer", "dispute.close", "person.view",
    ),
    # §4 roles: the commune justice officer keeps the commune's mediation records and statistics
    # (§4.7 StatisticReported: the mediation figures only).
    "TU_PHAP_XA": ("dispute.*", "person.view", "statistic.*:MEDIATION_*"),
    # §4 roles and §2.7: inspectors read and audit, and see mediation only as statistics (§2.7
    # item 5): they record nothing. The data-protection officer records no business of the
    # movement, only the erasure workflow (§2.7 item 2). person.view (a recorded viewing of
    # sealed personal data, §2.7 item 6) goes to the roles that keep those records.
    "INSPECTOR": (),
    "DPO": ("person.erase", "person.view"),
}
# fmt: on
# §4.6 MovementClassification (QĐ 510/QĐ-BCA-V05 Điều 11): a unit self-assesses (its head: the
# residential area's head, the organisation's head; for a commune, its police as the standing
# body of the commune's steering committee, or the commune itself), the level above appraises
# (CA_XA for its residential areas and commune organisations, CA_TINH for communes, districts
# and provincial organisations) and decides (UBND one level up, as for recognition; who decides
# is unconfirmed [U]). Narrowed like safety.* by the subject.
# fmt: off
CLASSIFICATION_MAY: dict[str, tuple[str, ...]] = {
    "TRUONG_KDC": ("classification.assess:residential_area",),
    "HEAD_ORG": ("classification.assess:*_org",),
    "CA_XA": ("classification.assess:commune", "classification.appraise:residential_area",
              "classification.appraise:commune_org"),
    "UBND_XA": ("classification.assess:commune",
                *(f"classification.{verb}:{subject}" for verb in ("decide", "annul")
                  for subject in ("residential_area", "commune_org"))),
    "UBND_HUYEN": ("classification.assess:district", "classification.appraise:district_org",
                   *(f"classification.{verb}:{subject}" for verb in ("decide", "annul")
                     for subject in ("commune", "district_org"))),
    "CA_TINH": tuple(f"classification.appraise:{subject}"
                     for subject in ("commune", "district", "provincial_org")),
    "UBND_TINH": tuple(f"classification.{verb}:{subject}" for verb in ("decide", "annul")
                       for subject in ("commune", "district", "provincial_org")),
}
# fmt: on
for _role, _patterns in CLASSIFICATION_MAY.items():
    MAY[_role] = (*MAY[_role], *_patterns)
# Roles that existed only until a date: UBND_HUYEN, for facts dated before districts were abolished.
ROLE_UNTIL: dict[str, date] = {"UBND_HUYEN": DISTRICTS_ABOLISHED_ON}
SUBJECT_WORDS = {
    "residential_area": "a residential area",
    "commune": "a commune",
    "commune_org": "a commune-managed organisation",
    "district_org": "a district-managed organisation",
    "provincial_org": "a provincial organisation",
    "province": "a province",
    "district": "a district",
}


class NotAuthorised(LedgerError):
    """Raised when the access policy does not let the actor record an action for its unit."""


class PolicyError(LedgerError):
    """Raised when the access policy file cannot be read or is malformed."""

    exit_code = 2


# --- the policy file ------------------------------------------------------------------------

Name = Annotated[str, Field(min_length=1, max_length=200)]


class _ActorTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: Annotated[list[Name], Field(min_length=1)]
    units: list[Name] = []


class _RoleTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    may: list[Name] | None = None  # replaces the built-in permissions of the role
    also: list[Name] = []  # added to them


class _PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actors: dict[Name, _ActorTable] = {}
    roles: dict[Name, _RoleTable] = {}


@dataclass(frozen=True)
class Grant:
    """One actor's entry in the policy."""

    name: str
    roles: tuple[str, ...]
    units: frozenset[str]


@dataclass
class Policy:
    """Actors, their roles and units, and the role table; ``authorise`` checks one write."""

    source: str
    actors: dict[str, Grant]
    may: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(MAY))

    def grant_for(self, actor: str) -> Grant | None:
        return self.actors.get(match_key(actor))

    def authorise(self, session: Session, action: Action, entry: Entry) -> Entry:
        """The entry to record ``action`` with (its role filled in when the actor has one).

        Raises NotAuthorised naming actor, role, action and unit when the policy refuses it.
        """
        grant = self.grant_for(entry.actor)
        if grant is None:
            raise NotAuthorised(
                f"{entry.actor} is not in the access policy ({self.source}): "
                "ask its keeper to add them before recording"
            )
        role = self._role(grant, entry.role)
        who = f"{grant.name} ({role})"
        permission = f"{action.ACTION}{_qualifier(session, action)}"
        if not self.may.get(role):
            raise NotAuthorised(
                f"{who} may not record {action.ACTION}: {role} records nothing under this "
                "policy (it reads and audits)"
            )
        if not self.allows(role, permission):
            raise NotAuthorised(
                f"{who} may not record {_describe(permission)}: {self._by(permission)}"
            )
        until = ROLE_UNTIL.get(role)
        if until and entry.effective_on >= until:
            raise NotAuthorised(
                f"{who} may not record {action.ACTION} dated {format_date(entry.effective_on)}: "
                f"{role} records only facts dated before {format_date(until)}"
            )
        if EVERY_UNIT not in grant.units:
            for unit in concerned_units(session, action):
                if not _within(session, unit, grant.units):
                    acts_for = ", ".join(sorted(grant.units)) or "no unit"
                    raise NotAuthorised(
                        f"{who} may not record {action.ACTION} for {unit}: "
                        f"{grant.name} acts for {acts_for}, not {unit}"
                    )
        return entry if entry.role == role else replace(entry, role=role)

    def allows(self, role: str, permission: str) -> bool:
        action = permission.partition(":")[0]
        return any(
            fnmatch.fnmatchcase(permission, pattern)
            or (":" not in pattern and fnmatch.fnmatchcase(action, pattern))
            for pattern in self.may.get(role, ())
        )

    def _role(self, grant: Grant, asked: str) -> str:
        if asked == UNNAMED_ROLE and UNNAMED_ROLE not in grant.roles:
            if len(grant.roles) == 1:
                return grant.roles[0]
            raise NotAuthorised(
                f"{grant.name} holds roles {', '.join(grant.roles)}: "
                'say which one records this (--role ROLE, or "role" on the import line)'
            )
        if asked not in grant.roles:
            raise NotAuthorised(
                f"{grant.name} does not hold role {asked} in the access policy "
                f"(holds {', '.join(grant.roles)})"
            )
        return asked

    def _by(self, permission: str) -> str:
        roles = [role for role in self.may if self.allows(role, permission)]
        if not roles:
            return "no role may record it under this policy"
        decides = "decided" if ".recognise" in permission or ".deny" in permission else "recorded"
        return f"it is {decides} by {', '.join(roles)}"


def _describe(permission: str) -> str:
    action, _, what = permission.partition(":")
    if not what:
        return action
    if action.startswith("award."):
        return f"{action} at level {what}"
    if action.startswith("statistic."):
        return f"{action} of indicator {what}"
    if action.startswith("programme."):
        return f"{action} of a {what} programme"
    return f"{action} for {SUBJECT_WORDS.get(what, 'a ' + what.replace('_', ' '))}"


def load_policy(path: Path) -> Policy:
    """The policy in a TOML file. Raises PolicyError naming the file, table and field."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the access policy: {error.strerror}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: the access policy is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML: {error}") from None
    return policy_from(data, str(path))


def policy_from(data: dict[str, Any], source: str) -> Policy:
    """The policy in decoded TOML ``data``. Raises PolicyError naming ``source``, table, field."""
    try:
        parsed = _PolicyFile.model_validate(data)
    except ValidationError as error:
        raise PolicyError("\n".join(_problems(source, error))) from None
    may = dict(MAY)
    problems = []
    for name, table in parsed.roles.items():
        patterns = [*(may.get(name, ()) if table.may is None else table.may), *table.also]
        named = [*(f"may[{i}]" for i in range(len(table.may or ()))),
                 *(f"also[{i}]" for i in range(len(table.also)))]  # fmt: skip
        for where, pattern in zip(named, [*(table.may or ()), *table.also], strict=True):
            if not _matches_an_action(pattern):
                problems.append(
                    f"{source}: roles.{_toml_key(name)}.{where}: {pattern!r} matches no action "
                    f"(actions are e.g. safety.register, dispute.*; see docs/access.md)"
                )
        may[name] = tuple(patterns)
    actors: dict[str, Grant] = {}
    for name, table in parsed.actors.items():
        for i, role in enumerate(table.roles):
            if role not in may:
                problems.append(
                    f"{source}: actors.{_toml_key(name)}.roles[{i}]: unknown role {role!r} "
                    f"(known: {', '.join(may)}; define others in a [roles.NAME] table)"
                )
        key = match_key(name)
        if key in actors:
            problems.append(
                f"{source}: actors.{_toml_key(name)}: the same actor as "
                f"{_toml_key(actors[key].name)} (names match ignoring case and tone placement)"
            )
        actors[key] = Grant(nfc(name), tuple(table.roles), frozenset(table.units))
    if problems:
        raise PolicyError("\n".join(problems))
    return Policy(source=source, actors=actors, may=may)


def _matches_an_action(pattern: str) -> bool:
    action = pattern.partition(":")[0]
    return any(fnmatch.fnmatchcase(name, action) for name in ACTIONS)


def _toml_key(name: str) -> str:
    bare = (
        name.replace("_", "").replace("-", "").isascii()
        and name.replace("_", "").replace("-", "").isalnum()
    )
    return name if bare else '"' + name.replace('"', '\\"') + '"'


def _problems(source: str, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        location = ""
        for part in item["loc"]:
            if isinstance(part, int):
                location += f"[{part}]"
            else:
                location += ("." if location else "") + _toml_key(str(part))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field (expected roles, units in [actors.NAME]; may, also in "
            message += "[roles.NAME]; or the tables actors and roles)"
        problems.append(f"{source}: {location or 'file'}: {message}")
    return problems


# --- what an action concerns ----------------------------------------------------------------


def concerned_units(session: Session, action: Action) -> list[str]:
    """Codes of the units an action concerns, as the ledger now knows them: the unit itself,
    the parent a new unit goes under, a model's first site or new site, an award's recipients
    (and its issuer, when the issuer is a registered unit)."""
    from ledger.awards import Commendation
    from ledger.security_models import SecurityModel

    refs: list[str] = []
    if isinstance(action, UnitRegister):
        if not action.parent:
            return [action.code]  # a new top-level unit: only who acts for it (or for every unit)
        refs = [action.parent]
    elif isinstance(action, UnitMerge):
        refs = [action.into, *action.codes]
    elif isinstance(action, ModelRegister | ModelReplicate | SafetyKey | DisputeKey | StatisticKey):
        refs = [action.unit]
    elif action.ACTION.startswith("unit."):
        refs = [action.code]  # type: ignore[attr-defined]
    elif action.ACTION.startswith("model."):
        model = session.get(SecurityModel, SecurityModel.id_for(action.code))  # type: ignore[attr-defined]
        refs = model.sites[:1] if model else []
    elif isinstance(action, AwardDecide):
        refs = [recipient.unit_code for recipient in action.recipients]
        refs += [action.issuer] if _unit(session, action.issuer) else []
    elif isinstance(action, AwardKey):
        award = session.get(
            Commendation, Commendation.id_for(action.issuer, action.year, action.decision)
        )
        refs = [line["unit"] for line in award.lines] if award else []
        refs += [action.issuer] if _unit(session, action.issuer) else []
        if isinstance(action, AwardCorrect):
            refs.append(action.recipient.unit_code)
    elif action.ACTION.startswith("programme."):
        refs = _programme_units(session, action)
    elif isinstance(action, ClassificationKey):
        refs = [action.unit]
    elif action.ACTION.startswith("security-org."):
        refs = [action.unit]  # type: ignore[attr-defined]
    codes = []
    for ref in dict.fromkeys(refs):
        unit = _unit(session, ref)
        if unit is not None:  # an unknown unit is for the action's own checks to report
            codes.append(unit.code)
    return list(dict.fromkeys(codes))


def _programme_units(session: Session, action: Action) -> list[str]:
    """A programme's scope unit and the parties that are ledger units (a programme without
    either, such as a national one, concerns no unit)."""
    from ledger.programmes import find_programme

    if isinstance(action, ProgrammeSign):
        return [*([action.scope] if action.scope else []), *action.parties]
    programme = find_programme(session, action.citation)  # type: ignore[attr-defined]
    if programme is None:
        return []
    return [*([programme.scope] if programme.scope else []), *programme.parties]


def _qualifier(session: Session, action: Action) -> str:
    """``:what`` narrows a permission: the kind of unit, safety subject, or award level."""
    family = action.ACTION.partition(".")[0]
    if family == "unit":
        if isinstance(action, UnitRegister):
            return f":{action.kind.value}"
        unit = _unit(session, action.into if isinstance(action, UnitMerge) else action.code)  # type: ignore[attr-defined]
        return f":{unit.kind.value}" if unit else ""
    if isinstance(action, SafetyKey):
        unit = _unit(session, action.unit)
        return f":{_subject(session, unit)}" if unit else ""
    if isinstance(action, ClassificationKey):
        unit = _unit(session, action.unit)
        return f":{_subject(session, unit)}" if unit else ""
    if isinstance(action, AwardDecide):
        return f":{action.level.value}"
    if isinstance(action, StatisticKey):
        return f":{action.indicator.value}"
    if family == "programme":
        # A programme no unit of the ledger bounds (a national one, signed by ministries and
        # central bodies) is for national roles: a province's roles keep to their own.
        bounded = any(_unit(session, ref) for ref in _programme_units(session, action))
        return ":scoped" if bounded else ":national"
    if isinstance(action, AwardKey):
        from ledger.awards import Commendation

        award = session.get(
            Commendation, Commendation.id_for(action.issuer, action.year, action.decision)
        )
        return f":{award.level}" if award else ""
    return ""


def _subject(session: Session, unit: Any) -> str:
    kind = unit.kind.value
    if kind not in _ORGS:
        return kind
    parent = _unit(session, unit.parent) if unit.parent else None
    level = parent.kind.value if parent else "province"
    return {"commune": "commune_org", "district": "district_org"}.get(level, "provincial_org")


def _unit(session: Session, ref: str) -> Any:
    from ledger.errors import NotFoundError, RuleViolation
    from ledger.units import find_unit

    try:
        return find_unit(session, ref)
    except (NotFoundError, RuleViolation):
        return None


def _within(session: Session, code: str, acts_for: frozenset[str]) -> bool:
    """Whether ``code`` is one of ``acts_for`` or below one of them: up its parents, and from a
    merged unit to its successor (whose scope includes the predecessors' history)."""
    return any(unit in acts_for for unit in _upwards(session, code))


def _upwards(session: Session, code: str) -> Iterator[str]:
    from ledger.units import AdminUnit

    seen: set[str] = set()
    todo = [code]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        unit = session.get(AdminUnit, record_id("unit", current))
        if unit is not None:
            todo += [c for c in (unit.parent, unit.merged_into) if c]


# --- single-user mode -----------------------------------------------------------------------


@dataclass
class SingleUser:
    """No policy: every actor may record everything. ``notice`` is called at this process's
    first write when ``is_empty`` says the ledger has no events yet (and someone will read it):
    once per ledger, when it is first written. See docs/access.md."""

    is_empty: Callable[[], bool]
    notice: Callable[[], None]
    _checked: bool = False

    def authorise(self, session: Session, action: Action, entry: Entry) -> Entry:
        if not self._checked:
            self._checked = True
            if self.is_empty():
                self.notice()
        return entry


NOTICE = (
    "antq: no access policy (single-user mode): every actor may record everything; "
    "see docs/access.md"
)
