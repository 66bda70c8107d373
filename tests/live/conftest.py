"""The live suite: budgettui against a real LiteLLM proxy (or anything that speaks its API).

Needs `BUDGETTUI_LIVE_URL` and `BUDGETTUI_LIVE_MASTER_KEY`; without them every test here is
skipped. `BUDGETTUI_LIVE_DATABASE_URL` (the proxy's PostgreSQL) lets the scenario promote a team
admin the way `real-litellm/seed-traffic` does; without it the team-admin cases are skipped.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Iterator

import pytest

from budgettui.proxy.capabilities import Capabilities
from budgettui.proxy.client import LiteLLMClient
from tests.live.live_scenario import (
    Scenario,
    ScenarioBuilder,
    promote_via_database,
    promote_via_simulator,
    unique_prefix,
)
from tests.live.live_support import LiveTarget


@pytest.fixture(scope="session")
def live_target() -> LiveTarget:
    url = os.environ.get("BUDGETTUI_LIVE_URL", "").strip()
    master_key = os.environ.get("BUDGETTUI_LIVE_MASTER_KEY", "").strip()
    if not url or not master_key:
        pytest.skip(
            "live suite needs a LiteLLM proxy: set BUDGETTUI_LIVE_URL and "
            'BUDGETTUI_LIVE_MASTER_KEY (e.g. eval "$(../shared/real-litellm/start)")'
        )
    database_url = os.environ.get("BUDGETTUI_LIVE_DATABASE_URL", "").strip() or None
    return LiveTarget(url.rstrip("/"), master_key, database_url)


@pytest.fixture(scope="session")
def litellm(live_target: LiveTarget) -> Capabilities:
    """The proxy's release and routes, as budgettui's client learns them: the tests branch on
    them only where LiteLLM itself differs between releases."""

    async def read() -> Capabilities:
        async with LiteLLMClient(live_target.url, live_target.master_key) as client:
            return await client.capabilities()

    return asyncio.run(read())


@pytest.fixture(autouse=True)
def _require_live(live_target: LiveTarget) -> None:
    """Every test in this directory needs the proxy (the fixture skips without it)."""


@pytest.fixture(scope="session")
def scenario(live_target: LiveTarget) -> Iterator[Scenario]:
    """Built once per session under a unique prefix, and deleted afterwards even on failure."""
    # Through the database where we have it; else the simulator's test route (404 elsewhere).
    db = live_target.database_url
    promote = promote_via_database(db) if db else promote_via_simulator
    builder = ScenarioBuilder(
        live_target.url, live_target.master_key, unique_prefix("btl"), promote=promote
    )
    try:
        yield builder.build()
    finally:
        problems = builder.cleanup()
        if problems:
            warnings.warn(f"live scenario cleanup left things behind: {problems}", stacklevel=1)


@pytest.fixture
def team_admin(scenario: Scenario) -> str:
    """The team-admin role, when the scenario could make one."""
    if not scenario.team_admin_promoted:
        pytest.skip(
            "no team admin: LiteLLM answers /team/member_add role=admin with "
            f"{scenario.member_add_admin and scenario.member_add_admin[0]} (an Enterprise "
            "feature), BUDGETTUI_LIVE_DATABASE_URL is unset and the proxy has no "
            "/__sim/promote_team_admin, so the scenario cannot promote one"
        )
    return "tadmin"
