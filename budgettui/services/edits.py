"""Budget and spend writes, shared by the editors and the headless `budget`/`spend` commands:
permission first (no request for a caller who may not write), a journal line before the request
(no line, no request), one request, a read of the object to check every field asked for was
applied, and a journal line for the outcome whatever it is.
"""

from __future__ import annotations

import json
import shlex
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from budgettui.domain.budget import Cap
from budgettui.domain.money import format_money, money_number
from budgettui.domain.tenants import Org, Tenant
from budgettui.domain.validation import BudgetDraft, budget_changes
from budgettui.errors import BudgettuiError
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import ProxyError, UnknownOutcome
from budgettui.proxy.models import Caller, Key, Team
from budgettui.services.journal import Action, AuditEntry, AuditResult, Journal, JournalError
from budgettui.services.readback import NotApplied, Unapplied, unapplied_budget, unapplied_reset

# What a write reads back: both carry spend, max_budget, budget_duration and budget_reset_at.
Held = TypeVar("Held", Key, Team)
Failure = TypeVar("Failure", bound=BudgettuiError)


class NotAllowed(BudgettuiError):
    """The caller may not make this change; nothing was sent."""

    default_title = "Not allowed"


class ReadOnlyContext(NotAllowed):
    """The config file's context is `read_only`: no write goes to its proxy."""

    default_title = "Read-only context"

    def __init__(self, context: str) -> None:
        super().__init__(f"context {context} is read-only: nothing was sent")


class SpendChanged(BudgettuiError):
    """The key's spend moved while the reset dialog was open; ask again with the new figure."""

    default_title = "Spend changed"

    def __init__(self, spend: Decimal) -> None:
        super().__init__(f"spend changed to {format_money(spend)} since the dialog opened")
        self.spend = spend


class AppliedNotJournaled(JournalError):
    """The write was applied (and read back), but the journal could not record it. Not a failed
    write: the change stands, and sending it again would only repeat it."""

    default_title = "Applied, not journaled"

    def __init__(self, reason: JournalError) -> None:
        super().__init__(f"applied, but the journal could not be written: {reason.message}")


@dataclass(frozen=True)
class Attempt:
    """One write as the journal records it."""

    action: Action
    tenant: str | None
    org: str | None
    before: Mapping[str, object]
    after: Mapping[str, object]  # what is sent, besides the key or team it is sent for


@dataclass
class Editor:
    """Everything a write needs besides its arguments."""

    client: LiteLLMClient
    caller: Caller
    journal: Journal | None
    # The API key, only so the journal can make sure never to contain it; out of the repr,
    # which Textual's crash report prints with the locals.
    secret: str = field(repr=False)
    # The name of the config file's context when it is `read_only` (`Settings.read_only`).
    read_only_context: str | None = None

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
        return await self._write(
            attempt,
            lambda: self.client.update_key(key_hash, changes),
            lambda: self.client.key_info(key_hash),
            lambda key: unapplied_budget(changes, tenant.cap, cap_of(key)),
        )

    async def set_org_budget(
        self, org: Org, draft: BudgetDraft, action: Action = "org_budget.set"
    ) -> Team:
        if not org.can_edit:
            raise NotAllowed(org_not_allowed_reason(self.caller))
        changes = budget_changes(org.cap, draft)
        attempt = Attempt(action, None, org.name, cap_record(org.cap), changes)
        return await self._write(
            attempt,
            lambda: self.client.update_team(org.team_id, changes),
            lambda: self._team(org.team_id),
            lambda team: unapplied_budget(changes, org.cap, cap_of(team)),
        )

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
        return await self._write(
            attempt,
            lambda: self.client.reset_key_spend(key_hash, reset_to),
            lambda: self.client.key_info(key_hash),
            lambda key: unapplied_reset(reset_to, current.spend, key.spend),
        )

    async def restore_spend(self, tenant: Tenant, spend: Decimal) -> Key:
        """Undo of a reset: `/key/update` with the spend the key had. LiteLLM treats a spend
        like a budget (proxy admins, team admins where they may set the key's budget), so the
        rule is `can_edit`. Read back like the other writes: traffic since may have added to
        it, so anything at or above `spend` is applied."""
        if tenant.key_hash is None:
            raise NotAllowed(f"{tenant.name} has no key: there is no spend to put back")
        if not may_restore_spend(tenant):
            raise NotAllowed(not_allowed_reason(self.caller, "a key's spend once it is reset"))
        key_hash = tenant.key_hash
        current = await self.client.key_info(key_hash)
        attempt = Attempt(
            "spend.undo",
            tenant.name,
            tenant.org_name,
            {"spend": money_number(current.spend)},
            {"spend": money_number(spend)},
        )
        return await self._write(
            attempt,
            lambda: self.client.update_key(key_hash, {"spend": money_number(spend)}),
            lambda: self.client.key_info(key_hash),
            lambda key: _unrestored(spend, current.spend, key.spend),
        )

    async def _team(self, team_id: str) -> Team:
        return (await self.client.team_info(team_id)).team_info

    async def _write(
        self,
        attempt: Attempt,
        send: Callable[[], Awaitable[Any]],
        read_back: Callable[[], Awaitable[Held]],
        unapplied: Callable[[Held], list[Unapplied]],
    ) -> Held:
        """Journal the attempt, send once, read the object back and journal the outcome.

        A read-only context stops the write before the journal hears of it; a journal that
        cannot take the attempt stops it before anything is sent. Never sent again: when no
        answer came, the object is read at once so the admin sees what the proxy holds now.
        Returns the object as read back, every field asked for applied.
        """
        if self.read_only_context is not None:
            raise ReadOnlyContext(self.read_only_context)
        write_id = uuid.uuid4().hex
        try:
            self._journal(attempt, write_id, AuditResult("attempted"))
        except JournalError as error:
            raise JournalError(f"nothing was sent: {error.message}") from error
        try:
            await send()
        except UnknownOutcome as exc:
            now = await self._now_holds(read_back)
            unknown = UnknownOutcome(f"{exc.message}; {now}", status=exc.status)
            result = AuditResult("unknown", exc.status, exc.message)
            raise self._ended(attempt, write_id, result, unknown) from None
        except ProxyError as exc:
            result = AuditResult("failed", exc.status, exc.message)
            raise self._ended(attempt, write_id, result, exc) from None
        try:
            held = await read_back()
        except ProxyError as exc:
            unknown = UnknownOutcome(
                f"the proxy accepted the write, but reading it back failed ({exc.message}): "
                "it may or may not have been applied",
                status=exc.status,
            )
            result = AuditResult("unknown", exc.status, unknown.message)
            raise self._ended(attempt, write_id, result, unknown) from None
        missed = unapplied(held)
        if missed:
            refused = NotApplied(missed)
            result = AuditResult("not_applied", 200, refused.message, refused.held())
            raise self._ended(attempt, write_id, result, refused)
        try:
            self._journal(attempt, write_id, AuditResult("applied", 200, "applied"))
        except JournalError as error:
            raise AppliedNotJournaled(error) from error
        return held

    def _ended(
        self, attempt: Attempt, write_id: str, result: AuditResult, failure: Failure
    ) -> Failure:
        """Journal a write that did not (or may not have) come through; the failure to raise,
        with a note if the journal could not take it either (the failure still comes first)."""
        try:
            self._journal(attempt, write_id, result)
        except JournalError as error:
            failure.message = f"{failure.message}; the journal could not be written: {error}"
            failure.args = (failure.message,)
        return failure

    async def _now_holds(self, read_back: Callable[[], Awaitable[Held]]) -> str:
        try:
            held = await read_back()
        except ProxyError as again:
            return f"re-reading it failed too ({again.message})"
        return f"the proxy now holds {_describe_cap(cap_of(held))}"

    def _journal(self, attempt: Attempt, write_id: str, result: AuditResult) -> None:
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
            write_id=write_id,
        )
        self.journal.append(entry, secret=self.secret)


