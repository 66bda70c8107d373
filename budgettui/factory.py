"""The one place that builds clients (and, for the TUI, the app) for the CLI, `--demo` and tests.

Nothing here imports Textual at module level: the headless commands build their client here too
and must start fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import httpx

from budgettui.audit import Journal, default_journal_path
from budgettui.proxy.client import LiteLLMClient
from budgettui.settings import Secret, Settings

if TYPE_CHECKING:
    from budgettui.ui.app import BudgetApp

DEMO_URL = "http://demo.budgettui.invalid"  # never resolved: requests go to the in-process app
DEMO_ROLES = ("master", "proxy_admin_viewer", "team_admin", "internal_user", "internal_user_viewer")


def make_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> LiteLLMClient:
    return LiteLLMClient(
        settings.proxy_url, settings.api_key.reveal(), settings.connection, transport=transport
    )


def demo_settings(now: datetime, role: str = "master") -> tuple[Settings, httpx.AsyncBaseTransport]:
    """Settings and an in-process transport onto a freshly seeded simulator, as `role`."""
    from budgettui.simulator import DEMO_KEYS, create_app, demo_store

    app = create_app(demo_store(now))
    settings = Settings(proxy_url=DEMO_URL, api_key=Secret(DEMO_KEYS[role]))
    return settings, httpx.ASGITransport(app=app)


def make_app(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] | None = None,
    tz: tzinfo | None = None,
    journal: Journal | None = None,
) -> BudgetApp:
    """The dashboard, as the CLI, `--demo`, the snapshot tests and the pilots build it. The
    journal defaults to the user's `audit.jsonl`; tests give their own."""
    from budgettui.ui.app import BudgetApp, utc_now

    return BudgetApp(
        settings,
        transport=transport,
        clock=clock or utc_now,
        tz=tz,
        journal=journal or Journal(default_journal_path()),
    )
