"""A slow proxy (5 s a call): every request runs in a worker, so the keys keep working while
one is in flight: `escape` leaves a tenant whose usage is loading, the filter works during a
refresh, and `q` quits at once instead of waiting for the answer."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from textual.widgets import Static

from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.screens.tenants import TenantsScreen
from tests.faults.conftest import FAST, Proxy, WorkerWatch, loopback_app
from tests.uihelpers import rendered_text, settle, table_names

SLOW = 5.0  # seconds a call, as the issue has it
PATIENT = replace(FAST, read_timeout=30.0)  # the request stays in flight, it does not time out
AT_ONCE = 1.0  # seconds: "at once", with room for a busy machine; a call takes 5


async def test_keys_work_while_a_request_is_in_flight_and_q_quits_at_once(
    proxy: Proxy, tmp_path: Path
) -> None:
    app = loopback_app(proxy, tmp_path, options=PATIENT)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        names = table_names(app)
        proxy.faults.latency = SLOW

        await pilot.press("down", "down", "enter")  # the tenant's usage: 5 s away
        await pilot.pause()
        assert isinstance(app.screen, TenantScreen)
        started = time.monotonic()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TenantsScreen)
        assert time.monotonic() - started < AT_ONCE

        await pilot.press("r")  # a refresh now in flight; the filter still works meanwhile
        await pilot.press("slash", *"glo")
        await pilot.pause()
        assert table_names(app)
        assert all("globex" in n for n in table_names(app))
        await pilot.press("escape")
        await pilot.pause()
        assert table_names(app) == names
        assert app.workers  # the refresh is still waiting for the proxy

        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < AT_ONCE  # not the 5 s the proxy takes
    assert watch.failed == []
    assert app.return_code == 0


async def test_q_quits_at_once_while_the_first_load_is_in_flight(
    proxy: Proxy, tmp_path: Path
) -> None:
    proxy.faults.latency = SLOW
    app = loopback_app(proxy, tmp_path, options=PATIENT)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TenantsScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TenantsScreen)
        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < AT_ONCE
    assert watch.failed == []
    assert app.return_code == 0


async def test_the_first_slow_load_says_loading(proxy: Proxy, tmp_path: Path) -> None:
    proxy.faults.latency = SLOW
    app = loopback_app(proxy, tmp_path, options=PATIENT)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TenantsScreen)
        assert rendered_text(screen.query_one("#freshness", Static)).strip() == "loading…"
        await pilot.press("q")
