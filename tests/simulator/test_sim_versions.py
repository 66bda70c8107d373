"""The ``litellm_version`` knob: what LiteLLM 1.84.10 does differently from 1.108.7.

Each test runs against both versions where the behaviour differs, so a regression in the
default (1.108.7) is caught next to the 1.84.10 expectation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest

from budgettui.simulator import SUPPORTED_VERSIONS, Store, create_app, demo_store
from budgettui.simulator.store import hash_token
from tests.simulator.conftest import NOW, auth

OLD, NEW = "1.84.10", "1.108.7"
DATES = {"start_date": "2026-11-01", "end_date": "2026-11-30"}

Client = Callable[[str], httpx.AsyncClient]


def only_proxy_admin(route: str, role: str, user_id: str) -> dict[str, object]:
    """1.84.10's route-gate 401 (``RouteChecks._raise_admin_only_route_exception``)."""
    message = (
        "Authentication Error, Only proxy admin can be used to generate, delete, update info for "
        f"new keys/users/teams. Route={route}. Your role={role}. Your user_id={user_id}"
    )
    return {"error": {"message": message, "type": "auth_error", "param": "None", "code": "401"}}


@pytest.fixture
def store() -> Store:
    return demo_store(NOW)


@pytest.fixture
async def client_for(store: Store) -> AsyncIterator[Client]:
    """A client factory: one in-process client per LiteLLM version, all over the same store."""
    opened: list[httpx.AsyncClient] = []

    def make(version: str) -> httpx.AsyncClient:
        app = create_app(store, litellm_version=version)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()


def key_of(store: Store, alias: str) -> str:
    return next(k.token for k in store.keys.values() if k.key_alias == alias)


def team_of(store: Store, alias: str) -> str:
    return next(t.team_id for t in store.teams.values() if t.team_alias == alias)


def test_supported_versions_and_short_forms(store: Store) -> None:
    assert SUPPORTED_VERSIONS == (OLD, NEW)
    assert create_app(store).state.litellm_version == NEW
    assert create_app(store, litellm_version="1.84").state.litellm_version == OLD
    assert create_app(store, litellm_version="1.108").state.litellm_version == NEW
    with pytest.raises(ValueError, match=r"unsupported LiteLLM version '1\.90\.0'"):
        create_app(store, litellm_version="1.90.0")


@pytest.mark.parametrize("version", [OLD, NEW])
async def test_openapi_reports_the_version_and_its_paths(client_for: Client, version: str) -> None:
    r = await client_for(version).get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert (doc["openapi"], doc["info"]) == ("3.1.0", {"title": "LiteLLM API", "version": version})
    paths = doc["paths"]
    assert "post" in paths["/key/{key}/reset_spend"]
    assert "get" in paths["/user/daily/activity/aggregated"]
    assert not any(path.startswith("/__sim/") for path in paths)
    newer = {
        "/user/daily/activity/aggregated/keys",
        "/team/daily/activity/aggregated",
        "/team/daily/activity/aggregated/keys",
    }
    assert (newer <= paths.keys()) == (version == NEW)
    assert not (newer & paths.keys()) or version == NEW
    # 1.108.7 serves /management/v1/users/me but leaves it out of its schema; 1.84 lacks it.
    assert "/management/v1/users/me" not in paths
    whoami = await client_for(version).get("/management/v1/users/me", headers=auth("master"))
    assert whoami.status_code == (200 if version == NEW else 404)


@pytest.mark.parametrize(
    "path",
    [
        "/management/v1/users/me",
        "/user/daily/activity/aggregated/keys",
        "/team/daily/activity/aggregated",
        "/team/daily/activity/aggregated/keys",
    ],
)
async def test_routes_added_after_1_84_are_404(client_for: Client, path: str) -> None:
    old = await client_for(OLD).get(path, params=DATES, headers=auth("master"))
    assert (old.status_code, old.json()) == (404, {"detail": "Not Found"})
    new = await client_for(NEW).get(path, params=DATES, headers=auth("master"))
    assert new.status_code == 200


