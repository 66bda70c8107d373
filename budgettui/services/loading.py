"""What a screen or a headless command needs, fetched through the client and shaped by the
domain. Async, no Textual: the TUI's workers and the CLI call the same functions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD
from budgettui.domain.tenants import (
    NOT_FOUND,
    SEE_ALL_ROLES,
    Tenant,
    assemble_tenants,
    find_tenant,
)
from budgettui.domain.usage import Month, MonthUsage, SpendLogAccumulator, usage_from_activity
from budgettui.proxy.client import SPEND_LOG_PAGE_SIZE, LiteLLMClient
from budgettui.proxy.errors import Forbidden, NotFound, Rejected, Unauthorized
from budgettui.proxy.models import Caller, DailyActivity

# A month of one key's logs at 1,000 rows a page: 1,000 pages is a million requests. Past that
# the result is reported as partial rather than paging on forever.
MAX_SPEND_LOG_PAGES = 1000


class TenantNotFound(LookupError):
    """A tenant name the caller cannot see. Deliberately the same whether it does not exist or
    exists but is hidden from this credential: telling them apart would reveal it."""

    def __init__(self, name: str) -> None:
        super().__init__(f"tenant {name!r} {NOT_FOUND}")
        self.name = name


@dataclass(frozen=True)
class Overview:
    caller: Caller
    tenants: list[Tenant]
    partial: bool
    fetched_at: datetime


async def load_overview(
    client: LiteLLMClient,
    fetched_at: datetime,
    threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
) -> Overview:
    """Caller, teams and keys: three listings, the two big ones paged concurrently."""
    caller = await client.whoami()
    teams, keys = await asyncio.gather(client.list_teams(caller), client.list_keys())
    tenants = assemble_tenants(teams.items, keys.items, caller, threshold)
    return Overview(caller, tenants, teams.partial or keys.partial, fetched_at)


def resolve_tenant(overview: Overview, name: str) -> Tenant:
    tenant = find_tenant(overview.tenants, name)
    if tenant is None:
        raise TenantNotFound(name)
    return tenant


async def load_month_usage(
    client: LiteLLMClient, caller: Caller, tenant: Tenant, month: Month
) -> MonthUsage:
    """One request on proxies with aggregated daily activity; spend-log pages otherwise."""
    if tenant.key_hash is None:  # provisioning: no key, no traffic
        return SpendLogAccumulator(month).result()
    if not tenant.usage_visible:
        # LiteLLM would answer with zeros; saying so beats showing a month of $0.
        return SpendLogAccumulator(month).result(
            partial_reason=f"LiteLLM does not show {caller.user_role or 'this key'} the usage of "
            "keys it does not own"
        )
    try:
        activity = await _key_activity(client, caller, tenant, month)
    except NotFound:
        return await _usage_from_spend_logs(client, tenant.key_hash, month)
    return usage_from_activity(month, activity)


async def _key_activity(
    client: LiteLLMClient, caller: Caller, tenant: Tenant, month: Month
) -> DailyActivity:
    """Which aggregated route a role may read a key through (docs/litellm.md, "Usage"): admins and
    viewers the global user view; a team's members the team view; a user their own."""
    assert tenant.key_hash is not None
    if caller.user_role in SEE_ALL_ROLES:
        return await client.daily_activity(
            "user", month.first_day, month.last_day, api_key=tenant.key_hash
        )
    if tenant.org is not None:
        return await client.daily_activity(
            "team",
            month.first_day,
            month.last_day,
            api_key=tenant.key_hash,
            team_ids=[tenant.org.team_id],
        )
    return await client.daily_activity(
        "user",
        month.first_day,
        month.last_day,
        api_key=tenant.key_hash,
        user_id=caller.user_id,
    )


async def _usage_from_spend_logs(client: LiteLLMClient, key_hash: str, month: Month) -> MonthUsage:
    """Page until a page comes back short: LiteLLM caps `total` at 10,000, so neither `total`
    nor `total_pages` can say when a busy month ends."""
    accumulator = SpendLogAccumulator(month)
    for page in range(1, MAX_SPEND_LOG_PAGES + 1):
        body = await client.spend_log_page(key_hash, month.start, month.end, page)
        accumulator.add_page(body.data)
        if len(body.data) < SPEND_LOG_PAGE_SIZE:
            return accumulator.result()
    return accumulator.result(
        partial_reason=f"stopped after {MAX_SPEND_LOG_PAGES} pages of spend logs "
        f"({accumulator.rows_seen} rows); the month has more"
    )


async def load_month_to_date(
    client: LiteLLMClient, overview: Overview, month: Month
) -> dict[str, Decimal] | None:
    """Month-to-date spend per key hash, in bulk (100 keys a request), for the runway column.
    None when the proxy cannot say (older proxy, or a role it refuses): the column then shows
    no runway rather than failing the whole table."""
    caller = overview.caller
    team_ids = sorted({t.org.team_id for t in overview.tenants if t.org})
    try:
        if caller.user_role in SEE_ALL_ROLES:
            totals = await client.key_activity_totals("user", month.first_day, month.last_day)
        elif team_ids:
            totals = await client.key_activity_totals(
                "team", month.first_day, month.last_day, team_ids=team_ids
            )
        else:
            return None
    except (NotFound, Forbidden, Unauthorized, Rejected):
        return None
    return {row.api_key: row.metrics.spend for row in totals.items}
