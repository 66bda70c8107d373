"""Bulk edits: one change (a new budget, or a spend reset to a value) for many tenants.

`plan_budget` and `plan_reset` preview it tenant by tenant, checked by the rules the single
editors use (`domain.validation`): what each goes from and to, or why it is skipped (no key
yet, not allowed for this role, no change, a reset above the key's spend or cap). `apply` sends
the planned writes one at a time through `Editor`, so that each is read back and journaled
exactly as a single edit is, tells each outcome as it lands, and stops at the first write that
does not come through unless told to go on. Nothing is sent in parallel: a proxy that starts
refusing is noticed after one refusal, not after N.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from budgettui.domain.budget import Cap
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Tenant
from budgettui.domain.validation import (
    BudgetDraft,
    ValidationError,
    describe_change,
    parse_reset_value,
    validate_budget_form,
)
from budgettui.errors import BudgettuiError
from budgettui.proxy.errors import UnknownOutcome
from budgettui.proxy.models import Caller
from budgettui.services.edits import AppliedNotJournaled, Editor
from budgettui.services.readback import NotApplied

Kind = Literal["budget", "reset"]
Status = Literal["applied", "not_applied", "failed", "unknown", "skipped", "not_attempted"]
# What stops a run unless it is told to go on: the write did not (or may not) come through.
STOPPING: Final[frozenset[Status]] = frozenset({"not_applied", "failed", "unknown"})
NO_CHANGE: Final = "no change"
# No key's spend bounds the value when it is checked on its own, before any key is looked at.
_ANY_SPEND: Final = Decimal("Infinity")


@dataclass(frozen=True)
class NewBudget:
    """The budget every marked tenant gets. The amount is the same for all (None: no cap); so
    is the period, unless `keep_period`, when each tenant keeps its own."""

    max_budget: Decimal | None
    budget_duration: str | None = None
    keep_period: bool = False

    def draft_for(self, cap: Cap) -> BudgetDraft:
        if self.max_budget is None:
            return BudgetDraft(None, None)  # no cap, no reset period: as in the single editor
        period = cap.budget_duration if self.keep_period else self.budget_duration
        return BudgetDraft(self.max_budget, period)


def parse_new_budget(amount_text: str, duration_text: str) -> NewBudget:
    """The bulk editor's two fields, by the single editor's rules, except that an empty period
    keeps each tenant's own (a single editor starts with the tenant's period filled in; many
    tenants have many). Raises `ValidationError` with every problem."""
    keep = not duration_text.strip(" ")
    draft = validate_budget_form(amount_text, duration_text)
    return NewBudget(draft.max_budget, draft.budget_duration, keep_period=keep)


def parse_reset_to(text: str) -> Decimal:
    """The value every marked key's spend is reset to, by the rules that hold whatever the key
    (a number, >= 0; empty is 0). The rules that depend on the key (<= its spend, <= its cap)
    are `plan_reset`'s: a key that breaks them is skipped, the others go ahead."""
    return parse_reset_value(text, _ANY_SPEND, None)


@dataclass(frozen=True)
class Step:
    """One tenant's part of the change: what it goes from and to, or why nothing is sent."""

    tenant: Tenant
    change: str  # "budget $0.34 → $5.00" or "spend $4.15 → $0.00"; `skip` when skipped
    skip: str | None = None
    draft: BudgetDraft | None = None  # the budget to write
    reset_to: Decimal | None = None  # the spend to reset to

    @property
    def sends(self) -> bool:
        return self.skip is None


@dataclass(frozen=True)
class Plan:
    kind: Kind
    steps: tuple[Step, ...]

    @property
    def to_send(self) -> int:
        return sum(step.sends for step in self.steps)


def plan_budget(
    tenants: Iterable[Tenant], draft_for: Callable[[Cap], BudgetDraft], caller: Caller
) -> Plan:
    """`draft_for`: each tenant's draft from its cap (`NewBudget.draft_for`, or the command
    line's reading of its flags)."""
    steps = []
    for tenant in tenants:
        refusal = _refusal(tenant, tenant.can_edit, caller)
        if refusal:
            steps.append(Step(tenant, "", skip=refusal))
            continue
        draft = draft_for(tenant.cap)
        change = describe_change(tenant.cap, draft)
        if change == NO_CHANGE:
            steps.append(Step(tenant, "", skip=NO_CHANGE))
        else:
            steps.append(Step(tenant, change, draft=draft))
    return Plan("budget", tuple(steps))