@pytest.mark.parametrize(
    ("role", "user_id"),
    [("internal_user", "globex-dev"), ("internal_user_viewer", "initech-auditor")],
)
@pytest.mark.parametrize("route", ["/user/daily/activity/aggregated", "/spend/logs/v2"])
async def test_admin_only_routes_on_1_84(
    client_for: Client, route: str, role: str, user_id: str
) -> None:
    old = await client_for(OLD).get(route, params=DATES, headers=auth(role))
    masked = user_id[:6] + "*" * (len(user_id) - 8) + user_id[-2:]
    assert (old.status_code, old.json()) == (401, only_proxy_admin(route, role, masked))
    new = await client_for(NEW).get(route, params=DATES, headers=auth(role))
    assert new.status_code == 200
    for admin in ("master", "proxy_admin_viewer"):
        r = await client_for(OLD).get(route, params=DATES, headers=auth(admin))
        assert r.status_code == 200


@pytest.mark.parametrize("version", [OLD, NEW])
async def test_paged_user_activity_lets_internal_users_filter_their_own_key(
    client_for: Client, store: Store, version: str
) -> None:
    own = key_of(store, "globex-dev-key")
    params = {**DATES, "api_key": own}
    r = await client_for(version).get(
        "/user/daily/activity", params=params, headers=auth("internal_user")
    )
    as_admin = await client_for(version).get(
        "/user/daily/activity", params=params, headers=auth("master")
    )
    assert r.status_code == 200
    spend = r.json()["metadata"]["total_spend"]
    assert spend > 0
    assert spend == as_admin.json()["metadata"]["total_spend"]
    other = {**DATES, "api_key": key_of(store, "acme-admin-key")}
    r = await client_for(version).get(
        "/user/daily/activity", params=other, headers=auth("internal_user")
    )
    assert (r.status_code, r.json()["metadata"]["total_spend"]) == (200, 0)


async def test_invalid_key_message(client_for: Client) -> None:
    raw = "sk-not-a-key-9876"
    old = await client_for(OLD).get("/key/list", headers={"Authorization": f"Bearer {raw}"})
    assert old.status_code == 401
    assert old.json()["error"] == {
        "message": "Authentication Error, Invalid proxy server token passed. Received API Key = "
        f"sk-...9876, Key Hash (Token) ={hash_token(raw)}. Unable to find token in cache or "
        "`LiteLLM_VerificationTokenTable`",
        "type": "token_not_found_in_db",
        "param": "key",
        "code": "401",
    }
    new = await client_for(NEW).get("/key/list", headers={"Authorization": f"Bearer {raw}"})
    assert new.json()["error"]["message"] == "Authentication Error, Invalid API key provided."


async def test_team_list_v2_and_team_info_fields(client_for: Client, store: Store) -> None:
    acme = team_of(store, "acme")
    for version, newer_fields in ((OLD, False), (NEW, True)):
        http = client_for(version)
        item = (await http.get("/v2/team/list", headers=auth("master"))).json()["teams"][0]
        assert "members_count" in item
        assert ("keys_count" in item) is newer_fields
        assert ("access_group_skill_names" in item) is newer_fields
        info = (
            await http.get("/team/info", params={"team_id": acme}, headers=auth("master"))
        ).json()
        assert "access_group_models" in info["team_info"]
        assert ("caller_edit_access" in info["team_info"]) is newer_fields
        assert ("organization_models" in info["team_info"]) is newer_fields
        assert all(("budget_source" in row) is newer_fields for row in info["team_memberships"])


async def test_key_update_null_budget_duration(client_for: Client, store: Store) -> None:
    token = key_of(store, "acme-web")
    update = {"key": token, "max_budget": 20, "budget_duration": "30d"}
    r = await client_for(OLD).post("/key/update", json=update, headers=auth("master"))
    assert (r.json()["budget_duration"], r.json()["budget_reset_at"]) == (
        "30d",
        "2026-12-01T00:00:00+00:00",
    )
    null = {"key": token, "budget_duration": None}
    old = await client_for(OLD).post("/key/update", json=null, headers=auth("master"))
    assert old.status_code == 200
    assert (old.json()["budget_duration"], old.json()["budget_reset_at"]) == (
        "30d",
        "2026-12-01T00:00:00+00:00",
    )
    new = await client_for(NEW).post("/key/update", json=null, headers=auth("master"))
    assert (new.json()["budget_duration"], new.json()["budget_reset_at"]) == (None, None)


