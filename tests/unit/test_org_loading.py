"""An org's month: the team's daily activity where LiteLLM has it, else the sum of its keys'
months; partial with the reason where a route is refused or a role sees part of the team."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from budgettui.domain.usage import Month
from budgettui.proxy.client import LiteLLMClient
from budgettui.services.loading import Overview, load_overview
from budgettui.services.org_loading import (
    FROM_KEYS,
    FROM_TEAM_ACTIVITY,
    OrgMonth,
    OrgNotFound,
    load_org_month,
    org_tenants,
    resolve_org,
)
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from tests.uihelpers import NOW

MONTH = Month.parse("2026-11")
EXACT = Decimal("0.000001")
VERSIONS = ("1.84.10", "1.108.7")
Connect = Callable[..., AbstractAsyncContextManager[LiteLLMClient]]


@pytest.fixture
def store() -> Store:
    return demo_store(NOW)


@pytest.fixture
def faults() -> Faults:
    return Faults()


def connector(store: Store, faults: Faults, version: str = VERSIONS[-1]) -> Connect:
    app = create_app(store, faults, litellm_version=version)

    @asynccontextmanager
    async def connect(role: str = "master") -> AsyncIterator[LiteLLMClient]:
        transport = httpx.ASGITransport(app=app)
        async with LiteLLMClient("http://sim.test", DEMO_KEYS[role], transport=transport) as c:
            yield c

    return connect


async def org_month(connect: Connect, name: str, role: str = "master") -> tuple[Overview, OrgMonth]:
    async with connect(role) as client:
        overview = await load_overview(client, NOW)
        org = resolve_org(overview, name)
        tenants = org_tenants(overview, org)
        return overview, await load_org_month(client, overview.caller, org, tenants, MONTH)


def charged(store: Store, team_id: str) -> Decimal:
    """What the simulator charged the team's keys in MONTH: its ledger, not an API answer."""
    return sum(
        (
            Decimal(str(row.spend))
            for row in store.ledger.rows
            if row.team_id == team_id and MONTH.contains(datetime.fromtimestamp(row.ts, UTC))
        ),
        Decimal(0),
    )


def paths(store: Store) -> set[str]:
    return {request.path for request in store.requests}


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_teams_daily_activity_is_the_orgs_month(
    store: Store, faults: Faults, version: str
) -> None:
    """One team route, no request per key: aggregated on 1.108, paged on 1.84 (which has no
    aggregated team route); the tenants ranked by their share, which adds up to the month."""
    overview, loaded = await org_month(connector(store, faults, version), "acme")
    assert loaded.source == FROM_TEAM_ACTIVITY
    assert not loaded.usage.partial
    assert abs(loaded.usage.total_spend - charged(store, loaded.org.team_id)) < EXACT
    team_route = "/team/daily/activity" + ("/aggregated" if version == "1.108.7" else "")
    assert team_route in paths(store)
    assert not paths(store) & {"/user/daily/activity", "/spend/logs/v2"}
    shares = [share.spend for share in loaded.tenants]
    assert None not in shares
    assert shares == sorted(shares, reverse=True)  # type: ignore[type-var]
    assert abs(sum(shares) - loaded.usage.total_spend) < EXACT  # type: ignore[arg-type]
    assert {s.tenant.name for s in loaded.tenants} == {
        t.name for t in org_tenants(overview, loaded.org)
    }


async def test_without_a_team_route_the_month_is_the_sum_of_its_keys(
    store: Store, faults: Faults
) -> None:
    connect = connector(store, faults)
    _, by_team = await org_month(connect, "acme")
    faults.status_by_path["/team/daily/activity"] = 403  # both team routes, as for a role
    _, by_keys = await org_month(connect, "acme")
    assert by_keys.source == FROM_KEYS
    assert not by_keys.usage.partial
    assert abs(by_keys.usage.total_spend - by_team.usage.total_spend) < EXACT
    assert by_keys.usage.request_count == by_team.usage.request_count > 0
    assert [s.tenant.name for s in by_keys.tenants] == [s.tenant.name for s in by_team.tenants]
    for mine, theirs in zip(by_keys.tenants, by_team.tenants, strict=True):
        assert mine.spend is not None
        assert theirs.spend is not None
        assert abs(mine.spend - theirs.spend) < EXACT, mine.tenant.name
    yesterday = NOW.day - 2
    keys_day, team_day = by_keys.usage.daily[yesterday], by_team.usage.daily[yesterday]
    assert keys_day.requests == team_day.requests > 0
    assert abs(keys_day.spend - team_day.spend) < EXACT


