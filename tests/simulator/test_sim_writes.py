"""Writes: /key/update, /team/update, reset_spend, creation endpoints, mock completions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from budgettui.simulator import DEMO_KEYS, Store, create_app
from tests.simulator.conftest import auth


def _team(store: Store, alias: str) -> str:
    return next(t.team_id for t in store.teams.values() if t.team_alias == alias)


@pytest.mark.parametrize(
    ("duration", "reset_at"),
    [
        ("1d", "2026-11-26T00:00:00+00:00"),
        ("7d", "2026-11-30T00:00:00+00:00"),
        ("30d", "2026-12-01T00:00:00+00:00"),
        ("1mo", "2026-12-01T00:00:00+00:00"),
        ("monthly", "2026-12-01T00:00:00+00:00"),
        ("daily", "2026-11-26T00:00:00+00:00"),
        ("6h", "2026-11-25T18:00:00+00:00"),
        ("3d", "2026-11-28T00:00:00+00:00"),
    ],
)
async def test_key_update_duration_sets_standardized_reset(
    client: httpx.AsyncClient, key_of: Callable[[str], str], duration: str, reset_at: str
) -> None:
    r = await client.post(
        "/key/update",
        json={"key": key_of("globex-portal"), "budget_duration": duration},
        headers=auth("master"),
    )
    assert r.status_code == 200
    assert (r.json()["budget_duration"], r.json()["budget_reset_at"]) == (duration, reset_at)


@pytest.mark.parametrize("duration", ["30", "0d", "7D", "2mo", "abc", "", " 30d"])
async def test_key_update_rejects_bad_durations(
    client: httpx.AsyncClient, key_of: Callable[[str], str], duration: str
) -> None:
    r = await client.post(
        "/key/update",
        json={"key": key_of("globex-portal"), "budget_duration": duration},
        headers=auth("master"),
    )
    assert r.status_code == 400
    usage = "Use a format like '1h', '24h', '7d', or '30d'."
    message = f"{{'error': \"Invalid budget_duration '{duration}'. {usage}\"}}"
    assert r.json()["error"] == {
        "message": message,
        "type": "auth_error",
        "param": "None",
        "code": "400",
    }


async def test_key_update_is_a_merge_patch(
    client: httpx.AsyncClient, key_of: Callable[[str], str]
) -> None:
    token = key_of("acme-web")
    before = (await client.get("/key/info", params={"key": token}, headers=auth("master"))).json()[
        "info"
    ]
    r = await client.post(
        "/key/update", json={"key": token, "tpm_limit": 5}, headers=auth("master")
    )
    after = r.json()
    assert after["max_budget"] == before["max_budget"]
    assert after["budget_reset_at"] == before["budget_reset_at"]
    assert after["tpm_limit"] == 5
    r = await client.post(
        "/key/update",
        json={"key": token, "max_budget": None, "budget_duration": None},
        headers=auth("master"),
    )
    cleared = r.json()
    assert (cleared["max_budget"], cleared["budget_duration"], cleared["budget_reset_at"]) == (
        None,
        None,
        None,
    )
    assert cleared["spend"] == before["spend"]


async def test_key_update_validation_messages(
    client: httpx.AsyncClient, key_of: Callable[[str], str]
) -> None:
    r = await client.post(
        "/key/update", json={"key": key_of("acme-web"), "max_budget": -1}, headers=auth("master")
    )
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"]
        == "{'error': 'max_budget must be a non-negative finite number. Received: -1.0'}"
    )
    r = await client.post(
        "/key/update", json={"key": "sk-missing", "max_budget": 1}, headers=auth("master")
    )
    assert (r.status_code, r.json()["error"]["message"], r.json()["error"]["type"]) == (
        404,
        "Key not found.",
        "not_found_error",
    )
    r = await client.post("/key/update", json={"max_budget": 1}, headers=auth("master"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "Value error, either key or key_alias must be provided"
    r = await client.post(
        "/key/update", json={"key_alias": "acme-web", "max_budget": 7}, headers=auth("master")
    )
    assert (r.status_code, r.json()["max_budget"]) == (200, 7.0)
    r = await client.post(
        "/key/update", json={"key": key_of("acme-web"), "max_budget": "x"}, headers=auth("master")
    )
    assert r.json()["detail"] == [
        {
            "type": "float_parsing",
            "loc": ["body", "max_budget"],
            "msg": "Input should be a valid number, unable to parse string as a number",
        }
    ]


async def test_key_update_role_rules(
    client: httpx.AsyncClient, key_of: Callable[[str], str]
) -> None:
    own = {"key": key_of("globex-dev-key"), "max_budget": 3}
    r = await client.post("/key/update", json=own, headers=auth("internal_user"))
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "team_member_permission_error"
    assert r.json()["error"]["param"] == "/key/update"
    service = {"key": key_of("acme-api"), "max_budget": 3}
    r = await client.post("/key/update", json=service, headers=auth("team_admin"))
    assert (r.status_code, r.json()["max_budget"]) == (200, 3.0)
    other_team = {"key": key_of("globex-portal"), "max_budget": 3}
    r = await client.post("/key/update", json=other_team, headers=auth("team_admin"))
    assert r.status_code == 401
    assert r.json()["error"]["message"].startswith("User acme-admin does not belong to team")


async def test_team_admin_cannot_edit_a_members_key_budget(
    client: httpx.AsyncClient, store: Store
) -> None:
    acme = _team(store, "acme")
    store.add_user("acme-dev", "acme-dev@demo.example", "internal_user")
    store.add_member(acme, "acme-dev", "user")
    member_key = store.add_key(
        "sk-acme-dev-key-0001", key_alias="acme-dev-key", team_id=acme, user_id="acme-dev"
    )
    r = await client.post(
        "/key/update", json={"key": member_key.token, "max_budget": 1}, headers=auth("team_admin")
    )
    assert r.status_code == 403
    assert "cannot update budgets on other members' keys" in r.json()["error"]["message"]


async def test_team_update(client: httpx.AsyncClient, store: Store) -> None:
    acme = _team(store, "acme")
    r = await client.post(
        "/team/update",
        json={"team_id": acme, "max_budget": 500, "budget_duration": "7d"},
        headers=auth("master"),
    )
    body = r.json()
    assert (r.status_code, body["team_id"]) == (200, acme)
    assert (body["data"]["max_budget"], body["data"]["budget_reset_at"]) == (
        500.0,
        "2026-11-30T00:00:00Z",
    )
    r = await client.post(
        "/team/update", json={"team_id": acme, "soft_budget": 600}, headers=auth("master")
    )
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": (
            "{'error': 'soft_budget (600.0) must be strictly lower than max_budget (500.0)'}"
        ),
        "type": "internal_server_error",
        "param": None,
        "code": "400",
    }
    r = await client.post(
        "/team/update", json={"team_id": acme, "max_budget": 1}, headers=auth("team_admin")
    )
    assert r.status_code == 403
    assert r.json()["error"]["message"].startswith(
        "Team admins on this proxy cannot edit team settings."
    )
    r = await client.post(
        "/team/update", json={"team_id": acme, "max_budget": 1}, headers=auth("internal_user")
    )
    assert (r.status_code, r.json()["error"]["message"]) == (
        403,
        "You do not have access to this team",
    )
    r = await client.post(
        "/team/update", json={"team_id": acme, "max_budget": 1}, headers=auth("proxy_admin_viewer")
    )
    assert r.status_code == 403
    r = await client.post(
        "/team/update", json={"team_id": "nope", "max_budget": 1}, headers=auth("master")
    )
    assert r.status_code == 404
    r = await client.post(
        "/team/update", json={"team_id": acme, "budget_duration": None}, headers=auth("master")
    )
    assert r.json()["data"]["budget_reset_at"] is None


async def test_reset_spend_validation_order(
    client: httpx.AsyncClient, key_of: Callable[[str], str], store: Store
) -> None:
    token = key_of("acme-api")
    spend = store.keys[token].spend
    path = f"/key/{token}/reset_spend"
    r = await client.post(path, json={"reset_to": spend + 5}, headers=auth("internal_user"))
    assert r.status_code == 400  # value checks come before the permission check
    r = await client.post(path, json={"reset_to": 0}, headers=auth("internal_user"))
    assert (r.status_code, r.json()) == (
        403,
        {"detail": {"error": "You must be a proxy admin or team admin to reset key spend"}},
    )
    r = await client.post(path, json={"reset_to": 0}, headers=auth("internal_user_viewer"))
    assert r.status_code == 401
    r = await client.post(path, json={"reset_to": "0.5"}, headers=auth("team_admin"))
    assert r.status_code == 200
    assert r.json()["spend"] == 0.5
    assert store.keys[token].spend == 0.5
    r = await client.post(
        f"/key/{DEMO_KEYS['internal_user']}/reset_spend",
        json={"reset_to": 0},
        headers=auth("master"),
    )
    assert r.json()["key_hash"] == key_of("globex-dev-key")


async def test_creation_and_deletion(client: httpx.AsyncClient, store: Store) -> None:
    m = auth("master")
    team = (
        await client.post(
            "/team/new",
            json={"team_alias": "new-org", "max_budget": 10, "budget_duration": "1mo"},
            headers=m,
        )
    ).json()
    assert [(x["user_id"], x["role"]) for x in team["members_with_roles"]] == [
        ("default_user_id", "admin")
    ]
    user = (
        await client.post(
            "/user/new",
            json={"user_id": "u-1", "user_email": "u1@x", "user_role": "internal_user"},
            headers=m,
        )
    ).json()
    assert user["key"].startswith("sk-")
    assert user["user_id"] == "u-1"
    quiet = (
        await client.post("/user/new", json={"user_id": "u-2", "auto_create_key": False}, headers=m)
    ).json()
    assert quiet["key"] == ""
    r = await client.post(
        "/team/member_add",
        json={"team_id": team["team_id"], "member": {"user_id": "u-1", "role": "admin"}},
        headers=m,
    )
    assert r.status_code == 400
    assert r.json()["detail"]["error"].startswith("Assigning team admins is a premium feature.")
    r = await client.post(
        "/team/member_add",
        json={"team_id": team["team_id"], "member": {"user_id": "u-1", "role": "user"}},
        headers=m,
    )
    assert r.status_code == 200
    gen = (
        await client.post(
            "/key/generate", json={"key_alias": "new-tenant", "team_id": team["team_id"]}, headers=m
        )
    ).json()
    assert gen["key"].startswith("sk-")
    assert gen["key_name"] == f"sk-...{gen['key'][-4:]}"
    assert store.keys[gen["token"]].key_alias == "new-tenant"
    r = await client.post("/key/generate", json={"key_alias": "new-tenant"}, headers=m)
    assert r.status_code == 400
    r = await client.post(
        "/__sim/promote_team_admin",
        json={"team_id": team["team_id"], "user_id": "u-1"},
        headers=auth("team_admin"),
    )
    assert r.status_code == 403
    r = await client.post(
        "/__sim/promote_team_admin", json={"team_id": team["team_id"], "user_id": "u-1"}, headers=m
    )
    assert store.teams[team["team_id"]].is_admin("u-1")
    r = await client.post("/key/delete", json={"keys": [gen["token"]]}, headers=m)
    assert r.json() == {"deleted_keys": [gen["token"]]}
    r = await client.post("/team/delete", json={"team_ids": [team["team_id"]]}, headers=m)
    assert r.status_code == 200
    assert team["team_id"] not in store.teams
    r = await client.post("/user/delete", json={"user_ids": ["u-1", "u-2"]}, headers=m)
    assert r.status_code == 200
    assert "u-1" not in store.users
    r = await client.post("/team/new", json={"team_alias": "x"}, headers=auth("internal_user"))
    assert r.status_code == 401


async def test_chat_completion_accrues_spend_everywhere(
    client: httpx.AsyncClient, store: Store
) -> None:
    key = store.find_key(DEMO_KEYS["internal_user"])
    assert key is not None
    assert key.team_id
    assert key.user_id
    team, user = store.teams[key.team_id], store.users[key.user_id]
    membership = store.memberships[(key.team_id, key.user_id)]
    before = (key.spend, team.spend, user.spend, membership.spend, len(store.ledger))
    r = await client.post(
        "/chat/completions",
        json={"model": "fake-gpt", "messages": [{"role": "user", "content": "hi"}]},
        headers=auth("internal_user"),
    )
    assert r.status_code == 200
    assert r.headers["x-litellm-response-cost"] == "0.05"
    assert r.json()["usage"] == {"completion_tokens": 20, "prompt_tokens": 10, "total_tokens": 30}
    after = (key.spend, team.spend, user.spend, membership.spend, len(store.ledger))
    assert [round(b - a, 9) for a, b in zip(before[:4], after[:4], strict=True)] == [0.05] * 4
    assert after[4] == before[4] + 1
    r = await client.post(
        "/v1/chat/completions",
        json={"model": "fake-gpt-mini", "messages": []},
        headers=auth("internal_user"),
    )
    assert r.headers["x-litellm-response-cost"] == "0.005"


async def test_budget_refusal_key_at_limit_team_strictly_over() -> None:
    store = Store(clock=lambda: datetime(2026, 11, 25, 12, tzinfo=UTC))
    team = store.add_team("t", max_budget=0.1)
    key = store.add_key(
        "sk-budgeted-key-00001", key_alias="k", team_id=team.team_id, max_budget=0.1
    )
    app = create_app(store)
    body = {"model": "fake-gpt", "messages": []}
    headers = {"Authorization": "Bearer sk-budgeted-key-00001"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as c:
        assert (await c.post("/chat/completions", json=body, headers=headers)).status_code == 200
        assert (await c.post("/chat/completions", json=body, headers=headers)).status_code == 200
        r = await c.post("/chat/completions", json=body, headers=headers)
        assert r.status_code == 422
        assert r.json()["error"] == {
            "message": (
                f"Budget has been exceeded! Key=k ({key.key_name}) "
                "Current cost: 0.1, Max budget: 0.1"
            ),
            "type": "budget_exceeded",
            "param": None,
            "code": "422",
        }
        key.max_budget = None
        assert (
            await c.post("/chat/completions", json=body, headers=headers)
        ).status_code == 200  # team at 0.15
        r = await c.post("/chat/completions", json=body, headers=headers)
        assert r.status_code == 422
        assert r.json()["error"]["message"].startswith(
            f"Budget has been exceeded! Team={team.team_id} Current cost: 0.15"
        )
        team.spend = 0.1  # equal to the cap: still admitted (strict >)
        assert (await c.post("/chat/completions", json=body, headers=headers)).status_code == 200
