"""Reading owners' and members' budgets: in bulk where the role may, bounded in requests, and
unreadable (never "no cap") where it may not."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import httpx

from budgettui.domain.caps import CapScope
from budgettui.domain.tenants import assemble_tenants
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.models import Caller, Key
from budgettui.services.cap_loading import MEMBER_BUDGET_TEAM_LIMIT, read_caps

ADMIN = Caller(user_id="default_user_id", user_role="proxy_admin")
MEMBER = Caller(user_id="alice", user_role="internal_user")


class Proxy:
    """Answers `/user/list`, `/v2/user/info` and `/team/info` from dicts; records the rest."""

    def __init__(self, users: dict[str, dict[str, Any]], teams: dict[str, Any] | None = None):
        self.users = users
        self.teams = teams or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            return httpx.Response(404, json={"detail": "Not Found"})
        self.requests.append(request)
        params = request.url.params
        if request.url.path == "/user/list":
            ids = params["user_ids"].split(",")
            # LiteLLM: a lone id is a case-insensitive substring match, two or more exact.
            match = (
                (lambda u: ids[0].casefold() in u.casefold()) if len(ids) == 1 else ids.__contains__
            )
            rows = [row for uid, row in self.users.items() if match(uid)]
            return httpx.Response(200, json={"users": rows, "total": len(rows), "page": 1})
        if request.url.path == "/v2/user/info":
            row = self.users.get(params["user_id"])
            if row is None:
                return httpx.Response(404, json={"detail": "User not found"})
            return httpx.Response(200, json=row)
        if request.url.path == "/team/info":
            team = self.teams.get(params["team_id"])
            if team is None:
                return httpx.Response(403, json={"detail": "not authorized to access this team"})
            return httpx.Response(200, json=team)
        return httpx.Response(404, json={"detail": "Not Found"})

    def client(self) -> LiteLLMClient:
        return LiteLLMClient("http://proxy.test", "sk-test", transport=httpx.MockTransport(self))

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def _user(user_id: str, max_budget: float | None, spend: float = 0) -> dict[str, Any]:
    return {"user_id": user_id, "max_budget": max_budget, "spend": spend}


def _key(n: int, **fields: Any) -> Key:
    return Key.model_validate({"token": f"h{n}", "key_alias": f"k{n}", **fields})


async def test_an_admin_reads_owners_in_bulk_and_exactly() -> None:
    proxy = Proxy({"al": _user("al", 1.0), "alice": _user("alice", 0.06, 0.1)})
    keys = [_key(n, user_id="alice") for n in range(150)] + [_key(999, user_id="ghost")]
    async with proxy.client() as client:
        readings = await read_caps(client, ADMIN, keys)
    assert proxy.paths() == ["/user/list"]  # 151 keys, two owners: one request
    assert readings.users["alice"] is not None
    assert readings.users["alice"].max_budget == D("0.06")
    assert readings.users["ghost"] is None  # asked, no such user: no cap
    assert "al" not in readings.users  # never asked for


async def test_a_lone_owner_is_asked_for_exactly() -> None:
    proxy = Proxy({"al": _user("al", 1.0), "alice": _user("alice", 0.06)})
    async with proxy.client() as client:
        readings = await read_caps(client, ADMIN, [_key(1, user_id="al")])
    assert proxy.requests[0].url.params["user_ids"] == "al,al"
    assert set(readings.users) == {"al"}


async def test_owners_are_asked_a_hundred_at_a_time() -> None:
    users = {f"u{n:03d}": _user(f"u{n:03d}", 5.0) for n in range(250)}
    proxy = Proxy(users)
    async with proxy.client() as client:
        readings = await read_caps(client, ADMIN, [_key(n, user_id=u) for n, u in enumerate(users)])
    assert proxy.paths() == ["/user/list"] * 3
    assert len(readings.users) == 250


async def test_a_member_reads_only_its_own_budget_and_others_stay_unreadable() -> None:
    proxy = Proxy({"alice": _user("alice", 0.06, 0.1), "bob": _user("bob", 1.0)})
    keys = [_key(1, user_id="alice"), _key(2, user_id="bob")]
    async with proxy.client() as client:
        readings = await read_caps(client, MEMBER, keys)
    assert proxy.paths() == ["/v2/user/info"]
    by_name = {t.name: t for t in assemble_tenants([], keys, MEMBER, readings=readings)}
    assert by_name["k1"].binding.value == "user"
    (bob_cap,) = by_name["k2"].caps
    assert (bob_cap.scope, bob_cap.readable) == (CapScope.USER, False)


async def test_member_budgets_read_per_team_only_for_teams_with_owned_keys() -> None:
    team = {
        "team_id": "t1",
        "team_info": {"team_id": "t1"},
        "team_memberships": [
            {"user_id": "alice", "spend": 0.07, "litellm_budget_table": {"max_budget": 0.06}}
        ],
    }
    proxy = Proxy({}, {"t1": team})
    keys = [
        _key(1, user_id="alice", team_id="t1"),
        _key(2, team_id="t2"),  # a service account: no member budget applies
        _key(3, user_id="carol", team_id="t3"),  # a team LiteLLM hides from this key
    ]
    async with proxy.client() as client:
        readings = await read_caps(client, ADMIN, keys)
    assert sorted(r.url.params["team_id"] for r in proxy.requests) == ["t1", "t3"]
    assert set(readings.teams) == {"t1"}
    assert "does not show" in readings.members_unreadable["t3"]


async def test_past_the_team_limit_member_budgets_are_unread_and_cost_nothing() -> None:
    proxy = Proxy({})
    count = MEMBER_BUDGET_TEAM_LIMIT + 1
    keys = [_key(n, user_id=f"u{n}", team_id=f"t{n}") for n in range(count)]
    async with proxy.client() as client:
        readings = await read_caps(client, ADMIN, keys)
    assert proxy.requests == []
    tenants = assemble_tenants([], keys, ADMIN, readings=readings)
    unread = [c for t in tenants for c in t.caps if c.scope is CapScope.TEAM_MEMBER]
    assert len(unread) == count
    assert all(not c.readable and f"{count} teams" in (c.unreadable_reason or "") for c in unread)
