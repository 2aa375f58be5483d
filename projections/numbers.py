"""Numbers and dates as people write them: Vietnamese 1.596 and 99,1% (English 1,596, 99.1%)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


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
    return decimal(Decimal(100 * part) / Decimal(whole), lang, digits) + "%"


def ratio_percent(ratio: float | None, lang: str, digits: int = 1) -> str:
    """A stored ratio (0..1) as a percentage; a dash when there is none."""
    if ratio is None:
        return "—"
    return decimal(Decimal(str(ratio)) * 100, lang, digits) + "%"
