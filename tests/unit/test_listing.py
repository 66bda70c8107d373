"""The tenants table as data: filter, grouping, sort orders, runway."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from budgettui.domain.listing import Group, SortKey, TenantRows, build_groups
from budgettui.domain.tenants import Tenant, assemble_tenants
from budgettui.proxy.models import Caller, Key, Team

ADMIN = Caller(user_id="default_user_id", user_role="proxy_admin")
TODAY = date(2026, 11, 10)


def _tenants() -> list[Tenant]:
    teams = [
        Team.model_validate({"team_id": "a", "team_alias": "Acme", "keys_count": 2}),
        Team.model_validate({"team_id": "b", "team_alias": "Beta", "keys_count": 1}),
    ]
    keys = [
        Key.model_validate(
            {"token": "k1", "key_alias": "acme-api", "team_id": "a", "spend": 10, "max_budget": 100}
        ),
        Key.model_validate(
            {"token": "k2", "key_alias": "acme-web", "team_id": "a", "spend": 50, "max_budget": 60}
        ),
        Key.model_validate(
            {"token": "k3", "key_alias": "beta-bot", "team_id": "b", "spend": 95, "max_budget": 100}
        ),
        Key.model_validate({"token": "k4", "key_alias": "solo", "spend": 1}),
    ]
    return assemble_tenants(teams, keys, ADMIN)


def _names(groups: list[Group]) -> list[list[str]]:
    return [[row.tenant.name for row in group.rows] for group in groups]


def test_default_order_is_by_org_then_tenant_with_no_org_last() -> None:
    groups = build_groups(_tenants(), today=TODAY)
    assert [g.org.name if g.org else None for g in groups] == ["Acme", "Beta", None]
    assert _names(groups) == [["acme-api", "acme-web"], ["beta-bot"], ["solo"]]


def test_filter_matches_tenant_or_org_case_insensitively() -> None:
    assert _names(build_groups(_tenants(), query="WEB", today=TODAY)) == [["acme-web"]]
    assert _names(build_groups(_tenants(), query="beta", today=TODAY)) == [["beta-bot"]]
    assert build_groups(_tenants(), query="nothing-like-it", today=TODAY) == []


def test_sorting_by_used_puts_the_hottest_first_and_reverse_flips_it() -> None:
    groups = build_groups(_tenants(), sort=SortKey.USED, today=TODAY)
    assert _names(groups) == [["beta-bot"], ["acme-web", "acme-api"], ["solo"]]
    reverse = build_groups(_tenants(), sort=SortKey.USED, reverse=True, today=TODAY)
    assert _names(reverse)[0] == ["solo"]


def test_sorting_by_runway_puts_the_soonest_first() -> None:
    # Month to date by key: acme-web spends 5/day with 10 left → 2 days; beta-bot 1/day, 5 left.
    mtd = {"k1": D("10"), "k2": D("50"), "k3": D("10"), "k4": D("0")}
    groups = build_groups(_tenants(), sort=SortKey.RUNWAY, month_to_date=mtd, today=TODAY)
    assert _names(groups)[0] == ["acme-web", "acme-api"]
    web = groups[0].rows[0]
    assert web.projection is not None
    assert web.projection.runway_date == date(2026, 11, 12)


def test_sort_cycles_through_the_four_columns() -> None:
    seen = [SortKey.TENANT]
    for _ in range(4):
        seen.append(seen[-1].next())
    assert seen == [SortKey.TENANT, SortKey.SPEND, SortKey.USED, SortKey.RUNWAY, SortKey.TENANT]


def test_runway_sort_puts_dated_runways_first_then_resets_then_no_cap() -> None:
    teams = [Team.model_validate({"team_id": "a", "team_alias": "Acme", "keys_count": 4})]
    keys = [
        Key.model_validate({"token": t, "key_alias": alias, "team_id": "a", **fields})
        for t, alias, fields in [
            ("n", "a-no-cap", {"spend": 5}),
            (
                "r",
                "b-resets",
                {
                    "spend": 10,
                    "max_budget": 1000,
                    "budget_duration": "30d",
                    "budget_reset_at": "2026-11-20T00:00:00Z",
                },
            ),
            ("d", "c-dated", {"spend": 50, "max_budget": 60}),
            ("s", "d-slow", {"spend": 1, "max_budget": 1000}),
        ]
    ]
    tenants = assemble_tenants(teams, keys, ADMIN)
    mtd = {"n": D("5"), "r": D("10"), "d": D("50"), "s": D("0")}
    groups = build_groups(tenants, sort=SortKey.RUNWAY, month_to_date=mtd, today=TODAY)
    assert _names(groups) == [["c-dated", "d-slow", "b-resets", "a-no-cap"]]


def test_typing_on_narrows_and_backspace_widens_again() -> None:
    """The filter reuses the last matches while the text grows; each answer is the same as a
    fresh listing's, whether typed on, cut back or sorted another way in between."""
    rows = TenantRows(_tenants(), today=TODAY)
    for query in ["a", "ac", "acm", "acme-w", "ac", "", "b", "bot", "ok", "critical"]:
        for sort in (SortKey.TENANT, SortKey.USED):
            fresh = build_groups(_tenants(), query=query, sort=sort, today=TODAY)
            assert _names(rows.groups(query, sort)) == _names(fresh), (query, sort)


def test_status_words_are_matched_too() -> None:
    rows = TenantRows(_tenants(), today=TODAY)
    assert _names(rows.groups("critical")) == [["beta-bot"]]


def test_month_to_date_arriving_by_pages_gives_each_key_its_runway() -> None:
    rows = TenantRows(_tenants(), today=TODAY)
    assert all(row.projection is None for row in rows.rows)
    changed = rows.set_month_to_date({"k2": D("40")}, ["k2"])
    assert [row.tenant.name for row in changed] == ["acme-web"]
    by_name = {row.tenant.name: row for row in rows.rows}
    assert by_name["acme-web"].projection is not None
    assert by_name["acme-api"].projection is None  # its page has not come yet
    runway = _names(rows.groups(sort=SortKey.RUNWAY))
    assert runway[0][0] == "acme-web"  # the only dated runway comes first
