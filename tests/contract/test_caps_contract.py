"""Caps beyond the key's and the team's, read from the simulator reproducing both releases: the
demo's showcase tenants are refused by their owner's budget, their member budget, a block or an
expiry, and budgettui says which, in as few requests as the listing allows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from budgettui.cli.output import render_tenants
from budgettui.domain.budget import Alert, BindingCap
from budgettui.domain.caps import StopState
from budgettui.domain.tenants import Tenant
from budgettui.services.loading import load_key_details, load_overview
from budgettui.simulator import Store, demo_store
from tests.contract.conftest import NOW, VERSIONS, Connect

pytestmark = pytest.mark.parametrize("litellm_version", VERSIONS)


@pytest.fixture
def store() -> Store:
    return demo_store(NOW, caps_showcase=True)


async def _tenants(connect: Connect, role: str = "master") -> dict[str, Tenant]:
    async with connect(role) as client:
        overview = await load_overview(client, NOW)
    return {t.name: t for t in overview.tenants}


def _record(tenant: Tenant) -> dict[str, Any]:
    (record,) = json.loads(render_tenants([tenant], "json"))
    return dict(record)


async def test_an_owner_over_their_budget_binds_their_personal_key(connect: Connect) -> None:
    tenant = (await _tenants(connect))["solo-capped-user"]
    record = _record(tenant)
    assert (record["max_budget"], record["binding_cap"], record["alert"]) == (
        None,
        "user",
        "exceeded",
    )
    (user_cap,) = [c for c in record["caps"] if c["scope"] == "user"]
    assert user_cap["spend"] > user_cap["max_budget"]


async def test_a_member_over_their_team_budget_binds_their_team_key(connect: Connect) -> None:
    tenant = (await _tenants(connect))["acme-intern"]
    assert tenant.binding is BindingCap.TEAM_MEMBER
    assert tenant.alert is Alert.EXCEEDED


async def test_blocked_and_expired_keys_say_so_before_their_money(connect: Connect) -> None:
    tenants = await _tenants(connect)
    assert tenants["acme-blocked"].state is StopState.BLOCKED
    assert _record(tenants["acme-blocked"])["status"] == "blocked"
    assert tenants["globex-expired"].state is StopState.EXPIRED
    assert _record(tenants["globex-expired"])["status"] == "expired"
    assert tenants["acme-web"].state is None


async def test_a_soft_budget_is_read_where_each_release_tells_it(
    connect: Connect, litellm_version: str
) -> None:
    """1.108 lists it with the key; 1.84 only in the key's own `/key/info`."""
    listed = (await _tenants(connect))["initech-soft"]
    assert (listed.soft_budget is not None) == (litellm_version == VERSIONS[-1])
    async with connect() as client:
        detailed = await load_key_details(client, listed)
    assert detailed.soft_budget is not None
    assert detailed.alert is listed.alert  # never a refusal


async def test_owner_budgets_cost_one_request_and_member_budgets_one_per_team(
    connect: Connect, store: Store
) -> None:
    await _tenants(connect)
    paths = [request.path for request in store.requests]
    assert paths.count("/user/list") == 1
    owned_teams = {k.team_id for k in store.keys.values() if k.team_id and k.user_id}
    assert paths.count("/team/info") == len(owned_teams)


async def test_a_team_admin_sees_its_members_budgets_without_listing_users(
    connect: Connect, store: Store
) -> None:
    """`/team/info` of its own team is open to a team admin; `/user/list` is not, and is not
    asked."""
    tenants = await _tenants(connect, "team_admin")
    assert tenants["acme-intern"].binding is BindingCap.TEAM_MEMBER
    assert tenants["acme-intern"].alert is Alert.EXCEEDED
    assert "/user/list" not in [request.path for request in store.requests]
