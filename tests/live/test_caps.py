"""Caps beyond the key's and the team's, and keys refused whatever their money, checked against
LiteLLM's own refusal: the owner's budget on a personal key, a member's budget in a team, a
per-hour window on a key, a blocked key, an expired key. Each test makes its own users, teams
and keys under a unique prefix and deletes them afterwards."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from budgettui.domain.budget import Alert, BindingCap
from budgettui.domain.caps import StopState
from budgettui.domain.tenants import Tenant
from budgettui.proxy.capabilities import Capabilities
from budgettui.proxy.client import LiteLLMClient
from budgettui.services.loading import load_key_details, load_overview
from tests.live.live_scenario import unique_prefix
from tests.live.live_support import LiveTarget, older_litellm

pytestmark = pytest.mark.live

CAP = 0.06  # each fake-gpt call costs about $0.05: the third call is refused
MAX_CALLS = 6
FLUSH_SECONDS = 30.0


def budget_refusal_status(litellm: Capabilities) -> int:
    """1.108 answers a used-up budget with 422; 1.84 with 400."""
    return 400 if older_litellm(litellm) else 422


class Proxy:
    """LiteLLM's own API with the master key, remembering what it made so it can be deleted."""

    def __init__(self, target: LiveTarget) -> None:
        self.target = target
        self.prefix = unique_prefix("btcap")
        self.http = httpx.Client(base_url=target.url, timeout=60.0)
        self.keys: list[str] = []
        self.users: list[str] = []
        self.teams: list[str] = []

    def post(self, path: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.target.master_key}"}
        return self.http.post(path, json=body, headers=headers)

    def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.post(path, body)
        assert answer.status_code < 400, f"{path}: {answer.status_code} {answer.text[:300]}"
        result: dict[str, Any] = answer.json()
        return result

    def user(self, suffix: str, **fields: Any) -> str:
        user_id = f"{self.prefix}-{suffix}"
        self.ok("/user/new", {"user_id": user_id, "auto_create_key": False, **fields})
        self.users.append(user_id)
        return user_id

    def team(self, suffix: str, **fields: Any) -> str:
        body = {"team_alias": f"{self.prefix}-{suffix}", "models": ["fake-gpt"], **fields}
        team_id: str = self.ok("/team/new", body)["team_id"]
        self.teams.append(team_id)
        return team_id

    def key(self, suffix: str, **fields: Any) -> tuple[str, str]:
        """The raw key and its alias."""
        alias = f"{self.prefix}-{suffix}"
        raw: str = self.ok("/key/generate", {"key_alias": alias, **fields})["key"]
        self.keys.append(hashlib.sha256(raw.encode()).hexdigest())
        return raw, alias

    def call(self, raw: str) -> httpx.Response:
        body = {"model": "fake-gpt", "messages": [{"role": "user", "content": "hi"}]}
        return self.post("/chat/completions", body, key=raw)

    def spend_until_refused(self, raw: str) -> httpx.Response:
        """Calls 2 s apart (LiteLLM's budget reservation never refused early at that spacing)
        until one is refused; that refusal."""
        for _ in range(MAX_CALLS):
            answer = self.call(raw)
            if answer.status_code != 200:
                return answer
            time.sleep(2)
        pytest.fail(f"LiteLLM never refused after {MAX_CALLS} calls of ~$0.05 on a ${CAP} cap")

    def cleanup(self) -> None:
        for path, field, ids in (
            ("/key/delete", "keys", self.keys),
            ("/user/delete", "user_ids", self.users),
            ("/team/delete", "team_ids", self.teams),
        ):
            if ids:
                self.post(path, {field: ids})
        self.http.close()


@pytest.fixture
def proxy(live_target: LiveTarget) -> Iterator[Proxy]:
    made = Proxy(live_target)
    try:
        yield made
    finally:
        made.cleanup()


async def tenant_once_flushed(
    target: LiveTarget, alias: str, settled: Any = lambda tenant: True
) -> Tenant:
    """The tenant as budgettui reads it with the master key, once `settled(tenant)` holds or
    LiteLLM's batch writer has had `FLUSH_SECONDS` to write the spend."""
    deadline = time.monotonic() + FLUSH_SECONDS
    async with LiteLLMClient(target.url, target.master_key) as client:
        while True:
            overview = await load_overview(client, datetime.now(UTC))
            tenant = next(t for t in overview.tenants if t.name == alias)
            if settled(tenant) or time.monotonic() > deadline:
                return tenant
            await asyncio.sleep(1)


