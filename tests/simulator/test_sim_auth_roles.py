"""Authentication errors and what each DEMO_KEYS role may see."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from budgettui.simulator import DEMO_KEYS, Store
from tests.simulator.conftest import auth


def envelope(message: str, error_type: str, param: str | None, code: int) -> dict[str, object]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": str(code)}}


async def test_missing_key_is_401(client: httpx.AsyncClient) -> None:
    r = await client.get("/key/list")
    assert r.status_code == 401
    assert r.json() == envelope(
        "Authentication Error, No api key passed in.", "auth_error", "None", 401
    )


async def test_authorization_without_bearer_is_malformed(client: httpx.AsyncClient) -> None:
    r = await client.get("/key/list", headers={"Authorization": DEMO_KEYS["master"]})
    assert r.status_code == 401
    assert (
        "Malformed API Key passed in. Ensure Key has `Bearer ` prefix."
        in r.json()["error"]["message"]
    )


async def test_unknown_key_is_401_token_not_found(client: httpx.AsyncClient) -> None:
    r = await client.get("/key/list", headers={"Authorization": "Bearer sk-nope"})
    assert r.status_code == 401
    assert r.json() == envelope(
        "Authentication Error, Invalid API key provided.", "token_not_found_in_db", "key", 401
    )


async def test_non_sk_key_is_401_virtual_key_expected(client: httpx.AsyncClient) -> None:
    r = await client.get("/key/list", headers={"Authorization": "Bearer abcdefghijkl"})
    assert r.status_code == 401
    expected = "LiteLLM Virtual Key expected. Received=abcd****ijkl, expected to start with 'sk-'."
    assert r.json()["error"]["message"] == expected


async def test_x_litellm_api_key_header_is_accepted(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/management/v1/users/me", headers={"x-litellm-api-key": DEMO_KEYS["master"]}
    )
    assert r.json() == {
        "user_id": "default_user_id",
        "user_role": "proxy_admin",
        "user_email": None,
    }


async def test_unknown_route_is_fastapi_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/user/daily/activity/aggregated/nothing", headers=auth("master"))
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})


@pytest.mark.parametrize(
    ("role", "user_role"),
    [
        ("master", "proxy_admin"),
        ("proxy_admin_viewer", "proxy_admin_viewer"),
        ("team_admin", "internal_user"),
        ("internal_user", "internal_user"),
        ("internal_user_viewer", "internal_user_viewer"),
    ],
)
async def test_users_me_reports_each_role(
    client: httpx.AsyncClient, role: str, user_role: str
) -> None:
    r = await client.get("/management/v1/users/me", headers=auth(role))
    assert r.status_code == 200
    assert r.json()["user_role"] == user_role
    assert set(r.json()) == {"user_id", "user_role", "user_email"}


async def test_users_me_for_a_key_without_user_is_a_problem_404(
    client: httpx.AsyncClient, store: Store
) -> None:
    store.add_key("sk-team-only-key-1234", key_alias="svc", team_id=next(iter(store.teams)))
    r = await client.get(
        "/management/v1/users/me", headers={"Authorization": "Bearer sk-team-only-key-1234"}
    )
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "User not found"


def _aliases(body: dict[str, object]) -> set[str]:
    keys = body["keys"]
    assert isinstance(keys, list)
    return {k["key_alias"] for k in keys}


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("master", 16),
        ("proxy_admin_viewer", 16),
        ("team_admin", 1),
        ("internal_user", 1),
        ("internal_user_viewer", 1),
    ],
)
async def test_key_list_visibility(client: httpx.AsyncClient, role: str, count: int) -> None:
    r = await client.get(
        "/key/list", params={"return_full_object": "true", "size": 100}, headers=auth(role)
    )
    assert r.status_code == 200
    assert r.json()["total_count"] == count


async def test_team_admin_include_team_keys_sees_the_whole_team(client: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {
        "return_full_object": "true",
        "include_team_keys": "true",
        "size": 100,
    }
    r = await client.get("/key/list", params=params, headers=auth("team_admin"))
    assert _aliases(r.json()) == {
        "acme-admin-key",
        "acme-web",
        "acme-web-eu",
        "acme-api",
        "acme-batch",
    }


async def test_member_include_team_keys_adds_only_service_keys(client: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {
        "return_full_object": "true",
        "include_team_keys": "true",
        "size": 100,
    }
    r = await client.get("/key/list", params=params, headers=auth("internal_user"))
    assert _aliases(r.json()) == {"globex-dev-key", "globex-portal", "globex-search", "globex-ml"}


async def test_key_list_hashes_and_default_order(client: httpx.AsyncClient, store: Store) -> None:
    r = await client.get("/key/list", params={"size": 3, "page": 2}, headers=auth("master"))
    body = r.json()
    assert body["current_page"] == 2
    assert body["total_pages"] == 6
    ordered = sorted(store.keys.values(), key=lambda k: (k.created_at, k.token), reverse=True)
    assert body["keys"] == [k.token for k in ordered[3:6]]


async def test_key_list_other_user_is_403(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/key/list", params={"user_id": "acme-admin"}, headers=auth("internal_user")
    )
    assert r.status_code == 403
    assert r.json() == envelope(
        "You are not authorized to check another user's keys", "bad_request_error", "user_id", 403
    )


async def test_team_list_requires_own_user_id_for_non_admins(client: httpx.AsyncClient) -> None:
    r = await client.get("/team/list", headers=auth("internal_user"))
    assert r.status_code == 401
    message = "Only admin users can query all teams/other teams. Your user role=internal_user"
    assert r.json() == {"detail": {"error": message}}
    r = await client.get(
        "/team/list", params={"user_id": "globex-dev"}, headers=auth("internal_user")
    )
    assert [t["team_alias"] for t in r.json()] == ["globex"]
    assert [m["user_id"] for m in r.json()[0]["team_memberships"]] == ["globex-dev"]


async def test_team_list_for_admins_is_sorted_by_alias(client: httpx.AsyncClient) -> None:
    r = await client.get("/team/list", headers=auth("proxy_admin_viewer"))
    assert [t["team_alias"] for t in r.json()] == ["acme", "globex", "hooli", "initech"]


async def test_v2_team_list_per_role(client: httpx.AsyncClient) -> None:
    r = await client.get("/v2/team/list", headers=auth("proxy_admin_viewer"))
    assert r.json()["total"] == 4
    r = await client.get("/v2/team/list", headers=auth("team_admin"))
    assert r.status_code == 401
    r = await client.get(
        "/v2/team/list", params={"user_id": "acme-admin"}, headers=auth("team_admin")
    )
    body = r.json()
    assert (body["total"], [t["team_alias"] for t in body["teams"]]) == (1, ["acme"])
    assert body["teams"][0]["keys_count"] == 5
    r = await client.get(
        "/v2/team/list", params={"user_id": "globex-dev"}, headers=auth("team_admin")
    )
    assert r.status_code == 401


async def test_team_info_rules(client: httpx.AsyncClient, store: Store) -> None:
    acme = next(t for t in store.teams.values() if t.team_alias == "acme")
    r = await client.get("/team/info", params={"team_id": acme.team_id}, headers=auth("team_admin"))
    assert r.status_code == 200
    assert r.json()["team_info"]["caller_edit_access"] == {"kind": "team_admin_disabled"}
    r = await client.get(
        "/team/info", params={"team_id": acme.team_id}, headers=auth("internal_user")
    )
    assert r.status_code == 403
    message = f"{{'error': 'User=globex-dev not authorized to access this team={acme.team_id}'}}"
    assert r.json() == envelope(message, "auth_error", "None", 403)
    r = await client.get("/team/info", headers=auth("master"))
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "{'message': 'Malformed request. No team id passed in.'}"
    r = await client.get("/team/info", params={"team_id": "nope"}, headers=auth("master"))
    assert r.status_code == 404


async def test_key_info_rules(client: httpx.AsyncClient, key_of: Callable[[str], str]) -> None:
    r = await client.get(
        "/key/info", params={"key": key_of("globex-portal")}, headers=auth("internal_user")
    )
    assert r.status_code == 200
    r = await client.get(
        "/key/info", params={"key": key_of("acme-web")}, headers=auth("internal_user")
    )
    assert r.status_code == 403
    assert r.json() == envelope(
        "You are not allowed to access this key's info. Your role=internal_user",
        "internal_server_error",
        None,
        403,
    )
    r = await client.get("/key/info", headers=auth("internal_user"))
    assert r.json()["info"]["key_alias"] == "globex-dev-key"
    assert r.json()["key"] == key_of("globex-dev-key")
    r = await client.get("/key/info", headers=auth("master"))
    assert r.status_code == 404
    assert r.json() == envelope("Key not found in database", "not_found_error", "key", 404)
    raw = DEMO_KEYS["internal_user"]
    r = await client.get("/key/info", params={"key": raw}, headers=auth("master"))
    assert r.json()["key"] == raw
    assert r.json()["info"]["status"] == "active"


async def test_user_info_rules(client: httpx.AsyncClient, store: Store) -> None:
    r = await client.get("/user/info", headers=auth("internal_user"))
    body = r.json()
    assert body["user_id"] == "globex-dev"
    assert [k["key_alias"] for k in body["keys"]] == ["globex-dev-key"]
    assert body["keys"][0]["team_alias"] == "globex"
    r = await client.get(
        "/user/info", params={"user_id": "acme-admin"}, headers=auth("internal_user")
    )
    assert r.status_code == 403
    assert r.json()["error"]["message"].startswith("key not allowed to access this user's info.")
    r = await client.get(
        "/user/info", params={"user_id": "acme-admin"}, headers=auth("proxy_admin_viewer")
    )
    assert r.status_code == 200
    r = await client.get("/user/info", headers=auth("master"))
    summary = r.json()
    assert summary["user_id"] == "default_user_id"
    assert len(summary["keys"]) == len(store.keys)
    no_team = next(k for k in summary["keys"] if k["key_alias"] == "solo-labs")
    assert no_team["team_alias"] == "None"


async def test_viewer_and_internal_viewer_write_refusals(
    client: httpx.AsyncClient, key_of: Callable[[str], str]
) -> None:
    body = {"key": key_of("acme-web"), "max_budget": 1}
    r = await client.post("/key/update", json=body, headers=auth("proxy_admin_viewer"))
    assert r.status_code == 403
    assert r.json() == envelope(
        "user not allowed to access this route, role= proxy_admin_viewer. "
        "Trying to access: /key/update",
        "auth_error",
        "None",
        403,
    )
    r = await client.post("/key/update", json=body, headers=auth("internal_user_viewer"))
    assert r.status_code == 401
    assert r.json()["error"]["message"] == (
        "Authentication Error, Only proxy admin can be used to generate, delete, update info "
        "for new keys/users/teams. Route=/key/update. Your role=internal_user_viewer. "
        "Your user_id=initec*******or"
    )
