"""Month usage as budgettui computes it, against the cost LiteLLM reported for every request
the scenario sent (`x-litellm-response-cost`), through both of LiteLLM's usage sources."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from budgettui.domain.usage import Month, MonthUsage, SpendLogAccumulator
from budgettui.proxy.client import LiteLLMClient
from budgettui.services.loading import load_month_usage, load_overview, resolve_tenant
from tests.live.live_scenario import Key, Scenario
from tests.live.live_support import (
    ROLES,
    Expected,
    client,
    expected_usage,
    ours,
    run_cli,
    same_money,
    traffic_months,
    visible_key_labels,
)

pytestmark = pytest.mark.live


def assert_usage_matches(usage: MonthUsage, expected: Expected, what: str) -> None:
    assert same_money(usage.total_spend, expected.spend), what
    assert usage.request_count == expected.requests, what
    assert (usage.input_tokens, usage.output_tokens) == (
        expected.input_tokens,
        expected.output_tokens,
    ), what
    assert [d.day for d in usage.daily] == usage.month.days(), what
    for day in usage.daily:
        spend, requests = expected.by_day.get(day.day, (Decimal(0), 0))
        assert same_money(day.spend, spend), (what, day)
        assert day.requests == requests, (what, day)
    models = {m.model: (m.spend, m.requests) for m in usage.models}
    assert set(models) == set(expected.by_model), what
    for model, (spend, requests) in expected.by_model.items():
        assert same_money(models[model][0], spend), (what, model)
        assert models[model][1] == requests, (what, model)
    assert not usage.partial, what


async def usage_from_spend_logs(c: LiteLLMClient, key_hash: str, month: Month) -> MonthUsage:
    """The other source: every `/spend/logs/v2` page of the key (by hash) for the month."""
    accumulator = SpendLogAccumulator(month)
    page_size = 100
    for page in range(1, 50):
        body = await c.spend_log_page(key_hash, month.start, month.end, page, page_size)
        accumulator.add_page(body.data)
        if len(body.data) < page_size:
            return accumulator.result()
    raise AssertionError("more spend-log pages than the scenario sent requests")


def traffic_keys(scenario: Scenario) -> list[Key]:
    return [k for k in scenario.keys.values() if k.calls]


async def test_month_usage_equals_what_litellm_charged(scenario: Scenario) -> None:
    async with client(scenario, "master") as c:
        overview = await load_overview(c, datetime.now(UTC))
        tenants = ours(scenario, overview.tenants)
        for key in traffic_keys(scenario):
            for month in traffic_months(scenario):
                usage = await load_month_usage(c, overview.caller, tenants[key.alias], month)
                assert_usage_matches(usage, expected_usage(key, month), f"{key.alias} {month}")
        # The month before the traffic is empty, with every day present.
        before = traffic_months(scenario)[0].previous()
        empty = await load_month_usage(
            c, overview.caller, tenants[scenario.keys["web"].alias], before
        )
        assert (empty.total_spend, empty.request_count, len(empty.daily)) == (
            0,
            0,
            len(before.days()),
        )


async def test_spend_logs_and_daily_activity_agree(scenario: Scenario) -> None:
    async with client(scenario, "master") as c:
        overview = await load_overview(c, datetime.now(UTC))
        tenants = ours(scenario, overview.tenants)
        for key in traffic_keys(scenario):
            for month in traffic_months(scenario):
                from_logs = await usage_from_spend_logs(c, key.hash, month)
                from_activity = await load_month_usage(
                    c, overview.caller, tenants[key.alias], month
                )
                for logs_day, activity_day in zip(
                    from_logs.daily, from_activity.daily, strict=True
                ):
                    assert logs_day.day == activity_day.day
                    assert same_money(logs_day.spend, activity_day.spend), (key.alias, logs_day)
                    assert (logs_day.requests, logs_day.input_tokens, logs_day.output_tokens) == (
                        activity_day.requests,
                        activity_day.input_tokens,
                        activity_day.output_tokens,
                    ), key.alias
                assert [(m.model, m.requests) for m in from_logs.models] == [
                    (m.model, m.requests) for m in from_activity.models
                ], key.alias
                assert_usage_matches(from_logs, expected_usage(key, month), key.alias)


async def test_usage_of_a_prefix_alias_excludes_the_longer_alias(scenario: Scenario) -> None:
    web, web_eu = scenario.keys["web"], scenario.keys["web_eu"]
    assert web_eu.alias.startswith(web.alias)
    assert web.calls
    assert web_eu.calls
    month = traffic_months(scenario)[-1]
    # LiteLLM's own alias filter is a substring match: it mixes in the longer alias's requests.
    async with httpx.AsyncClient(base_url=scenario.base_url) as raw:
        answer = await raw.get(
            "/spend/logs/v2",
            params={
                "key_alias": web.alias,
                "start_date": month.start.strftime("%Y-%m-%d %H:%M:%S"),
                "end_date": month.end.strftime("%Y-%m-%d %H:%M:%S"),
                "page": 1,
                "page_size": 100,
            },
            headers={"Authorization": f"Bearer {scenario.master_key}"},
        )
    by_alias = {row["api_key"] for row in answer.json()["data"]}
    assert by_alias == {web.hash, web_eu.hash}
    async with client(scenario, "master") as c:
        overview = await load_overview(c, datetime.now(UTC))
        tenant = resolve_tenant(overview, web.alias)
        assert tenant.key_hash == web.hash
        usage = await load_month_usage(c, overview.caller, tenant, month)
    assert_usage_matches(usage, expected_usage(web, month), web.alias)
    result = run_cli(scenario, "master", "usage", web.alias, "--month", str(month), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["request_count"] == expected_usage(web, month).requests


@pytest.mark.parametrize("role", [r for r in ROLES if r != "master"])
async def test_every_role_gets_the_true_usage_of_every_tenant_it_sees(
    scenario: Scenario, role: str, request: pytest.FixtureRequest
) -> None:
    """A tenant a role may list must not show a month of $0 when it spent: either the usage
    LiteLLM recorded, or a result marked partial."""
    if role == "tadmin":
        request.getfixturevalue("team_admin")
    month = traffic_months(scenario)[-1]
    visible = {
        scenario.keys[label].alias: scenario.keys[label]
        for label in visible_key_labels(scenario, role)
    }
    wrong = []
    async with client(scenario, role) as c:
        overview = await load_overview(c, datetime.now(UTC))
        for name, tenant in ours(scenario, overview.tenants).items():
            if tenant.provisioning or name not in visible:
                continue
            usage = await load_month_usage(c, overview.caller, tenant, month)
            expected = expected_usage(visible[name], month)
            if usage.partial:
                continue
            if not same_money(usage.total_spend, expected.spend) or (
                usage.request_count != expected.requests
            ):
                wrong.append(
                    f"{name}: ${usage.total_spend} in {usage.request_count} requests shown, "
                    f"LiteLLM charged ${expected.spend} for {expected.requests}"
                )
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


def test_cli_usage_json_is_the_contract(scenario: Scenario) -> None:
    key, month = scenario.keys["web"], traffic_months(scenario)[-1]
    team = scenario.teams["acme"]
    result = run_cli(scenario, "master", "usage", key.alias, "--month", str(month), "--json")
    assert result.code == 0, result.stderr
    body = result.json()
    expected = expected_usage(key, month)
    assert {
        "tenant",
        "org",
        "month",
        "total_spend",
        "input_tokens",
        "output_tokens",
        "request_count",
        "partial",
        "daily",
        "models",
        "budget",
        "org_budget",
        "rate_limits",
    } <= set(body)
    assert (body["tenant"], body["org"], body["month"]) == (key.alias, team.alias, str(month))
    assert abs(Decimal(str(body["total_spend"])) - expected.spend) < Decimal("0.000001")
    assert (body["input_tokens"], body["output_tokens"], body["request_count"]) == (
        expected.input_tokens,
        expected.output_tokens,
        expected.requests,
    )
    assert body["partial"] is False
    assert [d["date"] for d in body["daily"]] == [d.isoformat() for d in month.days()]
    for day in body["daily"]:
        assert set(day) >= {"date", "spend", "input_tokens", "output_tokens", "requests"}
    assert sum(d["requests"] for d in body["daily"]) == expected.requests
    assert {m["model"]: m["requests"] for m in body["models"]} == {
        m: n for m, (_, n) in expected.by_model.items()
    }
    budget, org_budget = body["budget"], body["org_budget"]
    assert set(budget) >= {"max_budget", "spend", "remaining", "budget_duration", "budget_reset_at"}
    assert budget["max_budget"] == key.spec.max_budget
    assert budget["budget_duration"] == key.spec.budget_duration
    assert budget["remaining"] == pytest.approx(key.spec.max_budget - float(key.spend), abs=1e-6)
    assert org_budget["max_budget"] == team.spec.max_budget
    assert org_budget["spend"] == pytest.approx(float(scenario.team_spend("acme")), abs=1e-6)
    assert set(body["rate_limits"]) == {"rpm", "tpm"}


def test_cli_usage_of_a_tenant_the_caller_cannot_see_fails_cleanly(scenario: Scenario) -> None:
    hidden = scenario.keys["edit"].alias  # a globex key; the member is in acme
    result = run_cli(scenario, "member", "usage", hidden, "--json")
    assert result.code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert hidden in result.stderr
    assert "Traceback" not in result.stderr
