"""At scale the table streams in and keeps up with typing: rows are on screen before the last
page of keys lands, keys typed while it loads all reach the filter, and a context switch drops
what the old proxy still sends."""

from __future__ import annotations

import asyncio
from datetime import UTC
from pathlib import Path

import httpx
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Static

from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, create_app, demo_store
from budgettui.simulator.seed import Scale
from budgettui.ui.app import BudgetApp, make_app
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.uihelpers import NOW, settle

TENANTS = 350  # four pages of keys


class GatedTransport(httpx.AsyncBaseTransport):
    """The simulator, with every page of keys after the first held until the test opens the
    gate: a proxy slow to list 20,000 keys, made deterministic."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.gate = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        later_page = request.url.params.get("page", "1") != "1"
        if request.url.path == "/key/list" and later_page:
            await self.gate.wait()
        return await self.inner.handle_async_request(request)


def _app(tmp_path: Path, transport: httpx.AsyncBaseTransport) -> BudgetApp:
    settings = Settings(DEMO_URL, Secret(DEMO_KEYS["master"]), refresh_seconds=0)
    journal = Journal(tmp_path / "audit.jsonl")
    return make_app(settings, transport=transport, clock=lambda: NOW, tz=UTC, journal=journal)


def _store_transport() -> httpx.AsyncBaseTransport:
    store = demo_store(NOW, Scale(orgs=4, tenants=TENANTS, requests_per_tenant_per_month=1))
    return httpx.ASGITransport(app=create_app(store))


async def _until(condition: object, pilot: object) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    for _ in range(400):
        if callable(condition) and condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the screen never got there")


async def test_rows_are_on_screen_before_the_last_page_lands(tmp_path: Path) -> None:
    transport = GatedTransport(_store_transport())
    app = _app(tmp_path, transport)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, TenantsScreen)
        table = screen.query_one(TenantTable)
        await _until(lambda: table.row_count > 0, pilot)
        note = str(screen.query_one("#table-note", Static).render())
        assert screen.is_loading
        assert "loading keys 100 / " in note  # the first page of keys, of the proxy's count
        first_rows = table.row_count
        await pilot.press("down", "down")  # the table answers while it loads
        assert table.cursor_row == 2
        transport.gate.set()
        await settle(pilot)
        assert not screen.is_loading
        assert table.row_count > first_rows
        assert screen.rows is not None
        assert len(screen.rows) >= TENANTS
        assert "loading" not in str(screen.query_one("#table-note", Static).render())


async def test_keys_typed_while_the_table_loads_all_reach_the_filter(tmp_path: Path) -> None:
    transport = GatedTransport(_store_transport())
    app = _app(tmp_path, transport)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, TenantsScreen)
        table = screen.query_one(TenantTable)
        await _until(lambda: table.row_count > 0, pilot)
        first = next(t for i in range(table.row_count) if (t := table.tenant_at(i)) is not None)
        typed = first.name[-7:]
        # `/` and the text queued at once, as the terminal queues them while the app is busy,
        # with pages still to come: each key reaches the filter, in order.
        for char in "/" + typed:
            app.post_message(events.Key(_character_to_key(char), char))
        await pilot.pause()
        transport.gate.set()
        await settle(pilot)
        assert screen.query_text == typed
        assert screen.shown_query == typed
        tenants = [table.tenant_at(i) for i in range(table.row_count)]
        names = [tenant.name for tenant in tenants if tenant is not None]
        assert names
        assert all(typed in name for name in names)


async def test_a_context_switch_drops_the_old_proxys_late_answers(tmp_path: Path) -> None:
    """The old context's listing is held at its second page; the user switches; when the old
    pages finally come they must not land in the new context's table."""
    old = GatedTransport(_store_transport())
    app = _app(tmp_path, old)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, TenantsScreen)
        table = screen.query_one(TenantTable)
        await _until(lambda: table.row_count > 0, pilot)
        old_session = screen.session
        screen.session = old_session.moved_to(old_session.settings)  # what `:ctx` does
        screen.rows = None
        screen.reload()
        old.gate.set()
        await _until(lambda: screen.session.overview is not None and not screen.is_loading, pilot)
        await pilot.pause()
        assert old_session.overview is None  # the old answer was dropped, not applied
        assert screen.rows is not None
        assert len(screen.rows) >= TENANTS
