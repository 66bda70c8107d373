"""Budget math: how much of a cap is used, how loud to be about it, and where the month is
heading at the current rate (which cap binds first is `domain.caps`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

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
    if since is not None and now is not None and now - since < MIN_HISTORY:
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
