"""The editors' headless twins: `budget set`, `budget set-org`, `spend reset`. Same rules as
the modals (`domain.validation`), same writes and journal (`edits.Editor`), same exit codes."""

from __future__ import annotations

import argparse

from budgettui.cli.bulk_commands import run_match
from budgettui.cli.edit_options import UsageError
from budgettui.domain.budget import Cap
from budgettui.domain.money import format_money
from budgettui.domain.tenants import NOT_FOUND, Org
from budgettui.domain.validation import (
    BudgetDraft,
    ValidationError,
    describe_change,
    parse_amount,
    parse_duration,
    parse_reset_value,
)
from budgettui.errors import BudgettuiError
from budgettui.proxy.client import LiteLLMClient
from budgettui.services.edits import Editor
from budgettui.services.journal import Journal
from budgettui.services.loading import Overview
from budgettui.services.lookup import TenantFinder


def _draft(args: argparse.Namespace, before: Cap) -> BudgetDraft:
    if args.no_cap and args.duration is not None:
        raise UsageError("--no-cap removes the reset period too; drop --duration")
    try:
        amount = None if args.no_cap else parse_amount(args.max_budget)
        if args.max_budget is not None and amount is None:
            raise UsageError("--max-budget needs an amount; use --no-cap to remove the cap")
        if amount is None:
            return BudgetDraft(None, None)  # no cap: no reset period either
        if args.no_duration:
            return BudgetDraft(amount, None)
        if args.duration is not None:
            return BudgetDraft(amount, parse_duration(args.duration))
        return BudgetDraft(amount, before.budget_duration)
    except ValidationError as error:
        raise UsageError("; ".join(p.message for p in error.problems)) from None


class OrgNotFound(BudgettuiError, LookupError):
    """An org name the caller cannot see; like a tenant's, the same whether it does not exist or
    is hidden from this credential."""

    def __init__(self, name: str) -> None:
        super().__init__(f"org {name!r} {NOT_FOUND}")


def _find_org(overview: Overview, name: str) -> Org:
    orgs = {t.org.team_id: t.org for t in overview.tenants if t.org}
    matches = [org for org in orgs.values() if org.name == name or org.team_id == name]
    if len(matches) != 1:
        raise OrgNotFound(name)
    return matches[0]


async def run_edit(
    args: argparse.Namespace,
    client: LiteLLMClient,
    tenants: TenantFinder,
    secret: str,
    journal: Journal,
    read_only_context: str | None = None,
) -> str:
    """`journal`: the user's, or the demo's under `--demo` (never mixed). A tenant is looked
    up by name; an org in the full listing."""
    caller = await tenants.caller()
    editor = Editor(client, caller, journal, secret, read_only_context=read_only_context)
    if getattr(args, "match", None) is not None:  # `budget set --match`: many tenants
        overview = await tenants.overview()
        return await run_match(args, editor, overview, lambda cap: _draft(args, cap))
    if getattr(args, "dry_run", False) or getattr(args, "keep_going", False):
        raise UsageError("--dry-run and --keep-going go with --match REGEX")
    if args.command == "budget" and args.budget_command == "set":
        tenant = await tenants.tenant(args.tenant)
        draft = _draft(args, tenant.cap)
        change = describe_change(tenant.cap, draft)
        if change != "no change":
            await editor.set_key_budget(tenant, draft)
        return f"{tenant.name}: {change}"
    if args.command == "budget":
        org = _find_org(await tenants.overview(), args.org)
        draft = _draft(args, org.cap)
        change = describe_change(org.cap, draft)
        if change != "no change":
            await editor.set_org_budget(org, draft)
        return f"{org.name}: {change}"
    tenant = await tenants.tenant(args.tenant)
    if not args.yes:
        raise UsageError(f"resetting the spend of {tenant.name} needs --yes")
    try:
        value = parse_reset_value(args.to, tenant.cap.spend, tenant.cap.max_budget)
    except ValidationError as error:
        raise UsageError("; ".join(p.message for p in error.problems)) from None
    key = await editor.reset_spend(tenant, value, tenant.cap.spend)
    return f"{tenant.name}: spend {format_money(tenant.cap.spend)} → {format_money(key.spend)}"
