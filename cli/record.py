"""Recording verbs, one per import action, generated from the action's pydantic model.

``antq safety recognise --unit KG-C01 --year 2022 --on 20/12/2022`` builds the same
``safety.recognise`` action an import line would, so both paths share every check.
"""

from __future__ import annotations

import enum
import typing
from typing import Any

import click
from pydantic.fields import FieldInfo

from cli.main import CONTEXT_SETTINGS, Settings, pass_settings
from cli.output import echo_recorded
from ledger.commands import ACTIONS, Action, build
from ledger.errors import InvalidInput

GLOBAL_FIELDS = {"action", "actor", "role"}
FIELD_HELP = {
    "effective_on": "Legal date of the fact or decision (YYYY-MM-DD or dd/mm/yyyy).",
    "code": "Code of the record.",
    "codes": "Code of a unit to merge (repeat for several).",
    "into": "Code of the successor unit.",
    "name": "Name as written in the source document.",
    "kind": "Kind of unit.",
    "parent": "Code of the unit it sits under.",
    "unit": "Unit code (or its name).",
    "year": "Evaluation year.",
    "decision": "Decision number, e.g. 101/QĐ-UBND.",
    "issuer": "Code of the issuing authority, e.g. BCA, UBND-BT.",
    "level": "Level of the issuing authority.",
    "form": "Form of the award.",
    "source": 'Source document, e.g. "Quyết định số 123/QĐ-UBND".',
    "note": "Free note kept with the event.",
    "reason": "Reason or grounds.",
    "case": "Case number in the mediation logbook.",
    "team": "Mediation team assigned.",
    "to": "Authority the case is referred to.",
    "field": "Field of the model (lĩnh vực).",
    "sponsor": "Sponsoring organisation (e.g. MTTQ).",
    "line": "Recipient line number to correct.",
    "finding": "What the review found.",
    "presenter": "Who presented the award (e.g. on behalf of the issuer).",
    "category": "Kind of dispute, e.g. đất đai, hôn nhân và gia đình.",
    "initiation": "How the case began (Điều 16): request = a party asked; mediator = a "
    "mediator witnessed or learned of it; proposal = the team leader assigned it or an agency "
    "proposed it.",
    "summary": "Short summary of the dispute (sealed: it may name the parties).",
}
# Where a field means something else in one family.
FAMILY_FIELD_HELP = {
    ("award", "year"): "Year of the decision (decision numbers restart every year).",
    ("programme", "citation"): "Number and symbol of the programme, e.g. 07/CTrPH-BCA-MTTW "
    "(or a citation recorded as its alias).",
    ("programme", "title"): "Title of the programme as written.",
    ("programme", "parties"): "A signing party: a name (Bộ Công an) or a unit code (repeat).",
    ("programme", "period_from"): "First year (2023) or day of the programme's period.",
    ("programme", "period_to"): "Last year (2033) or day of the programme's period.",
    ("programme", "content_areas"): "A content area (nội dung phối hợp), short text (repeat).",
    ("programme", "implements"): "Citation of the programme this one implements (must exist).",
    ("programme", "scope"): "Unit the programme covers (none: nationwide).",
    ("programme", "alias"): "Another citation of the same document, e.g. 07/CTr-BCA-MTTW.",
    ("programme", "source"): 'Source document, e.g. "Chương trình phối hợp số 07/CTrPH-BCA-MTTW".',
    ("statistic", "unit"): "Unit the figure covers (code or name), e.g. the province.",
    ("statistic", "indicator"): "What the figure counts (docs/events.md lists each).",
    ("statistic", "period_from"): "First day of the period the figure covers, or a year (2013).",
    ("statistic", "period_to"): "Last day of the period the figure covers, or a year (2023).",
    ("statistic", "value"): "The figure, exact: 54.307 or 54307 (Vietnamese text: dot groups "
    "thousands, comma marks decimals: 98,3).",
    ("statistic", "qualifier"): "How exact the source says it is: exact; about (gần); over "
    "(trên); under (dưới); thousands (hàng nghìn: the value is a lower bound, 1.000 or more).",
    ("statistic", "measure"): "Unit of measure (default: the indicator's, e.g. vụ việc, %).",
    ("statistic", "reporting_body"): "Who reported the figure, e.g. Công an tỉnh Kiên Giang.",
    ("statistic", "source"): "Document giving the figure (required; part of the record's key), "
    'e.g. "Báo cáo tổng kết 10 năm, 29/5/2023".',
}
# Movement classification (QĐ 510/QĐ-BCA-V05).
FAMILY_FIELD_HELP |= {
    ("classification", "year"): "Year classified (the movement's year of work).",
    ("classification", "score"): "Score out of 100, exact: 92 or 92,5.",
    ("classification", "proposed_grade"): "Grade proposed with the score: xuat_sac (xuất sắc), "
    "kha (khá), trung_binh (trung bình), yeu (yếu).",
    ("classification", "dossier"): "The self-assessment dossier (tờ trình and scoring table), "
    'e.g. "Tờ trình 12/TTr-KP1".',
    ("classification", "appraiser"): "The body one level up that appraised, e.g. Công an xã.",
    ("classification", "grade"): "Grade decided: xuat_sac, kha, trung_binh, yeu.",
    ("classification", "decision"): "Number of the classification decision, e.g. 45/QĐ-UBND.",
    ("classification", "decided_by"): "The deciding body, e.g. UBND xã Hòa Bình.",
}
METAVARS = {"year": "YEAR", "line": "N", "effective_on": "DATE"}
EXAMPLES = {
    "safety.recognise": "antq --actor 'Lê Văn C' safety recognise --unit TN-X1 --year 2023 "
    "--on 20/12/2023 --decision 55/QĐ-UBND",
    "award.decide": "antq --actor clerk award decide --issuer UBND-TN --decision 12/QĐ-UBND "
    "--level province --form bang_khen --on 2023-12-15 --collective TN-X1 "
    "--individual 'Nguyễn Văn An@TN-X1'",
    "dispute.receive": "antq --actor clerk dispute receive --unit TN-X1 --case HG-01 "
    "--on 2023-04-01 --category 'đất đai' --initiation request",
    "unit.register": "antq --actor clerk unit register --code TN-X1 --name 'Xã Hòa Bình' "
    "--kind commune --parent TN --on 2004-01-01",
    "programme.alias": "antq --actor clerk programme alias --citation 07/CTrPH-BCA-MTTW "
    "--alias 07/CTr-BCA-MTTW --on 10/01/2024",
    "statistic.report": "antq --actor clerk statistic report --unit KG --indicator "
    "MEDIATION_SETTLED --period-from 2013 --period-to 2023 --value 54.307 --on 29/05/2023 "
    "--reporting-body 'UBMTTQ và Công an tỉnh Kiên Giang' --source 'Hội nghị tổng kết 10 năm'",
}
EXAMPLES["classification.assess"] = (
    "antq --actor clerk classification assess --unit KP1 --year 2024 --score 92,5 "
    "--proposed-grade xuat_sac --dossier 'Tờ trình 12/TTr-KP1' --on 15/11/2024"
)


