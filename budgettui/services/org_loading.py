"""An org's month: the team's usage by day, its cap, and its tenants ranked by the month's spend.
Async, no Textual: the org screen and `usage --org` call the same function.

The team's own daily activity comes first: one answer with every key's spend in the team,
deleted keys included. Where LiteLLM has no team route for this role, the month is the sum of
the org's keys' months, read one by one through `load_month_usage`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from budgettui.domain.budget import Alert
from budgettui.domain.caps import CapScope, StopState, cap_alert
from budgettui.domain.display import status_word
from budgettui.domain.tenants import NOT_FOUND, Org, Tenant
from budgettui.domain.usage import (
    DayUsage,
    ModelUsage,
    Month,
    MonthUsage,
    _sorted_models,
    usage_from_activity,
)
from budgettui.errors import BudgettuiError
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import Forbidden, NotFound, Rejected, Unauthorized
from budgettui.proxy.models import Caller, DailyActivity
from budgettui.services.loading import Overview, _spend_by_key, load_month_usage

# Where an org's figures come from: said on the screen and in `--json`, since the two differ
# (the team's activity counts keys deleted since; the sum counts only the keys listed now).
FROM_TEAM_ACTIVITY = "team daily activity"
FROM_KEYS = "the sum of its keys"
# What one team route answering means "try the next": absent from this release (404; 1.84 has
# no aggregated team route), closed to the role, or "User does not belong to Team" (404).
_TRY_NEXT = (NotFound, Forbidden)


class OrgNotFound(BudgettuiError, LookupError):
    """An org name the caller cannot see: the same words whether it exists or not."""

    def __init__(self, name: str) -> None:
        super().__init__(f"org {name!r} {NOT_FOUND}")
        self.name = name


@dataclass(frozen=True)
class TenantMonthSpend:
    tenant: Tenant
    spend: Decimal | None  # the tenant's share of the month; None where LiteLLM did not tell


@dataclass(frozen=True)
class OrgStatus:
    """What the org's status word is made of (`domain.display.status_word`), the same on the
    org screen and in `usage --org`: its own cap's alert, blocked, a cap that cannot be read."""

    alert: Alert
    state: StopState | None
    unmeasured: bool

    @classmethod
    def of(cls, org: Org, threshold: Decimal) -> OrgStatus:
        own = next((cap for cap in org.caps if cap.scope is CapScope.TEAM), None)
        return cls(
            cap_alert(own, threshold),
            StopState.BLOCKED if org.blocked else None,
            any(not cap.measurable for cap in org.caps),
        )

    def word(self) -> str:
        return status_word(self.alert, state=self.state, unmeasured=self.unmeasured)


@dataclass(frozen=True)
class OrgMonth:
    org: Org
    usage: MonthUsage
    tenants: list[TenantMonthSpend]  # highest month spend first; untold spends last
    source: str  # FROM_TEAM_ACTIVITY or FROM_KEYS


def org_tenants(overview: Overview, org: Org) -> list[Tenant]:
    return [t for t in overview.tenants if t.org is not None and t.org.team_id == org.team_id]


def resolve_org(overview: Overview, name: str) -> Org:
    """By name (exact, then a unique case-insensitive match) or by team id; never a substring."""
    orgs = {t.org.team_id: t.org for t in overview.tenants if t.org is not None}
    for candidates in (
        [o for o in orgs.values() if o.name == name],
        [o for o in orgs.values() if o.name.casefold() == name.casefold()],
        [orgs[name]] if name in orgs else [],
    ):
        if len(candidates) == 1:
            return candidates[0]
    raise OrgNotFound(name)


