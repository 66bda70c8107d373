"""Did the proxy do what it was asked? A write's 200 only says LiteLLM took the request: some
releases drop a field they do not like (1.84.10 ignores `budget_duration: null` on /key/update,
and keeps a team's `budget_reset_at` when its period is cleared). So every write is followed by
a read of the object, and each field that was asked for is compared with what is now held.

Pure: what was sent, the cap before and the cap read back in; the fields not applied out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from budgettui.domain.budget import Cap
from budgettui.domain.money import format_money
from budgettui.errors import BudgettuiError

# Amounts are sent as JSON floats and stored as floats: equal to a millionth of a cent
# (`MAX_DECIMALS` is six places) is the same amount; 50 and 50.00 are equal in any case.
_SAME_AMOUNT: Final = Decimal("0.0000005")


@dataclass(frozen=True)
class Unapplied:
    """One field the proxy did not change as asked: what it holds instead."""

    field: str  # the LiteLLM field, as the journal records it
    label: str  # as the admin reads it: "duration"
    held: object  # what the proxy holds now (JSON-able for the journal)
    shown: str  # the held value as text: "still 30d"

    def describe(self) -> str:
        return f"{self.label} ({self.shown})"


class NotApplied(BudgettuiError):
    """The proxy accepted the write but did not change every field it was asked to."""

    default_title = "Not applied"

    def __init__(self, fields: list[Unapplied]) -> None:
        super().__init__("LiteLLM did not apply: " + "; ".join(f.describe() for f in fields))
        self.fields = fields

    def held(self) -> dict[str, object]:
        """Each field not applied with the value the proxy kept, for the journal."""
        return {f.field: f.held for f in self.fields}


def unapplied_budget(sent: Mapping[str, object], before: Cap, now: Cap) -> list[Unapplied]:
    """A `/key/update` or `/team/update` of `max_budget` and/or `budget_duration`.

    The reset date is LiteLLM's to compute, so only its presence is checked: set when a period
    was set, cleared when it was cleared. A reset date left behind by a cleared period is not
    harmless: LiteLLM's reset job zeroes the spend of anything whose date has passed, and with
    no period it never moves the date on, so the spend would be wiped on every run.
    """
    missed: list[Unapplied] = []
    if "max_budget" in sent:
        asked = _amount(sent["max_budget"])
        if not _same_amount(asked, now.max_budget):
            shown = format_money(now.max_budget, none="no cap")
            missed.append(_miss("max_budget", "budget", now.max_budget, before.max_budget, shown))
    if "budget_duration" in sent:
        asked_duration = sent["budget_duration"]
        if now.budget_duration != asked_duration:
            missed.append(
                _miss(
                    "budget_duration",
                    "duration",
                    now.budget_duration,
                    before.budget_duration,
                    now.budget_duration or "none",
                )
            )
        # Checked only once the period itself took: a kept period keeps its date, and saying
        # so twice would only repeat the duration's line.
        elif (asked_duration is None) != (now.budget_reset_at is None):
            missed.append(
                _miss(
                    "budget_reset_at",
                    "reset date",
                    now.budget_reset_at,
                    before.budget_reset_at,
                    _date(now.budget_reset_at),
                )
            )
    return missed


def unapplied_reset(reset_to: Decimal, before: Decimal, now: Decimal) -> list[Unapplied]:
    """A spend reset. Traffic may add to the spend between the reset and the read, so a figure
    above `reset_to` is still applied as long as it is below the spend before the reset (and a
    reset to the spend it already had cannot be told from traffic at all)."""
    if _same_amount(reset_to, now) or reset_to <= now < before or reset_to >= before:
        return []
    return [_miss("spend", "spend", now, before, format_money(now))]


def _miss(field: str, label: str, held: object, before: object, shown: str) -> Unapplied:
    if isinstance(held, Decimal) and isinstance(before, Decimal):
        unchanged = _same_amount(held, before)
    else:
        unchanged = held == before
    return Unapplied(field, label, held, f"still {shown}" if unchanged else f"now {shown}")


def _amount(value: object) -> Decimal | None:
    # The body holds floats (as sent); str() gives their shortest form, 75.5 not 75.5000…01.
    return None if value is None else Decimal(str(value))


def _same_amount(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < _SAME_AMOUNT


def _date(value: datetime | None) -> str:
    return "none" if value is None else f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
