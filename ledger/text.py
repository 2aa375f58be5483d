"""Text and date rules: NFC storage, folded matching keys, strict legal dates."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone

# Vowel clusters whose tone mark moved between the "old" and "new" orthography
# (hòa/hoà, thủy/thuỷ, khỏe/khoẻ). Matching keys put the mark on the second vowel.
_OLD_STYLE_CLUSTERS = ("oa", "oe", "uy")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_SPACES = re.compile(r"\s+")
# C0 and C1 controls (not tab or newline), and the bidirectional embeddings, overrides and
# isolates, which reorder the text shown around them (U+202E makes "ABC" show as "CBA").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_VN_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def nfc(text: str) -> str:
    """Return ``text`` NFC-normalised with outer white space removed."""
    return unicodedata.normalize("NFC", text).strip()


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds control characters other than tab and newline, or
    bidirectional formatting controls."""
    return bool(_CONTROL.search(text))


def match_key(text: str) -> str:
    """Fold case, spacing, composition and tone placement into one matching key.

    "Phường Phú Thủy", "phường  phú thuỷ" and their NFD forms share one key.
    """
    if text.isascii():  # codes such as "KG-C01": no marks to move
        return " ".join(text.split()).casefold()
    decomposed = unicodedata.normalize("NFD", _SPACES.sub(" ", text).strip().casefold())
    marks_moved = _move_tone_marks(decomposed)
    return unicodedata.normalize("NFC", marks_moved)


def _move_tone_marks(decomposed: str) -> str:
    """Put a tone mark on the second vowel of oa/oe/uy when the cluster ends a syllable."""
    chars = list(decomposed)
    i = 0
    while i < len(chars):
        if chars[i] in "ou" and i + 2 < len(chars) and chars[i + 1] in _TONE_MARKS:
            pair = chars[i] + chars[i + 2]
            after = chars[i + 3] if i + 3 < len(chars) else " "
            if pair in _OLD_STYLE_CLUSTERS and not after.isalpha():
                mark = chars.pop(i + 1)
                chars.insert(i + 2, mark)
        i += 1
    return "".join(chars)


def parse_legal_date(value: object) -> date:
    """Parse ISO ``YYYY-MM-DD`` or Vietnamese ``dd/mm/yyyy``; refuse anything else.

    Raises ValueError with a message that says which forms are accepted.
    """
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a date as YYYY-MM-DD or dd/mm/yyyy")
    return _parse_date_text(value)


@functools.lru_cache(maxsize=4096)  # imports repeat the same few dates many times
def _parse_date_text(value: str) -> date:
    text = value.strip()
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _VN_DATE.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD or dd/mm/yyyy")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


VIETNAM = timezone(timedelta(hours=7))


def today() -> date:
    """Today's date in Vietnam."""
    return datetime.now(VIETNAM).date()


def parse_moment(value: str) -> datetime:
    """Parse an ISO 8601 moment; without an offset it is Vietnam time (UTC+7). A bare date
    (ISO or dd/mm/yyyy) means the end of that day in Vietnam. Raises ValueError."""
    text = value.strip()
    if _ISO_DATE.fullmatch(text) or _VN_DATE.fullmatch(text):
        day = parse_legal_date(text)
        return datetime.combine(day, time.max, tzinfo=VIETNAM)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a moment: write e.g. 2025-01-31T17:00:00+07:00 or 2025-01-31"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def with_article(noun: str) -> str:
    """``noun`` with "a" or "an": "an agency", "a commune"."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def format_date(day: date) -> str:
    """A date as Vietnamese documents write it: dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")