def plan_reset(tenants: Iterable[Tenant], reset_to: Decimal, caller: Caller) -> Plan:
    """Each key's spend to `reset_to` (checked by `parse_reset_to`, so only the rules that
    depend on the key can fail here): a key whose spend or cap is below the value is skipped,
    saying which."""
    steps = []
    for tenant in tenants:
        refusal = _refusal(tenant, tenant.can_reset, caller)
        if refusal:
            steps.append(Step(tenant, "", skip=refusal))
            continue
        spend = tenant.cap.spend
        try:
            parse_reset_value(f"{reset_to:f}", spend, tenant.cap.max_budget)
        except ValidationError as error:
            steps.append(Step(tenant, "", skip=_above(error.problems[0].rule, tenant.cap)))
            continue
        if reset_to == spend:
            steps.append(Step(tenant, "", skip=NO_CHANGE))
            continue
        change = f"spend {format_money(spend)} → {format_money(reset_to)}"
        steps.append(Step(tenant, change, reset_to=reset_to))
    return Plan("reset", tuple(steps))


def _above(rule: str, cap: Cap) -> str:
    """A broken per-key reset rule, short enough for a row: the first is reason enough."""
    if rule == "reset.above_spend":
        return f"above its spend ({format_money(cap.spend)})"
    return f"above its cap ({format_money(cap.max_budget)})"


def _refusal(tenant: Tenant, allowed: bool, caller: Caller) -> str | None:
    """Why the Editor would refuse this tenant before sending anything (None: it would not)."""
    if tenant.key_hash is None:
        return "no key yet (provisioning)"
    if not allowed:
        return f"not allowed for {caller.user_role or 'a key with no user'}"
    return None


@dataclass(frozen=True)
class Outcome:
    """How one tenant's part ended. `message`: LiteLLM's answer or the error for a write that
    did not come through, why a step was skipped, or, for an applied write, that the journal
    could not record it (`journal_missed`)."""

    step: Step
    status: Status
    message: str = ""
    journal_missed: bool = False

    @property
    def tenant(self) -> Tenant:
        return self.step.tenant


@dataclass(frozen=True)
class BulkResult:
    kind: Kind
    outcomes: tuple[Outcome, ...]  # in the plan's order, one per tenant

    def count(self, status: Status) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def troubled(self) -> bool:
        """A write did not come through, or one that did is missing from the journal."""
        return any(o.status in STOPPING or o.journal_missed for o in self.outcomes)

    def summary(self) -> str:
        """ "3 applied, 1 failed, 1 not attempted, 2 skipped": only the statuses present."""
        counts = [(status, self.count(status)) for status in _SUMMARY_ORDER]
        parts = [f"{n} {status.replace('_', ' ')}" for status, n in counts if n]
        missed = sum(o.journal_missed for o in self.outcomes)
        if missed:
            parts.append(f"{missed} missing from the journal")
        return ", ".join(parts) or "nothing to do"


_SUMMARY_ORDER: Final[tuple[Status, ...]] = (
    "applied",
    "not_applied",
    "unknown",
    "failed",
    "not_attempted",
    "skipped",
)

OnOutcome = Callable[[Outcome], None]


async def apply(
    plan: Plan, editor: Editor, on_outcome: OnOutcome | None = None, *, keep_going: bool = False
) -> BulkResult:
    """Send the plan's writes one by one; `on_outcome` hears of each as soon as it has ended
    (skipped steps and those never attempted are only in the result). Stops at the first write
    that did not come through unless `keep_going`."""
    outcomes: list[Outcome] = []
    stopped = False
    for step in plan.steps:
        if not step.sends:
            outcomes.append(Outcome(step, "skipped", step.skip or ""))
            continue
        if stopped:
            outcomes.append(Outcome(step, "not_attempted"))
            continue
        outcome = await _send(step, editor)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
        stopped = outcome.status in STOPPING and not keep_going
    return BulkResult(plan.kind, tuple(outcomes))


async def _send(step: Step, editor: Editor) -> Outcome:
    """One write through the Editor (journaled there); its exception read as the outcome the
    journal recorded for it."""
    try:
        if step.draft is not None:
            await editor.set_key_budget(step.tenant, step.draft)
        else:
            assert step.reset_to is not None
            await editor.reset_spend(step.tenant, step.reset_to, step.tenant.cap.spend)
    except AppliedNotJournaled as missing:
        return Outcome(step, "applied", missing.message, journal_missed=True)
    except NotApplied as refused:
        return Outcome(step, "not_applied", refused.message)
    except UnknownOutcome as unknown:
        return Outcome(step, "unknown", unknown.message)
    except BudgettuiError as error:  # refused, unreachable, spend moved, journal unwritable
        return Outcome(step, "failed", str(error))
    return Outcome(step, "applied")
