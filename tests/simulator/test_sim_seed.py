"""The demo seed: required cases, spend consistency, determinism, scale."""

from __future__ import annotations

from datetime import UTC, datetime

from budgettui.simulator import DEMO_KEYS, Scale, Store, demo_store
from budgettui.simulator.durations import window_start
from budgettui.simulator.models import Key
from budgettui.simulator.store import hash_token
from budgettui.simulator.timefmt import day_of, epoch
from tests.simulator.conftest import NOW

ROLE_USERS = {"ops-viewer", "acme-admin", "globex-dev", "initech-auditor"}


def tenants(store: Store) -> list[Key]:
    return [k for k in store.keys.values() if k.user_id not in ROLE_USERS]


def utilization(key: Key) -> float:
    assert key.max_budget
    return key.spend / key.max_budget


def team_budget(store: Store, key: Key) -> float | None:
    return store.teams[key.team_id].max_budget if key.team_id else None


def test_orgs_and_tenants(store: Store) -> None:
    assert len(store.teams) >= 3
    assert all(t.team_alias for t in store.teams.values())
    assert len(tenants(store)) >= 12
    assert all(k.key_alias and k.key_name.startswith("sk-...") for k in store.keys.values())
    assert any(not store.team_keys(t.team_id) for t in store.teams.values())  # provisioning


def test_required_budget_cases(store: Store) -> None:
    keys = tenants(store)
    assert any(k.max_budget is None and team_budget(store, k) is None for k in keys)
    assert any(k.max_budget is not None and team_budget(store, k) is None for k in keys)
    assert any(k.max_budget is None and team_budget(store, k) is not None for k in keys)
    assert any(k.max_budget is not None and team_budget(store, k) is not None for k in keys)
    budgeted = [utilization(k) for k in keys if k.max_budget]
    assert any(0.8 <= u < 0.9 for u in budgeted)
    assert any(0.9 <= u < 1.0 for u in budgeted)
    assert any(u > 1.0 for u in budgeted)
    aliases = [k.key_alias or "" for k in keys]
    assert any(a != b and b.startswith(a) for a in aliases for b in aliases)
    assert any(not a.isascii() for a in aliases)
    assert any(k.team_id is None for k in keys)
    assert {k.budget_duration for k in keys} >= {"30d", "1mo", "7d", None}
    assert all((k.budget_reset_at is not None) == (k.budget_duration is not None) for k in keys)
    assert any(k.rpm_limit for k in keys)
    assert any(k.tpm_limit for k in keys)


def test_traffic_covers_two_months_and_several_models(store: Store) -> None:
    days = sorted({day_of(row.ts) for row in store.ledger.rows})
    assert days[0] == "2026-10-01"
    assert days[-1] == "2026-11-25"
    assert len(days) >= 50
    assert {row.model_group for row in store.ledger.rows} >= {
        "gpt-4o",
        "gpt-4o-mini",
        "claude-3-5-sonnet",
    }
    assert all(row.ts <= epoch(NOW) for row in store.ledger.rows)
    per_day = [sum(1 for row in store.ledger.rows if day_of(row.ts) == day) for day in days[:14]]
    assert len(set(per_day)) > 5  # day-to-day variation


def test_spend_is_consistent_with_logs(store: Store) -> None:
    for key in store.keys.values():
        since = (
            epoch(window_start(key.budget_duration, key.budget_reset_at))
            if key.budget_duration and key.budget_reset_at
            else float("-inf")
        )
        logged = sum(
            row.spend for row in store.ledger.rows if row.api_key == key.token and row.ts >= since
        )
        assert abs(key.spend - logged) < 1e-9
        lifetime = sum(row.spend for row in store.ledger.rows if row.api_key == key.token)
        assert abs(key.total_spend - lifetime) < 1e-9
    for team in store.teams.values():
        assert abs(team.spend - sum(k.spend for k in store.team_keys(team.team_id))) < 1e-9
    for user in store.users.values():
        assert abs(user.spend - sum(k.spend for k in store.user_keys(user.user_id))) < 1e-9


def test_demo_keys_and_roles(store: Store) -> None:
    assert DEMO_KEYS["master"] == store.master_key == "sk-demo-master"
    expected = {
        "proxy_admin_viewer": "proxy_admin_viewer",
        "team_admin": "internal_user",
        "internal_user": "internal_user",
        "internal_user_viewer": "internal_user_viewer",
    }
    for role, user_role in expected.items():
        assert DEMO_KEYS[role].startswith("sk-")
        key = store.keys[hash_token(DEMO_KEYS[role])]
        assert key.user_id is not None
        assert store.users[key.user_id].user_role == user_role
    admin = store.keys[hash_token(DEMO_KEYS["team_admin"])].user_id
    assert sum(t.is_admin(admin) for t in store.teams.values()) == 1
    member_key = store.keys[hash_token(DEMO_KEYS["internal_user"])]
    member_team = store.teams[member_key.team_id or ""]
    assert member_team.role_of(member_key.user_id) == "user"
    assert len(store.user_keys(member_key.user_id or "")) == 1


def test_demo_store_is_deterministic() -> None:
    a, b = demo_store(NOW), demo_store(NOW)
    assert list(a.keys) == list(b.keys)
    assert [k.spend for k in a.keys.values()] == [k.spend for k in b.keys.values()]
    assert a.ledger.rows == b.ledger.rows


def test_scale_to_two_thousand_tenants() -> None:
    # How long it takes is the benchmarks' business (speed targets never live in unit tests).
    store = demo_store(
        datetime(2026, 11, 25, tzinfo=UTC), Scale(tenants=2000, requests_per_tenant_per_month=50)
    )
    assert len(tenants(store)) == 2000
    assert 150_000 < len(store.ledger) < 250_000