def _exceeded(tenant: Tenant) -> bool:
    return tenant.alert is Alert.EXCEEDED


async def test_an_owners_used_up_budget_binds_their_personal_key(
    proxy: Proxy, live_target: LiveTarget, litellm: Capabilities
) -> None:
    user_id = proxy.user("owner", user_role="internal_user", max_budget=CAP)
    raw, alias = proxy.key("personal", user_id=user_id)
    refusal = proxy.spend_until_refused(raw)
    assert refusal.status_code == budget_refusal_status(litellm), refusal.text
    assert f"User={user_id} over budget" in refusal.text
    tenant = await tenant_once_flushed(live_target, alias, _exceeded)
    assert tenant.cap.max_budget is None  # the key itself has no cap
    assert tenant.binding is BindingCap.USER
    assert tenant.alert is Alert.EXCEEDED


async def test_a_members_used_up_budget_in_the_team_binds_their_team_key(
    proxy: Proxy, live_target: LiveTarget, litellm: Capabilities
) -> None:
    team_id = proxy.team("team")
    user_id = proxy.user("member", user_role="internal_user")
    proxy.ok(
        "/team/member_add",
        {
            "team_id": team_id,
            "member": {"user_id": user_id, "role": "user"},
            "max_budget_in_team": CAP,
        },
    )
    raw, alias = proxy.key("member-key", user_id=user_id, team_id=team_id)
    refusal = proxy.spend_until_refused(raw)
    assert refusal.status_code == budget_refusal_status(litellm), refusal.text
    # 1.84 names neither the user nor the team in this refusal.
    assert "Budget has been exceeded" in refusal.text
    if not older_litellm(litellm):
        assert f"TeamMember={user_id}:{team_id}" in refusal.text
    tenant = await tenant_once_flushed(live_target, alias, _exceeded)
    assert tenant.binding is BindingCap.TEAM_MEMBER
    assert tenant.alert is Alert.EXCEEDED


async def test_a_used_up_window_binds_where_litellm_tells_its_spend(
    proxy: Proxy, live_target: LiveTarget, litellm: Capabilities
) -> None:
    raw, alias = proxy.key(
        "window", max_budget=100, budget_limits=[{"budget_duration": "1h", "max_budget": CAP}]
    )
    refusal = proxy.spend_until_refused(raw)
    assert refusal.status_code == budget_refusal_status(litellm), refusal.text
    assert "Key over 1h budget" in refusal.text
    listed = await tenant_once_flushed(live_target, alias, lambda t: t.cap.spend > CAP)
    async with LiteLLMClient(live_target.url, live_target.master_key) as client:
        tenant = await load_key_details(client, listed)  # the tenant screen's one /key/info
    window = next(cap for cap in tenant.caps if cap.scope == "window")
    assert window.name == "1h"
    if older_litellm(litellm):
        # 1.84 tells a window's spend nowhere: the cap is shown, never as room to spare.
        assert window.spend is None
        assert window in tenant.unmeasured_caps
    else:
        assert tenant.binding is BindingCap.WINDOW
        assert tenant.alert is Alert.EXCEEDED


async def test_a_blocked_key_is_blocked(proxy: Proxy, live_target: LiveTarget) -> None:
    raw, alias = proxy.key("blocked", max_budget=10)
    proxy.ok("/key/block", {"key": raw})
    refusal = proxy.call(raw)
    assert refusal.status_code == 401, refusal.text
    assert "Key is blocked" in refusal.text
    tenant = await tenant_once_flushed(live_target, alias)
    assert tenant.state is StopState.BLOCKED
    assert tenant.alert is Alert.OK  # the money is fine: the block is what refuses


async def test_an_expired_key_is_expired(
    proxy: Proxy, live_target: LiveTarget, litellm: Capabilities
) -> None:
    raw, alias = proxy.key("expired", duration="1s")
    await asyncio.sleep(2)
    refusal = proxy.call(raw)
    assert refusal.status_code == (400 if older_litellm(litellm) else 401), refusal.text
    assert "Expired Key" in refusal.text
    tenant = await tenant_once_flushed(live_target, alias)
    assert tenant.state is StopState.EXPIRED
