"""The client against both supported LiteLLM releases (the simulator reproducing 1.84.10 and
1.108.7): the same answers a user reads, through whichever route each release opens to each
role, and the capabilities the client learns once per connection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from budgettui.domain.usage import Month
from budgettui.proxy import client as client_module
from budgettui.proxy.errors import Forbidden, RouteRefused, Unauthorized
from budgettui.services.loading import load_month_usage, load_overview, load_runway_spend
from budgettui.simulator import Store
from tests.contract.conftest import NOW, VERSIONS, Connect

MONTH = Month.parse("2026-11")
OLD, NEW = VERSIONS
ROLES = ("master", "proxy_admin_viewer", "team_admin", "internal_user", "internal_user_viewer")
EXACT = Decimal("0.000001")

pytestmark = pytest.mark.parametrize("litellm_version", VERSIONS)


def paths(store: Store) -> list[str]:
    return [request.path for request in store.requests]


def charged(store: Store, key_hash: str) -> tuple[Decimal, int]:
    """What the simulator charged the key in MONTH: its own ledger, not an API answer."""
    rows = [
        row
        for row in store.ledger.rows
        if row.api_key == key_hash and MONTH.contains(datetime.fromtimestamp(row.ts, UTC))
    ]
    return sum((Decimal(str(row.spend)) for row in rows), Decimal(0)), len(rows)


async def test_capabilities_are_read_once_per_connection(
    connect: Connect, store: Store, litellm_version: str
) -> None:
    async with connect("internal_user") as client:
        first, second = await asyncio.gather(client.capabilities(), client.capabilities())
        await load_overview(client, NOW)
        await load_overview(client, NOW)
        learned = await client.capabilities()
    assert first is second
    assert first.version == litellm_version
    assert first.label == f"LiteLLM {litellm_version}"
    assert paths(store).count("/openapi.json") == 1
    assert first.has("/user/daily/activity/aggregated/keys") == (litellm_version == NEW)
    assert first.has("/key/{key}/reset_spend")
    # LiteLLM leaves /management/v1/users/me out of its schema: it is tried, and a 404 (1.84)
    # is remembered for the rest of the connection (1.108 answers each overview).
    assert paths(store).count("/management/v1/users/me") == (1 if litellm_version == OLD else 2)
    assert learned.has("/management/v1/users/me") == (litellm_version == NEW)


@pytest.mark.parametrize("role", ROLES)
async def test_whoami_names_the_caller_on_both_releases(
    connect: Connect, store: Store, role: str, litellm_version: str
) -> None:
    async with connect(role) as client:
        caller = await client.whoami()
    expected = "proxy_admin" if role == "master" else role.replace("team_admin", "internal_user")
    assert caller.user_role == expected
    assert caller.user_id
    # 1.84 has no /management/v1/users/me: the fallback answers the same.
    assert paths(store).count("/management/v1/users/me") == 1


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_gets_the_exact_usage_of_every_key_it_may_read(
    connect: Connect, store: Store, role: str, litellm_version: str
) -> None:
    """Internal users on 1.84 may call neither the aggregated activity nor the spend logs: the
    paged daily activity must still give them their exact usage, never a partial or a $0."""
    for key in list(store.keys.values()):  # every key has spent this month
        store.charge(key, "gpt-4o", 10, 20, at=datetime(2026, 11, 5, 12, tzinfo=UTC))
    async with connect(role) as client:
        overview = await load_overview(client, NOW)
        readable = [t for t in overview.tenants if t.key_hash and t.usage_visible]
        assert readable
        for tenant in readable:
            assert tenant.key_hash is not None
            usage = await load_month_usage(client, overview.caller, tenant, MONTH)
            spend, requests = charged(store, tenant.key_hash)
            assert not usage.partial, (tenant.name, usage.partial_reason)
            assert abs(usage.total_spend - spend) < EXACT, tenant.name
            assert usage.request_count == requests > 0, tenant.name
    if litellm_version == OLD and role in ("internal_user", "team_admin"):
        assert "/spend/logs/v2" not in paths(store)
        assert {"/user/daily/activity", "/team/daily/activity"} & set(paths(store))


async def test_paged_activity_is_exact_when_a_month_has_more_rows_than_a_page(
    connect: Connect, store: Store, monkeypatch: pytest.MonkeyPatch, litellm_version: str
) -> None:
    """LiteLLM pages raw daily rows by date alone: the client splits the month until each part
    fits a page, so no row of a date that straddles two pages is read twice or missed."""
    monkeypatch.setattr(client_module, "DAILY_ROWS_PAGE_SIZE", 3)
    key = store.add_key("sk-many-days-0000", key_alias="many-days")
    for day in range(1, 29):
        for model in ("gpt-4o", "gpt-4o-mini"):
            for hour in (1, 2):
                store.charge(key, model, 10, 20, at=datetime(2026, 11, day, hour, tzinfo=UTC))
    async with connect() as client:
        overview = await load_overview(client, NOW)
        tenant = next(t for t in overview.tenants if t.name == "many-days")
        usage = await load_month_usage(client, overview.caller, tenant, MONTH)
        paged = await client.paged_daily_activity(
            "user", MONTH.first_day, MONTH.last_day, api_key=tenant.key_hash
        )
    spend, requests = charged(store, tenant.key_hash or "")
    assert sum(day.metrics.api_requests for day in paged.results) == requests == 28 * 4
    assert sum((day.metrics.spend for day in paged.results), Decimal(0)) - spend < EXACT
    assert usage.request_count == requests
    # Two rows a day (one per model) and three a page: the month was split down to ranges.
    assert paths(store).count("/user/daily/activity") > 28 / 1.5


@pytest.mark.parametrize("role", ["master", "team_admin", "internal_user"])
async def test_runway_spend_or_the_reason_it_is_missing(
    connect: Connect, store: Store, role: str, litellm_version: str
) -> None:
    async with connect(role) as client:
        overview = await load_overview(client, NOW)
        runway = await load_runway_spend(client, overview, MONTH)
    if litellm_version == OLD and role != "master":
        # 1.84 has no per-key totals; only a request per key could tell: the column says so.
        assert runway.spend is None
        assert runway.unavailable == f"n/a on LiteLLM {OLD}"
        return
    assert runway.spend is not None
    assert runway.unavailable is None
    for tenant in overview.tenants:
        if tenant.key_hash and tenant.usage_visible and (role == "master" or tenant.org):
            spend, _ = charged(store, tenant.key_hash)
            got = runway.spend.get(tenant.key_hash, Decimal(0))
            assert abs(got - spend) < EXACT, tenant.name


async def test_errors_are_typed_by_meaning_on_both_releases(
    connect: Connect, store: Store, litellm_version: str
) -> None:
    web = next(k for k in store.keys.values() if k.key_alias == "acme-web")
    team = next(t for t in store.teams.values() if t.team_alias and t.team_id == web.team_id)
    async with connect("internal_user_viewer") as viewer:
        with pytest.raises(RouteRefused) as refused:
            await viewer.update_key(web.token, {"max_budget": 1})
    assert refused.value.status == 401  # LiteLLM's route gate says 401 on both
    async with connect("team_admin") as admin:
        with pytest.raises(Forbidden) as team_budget:
            await admin.update_team(team.team_id, {"max_budget": 1})
    assert team_budget.value.status == (401 if litellm_version == OLD else 403)
    async with connect(api_key="sk-not-a-real-key-0000") as stranger:
        with pytest.raises(Unauthorized) as bad_key:
            await load_overview(stranger, NOW)
    assert not isinstance(bad_key.value, Forbidden)
    assert "sk-not-a-real-key-0000" not in str(bad_key.value)
    assert "sk-...0000" not in str(bad_key.value)
