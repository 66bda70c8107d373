"""Every failure as budgettui shows it: the typed error (its title) and LiteLLM's own message."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from budgettui.proxy.capabilities import Capabilities
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import (
    Forbidden,
    NotFound,
    ProxyError,
    Rejected,
    RouteRefused,
    Unauthorized,
    error_from_response,
)
from budgettui.services.loading import load_overview
from tests.live.live_scenario import Scenario
from tests.live.live_support import client, older_litellm, run_cli

pytestmark = pytest.mark.live

UNKNOWN_HASH = "0" * 64
BAD_KEY = "sk-btl-not-a-real-key-0000"
# An unknown key, as 1.108 ("Invalid API key provided") and 1.84 ("Invalid proxy server token
# passed") word it.
INVALID_KEY = re.compile(r"Invalid (API key|proxy server token)")

Call = Callable[[LiteLLMClient, Scenario], Awaitable[Any]]


async def failure(
    scenario: Scenario, role: str, call: Call, *, api_key: str | None = None
) -> ProxyError:
    c = client(scenario, role) if api_key is None else LiteLLMClient(scenario.base_url, api_key)
    async with c:
        with pytest.raises(ProxyError) as caught:
            await call(c, scenario)
    return caught.value


def shown(error: ProxyError) -> str:
    """What a user reads: the title and the message."""
    return str(error)


async def test_a_bad_key_is_not_authorised(scenario: Scenario) -> None:
    error = await failure(
        scenario, "", lambda c, s: load_overview(c, datetime.now(UTC)), api_key=BAD_KEY
    )
    assert type(error) is Unauthorized
    assert error.status == 401
    assert error.title == "Not authorised"
    assert INVALID_KEY.search(error.message), shown(error)
    assert BAD_KEY not in shown(error)
    assert f"sk-...{BAD_KEY[-4:]}" not in shown(error)  # 1.84 echoes the key's last four


# (name, role, call, error type, status, what LiteLLM says: a regex where releases word it
# differently). A refusal is Forbidden whatever the status: LiteLLM's route gate says 401.
CASES: list[tuple[str, str, Call, type[ProxyError], int, str]] = [
    (
        "proxy_admin_viewer may not write",
        "viewer",
        lambda c, s: c.update_key(s.keys["edit"].hash, {"max_budget": 4}),
        RouteRefused,
        403,
        "user not allowed to access this route, role= proxy_admin_viewer",
    ),
    (
        "internal_user_viewer may not write",
        "iuviewer",
        lambda c, s: c.update_key(s.keys["edit"].hash, {"max_budget": 4}),
        RouteRefused,
        401,
        "Only proxy admin can be used to generate, delete, update info",
    ),
    (
        "a member may not change a team key",
        "member",
        lambda c, s: c.update_key(s.keys["web"].hash, {"max_budget": 4}),
        Forbidden,
        401,
        "Team member does not have permissions for endpoint",
    ),
    (
        "unknown key info",
        "master",
        lambda c, s: c.key_info(UNKNOWN_HASH),
        NotFound,
        404,
        "Key not found in database",
    ),
    (
        "unknown key update",
        "master",
        lambda c, s: c.update_key(UNKNOWN_HASH, {"max_budget": 1}),
        NotFound,
        404,
        "Key not found",
    ),
    (
        "unknown team info",
        "master",
        lambda c, s: c.team_info(f"{s.prefix}-no-such-team"),
        NotFound,
        404,
        "Team not found, passed team id",
    ),
    (
        "unknown team update",
        "master",
        lambda c, s: c.update_team(f"{s.prefix}-no-such-team", {"max_budget": 1}),
        NotFound,
        404,
        "Team not found",
    ),
    (
        "a member may not read another team's key",
        "member",
        lambda c, s: c.key_info(s.keys["edit"].hash),
        Forbidden,
        403,
        "You are not allowed to access this key's info",
    ),
    (
        "a member may not read another team",
        "member",
        lambda c, s: c.team_info(s.teams["globex"].team_id),
        Forbidden,
        403,
        "not authorized to access this team",
    ),
    (
        "negative key budget",
        "master",
        lambda c, s: c.update_key(s.keys["edit"].hash, {"max_budget": -1}),
        Rejected,
        400,
        "max_budget (must be a non-negative finite number|cannot be negative)",
    ),
    (
        "budget duration without a unit",
        "master",
        lambda c, s: c.update_key(s.keys["edit"].hash, {"budget_duration": "30"}),
        Rejected,
        400,
        "Invalid budget_duration '30'",
    ),
    (
        "negative team budget",
        "master",
        lambda c, s: c.update_team(s.teams["globex"].team_id, {"max_budget": -1}),
        Rejected,
        400,
        "max_budget (must be a non-negative finite number|cannot be negative)",
    ),
    (
        "reset_spend below zero",
        "master",
        lambda c, s: c.reset_key_spend(s.keys["reset"].hash, Decimal(-1)),
        Rejected,
        400,
        "reset_to must be >= 0",
    ),
    (
        "reset_spend above the spend",
        "master",
        lambda c, s: c.reset_key_spend(s.keys["reset"].hash, Decimal(1000)),
        Rejected,
        400,
        "must be <= current spend",
    ),
    (
        "reset_spend of an unknown key",
        "master",
        lambda c, s: c.reset_key_spend(UNKNOWN_HASH, Decimal(0)),
        NotFound,
        404,
        f"Key {UNKNOWN_HASH} not found",
    ),
    (
        "reset_spend by a member",
        "member",
        lambda c, s: c.reset_key_spend(s.keys["web"].hash, Decimal(0)),
        Forbidden,
        403,
        "You must be a proxy admin or team admin to reset key spend",
    ),
    (
        "reset_spend by a proxy_admin_viewer",
        "viewer",
        lambda c, s: c.reset_key_spend(s.keys["web"].hash, Decimal(0)),
        RouteRefused,
        403,
        "user not allowed to access this route, role= proxy_admin_viewer",
    ),
    (
        "reset_spend by an internal_user_viewer",
        "iuviewer",
        lambda c, s: c.reset_key_spend(s.keys["web"].hash, Decimal(0)),
        RouteRefused,
        401,
        "Only proxy admin can be used to generate, delete, update info",
    ),
]


@pytest.mark.parametrize(
    ("role", "call", "kind", "status", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_failure_shows_the_typed_error_with_litellms_message(
    scenario: Scenario,
    litellm: Capabilities,
    role: str,
    call: Call,
    kind: type[ProxyError],
    status: int,
    message: str,
    request: pytest.FixtureRequest,
) -> None:
    if older_litellm(litellm) and "without a unit" in request.node.callspec.id:
        # LiteLLM 1.84 stores a duration without a unit; budgettui's own validation refuses it.
        async with client(scenario, role) as c:
            await call(c, scenario)
        return
    error = await failure(scenario, role, call)
    assert type(error) is kind, shown(error)
    assert error.status == status
    assert error.title == kind.default_title
    assert re.search(message, error.message), shown(error)
    # A sentence, not a Python dict or a JSON document.
    assert not error.message.lstrip().startswith(("{", "[")), shown(error)
    assert "{'" not in error.message, shown(error)
    assert scenario.raw_key(role) not in shown(error)


async def test_a_team_admin_may_not_change_the_team_budget(
    scenario: Scenario, team_admin: str, litellm: Capabilities
) -> None:
    """A refusal on both releases, though 1.84's route gate says 401 and 1.108 says 403."""
    error = await failure(
        scenario,
        team_admin,
        lambda c, s: c.update_team(s.teams["acme"].team_id, {"max_budget": 6}),
    )
    assert isinstance(error, Forbidden), shown(error)
    if older_litellm(litellm):
        assert (type(error), error.status) == (RouteRefused, 401)
        assert "Only proxy admin" in error.message
    else:
        assert error.status == 403
        assert "Team admins on this proxy cannot edit team settings" in error.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "reset_to: Field required"),
        ({"reset_to": "lots"}, "reset_to: Input should be a valid number"),
        ({"reset_to": True}, "reset_to: Value error, reset_to must be a number, not a boolean"),
    ],
    ids=["missing", "string", "boolean"],
)
async def test_reset_spend_body_validation_is_rejected_with_the_field_named(
    scenario: Scenario, litellm: Capabilities, body: dict[str, Any], message: str
) -> None:
    """Bodies budgettui's client cannot send (it sends a number), read through the same error
    mapping: the editor must still show them sensibly if a proxy sends them."""
    key = scenario.keys["reset"]
    async with httpx.AsyncClient(base_url=scenario.base_url) as raw:
        answer = await raw.post(
            f"/key/{key.hash}/reset_spend",
            json=body,
            headers={"Authorization": f"Bearer {scenario.master_key}"},
        )
    error = error_from_response(answer, redact=scenario.master_key)
    assert isinstance(error, Rejected)
    if body.get("reset_to") is True and older_litellm(litellm):
        # 1.84 reads `true` as 1.0, then refuses it as more than the key spent.
        assert error.status == 400
        assert "must be <= current spend" in error.message, shown(error)
        return
    assert error.status == 422
    assert error.message.startswith(message), shown(error)


def test_cli_with_a_bad_key_says_so_in_one_line(scenario: Scenario) -> None:
    result = run_cli(scenario, "", "tenants", "--json", api_key=BAD_KEY)
    assert result.code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Not authorised" in lines[0]
    assert INVALID_KEY.search(lines[0]), lines[0]
    assert BAD_KEY not in result.stderr
    assert f"sk-...{BAD_KEY[-4:]}" not in result.stderr


def test_cli_with_a_bad_month_is_a_usage_error(scenario: Scenario) -> None:
    result = run_cli(scenario, "master", "usage", scenario.keys["web"].alias, "--month", "2026-13")
    assert result.code == 2
    assert "Traceback" not in result.stderr
