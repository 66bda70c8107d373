"""One way to build the dashboard for pilots and snapshots: the real app and client over the
in-process simulator, a fixed clock, UTC display, no auto-refresh, a journal in a temp dir."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console
from textual.widgets import Static

from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from budgettui.ui.app import BudgetApp, make_app
from budgettui.ui.widgets.tenant_table import TenantTable

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


@dataclass
class Harness:
    app: BudgetApp
    store: Store
    faults: Faults
    journal_path: Path

    def writes(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.store.requests if r.method == "POST"]


def build(tmp_path: Path, role: str = "master", *, refresh: float = 0) -> Harness:
    store = demo_store(NOW)
    faults = Faults()
    transport = httpx.ASGITransport(app=create_app(store, faults))
    settings = Settings(DEMO_URL, Secret(DEMO_KEYS[role]), refresh_seconds=refresh)
    journal_path = tmp_path / "audit.jsonl"
    app = make_app(
        settings, transport=transport, clock=lambda: NOW, tz=UTC, journal=Journal(journal_path)
    )
    return Harness(app, store, faults, journal_path)


def table_names(app: BudgetApp) -> list[str]:
    """The first column of the tenants table, as the user reads it."""
    table = app.screen.query_one(TenantTable)
    return [str(table.get_row_at(i)[0]).strip() for i in range(table.row_count)]


async def settle(pilot: object) -> None:
    """Wait until every worker has finished and the screen has drawn."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rendered_text(widget: Static) -> str:
    """What a Static shows, as plain text (Rich renderables included)."""
    console = Console(width=120, color_system=None)
    with console.capture() as capture:
        console.print(widget.content)
    return capture.get()
