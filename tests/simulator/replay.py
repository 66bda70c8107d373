"""Replays ``real-litellm/seed-traffic`` + ``verify-endpoints`` against the simulator.

The real proxy produced ``real-litellm/samples/*.json`` from exactly this sequence (prefix
``verify-1795616100``, on 2026-11-25). Running it here gives one simulator answer per sample, so the
two can be compared field by field. Ids that differ between the runs (team ids, key hashes) are
mapped back to the real ones by alias before comparing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from budgettui.simulator import Store, create_app

PREFIX = "verify-1795616100"
META = {"allow_client_mock_response": True}
START = datetime(2026, 11, 25, 14, 15, tzinfo=UTC)


class TickingClock:
    """A clock that advances 7 ms per reading, so creation and request times are ordered."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=7)
        return self.now


@dataclass
class Replay:
    """Simulator answers by sample name, and the sim→real id substitutions."""

    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)
    to_real: dict[str, str] = field(default_factory=dict)
    store: Store | None = None

    def real_json(self, name: str) -> tuple[int, Any]:
        status, body = self.answers[name]
        text = json.dumps(body)
        for sim_id, real_id in sorted(self.to_real.items(), key=lambda item: -len(item[0])):
            text = text.replace(sim_id, real_id)
        return status, json.loads(text)


