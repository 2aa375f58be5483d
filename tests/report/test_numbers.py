"""Numbers as Vietnamese documents write them: 54.307 and 99,1%."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from projections.numbers import decimal, integer, percent, ratio_percent


def test_thousands_are_grouped_with_dots_in_vietnamese_and_commas_in_english() -> None:
    assert integer(54307, "vi") == "54.307"
    assert integer(1_624_000, "vi") == "1.624.000"
    assert integer(54307, "en") == "54,307"
    assert integer(691, "vi") == "691"


def test_the_seed_ratios_read_as_the_articles_write_them() -> None:
    assert percent(685, 691, "vi") == "99,1%"
    assert percent(116, 124, "vi") == "93,5%"
    assert percent(1596, 1624, "vi") == "98,3%"
    assert percent(685, 691, "en") == "99.1%"
    assert percent(685, 691, "vi", digits=2) == "99,13%"


def test_halves_round_up_as_people_round_them() -> None:
    assert percent(1, 8, "vi", digits=0) == "13%"  # 12.5, not banker's 12
    assert percent(1, 8, "vi", digits=1) == "12,5%"
    assert decimal(Decimal("0.25"), "vi", 1) == "0,3"


def test_nothing_to_divide_by_is_a_dash_not_zero() -> None:
    assert percent(0, 0, "vi") == "—"
    assert ratio_percent(None, "vi") == "—"
    assert ratio_percent(0.0, "vi") == "0,0%"


def test_a_large_decimal_groups_its_thousands_and_keeps_its_sign() -> None:
    assert decimal(Decimal("-12345.678"), "vi", 2) == "-12.345,68"
    assert decimal(Decimal("12345.678"), "en", 2) == "12,345.68"


@given(st.integers(min_value=0, max_value=10**15))
def test_an_integer_reads_back_by_dropping_the_dots(n: int) -> None:
    written = integer(n, "vi")
    assert int(written.replace(".", "")) == n
    assert all(len(group) == 3 for group in written.split(".")[1:])


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_a_percentage_is_within_half_a_unit_of_its_last_digit(part: int, whole: int) -> None:
    written = percent(part, whole, "vi", digits=1)
    value = Decimal(written.rstrip("%").replace(".", "").replace(",", "."))
    exact = Decimal(100 * part) / whole
    if 0 < part < whole:  # clamped into 0,1..99,9: never "all" or "none" when it is not
        exact = min(max(exact, Decimal("0.1")), Decimal("99.9"))
    assert abs(value - exact) <= Decimal("0.05")


def test_only_all_is_a_hundred_and_only_none_is_zero() -> None:
    assert percent(19999, 20000, "vi") == "99,9%"
    assert percent(1, 20000, "vi") == "0,1%"
    assert percent(20000, 20000, "vi") == "100,0%"
    assert percent(0, 20000, "vi") == "0,0%"
    assert ratio_percent(19999 / 20000, "vi") == "99,9%"
    assert ratio_percent(1.0, "vi") == "100,0%"


@given(st.integers(min_value=0, max_value=10**5), st.integers(min_value=1, max_value=10**5))
def test_a_ratio_and_its_counts_are_written_alike(part: int, whole: int) -> None:
    part = min(part, whole)
    assert ratio_percent(part / whole, "vi") == percent(part, whole, "vi")