async def load_org_month(
    client: LiteLLMClient, caller: Caller, org: Org, tenants: Sequence[Tenant], month: Month
) -> OrgMonth:
    """The team's daily activity (aggregated, else paged), else the sum of its keys' months.
    Partial, with the reason, where LiteLLM shows this role only part of the team."""
    activity = await _team_activity(client, org, month)
    if activity is None:
        return await _sum_of_keys(client, caller, org, tenants, month)
    usage = usage_from_activity(month, activity)
    hidden = [t for t in tenants if not t.usage_visible]
    if hidden:
        # LiteLLM narrows a plain member's team view to the member's own keys.
        usage = replace(
            usage,
            partial=True,
            partial_reason=f"LiteLLM shows {caller.user_role or 'this key'} only its own keys' "
            f"usage in this team ({len(hidden)} of {len(tenants)} keys hidden)",
        )
    spends = await _key_spends(client, org, month, activity)
    ranked = [TenantMonthSpend(t, _share(t, spends, hidden=not t.usage_visible)) for t in tenants]
    return OrgMonth(org, usage, _ranked(ranked), FROM_TEAM_ACTIVITY)


async def _team_activity(client: LiteLLMClient, org: Org, month: Month) -> DailyActivity | None:
    for read in (client.daily_activity, client.paged_daily_activity):
        try:
            return await read("team", month.first_day, month.last_day, team_ids=[org.team_id])
        except _TRY_NEXT:
            continue
    return None


async def _key_spends(
    client: LiteLLMClient, org: Org, month: Month, activity: DailyActivity
) -> dict[str, Decimal] | None:
    """Each key's month from the activity's per-key breakdown; where the proxy capped it (1.108
    lists the top 100 keys), from the per-key totals route; None when neither tells."""
    label = (await client.capabilities()).label
    whole = _spend_by_key(activity, label).spend
    if whole is not None:
        return whole
    try:
        totals = await client.key_activity_totals(
            "team", month.first_day, month.last_day, team_ids=[org.team_id]
        )
    except (NotFound, Forbidden, Unauthorized, Rejected):  # EndpointMissing: 1.84
        return None
    return {row.api_key: row.metrics.spend for row in totals.items}


def _share(tenant: Tenant, spends: dict[str, Decimal] | None, *, hidden: bool) -> Decimal | None:
    if tenant.key_hash is None:
        return Decimal(0)  # provisioning: no key, no traffic
    if spends is None or hidden:
        return None
    return spends.get(tenant.key_hash, Decimal(0))  # a whole breakdown leaves out idle keys


async def _sum_of_keys(
    client: LiteLLMClient, caller: Caller, org: Org, tenants: Sequence[Tenant], month: Month
) -> OrgMonth:
    """Each key's month, `max_concurrency` keys at a time (each may page spend logs), added up.
    A key whose month is partial makes the org's partial too, and its own share untold."""
    width = client.options.max_concurrency
    usages: list[MonthUsage] = []
    for start in range(0, len(tenants), width):
        batch = tenants[start : start + width]
        usages += await asyncio.gather(
            *(load_month_usage(client, caller, tenant, month) for tenant in batch)
        )
    shares = [
        TenantMonthSpend(t, None if u.partial else u.total_spend)
        for t, u in zip(tenants, usages, strict=True)
    ]
    return OrgMonth(org, _added(month, usages), _ranked(shares), FROM_KEYS)


def _added(month: Month, usages: Sequence[MonthUsage]) -> MonthUsage:
    days = {day: DayUsage(day) for day in month.days()}
    models: dict[str, ModelUsage] = {}
    for usage in usages:
        for part in usage.daily:
            total = days[part.day]
            total.spend += part.spend
            total.input_tokens += part.input_tokens
            total.output_tokens += part.output_tokens
            total.requests += part.requests
        for model in usage.models:
            into = models.setdefault(model.model, ModelUsage(model.model))
            into.spend += model.spend
            into.requests += model.requests
    unread = [u for u in usages if u.partial]
    reason = None
    if unread:
        reason = f"{len(unread)} of {len(usages)} keys not wholly read: {unread[0].partial_reason}"
    return MonthUsage(
        month,
        list(days.values()),
        _sorted_models(models.values()),
        partial=bool(unread),
        partial_reason=reason,
    )


def _ranked(shares: list[TenantMonthSpend]) -> list[TenantMonthSpend]:
    return sorted(
        shares,
        key=lambda s: (s.spend is None, -(s.spend or 0), s.tenant.name.casefold()),
    )
