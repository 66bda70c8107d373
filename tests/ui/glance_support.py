"""A demo store that is unkind to a screen (the stranger checklist's data): a $20,000+ tenant,
a reset date years away, a runway beyond a year, two long names that differ only at the end.
Shared by the glance pilots and their snapshots; the same fixed clock as every other test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from budgettui.ui.app import BudgetApp, make_app
from tests.uihelpers import NOW

ORG = "hperf"
BIG_SPENDER = "hperf30599-busy"
TWINS = ("hperf30599-busy-inference-eu-west", "hperf30599-busy-inference-eu-west-2")
BIG_SPEND = 22_504.5
FAR_RESET = datetime(2028, 12, 5, tzinfo=UTC)


def glance_store() -> Store:
    """The demo data plus, in an org of their own with no cap: a key with $22,504.50 spent of
    a $50,000 cap that resets in 2028, at a pace that runs out in ~17 months (a runway beyond
    a year), and two long names that share all but their last characters."""
    store = demo_store(NOW)
    org = store.add_team(ORG, created_at=NOW - timedelta(days=90))
    big = store.add_key(
        "sk-glance-big-0001",
        key_alias=BIG_SPENDER,
        team_id=org.team_id,
        max_budget=50_000.0,
        budget_duration="1000d",
        created_at=NOW - timedelta(days=60),
    )
    big.budget_reset_at = FAR_RESET
    # This month's traffic (~$1,050, ~$52 a day) uses the cap up in ~17 months: after a year,
    # before the 2028 reset.
    for day in range(1, 4):
        store.charge(big, "gpt-4o", 140_000_000, 40_000, at=NOW - timedelta(days=day))
    store.apply_spend(big, BIG_SPEND - big.spend, NOW - timedelta(days=4))
    for index, alias in enumerate(TWINS):
        store.add_key(
            f"sk-glance-twin-{index:04d}",
            key_alias=alias,
            team_id=org.team_id,
            max_budget=50.0,
            budget_duration="30d",
            created_at=NOW - timedelta(days=60),
        )
    return store


def glance_app(tmp_path: Path, store: Store | None = None, role: str = "master") -> BudgetApp:
    transport = httpx.ASGITransport(app=create_app(store or glance_store(), Faults()))
    settings = Settings(DEMO_URL, Secret(DEMO_KEYS[role]), refresh_seconds=0)
    return make_app(
        settings,
        transport=transport,
        clock=lambda: NOW,
        tz=UTC,
        journal=Journal(tmp_path / "audit.jsonl"),
    )
