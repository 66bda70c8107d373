"""`BudgetApp`: wiring only. The client's lifetime, the first screen, the command palette; and
`make_app`, the one way the CLI, `--demo`, the snapshot tests and the pilots build it."""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from functools import partial
from pathlib import Path

import httpx
import platformdirs
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.theme import BUILTIN_THEMES

from budgettui.services.connect import make_client
from budgettui.services.journal import Journal, default_journal_path
from budgettui.services.logfile import never_log
from budgettui.services.settings import Settings
from budgettui.ui import screens, widgets
from budgettui.ui.commands import TenantCommands
from budgettui.ui.failures import ReportsFailures
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.session import Session


def utc_now() -> datetime:
    return datetime.now(UTC)


def screenshot_directory() -> Path:
    """Where the palette's "Save screenshot" writes: the user's pictures folder, in a folder of
    our own. Not Textual's default (~/Downloads, which need not exist) nor the current directory:
    a dashboard screenshot shows tenant names and spend, and a git work tree is the last place it
    should land unnoticed."""
    return platformdirs.user_pictures_path() / "budgettui"


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def binding_ids() -> frozenset[str]:
    """Every binding id the app's screens and widgets declare: what `[keys]` can rebind."""
    for package in (screens, widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    return frozenset(
        binding.id
        for node in _ours(DOMNode)
        for binding in node.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding) and binding.id
    )


def _ours(base: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for sub in base.__subclasses__():
        if sub.__module__.startswith("budgettui."):
            yield sub
        yield from _ours(sub)


def theme_names() -> frozenset[str]:
    """The themes `theme =` may name: Textual's own (the app registers none)."""
    return frozenset(BUILTIN_THEMES)


def config_notes(settings: Settings) -> list[str]:
    """What the config file asks of the app that it cannot do; the app opens anyway (a typo
    in a key binding must not keep an admin from the dashboard) and says so."""
    known = binding_ids()
    notes = [
        f"[keys]: no binding has the id {binding!r}; it was ignored"
        for binding in settings.keymap
        if binding not in known
    ]
    if settings.theme and settings.theme not in theme_names():
        notes.append(f"theme: no theme is called {settings.theme!r}; the default is used")
    return notes


class BudgetApp(App[None], ReportsFailures):
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
        connect = partial(make_client, transport=transport)
        session = Session(
            settings=settings,
            client=connect(settings),
            clock=clock,
            tz=tz or settings.timezone or local_zone(),
            journal=journal,
            connect=connect,
        )
        self.config_notes = config_notes(settings)
        if settings.theme in theme_names():
            self.theme = settings.theme
        self.set_keymap(dict(settings.keymap))
        self.tenants_screen = TenantsScreen(session)
        # When each toast on screen expires, by what it says: a repeat is not raised again.
        self._toasts_until: dict[tuple[str, str, SeverityLevel], float] = {}

    @property
    def session(self) -> Session:
        """The context in use: `:ctx` gives the tenants screen a new session."""
        return self.tenants_screen.session

    def on_mount(self) -> None:
        self.push_screen(self.tenants_screen)
        for note in self.config_notes:
            self.notify(
                f"{note} (see `budgettui config check`)", title="Config", severity="warning"
            )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of ours is plain text, whatever the caller asked: toasts carry proxy
        messages and tenant names, and an alias like `[/]` read as markup would break the toast
        (or the app). Screens and widgets all come here (`Widget.notify` calls the app's).
        Textual's own messages that use markup are told through `_toast` (see below)."""
        del markup
        self._toast(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _toast(
        self,
        message: str,
        *,
        title: str,
        severity: SeverityLevel,
        timeout: float | None,
        markup: bool,
    ) -> None:
        """Raise a toast, unless the same one is still on screen: a refresh every 2 s against a
        proxy that is down would otherwise stack one "unreachable" toast per attempt."""
        now = time.monotonic()
        self._toasts_until = {said: end for said, end in self._toasts_until.items() if end > now}
        said = (title, message, severity)
        if said in self._toasts_until:
            return
        timeout = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self._toasts_until[said] = now + timeout
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def clear_notifications(self) -> None:
        """Toasts cleared are no longer on screen: the next identical one is raised again."""
        self._toasts_until.clear()
        super().clear_notifications()

    # Textual's own toasts, which it writes in markup: told as it meant them.

    def action_help_quit(self) -> None:
        """ctrl+c: how to quit, the key in bold (Textual's text, our toast path)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self._toast(
                    f"Press [b]{key}[/b] to quit the app",
                    title="Do you want to quit?",
                    severity="information",
                    timeout=None,
                    markup=True,
                )
                return

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's screenshot, into `screenshot_directory()` (created) unless a path is
        given; if the folder cannot be made, the toast says why and nothing is attempted."""
        directory = Path(path) if path else screenshot_directory()
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            self.notify(
                f"Cannot save the screenshot: {directory}: {error.strerror or error}",
                title="Screenshot",
                severity="error",
            )
            return None
        return super().deliver_screenshot(filename, str(directory), time_format)

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # instead of Textual's toast, whose path markup showed raw
            where = f" to {event.path}" if event.path else ""
            self.notify(f"Saved the screenshot{where}", title="Screenshot")

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # Textual's toast gives no reason
            self.notify(
                f"Failed to save the screenshot: {event.exception}",
                title="Screenshot",
                severity="error",
            )

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
