"""Budget math: how much of a cap is used, how loud to be about it, and where the month is
heading at the current rate (which cap binds first is `domain.caps`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from budgettui.domain.money import CENT

DEFAULT_WARNING_THRESHOLD = Decimal("0.80")
CRITICAL_THRESHOLD = Decimal("0.90")
EXCEEDED_THRESHOLD = Decimal("1")


class Alert(StrEnum):
    NONE = "none"  # no cap to measure against
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    EXCEEDED = "exceeded"


class BindingCap(StrEnum):
    """Which cap LiteLLM will hit first (`domain.caps`); "org" is the key's team."""

    KEY = "key"
    ORG = "org"
    USER = "user"
    TEAM_MEMBER = "team_member"
    WINDOW = "window"
    MODEL = "model"
    NONE = "none"


@dataclass(frozen=True)
class Cap:
    """One budget: a key's or a team's. `max_budget` None means no cap at that level."""

    spend: Decimal
    max_budget: Decimal | None
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None

    @property
    def remaining(self) -> Decimal | None:
        if self.max_budget is None:
            return None
        return self.max_budget - self.spend

    @property
    def fraction_used(self) -> Decimal | None:
        if self.max_budget is None:
            return None
        if self.max_budget <= 0:
            # LiteLLM accepts a 0 cap: everything is over it.
            return EXCEEDED_THRESHOLD if self.spend >= 0 else Decimal(0)
        return self.spend / self.max_budget


def alert_level(fraction: Decimal | None, threshold: Decimal = DEFAULT_WARNING_THRESHOLD) -> Alert:
    """warning from `threshold` (80 % by default), critical from 90 %, exceeded from 100 %."""
    if fraction is None:
        return Alert.NONE
    if fraction >= EXCEEDED_THRESHOLD:
        return Alert.EXCEEDED
    if fraction >= CRITICAL_THRESHOLD:
        return Alert.CRITICAL
    if fraction >= threshold:
        return Alert.WARNING
    return Alert.OK


@dataclass(frozen=True)
class Projection:
    """Month-end spend at the month-to-date daily rate, and the day the cap runs out."""

    daily_rate: Decimal
    month_end_spend: Decimal
    runway_date: date | None  # None: no cap, nothing is being spent, or the cap resets first
    resets_first: bool = False  # the cap's window resets before the pace would use it up
    too_little_history: bool = False  # under a day of spending: no pace worth projecting


_SPANS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_WORDS = {"hourly": "1h", "daily": "1d", "weekly": "7d", "monthly": "1mo"}


def last_reset(cap: Cap) -> datetime | None:
    """When the cap's window last began: its next reset less one period (a calendar month for
    `1mo`, as LiteLLM counts it). None without a period, a reset date or a period we can read."""
    if cap.budget_reset_at is None or cap.budget_duration is None:
        return None
    duration = _WORDS.get(cap.budget_duration, cap.budget_duration)
    if duration == "1mo":
        reset = cap.budget_reset_at
        year, month = (reset.year, reset.month - 1) if reset.month > 1 else (reset.year - 1, 12)
        return reset.replace(year=year, month=month, day=min(reset.day, 28))
    unit = duration[-1:]
    if unit not in _SPANS or not duration[:-1].isdigit():
        return None
    return cap.budget_reset_at - timedelta(seconds=int(duration[:-1]) * _SPANS[unit])


def pace_basis(
    cap: Cap | None, month_to_date: Decimal, month_start: datetime, created_at: datetime | None
) -> tuple[Decimal, datetime]:
    """What the pace is spend over, and since when: from the latest of the month's start, the
    key's creation and the cap's last reset. After a reset the cap's own counter is the spend
    since then; otherwise it is the month to date. The reset date is inferred (next reset less
    one period), so it counts only where the counter bears it out: holding at least a cent less
    than the month to date (the two are summed apart, so they differ in their last digits), it
    was reset this month. Otherwise (a counter never reset, or another cap's) the month to date
    it is."""
    since = max(month_start, created_at) if created_at else month_start
    reset = last_reset(cap) if cap else None
    if (
        cap is not None
        and reset is not None
        and reset > since
        and month_to_date - cap.spend >= CENT
    ):
        return cap.spend, reset
    return month_to_date, since


# Under a day of history, a pace is a guess: $0.20 spent in the key's first minutes says
# nothing about a month.
MIN_HISTORY = timedelta(days=1)


def project(
    month_to_date: Decimal,
    today: date,
    month_last_day: date,
    remaining: Decimal | None,
    reset_on: date | None = None,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Projection:
    """`today` counts as a day elapsed (its spend is in `month_to_date`). The pace counts from
    the latest of the month's first day and `since` (the key's creation or its cap's last
    reset), so a key made yesterday is not spread over the whole month; with under a day of
    history (`now - since`) there is no runway to tell. The runway is the day the remaining
    budget is used up at that rate: today when it is already used up, none when the cap's
    window resets (`reset_on`) before that day comes."""
    start = today.replace(day=1)
    if since is not None and since.date() > start:
        start = since.date()
    days_elapsed = max(1, (today - start).days + 1)
    rate = month_to_date / days_elapsed
    used_up = remaining is not None and remaining <= 0  # "now" needs no pace to tell
    if since is not None and now is not None and now - since < MIN_HISTORY and not used_up:
        days_left = (month_last_day - today).days
        month_end = month_to_date + rate * max(0, days_left)
        return Projection(rate, month_end, None, too_little_history=True)
    days_left = (month_last_day - today).days
    month_end = month_to_date + rate * max(0, days_left)
    runway: date | None = None
    if remaining is not None:
        if remaining <= 0:
            runway = today
        elif rate > 0:
            days = math.ceil(remaining / rate)
            runway = today + timedelta(days=days) if days < 36_500 else None
    if runway is not None and reset_on is not None and today < reset_on <= runway:
        return Projection(rate, month_end, None, resets_first=True)
    return Projection(daily_rate=rate, month_end_spend=month_end, runway_date=runway)
