"""The read-back comparison: which fields asked for a write did the proxy not apply?"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from budgettui.domain.budget import Cap
from budgettui.services.readback import NotApplied, unapplied_budget, unapplied_reset

RESET = datetime(2026, 12, 1, tzinfo=UTC)
BEFORE = Cap(Decimal("12"), Decimal("50"), "30d", RESET)


def _lines(sent: dict[str, object], now: Cap) -> str:
    missed = unapplied_budget(sent, BEFORE, now)
    return NotApplied(missed).message if missed else ""


def test_an_amount_is_compared_as_a_number() -> None:
    assert _lines({"max_budget": 75.5}, Cap(Decimal(12), Decimal("75.50"), "30d", RESET)) == ""
    assert _lines({"max_budget": 50.0}, BEFORE) == ""  # 50 sent, 50 held
    assert _lines({"max_budget": 75.5}, BEFORE) == "LiteLLM did not apply: budget (still $50.00)"
    assert _lines({"max_budget": None}, BEFORE) == "LiteLLM did not apply: budget (still $50.00)"


def test_a_new_period_needs_a_reset_date_but_not_a_particular_one() -> None:
    recomputed = Cap(Decimal(12), Decimal(50), "7d", datetime(2026, 11, 27, tzinfo=UTC))
    assert _lines({"budget_duration": "7d"}, recomputed) == ""
    undated = Cap(Decimal(12), Decimal(50), "7d", None)
    assert _lines({"budget_duration": "7d"}, undated) == (
        "LiteLLM did not apply: reset date (now none)"
    )


def test_a_kept_period_is_one_line_and_several_fields_are_joined() -> None:
    kept = Cap(Decimal(12), Decimal(50), "30d", RESET)
    assert _lines({"max_budget": None, "budget_duration": None}, kept) == (
        "LiteLLM did not apply: budget (still $50.00); duration (still 30d)"
    )


def test_a_cleared_period_must_clear_its_reset_date() -> None:
    dated = Cap(Decimal(12), Decimal(50), None, RESET)
    missed = unapplied_budget({"budget_duration": None}, BEFORE, dated)
    assert NotApplied(missed).message == (
        "LiteLLM did not apply: reset date (still 2026-12-01 00:00 UTC)"
    )
    assert NotApplied(missed).held() == {"budget_reset_at": RESET}
    assert _lines({"budget_duration": None}, Cap(Decimal(12), Decimal(50))) == ""


@pytest.mark.parametrize(
    ("now", "applied"),
    [
        ("0", True),
        ("0.000000", True),
        ("0.02", True),  # traffic between the reset and the read
        ("12", False),  # the spend before the reset
        ("12.40", False),
    ],
)
def test_a_spend_reset_went_down(now: str, applied: bool) -> None:
    assert (unapplied_reset(Decimal(0), Decimal(12), Decimal(now)) == []) == applied
