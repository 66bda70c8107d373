"""Dates with their year when far, amounts that keep their digits, names cut in the middle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from budgettui.domain.display import compact_money, day_label, runway_label, shorten_middle

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 5), "Dec 05"),
        (date(2026, 1, 5), "Jan 05 2026"),  # this year, but 331 days back: far
        (date(2027, 1, 3), "Jan 03 2027"),  # next month, but another year
        (date(2028, 12, 5), "Dec 05 2028"),  # the runway the stranger read as "next week"
        (date(2036, 12, 3), "Dec 03 2036"),
    ],
)
def test_a_day_shows_its_year_when_it_is_far_or_in_another_year(day: date, expected: str) -> None:
    assert day_label(day, TODAY) == expected


def test_a_runway_beyond_a_year_is_not_a_date() -> None:
    assert runway_label(date(2028, 12, 5), TODAY) == "> 1 year"
    assert runway_label(date(2027, 6, 1), TODAY) == "Jun 01 2027"
    assert runway_label(date(2026, 12, 20), TODAY) == "Dec 20"
    assert runway_label(TODAY, TODAY) == "now"


def test_two_names_that_differ_only_at_the_end_stay_apart() -> None:
    first = shorten_middle("hperf30599-busy", 12)
    second = shorten_middle("hperf30599-busy-2", 12)
    assert first != second
    assert len(first) == len(second) == 12
    assert second.endswith("busy-2")
    assert "…" in second
    assert shorten_middle("acme-web", 12) == "acme-web"


@pytest.mark.parametrize(
    ("amount", "width", "expected"),
    [
        (D("20454.84"), 10, "$20,454.84"),  # fits: every digit
        (D("22504.5"), 9, "$22.50k"),
        (D("22504.5"), 6, "$22.5k"),
        (D("1234567.89"), 7, "$1.23M"),
        (D("-22504.5"), 7, "-$22.5k"),
        (D("5.03"), 4, "$5.03"),  # nothing to compact: shown whole, never cut
    ],
)
def test_an_amount_keeps_its_digits_or_says_its_unit(amount: D, width: int, expected: str) -> None:
    assert compact_money(amount, width) == expected


def test_a_compacted_amount_never_drops_a_digit_silently() -> None:
    for width in range(4, 14):
        text = compact_money(D("22504.5"), width)
        assert text == "$22,504.50" or text[-1] in "kMB"
