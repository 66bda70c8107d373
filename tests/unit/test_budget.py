"""Alert levels and the month-end projection (the binding cap: test_caps.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from budgettui.domain.budget import Alert, Cap, alert_level, last_reset, pace_basis, project


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (None, Alert.NONE),
        (D("0"), Alert.OK),
        (D("0.7999"), Alert.OK),
        (D("0.80"), Alert.WARNING),
        (D("0.8999"), Alert.WARNING),
        (D("0.90"), Alert.CRITICAL),
        (D("0.9999"), Alert.CRITICAL),
        (D("1"), Alert.EXCEEDED),
        (D("3.2"), Alert.EXCEEDED),
    ],
)
def test_alert_levels_follow_the_thresholds(fraction: D | None, expected: Alert) -> None:
    assert alert_level(fraction) is expected


def test_a_custom_warning_threshold_moves_only_the_warning() -> None:
    assert alert_level(D("0.70"), threshold=D("0.70")) is Alert.WARNING
    assert alert_level(D("0.69"), threshold=D("0.70")) is Alert.OK
    assert alert_level(D("0.91"), threshold=D("0.70")) is Alert.CRITICAL


def test_used_fraction_and_remaining() -> None:
    cap = Cap(spend=D("83"), max_budget=D("100"))
    assert cap.fraction_used == D("0.83")
    assert cap.remaining == D("17")
    assert Cap(D("5"), None).fraction_used is None
    assert Cap(D("0"), D("0")).fraction_used == D("1")


def test_projection_and_runway_at_the_month_to_date_rate() -> None:
    # 10 days in, $100 spent: $10/day; 20 days left → $300 by month end; $35 left → 4 days.
    projection = project(D("100"), date(2026, 11, 10), date(2026, 11, 30), remaining=D("35"))
    assert projection.daily_rate == D("10")
    assert projection.month_end_spend == D("300")
    assert projection.runway_date == date(2026, 11, 14)


def test_runway_without_cap_or_spend_is_none_and_an_exhausted_cap_is_today() -> None:
    today, last = date(2026, 11, 10), date(2026, 11, 30)
    assert project(D("100"), today, last, remaining=None).runway_date is None
    assert project(D("0"), today, last, remaining=D("5")).runway_date is None
    assert project(D("100"), today, last, remaining=D("-1")).runway_date == today


def test_a_cap_that_resets_before_the_pace_uses_it_has_no_runway() -> None:
    today, last = date(2026, 11, 10), date(2026, 11, 30)
    projection = project(
        D("100"), today, last, remaining=D("300"), reset_on=date(2026, 12, 1)
    )  # 30 days of room at $10/day, but the window resets in 21 days
    assert projection.runway_date is None
    assert projection.resets_first
    soon = project(D("100"), today, last, remaining=D("35"), reset_on=date(2026, 12, 1))
    assert soon.runway_date == date(2026, 11, 14)
    assert not soon.resets_first


def test_the_pace_counts_from_the_keys_own_start_not_the_month() -> None:
    # Created on the 8th, $30 by the 10th: 3 days at $10/day, not 10 days at $3.
    today, last = date(2026, 11, 10), date(2026, 11, 30)
    since = datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    projection = project(D("30"), today, last, remaining=D("20"), since=since, now=now)
    assert projection.daily_rate == D("10")
    assert projection.runway_date == date(2026, 11, 12)
    from_last_month = project(D("30"), today, last, D("20"), since=since.replace(month=10), now=now)
    assert from_last_month.daily_rate == D("3")  # older than the month: the month counts


def test_minutes_of_history_give_no_runway_and_say_so() -> None:
    today, last = date(2026, 11, 10), date(2026, 11, 30)
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    fresh = project(D("0.20"), today, last, D("4.80"), since=now - timedelta(minutes=5), now=now)
    assert fresh.runway_date is None
    assert fresh.too_little_history
    day_old = project(D("0.20"), today, last, D("4.80"), since=now - timedelta(days=2), now=now)
    assert not day_old.too_little_history


def test_after_a_reset_the_pace_is_the_caps_spend_since_it() -> None:
    # A 7d cap reset on the 8th (next reset the 15th): $14 since then, over 3 days on the 10th,
    # not the $40 of the month over 10 days.
    month_start = datetime(2026, 11, 1, tzinfo=UTC)
    cap = Cap(D("14"), D("30"), "7d", datetime(2026, 11, 15, tzinfo=UTC))
    assert last_reset(cap) == datetime(2026, 11, 8, tzinfo=UTC)
    spent, since = pace_basis(cap, D("40"), month_start, created_at=None)
    assert (spent, since) == (D("14"), datetime(2026, 11, 8, tzinfo=UTC))
    projection = project(spent, date(2026, 11, 10), date(2026, 11, 30), cap.remaining, since=since)
    assert projection.daily_rate == D("14") / 3


def test_a_reset_before_the_month_or_the_key_leaves_the_month_to_date() -> None:
    month_start = datetime(2026, 11, 1, tzinfo=UTC)
    monthly = Cap(D("14"), D("30"), "1mo", datetime(2026, 12, 1, tzinfo=UTC))
    assert last_reset(monthly) == month_start
    assert pace_basis(monthly, D("40"), month_start, None) == (D("40"), month_start)
    created = datetime(2026, 11, 9, tzinfo=UTC)
    weekly = Cap(D("14"), D("30"), "weekly", datetime(2026, 11, 15, tzinfo=UTC))
    assert pace_basis(weekly, D("40"), month_start, created) == (D("40"), created)
    assert last_reset(Cap(D("1"), D("2"), None, None)) is None


def test_a_cap_already_used_up_runs_out_now_however_short_the_history() -> None:
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    fresh = project(
        D("2.60"),
        now.date(),
        date(2026, 11, 30),
        D("-0.60"),
        since=now - timedelta(hours=1),
        now=now,
    )
    assert fresh.runway_date == now.date()
    assert not fresh.too_little_history


def test_an_inferred_reset_the_counter_does_not_bear_out_leaves_the_month_to_date() -> None:
    # The next reset less 30d falls on the 2nd, but the counter still holds the whole month:
    # nothing was reset, and a pace "since this morning" would be a guess.
    month_start = datetime(2026, 12, 1, tzinfo=UTC)
    cap = Cap(D("0.15"), D("0.34"), "30d", datetime(2027, 1, 1, tzinfo=UTC))
    assert pace_basis(cap, D("0.15"), month_start, None) == (D("0.15"), month_start)
    # Summed apart, the two figures differ in their last digits: still not a reset.
    assert pace_basis(cap, D("0.15000001"), month_start, None) == (D("0.15000001"), month_start)
