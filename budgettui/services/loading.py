"""What a screen or a headless command needs, fetched through the client and shaped by the
domain. Async, no Textual: the TUI's workers and the CLI call the same functions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypedDict

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD
from budgettui.domain.tenants import (
    NOT_FOUND,
    SEE_ALL_ROLES,
    Tenant,
    assemble_tenants,
    find_tenant,
    tenants_of_keys,
    with_key_details,
)
from budgettui.domain.usage import Month, MonthUsage, SpendLogAccumulator, usage_from_activity
from budgettui.errors import BudgettuiError
from budgettui.proxy.capabilities import Capabilities
from budgettui.proxy.client import SPEND_LOG_PAGE_SIZE, ActivityScope, Listing, LiteLLMClient
from budgettui.proxy.errors import EndpointMissing, Forbidden, NotFound, Rejected, Unauthorized
from budgettui.proxy.models import Caller, DailyActivity, Key, KeyActivityTotal, Team
from budgettui.services.cap_loading import read_caps

# A month of one key's logs at 1,000 rows a page: 1,000 pages is a million requests. Past that
# the result is reported as partial rather than paging on forever.
MAX_SPEND_LOG_PAGES = 1000


class TenantNotFound(BudgettuiError, LookupError):
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
    # The proxy's LiteLLM release and routes, for the header and `--json` metadata.
    capabilities: Capabilities = field(default_factory=Capabilities)


# Told of the tenants of each page of keys as it lands (before their owners' budgets are read),
# with how many keys have landed and how many the proxy says there are: the table streams in.
TenantsSeen = Callable[[list[Tenant], int, int | None], None]
# Told of each page of month-to-date spend per key hash as it lands.
SpendSeen = Callable[[dict[str, Decimal]], None]


async def load_overview(
    client: LiteLLMClient,
    fetched_at: datetime,
    threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
    *,
    caller: Caller | None = None,
    on_tenants: TenantsSeen | None = None,
) -> Overview:
    """Caller, teams and keys: three listings, the two big ones paged concurrently (after the
    proxy's schema, which the client reads once and every later call reuses); then the budgets
    of the keys' owners and members (`cap_loading.read_caps`). `fetched_at` also decides which
    keys have expired. `on_tenants` sees the keys' tenants page by page, once the teams are in."""
    caller = caller or await client.whoami()
    stream = _TenantStream(caller, threshold, fetched_at, on_tenants)

    async def list_teams() -> Listing[Team]:
        listing = await client.list_teams(caller)
        stream.teams_landed(listing.items)
        return listing

    teams_task = asyncio.ensure_future(list_teams())
    try:
        keys = await client.list_keys(on_page=stream.keys_landed if on_tenants else None)
        teams = await teams_task
    finally:
        teams_task.cancel()
    readings = await read_caps(client, caller, keys.items)
    tenants = assemble_tenants(
        teams.items, keys.items, caller, threshold, readings=readings, now=fetched_at
    )
    capabilities = await client.capabilities()
    return Overview(caller, tenants, teams.partial or keys.partial, fetched_at, capabilities)


class _TenantStream:
    """Pages of keys become tenants once the teams are known (a key's org needs its team);
    pages that land before the teams wait for them."""

    def __init__(
        self, caller: Caller, threshold: Decimal, now: datetime, seen: TenantsSeen | None
    ) -> None:
        self.caller, self.threshold, self.now, self.seen = caller, threshold, now, seen
        self.teams: list[Team] | None = None
        self.waiting: list[Key] = []
        self.landed = 0
        self.total: int | None = None

    def keys_landed(self, keys: list[Key], total: int | None) -> None:
        self.landed += len(keys)
        self.total = total if total is not None else self.total
        self.waiting.extend(keys)
        self._flush()

    def teams_landed(self, teams: list[Team]) -> None:
        self.teams = teams
        self._flush()

    def _flush(self) -> None:
        if self.teams is None or not self.waiting or self.seen is None:
            return
        keys, self.waiting = self.waiting, []
        tenants = tenants_of_keys(self.teams, keys, self.caller, self.threshold, now=self.now)
        self.seen(tenants, self.landed, self.total)


async def load_dashboard(
    client: LiteLLMClient,
    fetched_at: datetime,
    threshold: Decimal,
    month: Month,
    *,
    on_tenants: TenantsSeen | None = None,
    on_spend: SpendSeen | None = None,
) -> tuple[Overview, MonthToDate]:
    """The overview and the month-to-date spend for the runway column. An admin's totals need
    nothing from the key list, so they load beside it (at 20,000 keys, 200 pages of totals
    would otherwise start only after 200 pages of keys); a team member's need their teams."""
    caller = await client.whoami()
    if caller.user_role not in SEE_ALL_ROLES:
        overview = await load_overview(
            client, fetched_at, threshold, caller=caller, on_tenants=on_tenants
        )
        team_ids = sorted({t.org.team_id for t in overview.tenants if t.org})
        return overview, await _runway_spend(client, caller, team_ids, month, on_spend)
    runway = asyncio.ensure_future(_runway_spend(client, caller, [], month, on_spend))
    try:
        overview = await load_overview(
            client, fetched_at, threshold, caller=caller, on_tenants=on_tenants
        )
        return overview, await runway
    finally:
        runway.cancel()


async def load_key_details(client: LiteLLMClient, tenant: Tenant) -> Tenant:
    """One tenant's window and per-model spend and soft budget, from its `/key/info` (one
    request: for the tenant screen, never for the table). Unchanged where the caller may not
    read the key's info."""
    if tenant.key_hash is None:
        return tenant
    try:
        key = await client.key_info(tenant.key_hash)
    except (NotFound, Forbidden, Unauthorized):
        return tenant
    return with_key_details(tenant, key)


def resolve_tenant(overview: Overview, name: str) -> Tenant:
    tenant = find_tenant(overview.tenants, name)
    if tenant is None:
        raise TenantNotFound(name)
    return tenant


# What one usage route answering means "try the next one": absent from this release (404), closed
# to the role (LiteLLM 1.84 answers internal users 401 "Only proxy admin…", read as Forbidden).
_TRY_NEXT = (NotFound, Forbidden)


async def load_month_usage(
    client: LiteLLMClient, caller: Caller, tenant: Tenant, month: Month
) -> MonthUsage:
    """The best route this proxy opens to this role, exact whichever answers: aggregated daily
    activity (one request), else the paged daily activity (every page; 1.84's route for internal
    users), else the key's spend logs. Partial, with the reason, only when none answers."""
    if tenant.key_hash is None:  # provisioning: no key, no traffic
        return SpendLogAccumulator(month).result()
    if not tenant.usage_visible:
        # LiteLLM would answer with zeros; saying so beats showing a month of $0.
        return SpendLogAccumulator(month).result(
            partial_reason=f"LiteLLM does not show {caller.user_role or 'this key'} the usage of "
            "keys it does not own"
        )
    scope, filters = _activity_query(caller, tenant)
    for read in (client.daily_activity, client.paged_daily_activity):
        try:
            activity = await read(scope, month.first_day, month.last_day, **filters)
        except _TRY_NEXT:
            continue
        return usage_from_activity(month, activity)
    try:
        return await _usage_from_spend_logs(client, tenant.key_hash, month)
    except _TRY_NEXT:
        label = (await client.capabilities()).label
        return SpendLogAccumulator(month).result(
            partial_reason=f"{label} gives {caller.user_role or 'this key'} neither daily "
            "activity nor spend logs for this key"
        )


class ActivityFilters(TypedDict, total=False):
    api_key: str
    user_id: str | None
    team_ids: list[str]


def _activity_query(caller: Caller, tenant: Tenant) -> tuple[ActivityScope, ActivityFilters]:
    """Which daily-activity scope a role may read a key through (docs/litellm.md, "Usage"):
    admins and viewers the global user view; a team's members the team view; a user their own."""
    assert tenant.key_hash is not None
    if caller.user_role in SEE_ALL_ROLES:
        return "user", {"api_key": tenant.key_hash}
    if tenant.org is not None:
        return "team", {"api_key": tenant.key_hash, "team_ids": [tenant.org.team_id]}
    return "user", {"api_key": tenant.key_hash, "user_id": caller.user_id}


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


@dataclass(frozen=True)
class MonthToDate:
    """Month-to-date spend per key hash, for the runway column. `spend` is None when this proxy
    cannot tell this role without a request per key; `unavailable` then says why, short enough
    for the column ("n/a on LiteLLM 1.84.10")."""

    spend: dict[str, Decimal] | None
    unavailable: str | None = None


async def load_runway_spend(client: LiteLLMClient, overview: Overview, month: Month) -> MonthToDate:
    team_ids = sorted({t.org.team_id for t in overview.tenants if t.org})
    return await _runway_spend(client, overview.caller, team_ids, month)


async def _runway_spend(
    client: LiteLLMClient,
    caller: Caller,
    team_ids: list[str],
    month: Month,
    on_spend: SpendSeen | None = None,
) -> MonthToDate:
    """Per-key totals in bulk (100 keys a request); on a release without them, an admin's one
    aggregated answer, whose per-key breakdown 1.84 does not cap. Never a request per key: at
    2,000 keys that would be 2,000 requests for one column."""
    admin = caller.user_role in SEE_ALL_ROLES
    if not admin and not team_ids:
        return MonthToDate(None, "n/a: no team")
    first, last = month.first_day, month.last_day

    def page_landed(rows: list[KeyActivityTotal], _total: int | None) -> None:
        if on_spend is not None:
            on_spend({row.api_key: row.metrics.spend for row in rows})

    try:
        if admin:
            totals = await client.key_activity_totals("user", first, last, on_page=page_landed)
        else:
            totals = await client.key_activity_totals(
                "team", first, last, team_ids=team_ids, on_page=page_landed
            )
        return MonthToDate({row.api_key: row.metrics.spend for row in totals.items})
    except EndpointMissing:
        pass
    except (NotFound, Forbidden, Unauthorized, Rejected):
        return MonthToDate(None, f"n/a for {caller.user_role or 'this key'}")
    label = (await client.capabilities()).label
    if not admin:
        return MonthToDate(None, f"n/a on {label}")
    try:
        activity = await client.daily_activity("user", first, last)
    except (NotFound, Forbidden, Unauthorized, Rejected):
        return MonthToDate(None, f"n/a on {label}")
    return _spend_by_key(activity, label)


def _spend_by_key(activity: DailyActivity, label: str) -> MonthToDate:
    spend: dict[str, Decimal] = {}
    for day in activity.results:
        for api_key, entry in day.breakdown.api_keys.items():
            spend[api_key] = spend.get(api_key, Decimal(0)) + entry.metrics.spend
    expected = activity.metadata.total_api_keys
    if expected is not None and len(spend) < expected:  # a proxy that caps the breakdown
        return MonthToDate(None, f"n/a on {label}: over {len(spend)} keys")
    return MonthToDate(spend)
