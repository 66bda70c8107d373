"""What the client gets from a LiteLLM-compatible proxy: visibility per role, every error
envelope as the user sees it, paging across LiteLLM's page and 10,000-row limits, the prefix
alias quirk and the month's edges."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from budgettui.domain.usage import Month
from budgettui.proxy.errors import NotFound, Rejected, RouteRefused
from budgettui.services.loading import load_month_usage, load_overview, load_runway_spend
from budgettui.simulator import Faults, Store
from tests.contract.conftest import NOW, VERSIONS, Connect

MONTH = Month.parse("2026-11")


def _visible_aliases(store: Store, user_id: str | None, role: str) -> set[str]:
    """What LiteLLM lets each role list, from the store's own users, teams and memberships."""
    keys = store.keys.values()
    if role in ("master", "proxy_admin_viewer"):
        return {k.key_alias for k in keys if k.key_alias}
    admin_of = {
        t.team_id
        for t in store.teams.values()
        if any(m.user_id == user_id and m.role == "admin" for m in t.members_with_roles)
    }
    member_of = {
        t.team_id
        for t in store.teams.values()
        if any(m.user_id == user_id for m in t.members_with_roles)
    }
    return {
        k.key_alias
        for k in keys
        if k.key_alias
        and (
            k.user_id == user_id
            or k.team_id in admin_of
            or (k.team_id in member_of and k.user_id is None)
        )
    }


@pytest.mark.parametrize("litellm_version", VERSIONS)
@pytest.mark.parametrize(
    "role",
    ["master", "proxy_admin_viewer", "team_admin", "internal_user", "internal_user_viewer"],
)
async def test_each_role_lists_what_litellm_lets_it_see(
    connect: Connect, store: Store, role: str, litellm_version: str
) -> None:
    async with connect(role) as client:
        overview = await load_overview(client, NOW)
    names = {t.name for t in overview.tenants if not t.provisioning}
    user_id = None if role == "master" else overview.caller.user_id
    assert names == _visible_aliases(store, user_id, role)
    if role != "master":
        assert names < _visible_aliases(store, None, "master") or role == "proxy_admin_viewer"


async def test_error_envelopes_reach_the_user_as_typed_errors(
    connect: Connect, store: Store
) -> None:
    web = next(k for k in store.keys.values() if k.key_alias == "acme-web")
    async with connect("proxy_admin_viewer") as viewer:
        with pytest.raises(RouteRefused, match="not allowed to access this route"):
            await viewer.update_key(web.token, {"max_budget": 1})
    async with connect("internal_user_viewer") as viewer:
        # LiteLLM's route gate says 401, but the key is fine: a refusal, not a bad key.
        with pytest.raises(RouteRefused, match="Only proxy admin"):
            await viewer.update_key(web.token, {"max_budget": 1})
    async with connect("master") as admin:
        with pytest.raises(NotFound, match="not found"):
            await admin.reset_key_spend("0" * 64, Decimal(0))
        with pytest.raises(Rejected, match=r"must be <= current spend"):
            await admin.reset_key_spend(web.token, Decimal(web.spend + 1000))
        with pytest.raises(Rejected, match="reset_to must be >= 0"):
            await admin.reset_key_spend(web.token, Decimal(-1))
        with pytest.raises(NotFound, match="Team not found"):
            await admin.team_info("no-such-team")
        with pytest.raises(Rejected, match="budget_duration"):
            await admin.update_key(web.token, {"budget_duration": "30"})


async def test_keys_are_listed_across_pages(connect: Connect, store: Store) -> None:
    team = next(iter(store.teams.values()))
    for n in range(230):
        store.add_key(f"sk-extra-{n:04d}-padding", key_alias=f"extra-{n:04d}", team_id=team.team_id)
    async with connect() as client:
        keys = await client.list_keys()
    assert not keys.partial
    assert len(keys.items) == len(store.keys)