async def test_the_team_counts_a_deleted_keys_spend_that_no_key_sum_can(
    store: Store, faults: Faults
) -> None:
    """Why the team's activity comes first: a key deleted this month is in no listing, but its
    spend is still the org's."""
    key = store.keys[next(t for t, k in store.keys.items() if k.key_alias == "acme-batch")]
    store.delete_key(key.token)
    connect = connector(store, faults)
    _, by_team = await org_month(connect, "acme")
    faults.status_by_path["/team/daily/activity"] = 403
    _, by_keys = await org_month(connect, "acme")
    assert "acme-batch" not in {s.tenant.name for s in by_team.tenants}
    assert abs(by_team.usage.total_spend - charged(store, by_team.org.team_id)) < EXACT
    assert by_team.usage.total_spend > by_keys.usage.total_spend


async def test_every_route_refused_is_partial_with_the_reason_never_zero(
    store: Store, faults: Faults
) -> None:
    for route in ("/team/daily/activity", "/user/daily/activity", "/spend/logs"):
        faults.status_by_path[route] = 403
    _, loaded = await org_month(connector(store, faults), "acme")
    usage = loaded.usage
    assert usage.partial
    assert usage.partial_reason is not None
    assert usage.partial_reason.startswith("5 of 5 keys not wholly read")
    assert "neither daily activity nor spend logs" in usage.partial_reason
    assert {share.spend for share in loaded.tenants} == {None}  # untold, not $0


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_member_sees_the_teams_month_of_its_own_keys_and_is_told(
    store: Store, faults: Faults, version: str
) -> None:
    """LiteLLM narrows a plain member's team view to the member's own keys: partial, the
    others' shares untold."""
    _, loaded = await org_month(connector(store, faults, version), "globex", "internal_user")
    assert loaded.usage.partial
    assert loaded.usage.partial_reason == (
        "LiteLLM shows internal_user only its own keys' usage in this team (3 of 4 keys hidden)"
    )
    told = {s.tenant.name: s.spend for s in loaded.tenants if s.spend is not None}
    assert list(told) == ["globex-dev-key"]
    assert told["globex-dev-key"] == loaded.usage.total_spend > 0
    assert loaded.tenants[0].tenant.name == "globex-dev-key"  # untold shares rank last


async def test_a_breakdown_capped_at_100_keys_is_completed_by_the_key_totals(
    store: Store, faults: Faults
) -> None:
    """LiteLLM 1.108 lists the top 100 keys in the aggregated breakdown: the others' shares
    come from the per-key totals route rather than reading as $0."""
    team = store.add_team("wide", created_at=NOW - timedelta(days=60))
    for index in range(101):
        key = store.add_key(
            f"sk-wide-{index:04d}", key_alias=f"wide-{index:03d}", team_id=team.team_id
        )
        store.charge(key, "gpt-4o-mini", 1000 + index, 10, at=NOW - timedelta(days=1))
    _, loaded = await org_month(connector(store, faults), "wide")
    assert "/team/daily/activity/aggregated/keys" in paths(store)
    shares = {s.tenant.name: s.spend for s in loaded.tenants}
    assert len(shares) == 101
    assert all(spend is not None and spend > 0 for spend in shares.values())
    assert loaded.tenants[0].tenant.name == "wide-100"  # the most tokens, the most spend


async def test_an_org_is_found_by_name_in_any_case_or_by_team_id_never_by_part(
    store: Store, faults: Faults
) -> None:
    async with connector(store, faults)() as client:
        overview = await load_overview(client, NOW)
    acme = resolve_org(overview, "acme")
    assert resolve_org(overview, "ACME") == acme
    assert resolve_org(overview, acme.team_id) == acme
    with pytest.raises(OrgNotFound, match="org 'acm' not found or not accessible"):
        resolve_org(overview, "acm")
