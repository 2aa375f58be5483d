"""Numbers and moments as people write them: Vietnamese 1.596 and 99,1% (English 1,596, 99.1%),
and moments in Vietnam time."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from ledger.text import VIETNAM


def integer(value: int, lang: str) -> str:
    """``value`` with thousands grouped: 54.307 in Vietnamese, 54,307 in English."""
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if lang == "vi" else grouped


def decimal(value: Decimal | float, lang: str, digits: int = 1) -> str:
    """``value`` rounded half up to ``digits`` decimals: 98,3 in Vietnamese, 98.3 in English."""
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{exact:f}".partition(".")
    sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    mark = "," if lang == "vi" else "."
    return sign + integer(int(whole), lang) + (mark + fraction if fraction else "")


def percent(part: int, whole: int, lang: str, digits: int = 1) -> str:
    """``part`` of ``whole`` as a percentage, computed exactly: 685 of 691 is 99,1%."""
    if not whole:
        return "—"
    return _percent(Decimal(100 * part) / Decimal(whole), 0 < part < whole, lang, digits)


def ratio_percent(ratio: float | None, lang: str, digits: int = 1) -> str:
    """A ratio (0..1) as a percentage; a dash when there is none."""
    if ratio is None:
        return "—"
    return _percent(Decimal(str(ratio)) * 100, 0 < ratio < 1, lang, digits)


def _percent(exact: Decimal, partial: bool, lang: str, digits: int) -> str:
    """Only all is 100% and only none is 0%: 19.999 of 20.000 is 99,9%, not a rounded 100,0%."""
    if partial:
        step = Decimal(1).scaleb(-digits)
        exact = min(max(exact, step), 100 - step)
    return decimal(exact, lang, digits) + "%"


def format_moment(moment: datetime) -> str:
    """A moment in Vietnam time: 31/01/2025 17:00:00 (UTC+07:00)."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S (UTC+07:00)")
