"""Every cap LiteLLM enforces on an LLM call, and where a dashboard reads it, on both releases.

Statuses and messages are the ones the real proxies answered (1.108.7 and 1.84.10): a budget
refusal is 422 on 1.108.7 and 400 on 1.84.10, a blocked key or team 401, an expired key 401 on
1.108.7 and 400 on 1.84.10, and a soft budget never refuses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from budgettui.simulator import DEMO_KEYS, Store, create_app, demo_store
from budgettui.simulator.models import BudgetWindow, Key
from budgettui.simulator.store import hash_token
from tests.simulator.conftest import NOW

OLD, NEW = "1.84.10", "1.108.7"
BOTH = pytest.mark.parametrize("version", [OLD, NEW])
REFUSED = {OLD: 400, NEW: 422}
MASTER = {"Authorization": "Bearer sk-demo-master"}

Call = Callable[..., Any]


@pytest.fixture
def store() -> Store:
    """An empty proxy: one team (``t``, $10), two users, the master key."""
    store = Store(lambda: NOW)
    store.add_user("ann", "ann@x.example", "internal_user")
    store.add_user("boss", "boss@x.example", "proxy_admin")
    store.add_team("acme", team_id="t", max_budget=10.0)
    store.add_member("t", "ann", "user")
    return store


@pytest.fixture
async def client_for(store: Store) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    opened: list[httpx.AsyncClient] = []

    def make(version: str) -> httpx.AsyncClient:
        app = create_app(store, litellm_version=version)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()


def add_key(store: Store, raw: str, **fields: Any) -> Key:
    return store.add_key(raw, key_alias=raw.removeprefix("sk-"), **fields)


async def chat(http: httpx.AsyncClient, raw: str) -> httpx.Response:
    return await http.post(
        "/chat/completions",
        headers={"Authorization": f"Bearer {raw}"},
        json={"model": "fake-gpt", "messages": [{"role": "user", "content": "hi"}]},
    )


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["type"], error["message"]


# -- enforcement ---------------------------------------------------------------------------------


@BOTH
async def test_key_budget_refuses_at_its_cap(store: Store, client_for: Call, version: str) -> None:
    key = add_key(store, "sk-capped-0001", max_budget=0.06)
    key.spend = 0.06
    status, kind, message = error_of(await chat(client_for(version), "sk-capped-0001"))
    assert (status, kind) == (REFUSED[version], "budget_exceeded")
    assert message == (
        "Budget has been exceeded! Key=capped-0001 (sk-...0001) Current cost: 0.06, "
        "Max budget: 0.06"
    )


@BOTH
async def test_team_budget_refuses_only_above_its_cap(
    store: Store, client_for: Call, version: str
) -> None:
    add_key(store, "sk-team-0001", team_id="t")
    store.teams["t"].spend = 10.0
    assert (await chat(client_for(version), "sk-team-0001")).status_code == 200
    status, kind, message = error_of(await chat(client_for(version), "sk-team-0001"))
    assert (status, kind) == (REFUSED[version], "budget_exceeded")
    assert message.startswith("Budget has been exceeded! Team=t Current cost: 10.05")


@BOTH
async def test_owner_budget_binds_personal_keys_only(
    store: Store, client_for: Call, version: str
) -> None:
    """The user's whole spend (team keys included) counts; only their personal keys stop."""
    store.users["ann"].max_budget = 0.06
    add_key(store, "sk-annteam-001", team_id="t", user_id="ann")
    add_key(store, "sk-annself-001", user_id="ann")
    http = client_for(version)
    for _ in range(3):  # over her budget through the team key, which is never refused for it
        assert (await chat(http, "sk-annteam-001")).status_code == 200
    status, kind, message = error_of(await chat(http, "sk-annself-001"))
    assert (status, kind) == (REFUSED[version], "budget_exceeded")
    assert message == (
        f"ExceededBudget: User=ann over budget. Spend={store.users['ann'].spend}, Budget=0.06"
    )


async def test_proxy_admin_owner_budget_by_version(store: Store, client_for: Call) -> None:
    """1.84 refuses a proxy-admin owner in its pre-call hook (429); 1.108 like anyone else."""
    boss = store.users["boss"]
    boss.max_budget, boss.spend = 1.0, 1.0
    add_key(store, "sk-boss-00001", user_id="boss")
    old = await chat(client_for(OLD), "sk-boss-00001")
    assert old.status_code == 429
    assert old.json()["error"] == {
        "message": "Max budget limit reached.",
        "type": "None",
        "param": "None",
        "code": "429",
    }
    assert error_of(await chat(client_for(NEW), "sk-boss-00001")) == (
        422,
        "budget_exceeded",
        "ExceededBudget: User=boss over budget. Spend=1.0, Budget=1.0",
    )


