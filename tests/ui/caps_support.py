"""The demo with its caps showcase (an owner over their budget, a member over theirs, a blocked
key, an expired one, a soft budget passed) plus a key with rolling windows, for the pilots and
snapshots of every cap that can stop a tenant. The same fixed clock as every other test."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import httpx

from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from budgettui.simulator.models import BudgetWindow
from budgettui.ui.app import BudgetApp, make_app
from tests.uihelpers import NOW

WINDOWED = "windowed"  # a $100 key whose 1h window ($1.50 of $2.00 before traffic) binds first
WINDOW_RESET = NOW + timedelta(minutes=30)


def caps_store() -> Store:
    store = demo_store(NOW, caps_showcase=True)
    key = store.add_key(
        "sk-caps-windowed-0001",
        key_alias=WINDOWED,
        max_budget=100.0,
        created_at=NOW - timedelta(days=10),
    )
    key.budget_limits = [
        BudgetWindow("1h", 2.0, WINDOW_RESET, spend=1.5),
        BudgetWindow("1d", 20.0, NOW + timedelta(hours=9), spend=3.0),
    ]
    store.charge(key, "gpt-4o", 400_000, 10_000, at=NOW - timedelta(days=1))
    return store


def caps_app(
    tmp_path: Path,
    role: str = "master",
    *,
    litellm_version: str = "1.108.7",
    faults: Faults | None = None,
    store: Store | None = None,
) -> BudgetApp:
    proxy = store or caps_store()
    app = create_app(proxy, faults or Faults(), litellm_version=litellm_version)
    settings = Settings(DEMO_URL, Secret(DEMO_KEYS[role]), refresh_seconds=0)
    return make_app(
        settings,
        transport=httpx.ASGITransport(app=app),
        clock=lambda: NOW,
        tz=UTC,
        journal=Journal(tmp_path / "audit.jsonl"),
    )
