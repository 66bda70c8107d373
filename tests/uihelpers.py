"""One way to build the dashboard for pilots and snapshots: the real app and client over the
in-process simulator, a fixed clock, UTC display, no auto-refresh, a journal in a temp dir."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.screen import Screen
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
    return [table.cells_at(i)["tenant"] for i in range(table.row_count)]


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


@dataclass
class ManualTimer:
    """A timer a screen set through `ManualTimers`: its delay, and what it would call."""

    delay: float
    callback: Callable[[], object]
    done: bool = False  # stopped by the screen, or fired by the test

    def stop(self) -> None:
        self.done = True


class ManualTimers:
    """Stands in for a screen's `set_timer`: every timer the screen sets is recorded with its
    delay and goes off only when the test calls `fire()`. Auto-refresh tests wait for nothing,
    and "a refresh came due" is a step of the test rather than a race with the wall clock."""

    def __init__(self, screen: Screen[Any]) -> None:
        self.timers: list[ManualTimer] = []
        screen.set_timer = self._set_timer  # type: ignore[method-assign,assignment]

    def _set_timer(
        self, delay: float, callback: Callable[[], object], **_options: object
    ) -> ManualTimer:
        timer = ManualTimer(delay, callback)
        self.timers.append(timer)
        return timer

    def pending(self) -> list[ManualTimer]:
        return [timer for timer in self.timers if not timer.done]

    def fire(self) -> None:
        """The time of the one pending timer has come (more than one would be a bug)."""
        (timer,) = self.pending()
        timer.done = True
        timer.callback()


@dataclass
class Toasts:
    """`message_hook` for `run_test`: every notification the app raised, as Textual was
    asked to show it (title, message, whether markup is parsed), whether or not expired."""

    raised: list[Notification] = field(default_factory=list)

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.raised.append(message.notification)

    def lines(self) -> list[str]:
        return [f"{n.title}: {n.message}" for n in self.raised]
