"""What the config file asks of the dashboard, seen in a pilot: rebound keys, the theme, the
time zone, notes on what it cannot do, and a read-only context's dimmed editor keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from textual.widgets import Input

from budgettui.services.config import Flags, load_config, with_preferences
from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Store, create_app, demo_store
from budgettui.ui.app import BudgetApp, make_app
from budgettui.ui.screens.tenants import TenantsScreen
from tests.uihelpers import NOW, settle


def dashboard(tmp_path: Path, settings: Settings) -> tuple[BudgetApp, Store]:
    store = demo_store(NOW)
    transport = httpx.ASGITransport(app=create_app(store))
    journal = Journal(tmp_path / "audit.jsonl")
    return make_app(settings, transport=transport, clock=lambda: NOW, journal=journal), store


def from_file(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    demo = Settings(DEMO_URL, Secret(DEMO_KEYS["master"]), refresh_seconds=0)
    return with_preferences(demo, Flags(refresh=0), load_config(path))


def filter_shown(app: BudgetApp) -> bool:
    return app.screen.query_one("#filter", Input).display


async def test_a_rebound_key_does_what_the_file_says(tmp_path: Path) -> None:
    settings = from_file(tmp_path, '[keys]\n"tenants.filter" = "f"\n')
    app, _ = dashboard(tmp_path, settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")  # the key it replaced does nothing now
        assert not filter_shown(app)
        await pilot.press("f")
        assert filter_shown(app)


async def test_the_theme_and_time_zone_reach_the_app(tmp_path: Path) -> None:
    settings = from_file(tmp_path, 'theme = "nord"\ntimezone = "Asia/Tokyo"\n')
    app, _ = dashboard(tmp_path, settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        assert app.session.tz == ZoneInfo("Asia/Tokyo")


async def test_what_the_app_cannot_do_is_said_not_dropped(tmp_path: Path) -> None:
    demo = Settings(DEMO_URL, Secret(DEMO_KEYS["master"]), refresh_seconds=0)
    settings = replace(demo, theme="no-such-theme", keymap={"tenants.fitler": "f"})
    app, _ = dashboard(tmp_path, settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("no binding has the id 'tenants.fitler'" in m for m in said)
        assert any("no theme is called 'no-such-theme'" in m for m in said)
        assert app.theme == "textual-dark"


async def test_a_read_only_context_dims_the_editors_and_sends_nothing(tmp_path: Path) -> None:
    demo = Settings(DEMO_URL, Secret(DEMO_KEYS["master"]), refresh_seconds=0)
    app, store = dashboard(tmp_path, replace(demo, context="prod", read_only=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TenantsScreen)
        assert screen.check_action("edit_budget", ()) is None  # shown dimmed, as to a viewer
        await pilot.press("down", "b", "R")
        await pilot.pause()
        assert app.screen is screen  # no editor opened
        assert "context prod is read-only" in [n.message for n in app._notifications]
        assert [r for r in store.requests if r.method == "POST"] == []
