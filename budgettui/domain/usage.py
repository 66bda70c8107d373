"""A tenant's usage for one calendar month (UTC): by day, with every day present, and by model.

Two sources feed the same `MonthUsage`: LiteLLM's aggregated daily activity (one answer per
month) and, on proxies without it, `/spend/logs/v2` pages folded in one at a time by
`SpendLogAccumulator`, whose memory does not grow with the number of requests.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from budgettui.errors import BudgettuiError
from budgettui.proxy.models import DailyActivity, SpendLog

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only: int() would take "١٢"


class MonthError(BudgettuiError, ValueError):
    """A month that is not `YYYY-MM`."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch(text.strip(" "))
        if not match:
            shown = text if len(text) <= 20 else text[:20] + "…"
            raise MonthError(f"month must be YYYY-MM (e.g. 2026-11), not {shown!r}")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise MonthError(f"month must be 01 to 12, not {match[2]}")
        if not 1970 <= year <= 9998:
            raise MonthError(f"year must be 1970 to 9998, not {year}")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The first instant of the month, UTC."""
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant of the next month, UTC: the month is [start, end)."""
        return self.next().start

    def days(self) -> list[date]:
        first = self.first_day
        return [first + timedelta(days=n) for n in range((self.last_day - first).days + 1)]

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant.astimezone(UTC) < self.end


@dataclass
class DayUsage:
    day: date
    spend: Decimal = Decimal(0)
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0


@dataclass
class ModelUsage:
    model: str
    spend: Decimal = Decimal(0)
    requests: int = 0


@dataclass
class MonthUsage:
    month: Month
    daily: list[DayUsage]
    models: list[ModelUsage]
    partial: bool = False
    partial_reason: str | None = None

    @property
    def total_spend(self) -> Decimal:
        return sum((d.spend for d in self.daily), Decimal(0))

    @property
    def input_tokens(self) -> int:
        return sum(d.input_tokens for d in self.daily)

    @property
    def output_tokens(self) -> int:
        return sum(d.output_tokens for d in self.daily)

    @property
    def request_count(self) -> int:
        return sum(d.requests for d in self.daily)


def _empty_days(month: Month) -> dict[date, DayUsage]:
    return {day: DayUsage(day) for day in month.days()}


def _sorted_models(models: Iterable[ModelUsage]) -> list[ModelUsage]:
    return sorted(models, key=lambda m: (-m.spend, m.model))


def usage_from_activity(month: Month, activity: DailyActivity) -> MonthUsage:
    """LiteLLM lists only days with traffic; the other days of the month are filled with zeros.
    Days outside the month (a proxy that ignored the range) are left out."""
    days = _empty_days(month)
    models: dict[str, ModelUsage] = {}
    for entry in activity.results:
        try:
            day = date.fromisoformat(entry.date[:10])
        except ValueError:
            continue
        if day not in days:
            continue
        usage = days[day]
        usage.spend += entry.metrics.spend
        usage.input_tokens += entry.metrics.prompt_tokens
        usage.output_tokens += entry.metrics.completion_tokens
        usage.requests += entry.metrics.api_requests
        by_model = entry.breakdown.model_groups or entry.breakdown.models
        for name, model in by_model.items():
            total = models.setdefault(name, ModelUsage(name))
            total.spend += model.metrics.spend
            total.requests += model.metrics.api_requests
    return MonthUsage(month, list(days.values()), _sorted_models(models.values()))


@dataclass
class SpendLogAccumulator:
    """Folds `/spend/logs/v2` pages into a `MonthUsage`.

    Pages are ordered by start time alone, so a request logged while we page shifts rows and a
    row can come back on the next page. Remembering the ids of the last two pages is enough to
    drop those repeats while keeping memory bounded by the page size, not the month's traffic.
    """

    month: Month
    _days: dict[date, DayUsage] = field(init=False)
    _models: dict[str, ModelUsage] = field(init=False, default_factory=dict)
    _recent: deque[set[str]] = field(init=False, default_factory=lambda: deque(maxlen=2))
    rows_seen: int = field(init=False, default=0)
    duplicates: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._days = _empty_days(self.month)

    def add_page(self, rows: Iterable[SpendLog]) -> None:
        page_ids: set[str] = set()
        for row in rows:
            self.rows_seen += 1
            if row.request_id in page_ids or any(row.request_id in ids for ids in self._recent):
                self.duplicates += 1
                continue
            page_ids.add(row.request_id)
            self._add(row)
        self._recent.append(page_ids)

    def _add(self, row: SpendLog) -> None:
        instant = row.start_time if row.start_time.tzinfo else row.start_time.replace(tzinfo=UTC)
        if not self.month.contains(instant):
            return  # we ask for [start, end] inclusive; the next month's first instant is dropped
        day = self._days[instant.astimezone(UTC).date()]
        day.spend += row.spend
        day.input_tokens += row.prompt_tokens
        day.output_tokens += row.completion_tokens
        day.requests += 1
        name = row.model_group or row.model or "(unknown model)"
        model = self._models.setdefault(name, ModelUsage(name))
        model.spend += row.spend
        model.requests += 1

    def result(self, *, partial_reason: str | None = None) -> MonthUsage:
        return MonthUsage(
            self.month,
            list(self._days.values()),
            _sorted_models(self._models.values()),
            partial=partial_reason is not None,
            partial_reason=partial_reason,
        )
