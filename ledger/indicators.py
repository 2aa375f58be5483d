"""Reported statistics: the fixed list of indicators, the qualifiers ("gần", "trên", "dưới",
"hàng nghìn") and exact Vietnamese number text ("54.307" is 54307, "98,3" is 98.3).

Pure values, no I/O: the ``statistic.*`` actions (ledger.commands) validate with them, the
``ReportedStatistic`` record (ledger.statistics) stores their text, and the reports write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class Indicator(StrEnum):
    """What a reported figure counts. The list is fixed (docs/events.md lists each with its
    measure): a figure of anything else is refused, never filed under a guessed name."""

    MEDIATION_RECEIVED = "MEDIATION_RECEIVED"
    MEDIATION_SETTLED = "MEDIATION_SETTLED"
    COMMUNITY_MANAGED_DRUG_USERS = "COMMUNITY_MANAGED_DRUG_USERS"
    DRUG_USERS_PROGRESSED = "DRUG_USERS_PROGRESSED"
    VOLUNTARY_SURRENDERS = "VOLUNTARY_SURRENDERS"
    TIPS_RECEIVED = "TIPS_RECEIVED"
    STEERING_BOARDS = "STEERING_BOARDS"
    SECURITY_TEAMS = "SECURITY_TEAMS"
    SECURITY_TEAM_MEMBERS = "SECURITY_TEAM_MEMBERS"
    SOCIAL_SECURITY_TEAMS = "SOCIAL_SECURITY_TEAMS"
    HOUSEHOLD_COVERAGE_PERCENT = "HOUSEHOLD_COVERAGE_PERCENT"
    MODELS = "MODELS"
    MODELS_RECOGNISED_EFFECTIVE = "MODELS_RECOGNISED_EFFECTIVE"
    MODEL_SITES = "MODEL_SITES"
    UNITS_MEETING_STANDARD_PERCENT = "UNITS_MEETING_STANDARD_PERCENT"


class Qualifier(StrEnum):
    """How exact a reported figure is, as the source words it."""

    exact = "exact"  # "54.307"
    about = "about"  # "gần 1.000": close to the value
    over = "over"  # "trên 80%": more than the value
    under = "under"  # "dưới 5%": less than the value
    thousands = "thousands"  # "hàng nghìn": vague; the value is a lower bound (at least 1.000)


PERCENT = "%"


@dataclass(frozen=True)
class About:
    """An indicator's Vietnamese and English name, its measure, and the standings figure the
    ledger counts for the same thing (``section.key``), if any."""

    vi: str
    en: str
    measure: str  # the unit of measure a figure has unless the report says otherwise
    counted: str | None = None

    @property
    def percent(self) -> bool:
        return self.measure == PERCENT


INDICATORS: dict[Indicator, About] = {
    Indicator.MEDIATION_RECEIVED: About(
        "Vụ việc tiếp nhận hòa giải", "Disputes received for mediation", "vụ việc",
        "mediation.received"),
    Indicator.MEDIATION_SETTLED: About(
        "Vụ việc hòa giải thành", "Disputes successfully mediated", "vụ việc",
        "mediation.settled"),
    Indicator.COMMUNITY_MANAGED_DRUG_USERS: About(
        "Người nghiện ma túy được quản lý tại cộng đồng",
        "Drug users managed in the community", "người"),
    Indicator.DRUG_USERS_PROGRESSED: About(
        "Người nghiện ma túy tiến bộ", "Drug users who made progress", "người"),
    Indicator.VOLUNTARY_SURRENDERS: About(
        "Người phạm tội lẩn trốn ra tự thú, tự báo",
        "Fugitives persuaded to surrender", "người"),
    Indicator.TIPS_RECEIVED: About(
        "Nguồn tin quần chúng cung cấp", "Tips given by the public", "nguồn tin"),
    Indicator.STEERING_BOARDS: About("Ban chỉ đạo ANTT", "Steering boards for security", "ban",
        "security_organisations.steering_board.active"),
    Indicator.SECURITY_TEAMS: About("Tổ bảo vệ ANTT", "Grassroots security teams", "tổ",
        "security_organisations.security_team.active"),
    Indicator.SECURITY_TEAM_MEMBERS: About(
        "Thành viên tổ bảo vệ ANTT", "Members of security teams", "người",
        "security_organisations.security_team.members"),
    Indicator.SOCIAL_SECURITY_TEAMS: About(
        "Tổ an ninh xã hội", "Social-security groups", "tổ",
        "security_organisations.social_security_team.active"),
    Indicator.HOUSEHOLD_COVERAGE_PERCENT: About(
        "Hộ gia đình tham gia tổ an ninh xã hội", "Households in social-security groups",
        PERCENT, "security_organisations.social_security_team.coverage_percent"),
    Indicator.MODELS: About(
        "Mô hình, điển hình tiên tiến", "Self-management models", "mô hình", "models.active"),
    Indicator.MODELS_RECOGNISED_EFFECTIVE: About(
        "Mô hình được công nhận có hiệu quả", "Models recognised as effective", "mô hình",
        "models.recognised_effective"),
    Indicator.MODEL_SITES: About("Điểm mô hình", "Model sites", "điểm", "models.sites"),
    Indicator.UNITS_MEETING_STANDARD_PERCENT: About(
        "Tỷ lệ đơn vị đạt chuẩn “An toàn về ANTT”",
        "Units meeting the “An toàn về ANTT” standard", PERCENT, "safety.percent"),
}  # fmt: skip

# "54.307", "1.234.567", "98,3", "1.234,5", "54307": dots group thousands by three, one comma
# marks the decimals (the Vietnamese way, TCVN; domain-research §6.4).
_VIETNAMESE_NUMBER = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?|[0-9]+(,[0-9]+)?")
MAX_DIGITS = 30


def parse_number(value: object) -> Decimal:
    """An exact decimal from Vietnamese number text, an integer, a Decimal or a JSON number.

    Text is read the Vietnamese way: "54.307" is 54307 and "98,3" is 98.3. Anything that could
    be read two ways is refused, never guessed: "98.3" (a dot not grouping three digits) and
    "1,000" (a thousand in English, one in Vietnamese). Raises ValueError saying how to write it.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # a JSON number, as its shortest decimal form
    elif isinstance(value, str):
        number = _parse_text(value)
    else:
        raise ValueError("expected a number, e.g. 54.307 or 98,3")
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    if number < 0:
        raise ValueError(f"{value!r}: a reported figure cannot be negative")
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise ValueError(f"{value!r}: more than {MAX_DIGITS} digits")
    return number