async def test_team_update_null_budget_duration(client_for: Client, store: Store) -> None:
    acme = team_of(store, "acme")
    update = {"team_id": acme, "budget_duration": "30d"}
    await client_for(OLD).post("/team/update", json=update, headers=auth("master"))
    null = {"team_id": acme, "budget_duration": None}
    old = (await client_for(OLD).post("/team/update", json=null, headers=auth("master"))).json()
    assert (old["data"]["budget_duration"], old["data"]["budget_reset_at"]) == (
        None,
        "2026-12-01T00:00:00Z",
    )
    new = (await client_for(NEW).post("/team/update", json=null, headers=auth("master"))).json()
    assert (new["data"]["budget_duration"], new["data"]["budget_reset_at"]) == (None, None)


@pytest.mark.parametrize("path", ["/key/update", "/team/update"])
async def test_resending_a_due_duration(client_for: Client, store: Store, path: str) -> None:
    """1.108 keeps an already-due reset date when the same duration is re-sent; 1.84 moves it."""
    acme = team_of(store, "acme")
    token = key_of(store, "acme-web")
    row = store.keys[token] if path == "/key/update" else store.teams[acme]
    due = NOW - timedelta(hours=1)
    ident = {"key": token} if path == "/key/update" else {"team_id": acme}
    for version, expected in ((OLD, "2026-12-01T00:00:00Z"), (NEW, "2026-11-25T13:00:00Z")):
        row.budget_duration, row.budget_reset_at = "30d", due
        r = await client_for(version).post(
            path, json={**ident, "budget_duration": "30d"}, headers=auth("master")
        )
        body = r.json()
        reset = (
            body["budget_reset_at"] if path == "/key/update" else body["data"]["budget_reset_at"]
        )
        assert reset.replace("+00:00", "Z") == expected  # /key/update renders +00:00


async def test_team_admin_changing_the_team_budget(client_for: Client, store: Store) -> None:
    acme = team_of(store, "acme")
    change = {"team_id": acme, "max_budget": 1}
    old = await client_for(OLD).post("/team/update", json=change, headers=auth("team_admin"))
    expected = only_proxy_admin("/team/update", "internal_user", "acme-a**in")
    assert (old.status_code, old.json()) == (401, expected)
    new = await client_for(NEW).post("/team/update", json=change, headers=auth("team_admin"))
    assert new.status_code == 403
    assert new.json()["error"]["message"].startswith("Team admins on this proxy cannot edit")


@pytest.mark.parametrize("version", [OLD, NEW])
async def test_reset_spend_exists(client_for: Client, store: Store, version: str) -> None:
    token = key_of(store, "acme-web")
    r = await client_for(version).post(
        f"/key/{token}/reset_spend", json={"reset_to": 0}, headers=auth("master")
    )
    assert (r.status_code, r.json()["spend"]) == (200, 0.0)


async def test_setting_spend_through_key_update(client_for: Client, store: Store) -> None:
    """Proxy admins may set spend on both; the owner may not; team admins differ by version."""
    own = store.add_key(
        "sk-globex-dev-personal-0001",
        key_alias="globex-dev-personal",
        user_id="globex-dev",
        created_by="globex-dev",
    ).token
    for version in (OLD, NEW):
        http = client_for(version)
        r = await http.post("/key/update", json={"key": own, "spend": 1.5}, headers=auth("master"))
        assert (r.status_code, r.json()["spend"]) == (200, 1.5)
        r = await http.post(
            "/key/update", json={"key": own, "spend": 0.5}, headers=auth("internal_user")
        )
        assert r.status_code == 403
        assert "can call /key/update (max_budget/spend)" in r.json()["error"]["message"]
    # Re-sending the stored spend: 1.108 counts any spend as a budget change, 1.84 only a
    # changed one, so the owner's own-key bypass applies.
    same = {"key": own, "spend": 1.5}
    old = await client_for(OLD).post("/key/update", json=same, headers=auth("internal_user"))
    assert old.status_code == 200
    new = await client_for(NEW).post("/key/update", json=same, headers=auth("internal_user"))
    assert new.status_code == 403
    # A team admin: spend on a team service key works on both; on another member's key both
    # refuse, 1.108 with its ``member_key_budgets`` message, 1.84 with the ownership assertion
    # (``_is_allowed_to_make_key_request``).
    acme = team_of(store, "acme")
    service = store.add_key("sk-acme-service-0001", key_alias="acme-service", team_id=acme)
    for version in (OLD, NEW):
        r = await client_for(version).post(
            "/key/update", json={"key": service.token, "spend": 2.0}, headers=auth("team_admin")
        )
        assert (r.status_code, r.json()["spend"]) == (200, 2.0)
    store.add_user("acme-dev", "acme-dev@demo.example", "internal_user")
    store.add_member(acme, "acme-dev", "user")
    member_key = store.add_key(
        "sk-acme-dev-key-0001", key_alias="acme-dev-key", team_id=acme, user_id="acme-dev"
    )
    body = {"key": member_key.token, "spend": 2.0}
    old = await client_for(OLD).post("/key/update", json=body, headers=auth("team_admin"))
    assert (old.status_code, old.json()["error"]["message"]) == (
        403,
        "User can only create keys for themselves. Got user_id=acme-dev, Your ID=acme-admin",
    )
    new = await client_for(NEW).post("/key/update", json=body, headers=auth("team_admin"))
    assert new.status_code == 403
    assert "cannot update budgets on other members' keys" in new.json()["error"]["message"]


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (OLD, "max_budget cannot be negative. Received: -1.0"),
        (NEW, "max_budget must be a non-negative finite number. Received: -1.0"),
    ],
)
async def test_negative_budget_messages(
    client_for: Client, store: Store, version: str, message: str
) -> None:
    http = client_for(version)
    key = await http.post(
        "/key/update",
        headers=auth("master"),
        json={"key": key_of(store, "acme-web"), "max_budget": -1},
    )
    team = await http.post(
        "/team/update",
        headers=auth("master"),
        json={"team_id": team_of(store, "globex"), "max_budget": -1},
    )
    for answer in (key, team):
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == str({"error": message})


