"""Tenants as budgettui shows them, per role, against what the scenario created in LiteLLM."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from budgettui.domain.budget import Alert, BindingCap
from budgettui.services.loading import Overview, load_overview
from tests.live.live_scenario import Scenario
from tests.live.live_support import (
    PROXY_ROLE,
    ROLES,
    WRITTEN,
    client,
    expected_binding,
    may_edit_key,
    ours,
    run_cli,
    same_money,
    visible_tenant_names,
)

pytestmark = pytest.mark.live

TENANT_JSON_FIELDS = {
    "tenant",
    "org",
    "team_id",
    "key_name",
    "spend",
    "max_budget",
    "budget_duration",
    "budget_reset_at",
    "org_spend",
    "org_max_budget",
    "org_budget_duration",
    "percent_used",
    "alert",
    "binding_cap",
    "can_edit",
    "provisioning",
}


async def overview_as(scenario: Scenario, role: str) -> Overview:
    async with client(scenario, role) as c:
        return await load_overview(c, datetime.now(UTC))


async def test_master_sees_every_tenant_with_the_caps_and_spend_litellm_holds(
    scenario: Scenario,
) -> None:
    overview = await overview_as(scenario, "master")
    assert overview.caller.user_role == "proxy_admin"
    tenants = ours(scenario, overview.tenants)
    assert set(tenants) == visible_tenant_names(scenario, "master")
    for label, key in scenario.keys.items():
        tenant = tenants[key.alias]
        assert tenant.key_hash == key.hash
        assert tenant.key_name
        assert tenant.key_name.startswith("sk-")
        if key.spec.team is None:
            assert tenant.org is None, key.alias
        else:
            team = scenario.teams[key.spec.team]
            assert tenant.org is not None
            assert (tenant.org.team_id, tenant.org.name) == (team.team_id, team.alias)
            assert same_money(tenant.org.cap.max_budget, team.spec.max_budget)
            assert tenant.org.cap.budget_duration == team.spec.budget_duration
            assert (tenant.org.cap.budget_reset_at is not None) == bool(team.spec.budget_duration)
            assert same_money(tenant.org.cap.spend, scenario.team_spend(key.spec.team)), key.alias
        if label in WRITTEN:
            continue
        assert same_money(tenant.cap.spend, key.spend), key.alias
        assert same_money(tenant.cap.max_budget, key.spec.max_budget), key.alias
        assert tenant.cap.budget_duration == key.spec.budget_duration, key.alias
        if key.spec.budget_duration:
            reset_at = tenant.cap.budget_reset_at
            assert reset_at is not None, key.alias
            assert reset_at > datetime.now(UTC), key.alias
        else:
            assert tenant.cap.budget_reset_at is None, key.alias


async def test_binding_cap_is_the_cap_with_the_least_room(scenario: Scenario) -> None:
    tenants = ours(scenario, (await overview_as(scenario, "master")).tenants)
    seen = set()
    for label, key in scenario.keys.items():
        if label in WRITTEN:
            continue
        tenant = tenants[key.alias]
        expected = expected_binding(scenario, key)
        seen.add(expected)
        assert tenant.binding == expected, key.alias
        if expected is BindingCap.NONE:
            assert tenant.alert is Alert.NONE
            assert tenant.fraction_used is None
        else:
            cap = tenant.binding_cap_value
            assert cap is not None
            assert cap.max_budget is not None
            assert tenant.fraction_used == cap.spend / cap.max_budget
            assert tenant.alert is Alert.OK  # the scenario spends well under every cap
    # The scenario is built so that every kind of binding occurs.
    assert seen == {BindingCap.KEY, BindingCap.ORG, BindingCap.NONE}


async def test_team_without_keys_is_a_provisioning_tenant(scenario: Scenario) -> None:
    tenants = ours(scenario, (await overview_as(scenario, "master")).tenants)
    initech = scenario.teams["initech"]
    tenant = tenants[initech.alias]
    assert tenant.provisioning
    assert tenant.key_hash is None
    assert tenant.org is not None
    assert tenant.org.team_id == initech.team_id
    assert same_money(tenant.org.cap.max_budget, initech.spec.max_budget)
    # Teams with keys are not provisioning, and only the keyless team shows as a tenant.
    provisioning = {name for name, t in tenants.items() if t.provisioning}
    assert provisioning == {initech.alias}


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_sees_exactly_what_litellm_lets_it(
    scenario: Scenario, role: str, request: pytest.FixtureRequest
) -> None:
    if role == "tadmin":
        request.getfixturevalue("team_admin")
    master = ours(scenario, (await overview_as(scenario, "master")).tenants)
    overview = await overview_as(scenario, role)
    assert overview.caller.user_role == PROXY_ROLE[role]
    if role != "master":
        assert overview.caller.user_id == scenario.users[role].user_id
    tenants = ours(scenario, overview.tenants)
    assert set(tenants) == visible_tenant_names(scenario, role)
    by_alias = {k.alias: k for k in scenario.keys.values()}
    for name, tenant in tenants.items():
        theirs = master[name]
        # The same numbers the master sees: a role sees less, never different.
        assert (tenant.key_hash, tenant.provisioning) == (theirs.key_hash, theirs.provisioning)
        assert tenant.cap == theirs.cap, name
        assert (tenant.org and tenant.org.cap) == (theirs.org and theirs.org.cap), name
        assert tenant.binding == theirs.binding, name
        if not tenant.provisioning:
            assert tenant.can_edit == may_edit_key(scenario, role, by_alias[name]), name
        if tenant.org is not None:
            assert tenant.org.can_edit == (role == "master"), name


def test_cli_tenants_json_is_the_contract(scenario: Scenario) -> None:
    result = run_cli(scenario, "master", "tenants", "--json")
    assert result.code == 0, result.stderr
    records = result.json()
    mine = [r for r in records if scenario.owns(r["tenant"]) or scenario.owns(r["org"])]
    assert {r["tenant"] for r in mine} == visible_tenant_names(scenario, "master")
    for record in records:
        assert set(record) >= TENANT_JSON_FIELDS, set(record) ^ TENANT_JSON_FIELDS
    # Sorted by org then tenant, keys with no org last.
    order = [
        ((r["org"] is None), (r["org"] or "").casefold(), r["tenant"].casefold()) for r in mine
    ]
    assert order == sorted(order)
    by_name = {r["tenant"]: r for r in mine}
    for label, key in scenario.keys.items():
        record = by_name[key.alias]
        team = scenario.teams[key.spec.team] if key.spec.team else None
        assert record["org"] == (team.alias if team else None)
        assert record["team_id"] == (team.team_id if team else None)
        assert record["key_name"].startswith("sk-")
        assert record["provisioning"] is False
        assert record["can_edit"] is True
        if team is not None:
            assert same_money(record["org_spend"], scenario.team_spend(key.spec.team))
            assert same_money(record["org_max_budget"], team.spec.max_budget)
            assert record["org_budget_duration"] == team.spec.budget_duration
        if label in WRITTEN:
            continue
        assert abs(Decimal(str(record["spend"])) - key.spend) < Decimal("0.000001")
        assert same_money(record["max_budget"], key.spec.max_budget)
        assert record["budget_duration"] == key.spec.budget_duration
        binding = expected_binding(scenario, key)
        assert record["binding_cap"] == binding.value
        if binding is BindingCap.NONE:
            assert (record["percent_used"], record["alert"]) == (None, "none")
            continue
        spend, cap = (
            (key.spend, key.spec.max_budget)
            if binding is BindingCap.KEY
            else (scenario.team_spend(key.spec.team or ""), team and team.spec.max_budget)
        )
        assert cap is not None
        assert record["percent_used"] == pytest.approx(
            float(spend / Decimal(str(cap)) * 100), abs=0.06
        )
        assert record["alert"] == "ok"
    initech = by_name[scenario.teams["initech"].alias]
    assert initech["provisioning"] is True
    assert initech["key_name"] is None


def test_cli_tenants_json_as_a_member_lists_only_what_the_member_may_see(
    scenario: Scenario,
) -> None:
    result = run_cli(scenario, "member", "tenants", "--json")
    assert result.code == 0, result.stderr
    names = {r["tenant"] for r in result.json() if scenario.owns(r["tenant"])}
    assert names == visible_tenant_names(scenario, "member")
    assert all(r["can_edit"] is False for r in result.json())
