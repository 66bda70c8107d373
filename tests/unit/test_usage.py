"""Month bounds in UTC, every day present, and spend-log pages folded without double counting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from budgettui.domain.usage import Month, MonthError, SpendLogAccumulator, usage_from_activity
from budgettui.proxy.models import DailyActivity, SpendLog


def _log(request_id: str, when: str, spend: str = "1", model: str = "gpt-4o") -> SpendLog:
    return SpendLog.model_validate(
        {
            "request_id": request_id,
            "spend": float(spend),
            "prompt_tokens": 10,
            "completion_tokens": 20,
            "startTime": when,
            "model": f"openai/{model}",
            "model_group": model,
        }
    )


def test_month_parsing_and_bounds() -> None:
    month = Month.parse("2024-02")
    assert month.last_day == date(2024, 2, 29)
    assert len(month.days()) == 29
    assert month.start == datetime(2024, 2, 1, tzinfo=UTC)
    assert month.end == datetime(2024, 3, 1, tzinfo=UTC)
    assert str(Month.parse("2026-12").next()) == "2027-01"
    assert str(Month.parse("2026-01").previous()) == "2025-12"


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "26-11", "2026/11", "", "2026-1", "１２３４-05"]
)
def test_bad_months_are_refused_with_the_rule(text: str) -> None:
    with pytest.raises(MonthError, match=r"month|year"):
        Month.parse(text)


def test_the_last_second_of_the_month_counts_and_the_next_month_does_not() -> None:
    acc = SpendLogAccumulator(Month.parse("2026-11"))
    acc.add_page(
        [
            _log("a", "2026-11-30T23:59:59+00:00", "2"),
            _log("b", "2026-12-01T00:00:00+00:00", "100"),
            _log("c", "2026-11-01T00:00:00+00:00", "3"),
            _log("d", "2026-10-31T23:59:59.999+00:00", "50"),
        ]
    )
    usage = acc.result()
    assert usage.total_spend == D("5")
    assert usage.request_count == 2
    assert usage.daily[-1].spend == D("2")
    assert usage.daily[0].spend == D("3")


def test_times_in_other_offsets_land_on_their_utc_day() -> None:
    acc = SpendLogAccumulator(Month.parse("2026-11"))
    acc.add_page([_log("a", "2026-12-01T01:30:00+02:00", "4")])  # 23:30 UTC on the 30th
    assert acc.result().daily[-1].spend == D("4")


def test_a_row_repeated_on_the_next_page_is_counted_once() -> None:
    acc = SpendLogAccumulator(Month.parse("2026-11"))
    acc.add_page([_log("a", "2026-11-05T10:00:00Z"), _log("b", "2026-11-05T09:00:00Z")])
    acc.add_page([_log("b", "2026-11-05T09:00:00Z"), _log("c", "2026-11-04T09:00:00Z")])
    usage = acc.result()
    assert usage.request_count == 3
    assert acc.duplicates == 1
    assert not usage.partial


def test_a_partial_result_says_so() -> None:
    usage = SpendLogAccumulator(Month.parse("2026-11")).result(partial_reason="stopped early")
    assert usage.partial
    assert usage.partial_reason == "stopped early"


def test_aggregated_activity_fills_every_day_and_sums_models() -> None:
    activity = DailyActivity.model_validate(
        {
            "results": [
                {
                    "date": "2026-11-03",
                    "metrics": {
                        "spend": 1.5,
                        "prompt_tokens": 100,
                        "completion_tokens": 50,
                        "api_requests": 3,
                    },
                    "breakdown": {
                        "model_groups": {
                            "gpt-4o": {"metrics": {"spend": 1.0, "api_requests": 1}},
                            "gpt-4o-mini": {"metrics": {"spend": 0.5, "api_requests": 2}},
                        }
                    },
                },
                {"date": "2026-12-01", "metrics": {"spend": 99, "api_requests": 9}},
            ]
        }
    )
    usage = usage_from_activity(Month.parse("2026-11"), activity)
    assert len(usage.daily) == 30
    assert usage.total_spend == D("1.5")
    assert usage.request_count == 3
    assert usage.input_tokens == 100
    assert [(m.model, m.requests) for m in usage.models] == [("gpt-4o", 1), ("gpt-4o-mini", 2)]
