"""`total_pages` that lies: huge, zero, or pages that never end (the proxy ignores `page` and
sends page 1 again and again). The listing is bounded, complete when it can be, and reported as
partial when it cannot; the dashboard says PARTIAL, the headless command warns."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from budgettui.proxy.client import KEY_PAGE_SIZE
from budgettui.simulator import Scale, demo_store
from budgettui.simulator.faults import LyingMode
from budgettui.ui.screens.tenants import TenantsScreen
from tests.faults.conftest import CliResult, Loopback, Proxy, WorkerWatch, loopback_app
from tests.uihelpers import NOW, rendered_text, settle, table_names

KEYS = 250  # three pages of 100: paging really happens


@pytest.fixture
def proxy(loopback: Loopback) -> Proxy:
    return loopback.attach(
        store=demo_store(NOW, Scale(tenants=KEYS, requests_per_tenant_per_month=1))
    )


def _key_count(proxy: Proxy) -> int:
    return len(proxy.store.keys)


def _note(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, TenantsScreen)
    return rendered_text(screen.query_one("#table-note", Static))


@pytest.mark.parametrize("mode", ["huge", "zero"])
def test_a_lying_total_neither_truncates_nor_runs_away(
    mode: LyingMode, proxy: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    proxy.faults.lying_total_pages["/key/list"] = mode
    result = run_cli(proxy.url, "tenants", "--json")
    assert (result.code, result.err) == (0, "")
    listed = [r for r in json.loads(result.out) if not r["provisioning"]]
    assert len(listed) == _key_count(proxy)
    # three real pages; "huge" asks for up to max_concurrency pages at once, never a million
    pages = -(-_key_count(proxy) // KEY_PAGE_SIZE)
    assert pages <= len(proxy.calls("GET", "/key/list", at_least=pages)) <= pages + 4


async def test_never_ending_pages_stop_and_the_table_says_partial(
    proxy: Proxy, tmp_path: Path
) -> None:
    proxy.faults.lying_total_pages["/key/list"] = "repeat_page"
    app = loopback_app(proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        overview = app.session.overview
        assert overview is not None
        assert overview.partial
        assert len(table_names(app)) > 0
        assert "PARTIAL: the proxy listed more than budgettui pages through" in _note(app)
        await pilot.press("q")
    # A full page with nothing new ends it: no 500 requests for the same hundred keys.
    assert len(proxy.calls("GET", "/key/list", at_least=2)) <= 1 + 4
    assert watch.failed == []
    assert app.return_code == 0


def test_never_ending_pages_headless_is_bounded(
    proxy: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    proxy.faults.lying_total_pages["/key/list"] = "repeat_page"
    result = run_cli(proxy.url, "tenants", "--json")
    assert result.code == 3  # printed, but partial
    assert "Traceback" not in result.err
    assert len(proxy.calls("GET", "/key/list", at_least=2)) <= 1 + 4


def test_never_ending_pages_headless_says_partial(
    proxy: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    proxy.faults.lying_total_pages["/key/list"] = "repeat_page"
    result = run_cli(proxy.url, "tenants", "--json")
    assert result.code == 3
    assert result.out.startswith("[")
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "partial" in lines[0].lower()