async def test_month_to_date_spend_covers_every_key_across_pages(
    connect: Connect, store: Store
) -> None:
    """The runway column's bulk totals: 100 keys a page, pages asked for several at a time."""
    team = next(iter(store.teams.values()))
    at = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)
    charged: dict[str, Decimal] = {}
    for n in range(230):
        key = store.add_key(
            f"sk-extra-{n:04d}-padding", key_alias=f"extra-{n:04d}", team_id=team.team_id
        )
        for _ in range(n % 3 + 1):
            row = store.charge(key, "gpt-4o-mini", 10, 20, at=at)
            charged[row.api_key] = charged.get(row.api_key, Decimal(0)) + Decimal(str(row.spend))
    async with connect() as client:
        overview = await load_overview(client, NOW)
        month_to_date = (await load_runway_spend(client, overview, MONTH)).spend
    assert month_to_date is not None
    assert len(month_to_date) > len(charged)  # the demo's own keys with traffic too
    for api_key, spend in charged.items():
        assert abs(month_to_date[api_key] - spend) < Decimal("0.000001"), api_key


def _busy_key(store: Store, alias: str, requests: int, *, at: datetime) -> None:
    key = store.add_key(f"sk-{alias}-0000", key_alias=alias)
    for n in range(requests):
        store.charge(
            key, "gpt-4o-mini", 10, 20, at=at.replace(second=n % 60, minute=(n // 60) % 60)
        )


async def test_spend_logs_are_paged_past_10000_rows_and_match_the_daily_totals(
    connect: Connect, store: Store, faults: Faults
) -> None:
    _busy_key(store, "busy", 10_500, at=datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
    async with connect() as client:
        overview = await load_overview(client, NOW)
        busy = next(t for t in overview.tenants if t.name == "busy")
        aggregated = await load_month_usage(client, overview.caller, busy, MONTH)
        faults.status_by_path["/user/daily/activity"] = 404  # every daily-activity route
        from_logs = await load_month_usage(client, overview.caller, busy, MONTH)
    assert aggregated.request_count == from_logs.request_count == 10_500
    assert not from_logs.partial
    assert abs(aggregated.total_spend - from_logs.total_spend) < Decimal("0.000001")
    log_pages = [r for r in store.requests if r.path == "/spend/logs/v2"]
    assert len(log_pages) == 11  # 1,000 rows a page, the 11th short


async def test_a_prefix_alias_does_not_pull_in_the_longer_one(
    connect: Connect, store: Store, faults: Faults
) -> None:
    faults.status_by_path["/user/daily/activity"] = 404  # use the spend-log path
    async with connect() as client:
        overview = await load_overview(client, NOW)
        web = next(t for t in overview.tenants if t.name == "acme-web")
        web_eu = next(t for t in overview.tenants if t.name == "acme-web-eu")
        usage = await load_month_usage(client, overview.caller, web, MONTH)
        usage_eu = await load_month_usage(client, overview.caller, web_eu, MONTH)
    own = [
        row
        for row in store.ledger.rows
        if row.api_key == web.key_hash and MONTH.contains(datetime.fromtimestamp(row.ts, UTC))
    ]
    assert usage.request_count == len(own) > 0
    assert usage_eu.request_count > 0
    queries = [r.query for r in store.requests if r.path == "/spend/logs/v2"]
    assert all("key_alias" not in q for q in queries)


# Which routes an older or stricter proxy lacks, to force each usage source in turn.
SOURCES = {
    "aggregated": None,
    "paged-activity": "/user/daily/activity/aggregated",
    "spend-logs": "/user/daily/activity",
}


@pytest.mark.parametrize("missing", SOURCES.values(), ids=SOURCES.keys())
async def test_month_edges_in_utc(
    connect: Connect, store: Store, faults: Faults, missing: str | None
) -> None:
    key = store.add_key("sk-edges-0000", key_alias="edges")
    for moment in (
        datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 12, 1, 0, 0, 0, tzinfo=UTC),
    ):
        store.charge(key, "gpt-4o", 10, 20, at=moment)
    if missing:
        faults.status_by_path[missing] = 404
    async with connect() as client:
        overview = await load_overview(client, NOW)
        edges = next(t for t in overview.tenants if t.name == "edges")
        usage = await load_month_usage(client, overview.caller, edges, MONTH)
    assert usage.request_count == 2
    assert usage.daily[0].requests == 1  # the 1st at 00:00:00
    assert usage.daily[-1].requests == 1  # the 30th at 23:59:59
    assert not usage.partial
