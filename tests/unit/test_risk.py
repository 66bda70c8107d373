"""The "at risk" list: who is on it, at which level, in words, and in what order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

import pytest

from budgettui.domain.budget import BindingCap
from budgettui.domain.risk import AtRisk, RiskError, RiskKind, RiskStatus, Thresholds, at_risk
from budgettui.domain.tenants import Tenant, assemble_tenants
from budgettui.proxy.models import Caller, Key, Team

ADMIN = Caller(user_id="default_user_id", user_role="proxy_admin")
TODAY = date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)
EARLY = datetime(2026, 9, 1, tzinfo=UTC)  # every key is older than this month


def team(team_id: str, **fields: Any) -> Team:
    return Team.model_validate({"team_id": team_id, "team_alias": team_id, **fields})


def key(alias: str, **fields: Any) -> Key:
    return Key.model_validate({"token": f"hash-{alias}", "key_alias": alias, **fields})


def tenants(teams: list[Team], keys: list[Key]) -> list[Tenant]:
    return assemble_tenants(teams, keys, ADMIN, now=NOW)


def rows(found: list[AtRisk]) -> list[tuple[str, str, str]]:
    return [(row.kind.value, row.name, row.status.value) for row in found]


def test_only_rows_at_or_over_the_warning_line_are_listed_worst_first() -> None:
    found = at_risk(
        tenants(
            [],
            [
                key("calm", spend=10, max_budget=100),
                key("warm", spend=80, max_budget=100),  # exactly at the line: listed
                key("warmer", spend=85, max_budget=100),
                key("hot", spend=91, max_budget=100),
                key("over", spend=100, max_budget=100),
                key("uncapped", spend=1_000),
            ],
        ),
        Thresholds(),
        today=TODAY,
    )
    assert rows(found) == [
        ("tenant", "over", "exceeded"),
        ("tenant", "hot", "critical"),
        ("tenant", "warmer", "warning"),
        ("tenant", "warm", "warning"),
    ]
    assert [row.level.value for row in found] == ["critical", "critical", "warning", "warning"]


def test_the_thresholds_move_the_levels() -> None:
    listed = tenants([], [key("a", spend=60, max_budget=100), key("b", spend=91, max_budget=100)])
    found = at_risk(listed, Thresholds(D("0.5"), D("0.95")), today=TODAY)
    assert rows(found) == [("tenant", "b", "warning"), ("tenant", "a", "warning")]


def test_the_reason_names_the_percentage_the_amount_and_whose_cap_binds() -> None:
    found = at_risk(
        tenants(
            [team("acme", spend=1_050, max_budget=1_000)],
            [
                key("acme-prod", team_id="acme", spend=929.9, max_budget=1_000),
                key("acme-web", team_id="acme", spend=5, max_budget=1_000),
                key("solo", spend=50, max_budget=50),
            ],
        ),
        Thresholds(),
        today=TODAY,
    )
    by_name = {(row.kind, row.name): row for row in found}
    prod = by_name[(RiskKind.TENANT, "acme-prod")]
    # The org is further over than the key: the org's cap binds, and it says so.
    assert (prod.binding, prod.reason) == (
        BindingCap.ORG,
        "org budget exceeded ($1,050.00 of $1,000.00)",
    )
    assert by_name[(RiskKind.TENANT, "solo")].reason == "key budget exceeded ($50.00 of $50.00)"
    org = by_name[(RiskKind.ORG, "acme")]
    assert (org.status, org.binding, org.org and org.org.team_id) == (
        RiskStatus.EXCEEDED,
        BindingCap.ORG,
        "acme",
    )


def test_a_percentage_is_cut_never_rounded_up_to_the_line() -> None:
    found = at_risk(tenants([], [key("a", spend=89.96, max_budget=100)]), Thresholds(), today=TODAY)
    assert found[0].status is RiskStatus.WARNING
    assert found[0].reason == "89 % of $100.00 key budget"


def test_an_org_exactly_at_its_cap_is_critical_not_exceeded() -> None:
    # LiteLLM refuses a team only once its spend is past the cap.
    found = at_risk(
        tenants([team("t", spend=100, max_budget=100, keys_count=1)], [key("k", team_id="t")]),
        Thresholds(),
        today=TODAY,
    )
    assert {(row.kind, row.status) for row in found} == {
        (RiskKind.ORG, RiskStatus.CRITICAL),
        (RiskKind.TENANT, RiskStatus.CRITICAL),
    }
    assert found[0].reason == "100 % of $100.00 org budget"


def test_provisioning_tenants_are_never_at_risk_but_their_org_is() -> None:
    listed = tenants([team("new", spend=95, max_budget=100, keys_count=0)], [])
    assert [t.provisioning for t in listed] == [True]
    assert rows(at_risk(listed, Thresholds(), today=TODAY)) == [("org", "new", "critical")]


def test_blocked_and_expired_keys_are_listed_with_the_refusals() -> None:
    found = at_risk(
        tenants(
            [team("frozen", blocked=True)],
            [
                key("hot", spend=95, max_budget=100),
                key("blocked", blocked=True),
                key("in-frozen", team_id="frozen"),
                key("expired", expires="2026-11-01T00:00:00Z"),
            ],
        ),
        Thresholds(),
        today=TODAY,
    )
    assert {row.name: row.reason for row in found} == {
        "blocked": "key blocked",
        "expired": "key expired 2026-11-01",
        "frozen": "org blocked",
        "in-frozen": "org blocked",
        "hot": "95 % of $100.00 key budget",
    }
    assert found[-1].name == "hot"  # refusals first
    assert {row.level.value for row in found} == {"critical"}


def test_runways_count_only_when_asked_and_within_the_days() -> None:
    # Ten days in, $10 spent a day: $20 left lasts two days, $200 left twenty.
    listed = tenants(
        [],
        [
            key("soon", spend=30, max_budget=50, created_at=EARLY),
            key("later", spend=30, max_budget=230, created_at=EARLY),
        ],
    )
    spend = {"hash-soon": D(100), "hash-later": D(100)}
    assert at_risk(listed, Thresholds(), today=TODAY, month_to_date=spend, now=NOW) == []
    week = Thresholds(runway_days=7)
    found = at_risk(listed, week, today=TODAY, month_to_date=spend, now=NOW)
    assert rows(found) == [("tenant", "soon", "runway")]
    assert (found[0].reason, found[0].level.value) == ("runs out 2026-11-12", "warning")
    assert found[0].runway_date == date(2026, 11, 12)
    # Without the month's spend there is no pace, so nothing runs out.
    assert at_risk(listed, week, today=TODAY, now=NOW) == []


def test_a_used_up_row_does_not_also_say_it_runs_out() -> None:
    listed = tenants([], [key("over", spend=60, max_budget=50, created_at=EARLY)])
    found = at_risk(
        listed,
        Thresholds(runway_days=7),
        today=TODAY,
        month_to_date={"hash-over": D(60)},
        now=NOW,
    )
    assert found[0].reason == "key budget exceeded ($60.00 of $50.00)"


def test_an_org_runs_out_at_the_pace_of_all_its_keys() -> None:
    # Two keys at $10 a day each against the org's $100 left: either key's own pace would
    # last 10 days; together they use it up in 5.
    listed = tenants(
        [team("acme", spend=300, max_budget=400)],
        [
            key("a", team_id="acme", spend=150, created_at=EARLY),
            key("b", team_id="acme", spend=150, created_at=EARLY),
        ],
    )
    spend = {"hash-a": D(100), "hash-b": D(100)}
    found = at_risk(listed, Thresholds(runway_days=7), today=TODAY, month_to_date=spend, now=NOW)
    assert rows(found) == [("org", "acme", "runway")]
    assert found[0].runway_date == date(2026, 11, 15)


def test_within_a_level_the_most_used_comes_first_then_the_soonest_runway() -> None:
    listed = tenants(
        [],
        [
            key("far", spend=85, max_budget=100, created_at=EARLY),
            key("near", spend=85, max_budget=100, created_at=EARLY),
            key("fuller", spend=88, max_budget=100, created_at=EARLY),
        ],
    )
    spend = {"hash-far": D(10), "hash-near": D(100), "hash-fuller": D(1)}
    found = at_risk(listed, Thresholds(), today=TODAY, month_to_date=spend, now=NOW)
    assert [row.name for row in found] == ["fuller", "near", "far"]


@pytest.mark.parametrize(
    ("warning", "critical"), [("0.9", "0.9"), ("0.95", "0.9"), ("0", "0.5"), ("0.5", "1.01")]
)
def test_thresholds_out_of_order_or_range_are_refused(warning: str, critical: str) -> None:
    with pytest.raises(RiskError, match="must be below the critical one"):
        Thresholds(D(warning), D(critical))
