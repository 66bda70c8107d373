"""`BudgetApp`: wiring only. The client's lifetime, the first screen, the command palette; and
`make_app`, the one way the CLI, `--demo`, the snapshot tests and the pilots build it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

import httpx
from textual.app import App
from textual.notifications import SeverityLevel

from budgettui.services.connect import make_client
from budgettui.services.journal import Journal, default_journal_path
from budgettui.services.logfile import never_log
from budgettui.services.settings import Settings
from budgettui.ui.commands import TenantCommands
from budgettui.ui.failures import ReportsFailures
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.session import Session


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


class BudgetApp(ReportsFailures, App[None]):
    CSS_PATH = "styles/app.tcss"
    TITLE = "budgettui"
    COMMANDS = App.COMMANDS | {TenantCommands}

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utc_now,
        tz: tzinfo | None = None,
        journal: Journal | None = None,
    ) -> None:
        super().__init__()
        never_log(settings.api_key.reveal())
        self.session = Session(
            settings=settings,
            client=make_client(settings, transport),
            clock=clock,
            tz=tz or local_zone(),
            journal=journal,
        )
        self.tenants_screen = TenantsScreen(self.session)

    def on_mount(self) -> None:
        self.push_screen(self.tenants_screen)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain text, whatever the caller asked: toasts carry proxy messages
        and tenant names, and an alias like `[/]` read as markup would break the toast (or the
        app). Screens and widgets all come here (`Widget.notify` calls the app's)."""
        del markup
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    async def on_unmount(self) -> None:
        await self.session.client.aclose()


def make_app(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] | None = None,
    tz: tzinfo | None = None,
    journal: Journal | None = None,
) -> BudgetApp:
    """The dashboard. The journal defaults to the user's `audit.jsonl`; tests give their own."""
    return BudgetApp(
        settings,
        transport=transport,
        clock=clock or utc_now,
        tz=tz,
        journal=journal or Journal(default_journal_path()),
    )
