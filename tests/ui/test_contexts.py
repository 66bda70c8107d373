"""Several proxies from one dashboard: `:ctx NAME` (and the contexts list) switch, the header
says which proxy is in use, answers from the one left behind are dropped, and a read-only
context never sends a write."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from budgettui.ui.screens.contexts import ContextsScreen
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.ui.contexts_support import PROD, STAGING, STAGING_TENANTS, two_proxies
from tests.uihelpers import rendered_text, settle, table_names


def _keys(text: str) -> list[str]:
    return ["space" if char == " " else "minus" if char == "-" else char for char in text]


async def test_ctx_switches_proxy_and_the_header_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = two_proxies(tmp_path, monkeypatch)
    app = setup.app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TenantsScreen)
        assert len(table_names(app)) < 30  # prod: the demo's 17 tenants and their orgs
        assert rendered_text(screen.query_one("#identity", Static)).startswith(f"prod · {PROD}")
        await pilot.press("colon", *_keys("ctx staging"), "enter")
        await settle(pilot)
        assert screen.session.settings.context == "staging"
        assert app.session is screen.session  # the palette reads the same session
        assert rendered_text(screen.query_one("#identity", Static)).startswith(
            f"staging · {STAGING}"
        )
        assert screen.rows is not None
        assert len(screen.rows) >= STAGING_TENANTS


async def test_late_answers_from_the_context_left_behind_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = two_proxies(tmp_path, monkeypatch, prod_scale=350)
    setup.proxies.hold_prod.clear()  # prod lists its first page of keys, then hangs
    app = setup.app
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, TenantsScreen)
        table = screen.query_one(TenantTable)
        for _ in range(300):
            if table.row_count:
                break
            await pilot.pause(0.01)
        prod_session = screen.session
        await pilot.press("colon", *_keys("ctx staging"), "enter")
        for _ in range(300):
            if screen.session is not prod_session and screen.session.overview is not None:
                break
            await pilot.pause(0.01)
        setup.proxies.hold_prod.set()  # prod's pages come, late
        await pilot.pause(0.2)
        assert prod_session.overview is None
        assert screen.session.settings.context == "staging"
        assert screen.rows is not None
        assert len(screen.rows) < 350  # staging's tenants only


async def test_the_contexts_list_switches_on_enter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = two_proxies(tmp_path, monkeypatch)
    app = setup.app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *_keys("ctx"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContextsScreen)
        names = [c.name for c in app.screen.contexts]
        assert names == ["prod", "staging", "audit"]
        assert [c.active for c in app.screen.contexts] == [True, False, False]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.session.settings.context == "staging"


async def test_a_read_only_context_sends_no_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = two_proxies(tmp_path, monkeypatch)
    app = setup.app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *_keys("ctx audit"), "enter")
        await settle(pilot)
        assert app.session.settings.read_only
        for _ in range(3):
            await pilot.press("down")
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, TenantsScreen)  # no editor opened
        posts = [r for r in setup.stores[STAGING].requests if r.method == "POST"]
        assert posts == []
