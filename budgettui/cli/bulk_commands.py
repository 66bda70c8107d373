"""`budget set --match REGEX`: one budget for every tenant whose alias matches, the bulk
editor's headless twin (`services.bulk`). `--dry-run` prints each tenant's change, or why it is
skipped, and sends nothing. Otherwise the writes go one by one, each outcome printed as it lands,
stopping at the first that does not come through unless `--keep-going`; exit 1 if any did not
(or one that did is missing from the journal)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from decimal import Decimal

from budgettui.cli.output import _table, safe_text
from budgettui.domain.budget import Cap
from budgettui.domain.validation import BudgetDraft
from budgettui.errors import BudgettuiError
from budgettui.services.bulk import Outcome, Plan, apply, plan_budget
from budgettui.services.edits import Editor
from budgettui.services.loading import Overview

DRY_RUN_NOTE = "dry run: nothing was sent"
_NO_CAP = Cap(Decimal(0), None)


class NoMatch(BudgettuiError, LookupError):
    """No tenant the caller can see has an alias that matches."""

    def __init__(self, pattern: str) -> None:
        super().__init__(f"no tenant's alias matches {pattern!r}")


class BulkFailed(BudgettuiError):
    """Some writes did not come through: the summary, for stderr and exit 1."""


async def run_match(
    args: argparse.Namespace,
    editor: Editor,
    overview: Overview,
    draft_for: Callable[[Cap], BudgetDraft],
) -> str:
    """`draft_for`: a tenant's draft from its cap, by the flags' rules (those of `budget set`
    for one tenant: without --duration each keeps its own period)."""
    draft_for(_NO_CAP)  # the flags' own problems first (exit 2), whatever matches
    pattern: re.Pattern[str] = args.match
    tenants = [t for t in overview.tenants if pattern.search(t.name)]
    if not tenants:
        raise NoMatch(pattern.pattern)
    plan = plan_budget(tenants, draft_for, overview.caller)
    if args.dry_run:
        return f"{_preview(plan)}\n{_plan_summary(plan)} ({DRY_RUN_NOTE})"
    result = await apply(plan, editor, _print_outcome, keep_going=args.keep_going)
    for outcome in result.outcomes:
        if outcome.status in ("skipped", "not_attempted"):
            _print_outcome(outcome)
    if result.troubled:
        raise BulkFailed(result.summary())
    return result.summary()


def _preview(plan: Plan) -> str:
    rows = [(step.tenant.name, step.change or f"skipped: {step.skip}") for step in plan.steps]
    return _table(("TENANT", "CHANGE"), rows, right_aligned=set())


def _plan_summary(plan: Plan) -> str:
    skipped = len(plan.steps) - plan.to_send
    return f"{plan.to_send} to send, {skipped} skipped"


def _print_outcome(outcome: Outcome) -> None:
    """One line as soon as the write has ended, so a long run shows where it is."""
    step = outcome.step
    parts = [step.tenant.name, outcome.status.replace("_", " "), step.change or step.skip or ""]
    if outcome.message and outcome.status != "skipped":
        parts.append(outcome.message)
    print(safe_text(": ".join(parts)), flush=True)