async def test_team_member_budget_by_version(store: Store, client_for: Call) -> None:
    store.give_member_budget("t", "ann", store.new_budget(max_budget=0.06))
    store.memberships[("t", "ann")].spend = 0.1
    add_key(store, "sk-member-0001", team_id="t", user_id="ann")
    assert error_of(await chat(client_for(NEW), "sk-member-0001")) == (
        422,
        "budget_exceeded",
        "Budget has been exceeded! TeamMember=ann:t Current cost: 0.1, Max budget: 0.06",
    )
    assert error_of(await chat(client_for(OLD), "sk-member-0001")) == (
        400,
        "budget_exceeded",
        "Budget has been exceeded! Current cost: 0.1, Max budget: 0.06",
    )


@BOTH
async def test_blocked_key_is_refused_on_every_route(
    store: Store, client_for: Call, version: str
) -> None:
    key = add_key(store, "sk-blocked-001", max_budget=5.0)
    key.blocked = True
    http = client_for(version)
    for response in (
        await chat(http, "sk-blocked-001"),
        await http.get("/key/info", headers={"Authorization": "Bearer sk-blocked-001"}),
    ):
        assert error_of(response) == (
            401,
            "auth_error",
            "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.",
        )


@BOTH
async def test_blocked_team_refuses_its_keys(store: Store, client_for: Call, version: str) -> None:
    add_key(store, "sk-team-0002", team_id="t")
    store.teams["t"].blocked = True
    assert error_of(await chat(client_for(version), "sk-team-0002")) == (
        401,
        "auth_error",
        "Authentication Error, Team=t is blocked. Update via `/team/unblock` if you're an admin.",
    )


@BOTH
async def test_expired_key(store: Store, client_for: Call, version: str) -> None:
    key = add_key(store, "sk-expired-001")
    key.expires = NOW - timedelta(days=1)
    response = await chat(client_for(version), "sk-expired-001")
    status, kind, message = error_of(response)
    assert (status, kind) == ({OLD: 400, NEW: 401}[version], "expired_key")
    assert message == (
        "Authentication Error - Expired Key. Key Expiry time 2026-11-24 14:00:00+00:00 and "
        "current time 2026-11-25 14:00:00+00:00"
    )
    assert response.json()["error"]["param"] == "sk-...-001"


@BOTH
async def test_soft_budget_never_refuses(store: Store, client_for: Call, version: str) -> None:
    key = add_key(store, "sk-soft-00001")
    key.budget = store.new_budget(soft_budget=0.01)
    key.spend = 5.0
    assert (await chat(client_for(version), "sk-soft-00001")).status_code == 200


@BOTH
async def test_budget_window_refuses(store: Store, client_for: Call, version: str) -> None:
    key = add_key(store, "sk-window-001")
    key.budget_limits = [BudgetWindow("1h", 0.06, NOW + timedelta(hours=1), spend=0.096)]
    assert error_of(await chat(client_for(version), "sk-window-001")) == (
        REFUSED[version],
        "budget_exceeded",
        "ExceededBudget: Key over 1h budget. Spend=$0.0960, Limit=$0.06",
    )


# -- where a dashboard reads the caps ------------------------------------------------------------


@BOTH
async def test_key_rows_carry_caps_and_states(store: Store, client_for: Call, version: str) -> None:
    http = client_for(version)
    made = await http.post(
        "/key/generate",
        headers=MASTER,
        json={
            "key_alias": "capsy",
            "soft_budget": 0.5,
            "budget_limits": [{"budget_duration": "1h", "max_budget": 0.06}],
            "duration": "1d",
        },
    )
    assert made.status_code == 200
    token = made.json()["token"]
    await chat(http, made.json()["key"])
    info = (await http.get("/key/info", params={"key": token}, headers=MASTER)).json()["info"]
    assert info["litellm_budget_table"]["soft_budget"] == 0.5
    assert info["budget_limits"][0]["max_budget"] == 0.06
    assert info["expires"] == "2026-11-26T14:00:00+00:00"
    assert (info["blocked"], info["model_max_budget"]) == (None, {})
    if version == NEW:
        assert info["status"] == "active"
        assert info["budget_limits_usage"] == {"1h": {"current_spend": 0.05}}
    else:
        assert "status" not in info
        assert "budget_limits_usage" not in info
    rows = await http.get(
        "/key/list", params={"return_full_object": "true", "key_alias": "capsy"}, headers=MASTER
    )
    row = rows.json()["keys"][0]
    assert row["soft_budget"] is None  # never on the row itself
    assert row["budget_limits"][0]["budget_duration"] == "1h"
    assert row["created_at"] == "2026-11-25T14:00:00Z"
    if version == NEW:
        assert row["litellm_budget_table"]["soft_budget"] == 0.5
    else:
        assert row["litellm_budget_table"] is None
        assert "budget_id" not in row


