"""Spend-log storage and the daily rollups LiteLLM keeps beside it.

Rows are kept sorted by ``startTime`` (epoch seconds) so date windows are two bisections. Every row
also updates a per-day rollup keyed like LiteLLM's ``LiteLLM_Daily{User,Team}Spend`` tables
(day, api_key, model, model_group, provider, user, team), so the daily-activity endpoints never scan
raw rows.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from budgettui.simulator.models import LogRow
from budgettui.simulator.timefmt import day_of

ENDPOINT = "/chat/completions"


class RollupKey(NamedTuple):
    api_key: str
    model: str
    model_group: str
    provider: str
    user: str
    team_id: str


# spend, prompt, completion, api_requests, successful, failed, response_ms, timed_requests
Metrics = list[float]
METRIC_FIELDS = 8


def new_metrics() -> Metrics:
    return [0.0] * METRIC_FIELDS


def add_into(target: Metrics, source: Metrics) -> None:
    for index in range(METRIC_FIELDS):
        target[index] += source[index]


class Ledger:
    """All spend-log rows plus their per-day rollups."""

    def __init__(self) -> None:
        self.rows: list[LogRow] = []
        self._ts: list[float] = []
        self.daily: dict[str, dict[RollupKey, Metrics]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: LogRow) -> None:
        """Insert one row (after rows with the same startTime) and roll it up."""
        index = bisect.bisect_right(self._ts, row.ts)
        self.rows.insert(index, row)
        self._ts.insert(index, row.ts)
        self._roll(row)

    def extend(self, rows: Iterable[LogRow]) -> None:
        """Bulk insert (the seed): append, roll up, sort once."""
        for row in rows:
            self.rows.append(row)
            self._roll(row)
        self.rows.sort(key=lambda row: row.ts)
        self._ts = [row.ts for row in self.rows]

    def _roll(self, row: LogRow) -> None:
        day = self.daily.setdefault(day_of(row.ts), {})
        key = RollupKey(
            row.api_key, row.model, row.model_group, row.provider, row.user, row.team_id
        )
        metrics = day.get(key)
        if metrics is None:
            metrics = day[key] = new_metrics()
        failed = row.status == "failure"
        metrics[0] += row.spend
        metrics[1] += row.prompt_tokens
        metrics[2] += row.completion_tokens
        metrics[3] += 1
        metrics[4] += 0 if failed else 1
        metrics[5] += 1 if failed else 0
        metrics[6] += row.duration_ms
        metrics[7] += 1

    def between(self, start_ts: float, end_ts: float) -> list[LogRow]:
        """Rows with ``start_ts <= startTime <= end_ts``, oldest first."""
        low = bisect.bisect_left(self._ts, start_ts)
        high = bisect.bisect_right(self._ts, end_ts)
        return self.rows[low:high]

    def days(self, start_day: str, end_day: str) -> Iterator[tuple[str, dict[RollupKey, Metrics]]]:
        """Rollup buckets for the days in ``[start_day, end_day]`` (string comparison, like SQL)."""
        for day in sorted(self.daily):
            if start_day <= day <= end_day:
                yield day, self.daily[day]