async def _scenario(c: httpx.AsyncClient, mk: str) -> dict[str, Any]:
    """``seed-traffic`` with its defaults (2 teams, 2 keys each, 3 requests per key)."""

    def hdr(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    async def call(method: str, path: str, key: str = mk, **kw: Any) -> httpx.Response:
        response = await c.request(method, path, headers=hdr(key), **kw)
        assert response.status_code < 400, (path, response.status_code, response.text)
        return response

    teams: list[dict[str, Any]] = []
    for t in (1, 2):
        body: dict[str, Any] = {"team_alias": f"{PREFIX}-team-{t}", "metadata": META}
        body["models"] = ["fake-gpt", "fake-gpt-mini"]
        if t == 1:
            body.update(max_budget=100.0, budget_duration="30d")
        teams.append((await call("POST", "/team/new", json=body)).json())
    keys: dict[str, dict[str, Any]] = {}

    async def gen(
        alias: str, team_id: str | None, user_id: str | None, budget: float | None, role: str | None
    ) -> None:
        body: dict[str, Any] = {"key_alias": alias, "metadata": META}
        if team_id:
            body["team_id"] = team_id
        if user_id:
            body["user_id"] = user_id
        if budget is not None:
            body.update(max_budget=budget, budget_duration="30d")
        answer = (await call("POST", "/key/generate", json=body)).json()
        keys[alias] = {
            "raw": answer["key"],
            "token": answer["token"],
            "role": role,
            "team_id": team_id,
        }

    for i, made_team in enumerate(teams, start=1):
        for k in (1, 2):
            await gen(
                f"{PREFIX}-team-{i}-key-{k}",
                made_team["team_id"],
                None,
                10.0 if k == 1 else None,
                None,
            )
    t1, t2 = teams
    users: dict[str, dict[str, Any]] = {}
    roles: list[tuple[str, str, dict[str, Any] | None, str | None]] = [
        ("proxy_admin_viewer", "proxy_admin_viewer", None, None),
        ("internal_user", "internal_user", t1, "user"),
        ("internal_user_viewer", "internal_user_viewer", t2, "user"),
        ("team_admin", "internal_user", t1, "admin"),
    ]
    for name, user_role, team, team_role in roles:
        uid = f"{PREFIX}-{name.replace('_', '-')}"
        await call(
            "POST",
            "/user/new",
            json={
                "user_id": uid,
                "user_email": f"{uid}@example.com",
                "user_role": user_role,
                "auto_create_key": False,
            },
        )
        if team is not None:
            member = {"team_id": team["team_id"], "member": {"user_id": uid, "role": team_role}}
            answer = await c.post("/team/member_add", headers=hdr(mk), json=member)
            if answer.status_code == 400 and team_role == "admin":
                users["member_add_400"] = answer.json()
                member["member"]["role"] = "user"
                await call("POST", "/team/member_add", json=member)
                await call(
                    "POST",
                    "/__sim/promote_team_admin",
                    json={"team_id": team["team_id"], "user_id": uid},
                )
                await call(
                    "POST", "/team/update", json={"team_id": team["team_id"], "metadata": META}
                )
        key_team = (
            team["team_id"]
            if team is not None and name in ("internal_user", "team_admin")
            else None
        )
        alias = f"{PREFIX}-{name.replace('_', '-')}-key"
        await gen(alias, key_team, uid, None, name)
        users[name] = {"user_id": uid, "key": keys[alias]["raw"], "alias": alias}
    for info in keys.values():
        if info["role"] in (None, "internal_user", "team_admin"):
            for n in range(3):
                model = ("fake-gpt", "fake-gpt-mini")[n % 2]
                message = {"model": model, "messages": [{"role": "user", "content": f"hello {n}"}]}
                await call("POST", "/chat/completions", key=info["raw"], json=message)
    return {"teams": teams, "keys": keys, "users": users}


async def replay(summary: dict[str, Any]) -> Replay:
    """Build the scenario, then make every ``verify-endpoints`` call, in its order."""
    store = Store(clock=TickingClock())
    mk = store.master_key
    out = Replay(store=store)
    transport = httpx.ASGITransport(app=create_app(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        made = await _scenario(c, mk)
        real_keys = {k["key_alias"]: k for k in summary["keys"]}
        for alias, info in made["keys"].items():
            out.to_real[info["token"]] = real_keys[alias]["token"]
        for sim_team, real_team in zip(made["teams"], summary["teams"], strict=True):
            out.to_real[sim_team["team_id"]] = real_team["team_id"]
        out.answers["team_admin_member_add_response"] = (400, made["users"]["member_add_400"])
        await _verify(c, mk, made, out)
    return out


async def _verify(c: httpx.AsyncClient, mk: str, made: dict[str, Any], out: Replay) -> None:
    keys, users, teams = made["keys"], made["users"], made["teams"]

    async def call(name: str | None, method: str, path: str, key: str = mk, **kw: Any) -> Any:
        response = await c.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kw)
        body = response.json()
        if name:
            out.answers[name] = (response.status_code, body)
        return body

    d0, d1 = "2026-11-24", "2026-11-26"
    k1, k2 = keys[f"{PREFIX}-team-1-key-1"], keys[f"{PREFIX}-team-1-key-2"]
    kb = keys[f"{PREFIX}-team-2-key-1"]
    t1 = teams[0]
    await call("v2_team_list", "GET", "/v2/team/list", params={"page": 1, "page_size": 100})
    await call("team_list", "GET", "/team/list")
    await call("team_info", "GET", "/team/info", params={"team_id": t1["team_id"]})
    full = {"return_full_object": "true", "page": 1, "size": 100}
    await call("key_list_master", "GET", "/key/list", params=full)
    await call(
        "key_list_team_admin_include_team_keys",
        "GET",
        "/key/list",
        key=users["team_admin"]["key"],
        params={"return_full_object": "true", "include_team_keys": "true", "page": 1, "size": 100},
    )
    await call(
        "key_list_internal_user", "GET", "/key/list", key=users["internal_user"]["key"], params=full
    )
    await call("key_info", "GET", "/key/info", params={"key": k1["token"]})
    await call("users_me_master", "GET", "/management/v1/users/me")
    for role in ("proxy_admin_viewer", "internal_user", "internal_user_viewer", "team_admin"):
        await call(f"users_me_{role}", "GET", "/management/v1/users/me", key=users[role]["key"])
    await call("user_info_internal_user", "GET", "/user/info", key=users["internal_user"]["key"])
    await call(
        "user_info_master", "GET", "/user/info", params={"user_id": users["team_admin"]["user_id"]}
    )
    logs = {"start_date": d0, "end_date": d1, "page": 1, "page_size": 50}
    await call(
        "spend_logs_v2_key_alias",
        "GET",
        "/spend/logs/v2",
        params={**logs, "key_alias": f"{PREFIX}-team-1-key-1"},
    )
    await call(
        "spend_logs_v2_api_key", "GET", "/spend/logs/v2", params={**logs, "api_key": k2["token"]}
    )
    await call(
        "spend_logs_v2_paged", "GET", "/spend/logs/v2", params={**logs, "page": 2, "page_size": 2}
    )
    await call(
        "user_daily_activity_aggregated_api_key",
        "GET",
        "/user/daily/activity/aggregated",
        params={"api_key": k1["token"], "start_date": d0, "end_date": d1},
    )
    team_ids = ",".join(t["team_id"] for t in teams)
    await call(
        "team_daily_activity_aggregated",
        "GET",
        "/team/daily/activity/aggregated",
        params={"team_ids": team_ids, "start_date": d0, "end_date": d1},
    )
    deny = {"key": k1["token"], "max_budget": 999}
    await call(
        "key_update_as_proxy_admin_viewer",
        "POST",
        "/key/update",
        key=users["proxy_admin_viewer"]["key"],
        json=deny,
    )
    await call(
        "key_update_as_internal_user_viewer",
        "POST",
        "/key/update",
        key=users["internal_user_viewer"]["key"],
        json=deny,
    )
    await call(
        "key_update_set_budget",
        "POST",
        "/key/update",
        json={"key": k1["token"], "max_budget": 5.5, "budget_duration": "7d"},
    )
    await call(
        "key_update_clear_budget",
        "POST",
        "/key/update",
        json={"key": k1["token"], "max_budget": None, "budget_duration": None},
    )
    await call("key_info_after_clear", "GET", "/key/info", params={"key": k1["token"]})
    await call(
        "team_update_budget",
        "POST",
        "/team/update",
        json={"team_id": teams[1]["team_id"], "max_budget": 50, "budget_duration": "30d"},
    )
    path = f"/key/{k2['token']}/reset_spend"
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("reset_spend_missing_reset_to", {}, mk),
        ("reset_spend_string", {"reset_to": "abc"}, mk),
        ("reset_spend_bool", {"reset_to": True}, mk),
        ("reset_spend_negative", {"reset_to": -1}, mk),
        ("reset_spend_above_spend", {"reset_to": 0.105 + 1}, mk),
        ("reset_spend_as_internal_user", {"reset_to": 0}, users["internal_user"]["key"]),
        ("reset_spend_as_proxy_admin_viewer", {"reset_to": 0}, users["proxy_admin_viewer"]["key"]),
    ]
    for name, body, key in cases:
        await call(name, "POST", path, key=key, json=body)
    await call(
        "reset_spend_unknown_key", "POST", "/key/" + "0" * 64 + "/reset_spend", json={"reset_to": 0}
    )
    await call(None, "POST", "/key/update", json={"key": kb["token"], "max_budget": 0.01})
    await call(
        "reset_spend_above_budget",
        "POST",
        f"/key/{kb['token']}/reset_spend",
        json={"reset_to": 0.05},
    )
    await call(
        "reset_spend_success_master",
        "POST",
        f"/key/{kb['token']}/reset_spend",
        json={"reset_to": 0},
    )
    await call(
        "reset_spend_success_team_admin",
        "POST",
        path,
        key=users["team_admin"]["key"],
        json={"reset_to": 0},
    )


def load_sample(directory: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / f"{name}.json").read_text())
    return data