async def test_team_info_shows_member_budgets(store: Store, client_for: Call) -> None:
    for version in (NEW, OLD):
        http = client_for(version)
        team = await http.post(
            "/team/new",
            headers=MASTER,
            json={"team_alias": f"members-{version}", "team_member_budget": 0.06},
        )
        team_id = team.json()["team_id"]
        added = await http.post(
            "/team/member_add",
            headers=MASTER,
            json={"team_id": team_id, "member": {"role": "user", "user_id": "ann"}},
        )
        assert added.status_code == 200
        await http.post(
            "/team/member_add",
            headers=MASTER,
            json={
                "team_id": team_id,
                "member": {"role": "user", "user_id": "boss"},
                "max_budget_in_team": 2.0,
            },
        )
        info = (await http.get("/team/info", params={"team_id": team_id}, headers=MASTER)).json()
        default = info["team_info"]["team_member_budget_table"]
        assert default["max_budget"] == 0.06
        rows = {row["user_id"]: row for row in info["team_memberships"]}
        assert rows["ann"]["litellm_budget_table"]["max_budget"] == 0.06
        assert rows["boss"]["litellm_budget_table"]["max_budget"] == 2.0
        assert rows["ann"]["spend"] == 0.0
        if version == NEW:
            assert rows["ann"]["budget_id"] == default["budget_id"]
            assert rows["ann"]["budget_source"] == "team_default"
            assert rows["boss"]["budget_source"] == "custom"
        else:  # a copy of the default row per member, and no budget_source
            assert rows["ann"]["budget_id"] != default["budget_id"]
            assert "budget_source" not in rows["ann"]


async def test_1_84_lists_only_budgeted_memberships(store: Store, client_for: Call) -> None:
    info = await client_for(OLD).get("/team/info", params={"team_id": "t"}, headers=MASTER)
    assert info.json()["team_memberships"] == []
    info = await client_for(NEW).get("/team/info", params={"team_id": "t"}, headers=MASTER)
    assert {row["budget_source"] for row in info.json()["team_memberships"]} == {"none"}


# -- users ---------------------------------------------------------------------------------------


@pytest.fixture
def users_store() -> Store:
    return demo_store(NOW)


@pytest.fixture
async def demo_client_for(
    users_store: Store,
) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    opened: list[httpx.AsyncClient] = []

    def make(version: str) -> httpx.AsyncClient:
        app = create_app(users_store, litellm_version=version)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()


