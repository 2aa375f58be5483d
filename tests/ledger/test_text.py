"""Text and date rules: strict legal dates, whole-number years, named fields, matching keys."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.commands import SafetyRegister, UnitRegister, build, parse_action
from ledger.errors import InvalidInput
from ledger.text import match_key, nfc, parse_legal_date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-01-10", date(2024, 1, 10)),
        ("10/01/2024", date(2024, 1, 10)),  # 10 January, never 1 October
        ("01/04/2024", date(2024, 4, 1)),
        ("1/4/2024", date(2024, 4, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        (" 31/12/2023 ", date(2023, 12, 31)),
    ],
)
def test_a_legal_date_is_read_as_iso_or_day_month_year(text: str, day: date) -> None:
    assert parse_legal_date(text) == day


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("31/02/2024", "'31/02/2024' is not a real calendar date"),
        ("29/02/2023", "'29/02/2023' is not a real calendar date"),
        ("2024-13-01", "'2024-13-01' is not a real calendar date"),
        ("29/5", "'29/5' is not a date: write YYYY-MM-DD or dd/mm/yyyy"),
        ("2024-2-3", "'2024-2-3' is not a date: write YYYY-MM-DD or dd/mm/yyyy"),
        ("01-02-2024", "'01-02-2024' is not a date: write YYYY-MM-DD or dd/mm/yyyy"),
        ("10/01/24", "'10/01/24' is not a date: write YYYY-MM-DD or dd/mm/yyyy"),
        ("2024-01-10T08:00", "'2024-01-10T08:00' is not a date: write YYYY-MM-DD or dd/mm/yyyy"),
        ("", "'' is not a date: write YYYY-MM-DD or dd/mm/yyyy"),
    ],
)
def test_an_impossible_or_ambiguous_date_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_legal_date(text)

    assert str(refused.value) == problem


@pytest.mark.parametrize("value", [20240110, 2024.0, None, ["2024-01-10"]])
def test_a_date_that_is_not_text_is_refused(value: object) -> None:
    with pytest.raises(ValueError) as refused:
        parse_legal_date(value)

    assert str(refused.value) == "expected a date as YYYY-MM-DD or dd/mm/yyyy"


def problems(action_class, **fields) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        build(action_class, **fields)
    return refused.value.problems


def test_an_action_names_the_date_field_it_cannot_read() -> None:
    assert problems(SafetyRegister, unit="TN-X1", year=2024, effective_on="31/02/2024") == [
        "effective_on: '31/02/2024' is not a real calendar date"
    ]


@pytest.mark.parametrize(
    ("year", "problem"),
    [
        ("54.307", "'54.307' is not a whole number (write digits only, e.g. 2023)"),
        ("2.023", "'2.023' is not a whole number (write digits only, e.g. 2023)"),
        ("2023.0", "'2023.0' is not a whole number (write digits only, e.g. 2023)"),
        (2023.0, "2023.0 is not a whole number"),
        (True, "True is not a whole number"),
        (1900, "Input should be greater than or equal to 1945"),
    ],
)
def test_a_year_that_is_not_a_whole_number_of_the_era_is_refused(year, problem: str) -> None:
    assert problems(SafetyRegister, unit="TN-X1", year=year, effective_on="2023-02-10") == [
        f"year: {problem}"
    ]


@pytest.mark.parametrize("year", ["2023", " 2023 ", 2023])
def test_a_year_written_as_digits_is_accepted(year) -> None:
    assert build(SafetyRegister, unit="TN-X1", year=year, effective_on="2023-02-10").year == 2023


def test_an_unknown_field_is_named() -> None:
    assert problems(
        SafetyRegister, unit="TN-X1", year=2023, effective_on="2023-02-10", colour="đỏ"
    ) == ["colour: unknown field"]


def test_an_unknown_field_on_an_import_line_is_named() -> None:
    line = {
        "action": "safety.register",
        "unit": "TN-X1",
        "year": 2023,
        "effective_on": "2023-02-10",
    }
    with pytest.raises(InvalidInput) as refused:
        parse_action({**line, "yaer": 2024})

    assert refused.value.problems == ["yaer: unknown field"]


def test_every_bad_field_of_a_line_is_named_with_its_path() -> None:
    line = {
        "action": "award.decide",
        "issuer": "UBND-TN",
        "decision": "12/QĐ-UBND",
        "level": "province",
        "form": "bang_khen",
        "effective_on": "2023-12-15",
        "recipients": [{"person": {"name": " ", "unit": "TN-X1"}}, {}],
    }
    with pytest.raises(InvalidInput) as refused:
        parse_action(line)

    assert refused.value.problems == [
        "recipients[0].person.name: must not be empty",
        'recipients[1]: give either "unit" (a collective) or "person" (an individual)',
    ]


def test_a_missing_required_field_is_named() -> None:
    assert problems(SafetyRegister, unit="TN-X1", effective_on="2023-02-10") == [
        "year: Field required"
    ]


def test_an_unknown_action_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_action({"action": "safety.approve"})

    assert refused.value.problems[0].startswith(
        "action: unknown action 'safety.approve' (expected one of: award.annul, award.correct,"
    )


def test_text_is_stored_nfc_normalised_and_trimmed() -> None:
    nfd = unicodedata.normalize("NFD", "  Phường Phú Thủy ")
    action = build(UnitRegister, code="X", name=nfd, kind="commune", effective_on="2004-01-01")

    assert action.name == unicodedata.normalize("NFC", "Phường Phú Thủy")


def test_text_with_control_characters_is_refused() -> None:
    assert problems(
        UnitRegister, code="X", name="Xã\x07 Hòa", kind="commune", effective_on="2004-01-01"
    ) == ["name: must not contain control characters"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hòa Bình", "Hoà Bình"),
        ("Thủy", "Thuỷ"),
        ("khỏe", "khoẻ"),
        ("Phường Phú Thủy", "phường  phú thuỷ"),
        ("Phường Phú Thủy", unicodedata.normalize("NFD", "Phường Phú Thủy")),
        ("PHÚ THỦY", "phú thuỷ"),
        (" Xã\tHòa  Bình ", "xã hoà bình"),
        ("Khánh Hoà", "KHÁNH HÒA"),
    ],
)
def test_spellings_of_one_name_share_a_matching_key(one: str, other: str) -> None:
    assert match_key(one) == match_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Thủy", "Thùy"),  # another tone is another name
        ("Hòa", "Hoa"),
        ("hoàng", "hòang"),  # "oa" inside a syllable keeps its mark where written
        ("Thôn 1", "Thôn 11"),
    ],
)
def test_different_names_keep_different_matching_keys(one: str, other: str) -> None:
    assert match_key(one) != match_key(other)


def test_a_matching_key_is_nfc_lower_case_with_the_new_tone_placement() -> None:
    assert match_key("  PHƯỜNG  Phú THỦY ") == nfc("phường phú thuỷ")


# Vietnamese letters in NFC: every vowel with each of the five tone marks, or none.
VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
LETTERS = sorted(
    {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} | set("bcdđghklmnpqrstvx")
)
vietnamese = st.text(
    alphabet=st.sampled_from([*LETTERS, *(c.upper() for c in LETTERS), " ", "\t", "1"]),
    max_size=24,
)


@given(vietnamese)
def test_a_matching_key_is_its_own_matching_key(text: str) -> None:
    assert match_key(match_key(text)) == match_key(text)


@given(vietnamese)
def test_a_matching_key_ignores_composition_and_case(text: str) -> None:
    forms = {
        unicodedata.normalize("NFC", text),
        unicodedata.normalize("NFD", text),
        text.upper(),
        text.lower(),
        unicodedata.normalize("NFD", text.upper()),
    }

    assert {match_key(form) for form in forms} == {match_key(text)}


def test_a_unit_code_with_a_slash_is_refused_naming_the_field() -> None:
    from ledger.commands import UnitRegister, build
    from ledger.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        build(UnitRegister, code="KG/C01", name="Xã", kind="commune", effective_on="2004-01-01")

    assert caught.value.problems == [
        "code: 'KG/C01': a code may not contain '/' (it separates the parts of keys)"
    ]