async def test_1_84_stores_an_unreadable_budget_duration(client_for: Client, store: Store) -> None:
    """1.84 has no duration check: "30" is stored and resets at the next midnight."""
    body = {"key": key_of(store, "acme-api"), "budget_duration": "30"}
    assert (
        await client_for(NEW).post("/key/update", headers=auth("master"), json=body)
    ).status_code == 400
    answer = await client_for(OLD).post("/key/update", headers=auth("master"), json=body)
    assert answer.status_code == 200
    assert (answer.json()["budget_duration"], answer.json()["budget_reset_at"]) == (
        "30",
        "2026-11-26T00:00:00+00:00",
    )


async def test_reset_to_true_and_422_items_by_version(client_for: Client, store: Store) -> None:
    token = key_of(store, "acme-web")
    store.keys[token].spend = 0.5
    path = f"/key/{token}/reset_spend"
    new = await client_for(NEW).post(path, headers=auth("master"), json={"reset_to": True})
    assert new.status_code == 422
    old = await client_for(OLD).post(path, headers=auth("master"), json={"reset_to": True})
    assert old.status_code == 400  # true read as 1.0, above the key's spend
    assert old.json() == {"detail": {"error": "reset_to (1.0) must be <= current spend (0.5)"}}
    missing_new = await client_for(NEW).post(path, headers=auth("master"), json={})
    missing_old = await client_for(OLD).post(path, headers=auth("master"), json={})
    item = {"type": "missing", "loc": ["body", "reset_to"], "msg": "Field required"}
    assert missing_new.json() == {"detail": [item]}
    assert missing_old.json() == {"detail": [{**item, "input": {}}]}


async def test_1_84_daily_activity_lists_every_key_without_counts(
    client_for: Client,
) -> None:
    params = {**DATES, "api_key_limit": "1"}
    new = (
        await client_for(NEW).get(
            "/user/daily/activity/aggregated", params=params, headers=auth("master")
        )
    ).json()
    old = (
        await client_for(OLD).get(
            "/user/daily/activity/aggregated", params=params, headers=auth("master")
        )
    ).json()
    assert new["metadata"]["api_key_limit"] == 1
    assert "total_api_keys" in new["metadata"]
    assert not {"api_key_limit", "total_api_keys", "entity_total_api_keys"} & old["metadata"].keys()
    new_keys = {k for day in new["results"] for k in day["breakdown"]["api_keys"]}
    old_keys = {k for day in old["results"] for k in day["breakdown"]["api_keys"]}
    assert len(new_keys) < len(old_keys)
    first = next(iter(old["results"][0]["breakdown"]["api_keys"].values()))
    assert set(first["metadata"]) == {"key_alias", "team_id"}
    assert len(first["metrics"]) == 9
