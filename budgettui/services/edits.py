"""Budget and spend writes, shared by the editors and the headless `budget`/`spend` commands:
permission first (no request for a caller who may not write), one request, a journal line for
every attempt whatever its outcome, and a fresh read of what the proxy now holds.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from budgettui.domain.budget import Cap
from budgettui.domain.money import format_money, money_number
from budgettui.domain.tenants import Org, Tenant
from budgettui.domain.validation import BudgetDraft, budget_changes
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import ProxyError, UnknownOutcome
from budgettui.proxy.models import Caller, Key, Team
from budgettui.services.journal import Action, AuditEntry, AuditResult, Journal

Result = TypeVar("Result")


class NotAllowed(Exception):
    """The caller may not make this change; nothing was sent."""


class SpendChanged(Exception):
    """The key's spend moved while the reset dialog was open; ask again with the new figure."""

    def __init__(self, spend: Decimal) -> None:
        super().__init__(f"spend changed to {format_money(spend)} since the dialog opened")
        self.spend = spend


@dataclass(frozen=True)
class Attempt:
    """One write as the journal records it."""

    action: Action
    tenant: str | None
    org: str | None
    before: Mapping[str, object]
    after: Mapping[str, object]


@dataclass
class Editor:
    """Everything a write needs besides its arguments."""

    client: LiteLLMClient
    caller: Caller
    journal: Journal | None
    # The API key, only so the journal can make sure never to contain it; out of the repr,
    # which Textual's crash report prints with the locals.
    secret: str = field(repr=False)

    async def set_key_budget(
        self, tenant: Tenant, draft: BudgetDraft, action: Action = "budget.set"
    ) -> Key:
        if tenant.key_hash is None:
            raise NotAllowed(f"{tenant.name} has no key yet: its budget can be set once it exists")
        if not tenant.can_edit:
            raise NotAllowed(not_allowed_reason(self.caller, "this tenant's budget"))
        key_hash = tenant.key_hash
        changes = budget_changes(tenant.cap, draft)
        attempt = Attempt(action, tenant.name, tenant.org_name, cap_record(tenant.cap), changes)
        await self._journaled(
            attempt,
            lambda: self.client.update_key(key_hash, changes),
            lambda: self._describe_key(key_hash),
        )
        return await self.client.key_info(key_hash)

    async def set_org_budget(
        self, org: Org, draft: BudgetDraft, action: Action = "org_budget.set"
    ) -> Team:
        if not org.can_edit:
            raise NotAllowed(not_allowed_reason(self.caller, "this org's budget"))
        changes = budget_changes(org.cap, draft)
        attempt = Attempt(action, None, org.name, cap_record(org.cap), changes)
        await self._journaled(
            attempt,
            lambda: self.client.update_team(org.team_id, changes),
            lambda: self._describe_team(org.team_id),
        )
        return (await self.client.team_info(org.team_id)).team_info

    async def reset_spend(self, tenant: Tenant, reset_to: Decimal, seen_spend: Decimal) -> Key:
        """Re-reads the key first: if its spend is no longer what the admin saw, nothing is sent
        and `SpendChanged` carries the new figure."""
        if tenant.key_hash is None:
            raise NotAllowed(f"{tenant.name} has no key yet: there is no spend to reset")
        if not tenant.can_reset:
            raise NotAllowed(not_allowed_reason(self.caller, "this tenant's spend"))
        key_hash = tenant.key_hash
        current = await self.client.key_info(key_hash)
        if current.spend != seen_spend:
            raise SpendChanged(current.spend)
        attempt = Attempt(
            "spend.reset",
            tenant.name,
            tenant.org_name,
            {"spend": money_number(current.spend)},
            {"spend": money_number(reset_to)},
        )
        await self._journaled(
            attempt,
            lambda: self.client.reset_key_spend(key_hash, reset_to),
            lambda: self._describe_key(key_hash),
        )
        return await self.client.key_info(key_hash)

    async def _journaled(
        self,
        attempt: Attempt,
        send: Callable[[], Awaitable[Result]],
        reread: Callable[[], Awaitable[str]],
    ) -> Result:
        """Send once and journal the outcome, whatever it is. When no answer came, read the
        object back at once so the admin sees what the proxy holds now; never send again."""
        try:
            result = await send()
        except UnknownOutcome as exc:
            self._journal(attempt, AuditResult("unknown", exc.status, exc.message))
            try:
                now = f"the proxy now holds {await reread()}"
            except ProxyError as again:
                now = f"re-reading it failed too ({again.message})"
            raise UnknownOutcome(f"{exc.message}; {now}", status=exc.status) from None
        except ProxyError as exc:
            self._journal(attempt, AuditResult("error", exc.status, exc.message))
            raise
        self._journal(attempt, AuditResult("ok", 200, "applied"))
        return result

    async def _describe_key(self, key_hash: str) -> str:
        key = await self.client.key_info(key_hash)
        return _describe_cap(key.spend, key.max_budget, key.budget_duration)

    async def _describe_team(self, team_id: str) -> str:
        team = (await self.client.team_info(team_id)).team_info
        return _describe_cap(team.spend, team.max_budget, team.budget_duration)

    def _journal(self, attempt: Attempt, result: AuditResult) -> None:
        if self.journal is None:
            return
        entry = AuditEntry(
            proxy_host=self.client.host,
            caller=self.caller.user_id,
            tenant=attempt.tenant,
            org=attempt.org,
            action=attempt.action,
            before=attempt.before,
            after=attempt.after,
            result=result,
        )
        self.journal.append(entry, secret=self.secret)


def _describe_cap(spend: Decimal, max_budget: Decimal | None, duration: str | None) -> str:
    budget = format_money(max_budget) if max_budget is not None else "no cap"
    return f"budget {budget}, period {duration or 'none'}, spend {format_money(spend)}"


def cap_record(cap: Cap) -> dict[str, object]:
    """A cap as the journal (and undo) records it: the two fields the editors change."""
    return {"max_budget": money_number(cap.max_budget), "budget_duration": cap.budget_duration}


def not_allowed_reason(caller: Caller, what: str) -> str:
    role = caller.user_role or "a key with no user"
    if role in ("proxy_admin_viewer", "internal_user_viewer"):
        return f"{role} is a read-only role: it cannot change {what}"
    return (
        f"{role} cannot change {what}: LiteLLM allows proxy admins, and team admins on their "
        "team's keys (budgets: the team's shared keys and their own)"
    )


def curl_command(base_url: str, path: str, body: Mapping[str, object]) -> str:
    """The write as a copyable `curl`, the key left to the admin's environment."""
    payload = json.dumps(dict(body), separators=(", ", ": "))
    return (
        f"curl -sS -X POST {shlex.quote(base_url + path)} \\\n"
        '  -H "Authorization: Bearer $LITELLM_PROXY_API_KEY" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        f"  -d {shlex.quote(payload)}"
    )
