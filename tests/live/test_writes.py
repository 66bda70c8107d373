"""The writes the editors will use, through budgettui's client, read back through LiteLLM.

Only the scenario's `edit`, `reset` and `acme_reset` keys are changed; a team budget changed
here is put back, so the other modules' expectations hold in any order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from budgettui.domain.budget import BindingCap
from budgettui.domain.tenants import Tenant
from budgettui.proxy.capabilities import Capabilities
from budgettui.proxy.errors import Forbidden, ProxyError, Rejected, Unauthorized
from budgettui.services.loading import load_month_usage, load_overview
from tests.live.live_scenario import Scenario
from tests.live.live_support import (
    ROLES,
    client,
    expected_usage,
    may_edit_key,
    older_litellm,
    ours,
    same_money,
    traffic_months,
)

pytestmark = pytest.mark.live


async def tenant_as_master(scenario: Scenario, alias: str) -> Tenant:
    async with client(scenario, "master") as c:
        return ours(scenario, (await load_overview(c, datetime.now(UTC))).tenants)[alias]


async def test_key_budget_and_duration_are_set_then_cleared_with_null(
    scenario: Scenario, litellm: Capabilities
) -> None:
    key = scenario.keys["edit"]
    async with client(scenario, "master") as c:
        await c.update_key(key.hash, {"max_budget": 7.5, "budget_duration": "7d"})
        info = await c.key_info(key.hash)
        assert same_money(info.max_budget, 7.5)
        assert info.budget_duration == "7d"
        now = datetime.now(UTC)
        assert info.budget_reset_at is not None
        assert now < info.budget_reset_at <= now + timedelta(days=8)
        # Arming a window does not zero what was spent (LiteLLM issue #34492).
        assert same_money(info.spend, key.spend)

        tenant = await tenant_as_master(scenario, key.alias)
        assert same_money(tenant.cap.max_budget, 7.5)
        assert tenant.cap.budget_duration == "7d"
        assert tenant.binding is BindingCap.KEY

        await c.update_key(key.hash, {"budget_duration": "1mo"})
        info = await c.key_info(key.hash)
        assert info.budget_duration == "1mo"
        assert same_money(info.max_budget, 7.5)
        assert info.budget_reset_at is not None
        assert info.budget_reset_at > now

        await c.update_key(key.hash, {"max_budget": None, "budget_duration": None})
        info = await c.key_info(key.hash)
        assert info.max_budget is None
        if older_litellm(litellm):
            # 1.84 ignores a null `budget_duration` on a key: the period and its reset stay.
            assert info.budget_duration == "1mo"
            assert info.budget_reset_at is not None
        else:
            assert (info.budget_duration, info.budget_reset_at) == (None, None)
        assert same_money(info.spend, key.spend)

    tenant = await tenant_as_master(scenario, key.alias)
    assert tenant.cap.max_budget is None
    assert tenant.binding is BindingCap.NONE


async def test_team_budget_is_set_then_cleared_with_null(
    scenario: Scenario, litellm: Capabilities
) -> None:
    team = scenario.teams["globex"]
    free = scenario.keys["globex_free"]
    assert team.spec.max_budget is None
    assert free.spec.max_budget is None
    async with client(scenario, "master") as c:
        try:
            await c.update_team(team.team_id, {"max_budget": 0.5, "budget_duration": "30d"})
            info = (await c.team_info(team.team_id)).team_info
            assert same_money(info.max_budget, 0.5)
            assert info.budget_duration == "30d"
            assert info.budget_reset_at is not None
            assert info.budget_reset_at > datetime.now(UTC)
            tenant = await tenant_as_master(scenario, free.alias)
            assert tenant.org is not None
            assert same_money(tenant.org.cap.max_budget, 0.5)
            assert tenant.binding is BindingCap.ORG  # the key has no cap of its own
        finally:
            await c.update_team(team.team_id, {"max_budget": None, "budget_duration": None})
        info = (await c.team_info(team.team_id)).team_info
        assert (info.max_budget, info.budget_duration) == (None, None)
        # 1.84 clears a team's period but keeps its reset date; 1.108 clears both.
        assert (info.budget_reset_at is None) != older_litellm(litellm)
    tenant = await tenant_as_master(scenario, free.alias)
    assert tenant.binding is BindingCap.NONE


async def test_reset_spend_checks_the_budget_then_resets(scenario: Scenario) -> None:
    key = scenario.keys["reset"]
    month = traffic_months(scenario)[-1]
    async with client(scenario, "master") as c:
        spend = (await c.key_info(key.hash)).spend
        assert same_money(spend, key.spend)
        assert spend > Decimal("0.02")
        await c.update_key(key.hash, {"max_budget": 0.01})
        try:
            with pytest.raises(Rejected) as caught:
                await c.reset_key_spend(key.hash, Decimal("0.02"))
            assert caught.value.status == 400
            assert "reset_to (0.02) must be <= budget (0.01)" in caught.value.message
        finally:
            await c.update_key(key.hash, {"max_budget": key.spec.max_budget})

        result = await c.reset_key_spend(key.hash, Decimal(0))
        assert result.spend == 0
        assert same_money(result.previous_spend, key.spend)
        assert result.key_hash in (None, key.hash)
        assert (await c.key_info(key.hash)).spend == 0
        overview = await load_overview(c, datetime.now(UTC))
        tenant = ours(scenario, overview.tenants)[key.alias]
        assert tenant.cap.spend == 0
        # The month's history is LiteLLM's daily tables: a reset does not rewrite it.
        usage = await load_month_usage(c, overview.caller, tenant, month)
        assert same_money(usage.total_spend, expected_usage(key, month).spend)


async def test_a_team_admin_resets_a_team_key(scenario: Scenario, team_admin: str) -> None:
    key = scenario.keys["acme_reset"]
    half = (key.spend / 2).quantize(Decimal("0.0001"))
    async with client(scenario, team_admin) as c:
        result = await c.reset_key_spend(key.hash, half)
        assert same_money(result.spend, half)
        assert same_money(result.previous_spend, key.spend)
        assert same_money((await c.key_info(key.hash)).spend, half)


async def test_a_team_admin_changes_a_team_key_budget(scenario: Scenario, team_admin: str) -> None:
    key = scenario.keys["acme_reset"]
    async with client(scenario, team_admin) as c:
        await c.update_key(key.hash, {"max_budget": 2.5})
        assert same_money((await c.key_info(key.hash)).max_budget, 2.5)
    tenant = await tenant_as_master(scenario, key.alias)
    assert same_money(tenant.cap.max_budget, 2.5)


@pytest.mark.parametrize("role", ROLES)
async def test_can_edit_is_what_litellm_accepts(
    scenario: Scenario, role: str, request: pytest.FixtureRequest
) -> None:
    """For every tenant a role sees, a no-op budget write (the current value) is accepted
    exactly where budgettui offers the editor."""
    if role == "tadmin":
        request.getfixturevalue("team_admin")
    by_alias = {k.alias: k for k in scenario.keys.values()}
    mismatches = []
    async with client(scenario, role) as c:
        tenants = ours(scenario, (await load_overview(c, datetime.now(UTC))).tenants)
        for name, tenant in sorted(tenants.items()):
            if tenant.provisioning or tenant.key_hash is None:
                continue
            assert tenant.can_edit == may_edit_key(scenario, role, by_alias[name]), name
            budget = None if tenant.cap.max_budget is None else float(tenant.cap.max_budget)
            try:
                await c.update_key(tenant.key_hash, {"max_budget": budget})
                accepted: ProxyError | None = None
            except (Forbidden, Unauthorized) as exc:
                accepted = exc
            if tenant.can_edit != (accepted is None):
                mismatches.append(
                    f"{name}: can_edit={tenant.can_edit}, LiteLLM: {accepted or 'ok'}"
                )
    assert not mismatches, f"as {role}:\n" + "\n".join(mismatches)