def _option_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def _enum_of(info: FieldInfo) -> type[enum.Enum] | None:
    for candidate in (info.annotation, *typing.get_args(info.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


def _field_option(family: str, field: str, info: FieldInfo) -> click.Option:
    declarations = [_option_name(field)] + (["--on"] if field == "effective_on" else [])
    choices = _enum_of(info)
    is_list = typing.get_origin(info.annotation) is list
    return click.Option(
        [*declarations, field],
        required=info.is_required(),
        multiple=is_list,
        type=click.Choice([c.value for c in choices]) if choices else None,
        metavar=METAVARS.get(field),
        help=FAMILY_FIELD_HELP.get((family, field), FIELD_HELP.get(field)),
    )


RECIPIENT_OPTIONS = [
    click.Option(["--collective"], multiple=True, help="Unit code of a collective recipient."),
    click.Option(
        ["--individual"],
        multiple=True,
        help="An individual recipient as NAME@UNIT (sealed before it is stored).",
    ),
]
CORRECTION_OPTIONS = [
    click.Option(["--unit"], required=True, help="Unit of the recipient."),
    click.Option(["--name"], help="Corrected name of an individual recipient."),
    click.Option(["--birth-year"], metavar="YEAR", help="Birth year of an individual recipient."),
    click.Option(["--position"], help="Position of an individual recipient."),
]


def _recipients(collective: tuple[str, ...], individual: tuple[str, ...]) -> list[dict[str, Any]]:
    recipients: list[dict[str, Any]] = [{"unit": code} for code in collective]
    for text in individual:
        name, separator, unit = text.rpartition("@")
        if not separator or not name.strip() or not unit.strip():
            raise InvalidInput([f"--individual: {text!r} must be written NAME@UNIT"])
        recipients.append({"person": {"name": name, "unit": unit}})
    return recipients


def _correction(unit: str, name: str | None, **person: Any) -> dict[str, Any]:
    if name is None:
        return {"unit": unit}
    details = {k: v for k, v in person.items() if v is not None}
    return {"person": {"name": name, "unit": unit, **details}}


def _parameters(action_class: type[Action]) -> list[click.Parameter]:
    family = action_class.ACTION.split(".")[0]
    parameters: list[click.Parameter] = []
    common = list(Action.model_fields)
    own = [f for f in action_class.model_fields if f not in common]
    for field in own + common:
        info = action_class.model_fields[field]
        if field in GLOBAL_FIELDS:
            continue
        if field == "recipients":
            parameters.extend(RECIPIENT_OPTIONS)
        elif field == "recipient":
            parameters.extend(CORRECTION_OPTIONS)
        else:
            parameters.append(_field_option(family, field, info))
    return parameters


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """Turn click's values into the action's fields; empty options are left out."""
    if "collective" in values:
        values["recipients"] = _recipients(values.pop("collective"), values.pop("individual"))
    if "birth_year" in values:
        values["recipient"] = _correction(
            values.pop("unit"),
            values.pop("name"),
            birth_year=values.pop("birth_year"),
            position=values.pop("position"),
        )
    return {k: v for k, v in values.items() if v is not None and v != ()}


def _options_named(problems: list[str]) -> list[str]:
    """Name CLI options, not model fields, in validation messages."""
    named = []
    for problem in problems:
        field, separator, rest = problem.partition(":")
        if not separator or field.startswith("-"):  # not a field, or already an option
            named.append(problem)
            continue
        named.append(f"{_option_for(field)}{separator}{rest}")
    return named


def _option_for(field: str) -> str:
    """The option a user typed for a model field: recipient fields come from several options."""
    head = field.split(".")[0].split("[")[0]
    last = field.rsplit(".", 1)[-1]
    if head == "recipients":
        if ".person" in field:
            return "--individual"
        return "--collective" if last == "unit" else "--collective/--individual"
    if head == "recipient":
        return (
            _option_name(last) if last in ("unit", "name", "birth_year", "position") else "--unit"
        )
    return f"{_option_name(head)}{field[len(head) :]}"


def _verb(verb: str, action_class: type[Action]) -> click.Command:
    @pass_settings
    def record(settings: Settings, **values: Any) -> None:
        try:
            action = build(action_class, **_fields(values))
        except InvalidInput as error:
            raise InvalidInput(_options_named(error.problems)) from None
        echo_recorded(settings.ledger.execute(action, settings.recorder))

    doc = (action_class.__doc__ or "").strip() or f"Record {action_class.ACTION}."
    example = EXAMPLES.get(action_class.ACTION)
    help_text = f"{doc}\n\nSame fields as the import action '{action_class.ACTION}'."
    if example:
        help_text += f"\n\n\b\nExample:\n  {example}"
    return click.Command(
        verb,
        callback=record,
        params=_parameters(action_class),
        help=help_text,
        short_help=f"Record {action_class.ACTION}.",
        context_settings=CONTEXT_SETTINGS,
    )


def _family(name: str, help_text: str) -> click.Group:
    group = click.Group(name, help=help_text, context_settings=CONTEXT_SETTINGS)
    for action_name, action_class in ACTIONS.items():
        family, verb = action_name.split(".")
        if family == name:
            group.add_command(_verb(verb, action_class))
    return group


unit = _family("unit", "Register, rename, merge and dissolve administrative units.")
model = _family("model", "Record self-management models (mô hình tự phòng, tự quản) and sites.")
award = _family("award", "Record commendation decisions, presentations, corrections, annulments.")
safety = _family("safety", 'Record "An toàn về an ninh, trật tự" registration and decisions.')
dispute = _family("dispute", "Record grassroots mediation cases (hòa giải ở cơ sở).")
programme = _family(
    "programme",
    "Record coordination programmes (chương trình phối hợp), aliases, amendments, ends.",
)
statistic = _family(
    "statistic", "Record reported figures (số liệu báo cáo): aggregates, never ledger counts."
)
classification = _family(
    "classification",
    "Record movement classification (phân loại phong trào, QĐ 510): self-assessment, "
    "appraisal, decision.",
)

FAMILY_FIELD_HELP.update(
    {
        ("security-org", "unit"): "Unit that set up the body (code or name), e.g. the commune.",
        ("security-org", "code"): "Code of the body in its unit, e.g. BCD, TBV-01, ANXH-THON1.",
        ("security-org", "kind"): "steering_board (ban chỉ đạo ANTT); security_team (tổ bảo vệ "
        "ANTT); social_security_team (tổ an ninh xã hội, tổ liên gia).",
        ("security-org", "name"): "Name of the body as the decision writes it.",
        ("security-org", "members"): "Number of members (a count: members are never named).",
        ("security-org", "households_covered"): "Households taking part (tổ an ninh xã hội).",
        ("security-org", "households_in_area"): "Households in the body's area: the share is "
        "covered / in area.",
        ("security-org", "source"): 'Document, required: e.g. "Quyết định 12/QĐ-UBND" '
        "(establish) or the report giving the new figures (change).",
    }
)
EXAMPLES["security-org.establish"] = (
    "antq --actor clerk security-org establish --unit TH-ML --code ANXH-01 --kind "
    "social_security_team --name 'Tổ an ninh xã hội thôn 1' --members 7 --households-covered 118 "
    "--households-in-area 120 --on 10/01/2024 --source 'Quyết định 12/QĐ-UBND'"
)
security_org = _family(
    "security-org",
    "Record steering boards (ban chỉ đạo ANTT), security teams (tổ bảo vệ ANTT) and "
    "social-security teams (tổ an ninh xã hội): established, changed, disbanded.",
)