# Amounts travel as JSON floats: within a millionth of a cent is the same amount.
_SAME_SPEND = Decimal("0.0000005")


def _unrestored(asked: Decimal, before: Decimal, now: Decimal) -> list[Unapplied]:
    """Spend put back: traffic may only add to it, so at or above `asked` is applied."""
    if now >= asked - _SAME_SPEND:
        return []
    state = "still" if abs(now - before) < _SAME_SPEND else "now"
    return [Unapplied("spend", "spend", now, f"{state} {format_money(now)}")]


def may_restore_spend(tenant: Tenant) -> bool:
    """Whether `u` can put a reset spend back: `/key/update` with `spend` is a budget change to
    LiteLLM (1.84.10 and 1.108.7), allowed where the key's budget may be edited."""
    return tenant.can_edit


def cap_of(held: Key | Team) -> Cap:
    return Cap(held.spend, held.max_budget, held.budget_duration, held.budget_reset_at)


def _describe_cap(cap: Cap) -> str:
    budget, period = format_money(cap.max_budget, none="no cap"), cap.budget_duration or "none"
    return f"budget {budget}, period {period}, spend {format_money(cap.spend)}"


def cap_record(cap: Cap) -> dict[str, object]:
    """A cap as the journal records it: the two fields the editors change."""
    return {"max_budget": money_number(cap.max_budget), "budget_duration": cap.budget_duration}


def not_allowed_reason(caller: Caller, what: str) -> str:
    role = caller.user_role or "a key with no user"
    if role in ("proxy_admin_viewer", "internal_user_viewer"):
        return f"{role} is a read-only role: it cannot change {what}"
    return (
        f"{role} cannot change {what}: LiteLLM allows proxy admins, and team admins on their "
        "team's keys (budgets: the team's shared keys and their own)"
    )


def org_not_allowed_reason(caller: Caller) -> str:
    """Why `o` does nothing: the rules for a team's budget, which are not a key's."""
    role = caller.user_role or "a key with no user"
    if role in ("proxy_admin_viewer", "internal_user_viewer"):
        return f"{role} is a read-only role: it cannot change an org's budget"
    return (
        f"{role} cannot change an org's budget: LiteLLM lets only proxy admins change a team's "
        "budget, unless the proxy lets team admins edit max_budget (LiteLLM 1.108: "
        "team_admin_editable_team_fields; off by default)"
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