def as_role(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {DEMO_KEYS[role]}"}


async def test_user_info_of_another_user_by_version(demo_client_for: Call) -> None:
    """A proxy-admin viewer may read another user's budget on 1.108, not on 1.84."""
    params = {"user_id": "globex-dev"}
    new = await demo_client_for(NEW).get(
        "/user/info", params=params, headers=as_role("proxy_admin_viewer")
    )
    assert new.status_code == 200
    assert new.json()["user_info"]["spend"] > 0
    old = await demo_client_for(OLD).get(
        "/user/info", params=params, headers=as_role("proxy_admin_viewer")
    )
    assert old.status_code == 403
    assert old.json()["error"]["message"] == (
        "key not allowed to access this user's info. user_id=globex-dev, key's user_id=ops-viewer"
    )


@BOTH
async def test_v2_user_info_rules(demo_client_for: Call, users_store: Store, version: str) -> None:
    users_store.users["globex-dev"].max_budget = 3.0
    http = demo_client_for(version)
    own = await http.get("/v2/user/info", headers=as_role("internal_user"))
    assert own.status_code == 200
    assert (own.json()["user_id"], own.json()["max_budget"]) == ("globex-dev", 3.0)
    assert ("model_max_budget" in own.json()) == (version == NEW)
    viewer = await http.get(
        "/v2/user/info", params={"user_id": "globex-dev"}, headers=as_role("proxy_admin_viewer")
    )
    assert viewer.status_code == 200
    # A team admin reads the users of its own team; anyone else gets 404, not 403.
    acme = next(t for t in users_store.teams.values() if t.team_alias == "acme")
    users_store.add_member(acme.team_id, "initech-auditor", "user")
    by_admin = await http.get(
        "/v2/user/info", params={"user_id": "initech-auditor"}, headers=as_role("team_admin")
    )
    assert by_admin.status_code == 200
    stranger = await http.get(
        "/v2/user/info", params={"user_id": "acme-admin"}, headers=as_role("internal_user")
    )
    assert stranger.status_code == 404
    assert stranger.json()["error"]["message"] == "User not found: acme-admin"
    assert stranger.json()["error"]["param"] == ({OLD: "None", NEW: None}[version])


@BOTH
async def test_user_list_is_for_admins_and_paged(demo_client_for: Call, version: str) -> None:
    http = demo_client_for(version)
    page = await http.get(
        "/user/list", params={"page_size": 2}, headers=as_role("proxy_admin_viewer")
    )
    body = page.json()
    assert (body["total"], body["page_size"], body["total_pages"]) == (4, 2, 2)
    assert {"max_budget", "spend", "budget_duration", "budget_reset_at", "key_count"} <= set(
        body["users"][0]
    )
    one = await http.get("/user/list", params={"user_ids": "GLOBEX"}, headers=MASTER)
    assert [u["user_id"] for u in one.json()["users"]] == ["globex-dev"]
    too_big = await http.get("/user/list", params={"page_size": 101}, headers=MASTER)
    assert too_big.status_code == 422
    refused = await http.get("/user/list", headers=as_role("team_admin"))
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": {"error": "Only proxy admins and organization admins can list users."}
    }


# -- the demo's showcase -------------------------------------------------------------------------


def test_caps_showcase_adds_tenants_and_leaves_the_others_alone() -> None:
    plain, showcase = demo_store(NOW), demo_store(NOW, caps_showcase=True)
    figures = {k.key_alias: (k.spend, k.max_budget) for k in plain.keys.values()}
    assert figures == {
        k.key_alias: (k.spend, k.max_budget)
        for k in showcase.keys.values()
        if k.key_alias in figures
    }
    by_alias = {k.key_alias: k for k in showcase.keys.values()}
    new = set(by_alias) - set(figures)
    assert new == {
        "solo-capped-user",
        "acme-blocked",
        "globex-expired",
        "acme-intern",
        "initech-soft",
    }
    owner = showcase.users["solo-capped"]
    assert by_alias["solo-capped-user"].max_budget is None
    assert owner.max_budget is not None
    assert owner.spend > owner.max_budget
    assert by_alias["acme-blocked"].blocked
    assert by_alias["acme-blocked"].max_budget == 5.0
    assert by_alias["globex-expired"].expires == NOW - timedelta(days=1)
    intern = showcase.memberships[(by_alias["acme-intern"].team_id or "", "acme-intern")]
    assert intern.budget is not None
    assert intern.budget.max_budget is not None
    assert intern.spend > intern.budget.max_budget
    soft = by_alias["initech-soft"]
    assert soft.soft_budget is not None
    assert soft.spend > soft.soft_budget


def rekey(store: Store, alias: str) -> str:
    """Give the key ``alias`` a raw key the test knows (the demo's raw keys are random)."""
    key = next(k for k in store.keys.values() if k.key_alias == alias)
    raw = f"sk-showcase-{alias}"
    del store.keys[key.token]
    key.token = hash_token(raw)
    store.keys[key.token] = key
    return raw


@BOTH
async def test_showcase_tenants_are_refused_as_litellm_would(version: str) -> None:
    store = demo_store(NOW, caps_showcase=True)
    raws = {
        alias: rekey(store, alias) for alias in ("solo-capped-user", "acme-intern", "initech-soft")
    }
    app = create_app(store, litellm_version=version)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as http:
        assert error_of(await chat(http, raws["solo-capped-user"]))[2].startswith(
            "ExceededBudget: User=solo-capped over budget."
        )
        assert (await chat(http, raws["acme-intern"])).status_code == REFUSED[version]
        assert (await chat(http, raws["initech-soft"])).status_code == 200
