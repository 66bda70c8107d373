"""LiteLLM's budget_duration grammar and standardized reset instants, as ported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgettui.simulator.durations import duration_error, next_reset, window_start

WED = datetime(2026, 11, 25, 14, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("1d", datetime(2026, 11, 26, tzinfo=UTC)),
        ("24h", datetime(2026, 11, 26, tzinfo=UTC)),
        ("7d", datetime(2026, 11, 30, tzinfo=UTC)),
        ("1w", datetime(2026, 11, 30, tzinfo=UTC)),
        ("weekly", datetime(2026, 11, 30, tzinfo=UTC)),
        ("30d", datetime(2026, 12, 1, tzinfo=UTC)),
        ("1mo", datetime(2026, 12, 1, tzinfo=UTC)),
        ("10d", datetime(2026, 12, 5, tzinfo=UTC)),
        ("1h", datetime(2026, 11, 25, 15, tzinfo=UTC)),
        ("15m", datetime(2026, 11, 25, 14, 30, tzinfo=UTC)),
        ("45s", datetime(2026, 11, 25, 14, 15, 45, tzinfo=UTC)),
    ],
)
def test_next_reset(duration: str, expected: datetime) -> None:
    assert duration_error(duration, WED) is None
    assert next_reset(duration, WED) == expected


def test_december_rolls_into_january() -> None:
    assert next_reset("30d", datetime(2026, 12, 31, 23, tzinfo=UTC)) == datetime(
        2027, 1, 1, tzinfo=UTC
    )


@pytest.mark.parametrize("duration", ["30", "0d", "0mo", "2mo", "7D", "d", "-1d", "", " 30d"])
def test_invalid_durations(duration: str) -> None:
    assert duration_error(duration, WED) == (
        f"Invalid budget_duration '{duration}'. Use a format like '1h', '24h', '7d', or '30d'."
    )


def test_window_start_of_calendar_month() -> None:
    assert window_start("30d", datetime(2026, 12, 1, tzinfo=UTC)) == datetime(
        2026, 11, 1, tzinfo=UTC
    )
    assert window_start("7d", datetime(2026, 11, 30, tzinfo=UTC)) == datetime(
        2026, 11, 23, tzinfo=UTC
    )


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(["1d", "7d", "30d", "1mo", "1h", "6h", "30m", "10s", "3d", "2w"]),
)
def test_reset_is_in_the_future_and_window_contains_now(now: datetime, duration: str) -> None:
    reset = next_reset(duration, now)
    assert now < reset <= now + timedelta(days=32)
    if duration in ("1d", "7d", "30d", "1mo", "1h", "30m"):
        assert window_start(duration, reset) <= now