def _parse_text(value: str) -> Decimal:
    text = value.strip()
    negative = text.startswith("-")
    body = text[1:].strip() if negative else text
    if not _VIETNAMESE_NUMBER.fullmatch(body):
        raise ValueError(
            f"{value!r} is not a number as Vietnamese writes it: digits, a dot between each "
            "group of three (54.307) and a decimal comma (98,3)"
        )
    whole, _, fraction = body.partition(",")
    if fraction and len(fraction) == 3 and "." not in whole:
        raise ValueError(
            f"{value!r} is ambiguous: with the Vietnamese decimal comma it is {whole}"
            f" with three decimals, in English {whole}{fraction}; write {whole}.{fraction} for "
            f"{whole}{fraction}"
        )
    try:
        number = Decimal(whole.replace(".", "") + ("." + fraction if fraction else ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValueError(f"{value!r} is not a number") from None
    return -number if negative else number


def canonical(number: Decimal) -> str:
    """The stored text of a figure: plain digits, a dot before any decimals, no exponent
    ("54307", "98.3", "1234.50" as written), never rounded; a whole number is written whole
    (a JSON 54307.0 is 54307)."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number, "f")


def is_whole(text: str) -> bool:
    """Whether a stored figure has no fraction (a count)."""
    return Decimal(text) == Decimal(text).to_integral_value()


def first_day(value: object) -> object:
    """A period's first day: a date (ISO or dd/mm/yyyy), or a year meaning its 1 January."""
    return _period_bound(value, first=True)


def last_day(value: object) -> object:
    """A period's last day: a date (ISO or dd/mm/yyyy), or a year meaning its 31 December."""
    return _period_bound(value, first=False)


def _period_bound(value: object, first: bool) -> object:
    from datetime import date

    from ledger.text import parse_legal_date

    if isinstance(value, bool | float):
        raise ValueError(f"{value!r} is not a year or a date")
    text = str(value).strip() if isinstance(value, int | str) else None
    if text is not None and text.isascii() and text.isdigit() and len(text) == 4:
        year = int(text)
        if not 1945 <= year <= 2100:
            raise ValueError(f"{value!r} is not a year between 1945 and 2100")
        return date(year, 1, 1) if first else date(year, 12, 31)
    try:
        return parse_legal_date(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a year or a date: write 2013, 2013-01-01 or 01/01/2013"
        ) from None
