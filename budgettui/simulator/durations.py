"""LiteLLM's ``budget_duration`` grammar and its standardized reset instants.

Ported from LiteLLM 1.108.7 ``litellm_core_utils/duration_parser.py`` and
``proxy/common_utils/timezone_utils.py`` (timezone UTC, reset time 00:00, the defaults):

* validation: ``<int>(s|m|h|d|w|mo)`` matched at the *start* of the string (``re.match``), plus the
  aliases hourly/daily/weekly/monthly; it must last more than 0 seconds and yield a reset instant
  (so ``"0d"``, ``"30"``, ``"7D"`` and ``"2mo"`` are rejected);
* reset: ``1d`` next midnight, ``7d`` next Monday, ``30d``/``1mo`` the 1st of the next month,
  other ``Nd`` today's midnight + N days, ``Nh``/``Nm``/``Ns`` aligned to multiples of N.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from budgettui.simulator.timefmt import add_months, to_utc

_ALIASES = {"hourly": "1h", "daily": "24h", "weekly": "7d", "monthly": "30d"}
_EXTRACT = re.compile(r"(\d+)(mo|[smhdw]?)")
_PARSE = re.compile(r"(\d+)([a-z]+)")


def normalize(duration: str) -> str:
    """Apply LiteLLM's word aliases (``monthly`` → ``30d``)."""
    return _ALIASES.get(duration.strip().lower(), duration)


def duration_seconds(duration: str, now: datetime) -> int:
    """``duration_in_seconds``; raises ValueError like LiteLLM for an unusable value."""
    match = _EXTRACT.match(normalize(duration))
    if match is None:
        raise ValueError("Invalid duration format")
    value, unit = int(match.group(1)), match.group(2)
    factors = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    if unit in factors:
        return value * factors[unit]
    if unit == "mo":
        start = to_utc(now)
        return int((add_months(start, value) - start).total_seconds())
    raise ValueError(f"Unsupported duration unit, passed duration: {duration}")


def next_reset(duration: str, now: datetime) -> datetime:
    """``get_next_standardized_reset_time`` (UTC, midnight); may raise ValueError/OverflowError."""
    current = to_utc(now)
    match = _PARSE.match(normalize(duration))
    midnight = current.replace(hour=0, minute=0, second=0, microsecond=0)
    if match is None:
        return midnight + timedelta(days=1)
    value, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return _day_reset(current, midnight, value)
    if unit == "w":
        return _day_reset(current, midnight, value * 7)
    if unit == "h":
        return _hour_reset(current, midnight, value)
    if unit == "m":
        return _minute_reset(current, midnight, value)
    if unit == "s":
        return _second_reset(current, midnight, value)
    if unit == "mo":
        return _month_reset(current, midnight, value)
    return midnight + timedelta(days=1)


def _day_reset(current: datetime, midnight: datetime, value: int) -> datetime:
    if value == 0:
        return current
    if value == 1:
        return midnight if midnight > current else midnight + timedelta(days=1)
    if value == 7:
        monday = midnight + timedelta(days=(7 - current.weekday()) % 7)
        return monday if monday > current else monday + timedelta(days=7)
    if value == 30:
        return _month_reset(current, midnight, 1)
    return midnight + timedelta(days=value)


def _month_reset(current: datetime, midnight: datetime, value: int) -> datetime:
    if value != 1:
        raise ValueError("Monthly resets currently only support 1 month intervals")
    first = midnight.replace(day=1)
    if first > current:
        return first
    if first.month == 12:
        return first.replace(year=first.year + 1, month=1)
    return first.replace(month=first.month + 1)


def _hour_reset(current: datetime, midnight: datetime, value: int) -> datetime:
    if value == 0:
        return current
    hour = current.hour
    next_hour = hour + value - (hour % value) if hour % value != 0 else hour + value
    if next_hour >= 24:
        return (midnight + timedelta(days=1)).replace(hour=next_hour % 24)
    return current.replace(hour=next_hour, minute=0, second=0, microsecond=0)


def _minute_reset(current: datetime, midnight: datetime, value: int) -> datetime:
    if value == 0:
        return current
    minute = current.minute
    next_minute = minute + value - (minute % value) if minute % value != 0 else minute + value
    next_hour = current.hour + next_minute // 60
    next_minute %= 60
    if next_hour >= 24:
        day = midnight + timedelta(days=1)
        return day.replace(hour=next_hour % 24, minute=next_minute)
    return current.replace(hour=next_hour, minute=next_minute, second=0, microsecond=0)


def _second_reset(current: datetime, midnight: datetime, value: int) -> datetime:
    if value == 0:
        return current
    second = current.second
    next_second = second + value - (second % value) if second % value != 0 else second + value
    next_minute = current.minute + next_second // 60
    next_second %= 60
    next_hour = current.hour + next_minute // 60
    next_minute %= 60
    if next_hour >= 24:
        day = midnight + timedelta(days=1)
        return day.replace(hour=next_hour % 24, minute=next_minute, second=next_second)
    return current.replace(hour=next_hour, minute=next_minute, second=next_second, microsecond=0)


def window_start(duration: str, reset_at: datetime) -> datetime:
    """``get_budget_window_start``: where the budget period ending at ``reset_at`` began."""
    match = _PARSE.match(normalize(duration))
    if match is None:
        return reset_at - timedelta(days=1)
    value, unit = int(match.group(1)), match.group(2)
    if unit == "mo":
        return add_months(reset_at, -value)
    if unit == "d":
        return add_months(reset_at, -1) if value == 30 else reset_at - timedelta(days=value)
    steps = {"w": timedelta(weeks=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
    if unit in steps:
        return reset_at - steps[unit] * value
    if unit == "s":
        return reset_at - timedelta(seconds=value)
    return reset_at - timedelta(days=1)


def duration_error(duration: str | None, now: datetime, *, strict: bool = True) -> str | None:
    """``budget_duration_error``: why ``duration`` cannot be stored, or None when usable.

    ``strict=False`` is LiteLLM 1.84.10, which stores any string (``next_reset`` then falls
    back to the next midnight for one it cannot read, as ``"30"``)."""
    if duration is None or not strict:
        return None
    try:
        if duration_seconds(duration, now) <= 0:
            raise ValueError("non-positive")
        next_reset(duration, now)
    except (ValueError, OverflowError):
        return (
            f"Invalid budget_duration '{duration}'. Use a format like '1h', '24h', '7d', or '30d'."
        )
    return None


def keeps_due_reset(
    requested: str, stored: str | None, stored_reset_at: datetime | None, now: datetime
) -> bool:
    """``keeps_due_budget_reset``: re-sending the same duration keeps an already-due reset."""
    if stored_reset_at is None or requested != stored:
        return False
    return to_utc(stored_reset_at) <= to_utc(now)
