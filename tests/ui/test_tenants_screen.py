"""Pilots on the tenants screen: what the keys change on screen."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from textual.widgets import Static

from budgettui.ui.screens import tenants
from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.uihelpers import NOW, ManualTimers, build, rendered_text, settle, table_names


async def test_lists_every_tenant_under_its_org(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        names = table_names(harness.app)
        assert names[:3] == ["acme", "acme-admin-key", "acme-api"]
        assert "zürich-Ω" in names
        assert "(no org)" in names
        identity = str(harness.app.screen.query_one("#identity", Static).render())
        assert "proxy admin" in identity
        assert "read-only" not in identity


async def test_filter_narrows_by_tenant_or_org_and_escape_clears_it(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        everything = table_names(harness.app)
        await pilot.press("slash", *"WEB", "enter")
        assert table_names(harness.app) == ["acme", "acme-web", "acme-web-eu"]
        await pilot.press("escape")
        assert table_names(harness.app) == everything


async def test_sorting_by_used_brings_the_exceeded_tenant_first_and_S_reverses(
    tmp_path: Path,
) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s", "s")  # tenant → spend → used
        names = table_names(harness.app)
        assert names[:2] == ["globex", "globex-ml"]
        await pilot.press("S")
        reversed_names = table_names(harness.app)
        globex = reversed_names.index("globex")
        assert reversed_names[globex + 4] == "globex-ml"  # least used first, so last in its org


async def test_enter_opens_the_tenant_and_brackets_step_months(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # acme-api
        await settle(pilot)
        screen = harness.app.screen
        assert isinstance(screen, TenantScreen)
        assert screen.tenant.name == "acme-api"
        assert screen.usage is not None
        assert str(screen.usage.month) == "2026-11"
        assert screen.usage.request_count > 0
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(screen.usage.month) == "2026-10"
        assert len(screen.usage.daily) == 31
        assert "October 2026" in str(screen.query_one("#tenant-title", Static).render())
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert str(screen.usage.month) == "2026-11"
        await pilot.press("escape")
        assert isinstance(harness.app.screen, TenantsScreen)


async def test_help_lists_the_screen_keys(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(harness.app.screen, HelpScreen)
        keys = rendered_text(harness.app.screen.query_one("#help-keys", Static))
        for label in ("Filter", "Sort", "Reverse", "Open", "Refresh", "Budget", "Reset spend"):
            assert label in keys
        await pilot.press("escape")
        assert isinstance(harness.app.screen, TenantsScreen)


async def test_refresh_fetches_again(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = sum(r.path == "/key/list" for r in harness.store.requests)
        await pilot.press("r")
        await settle(pilot)
        after = sum(r.path == "/key/list" for r in harness.store.requests)
        assert after == before + 1


async def test_a_read_only_caller_is_told_so(tmp_path: Path) -> None:
    harness = build(tmp_path, role="proxy_admin_viewer")
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        identity = str(harness.app.screen.query_one("#identity", Static).render())
        assert "proxy admin (viewer)" in identity
        assert "read-only" in identity


async def test_quit(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert harness.app.return_code == 0


async def test_the_palette_jumps_to_a_tenant_by_name(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"acme-web-eu")
        await settle(pilot)  # the palette's search is a worker
        await pilot.press("enter")
        await settle(pilot)
        screen = harness.app.screen
        assert isinstance(screen, TenantScreen)
        assert screen.tenant.name == "acme-web-eu"


async def test_auto_refresh_waits_while_a_modal_is_open(tmp_path: Path) -> None:
    harness = build(tmp_path, refresh=1)
    timers = ManualTimers(harness.app.tenants_screen)

    def listings() -> int:
        return sum(r.path == "/key/list" for r in harness.store.requests)

    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        timers.fire()  # the refresh a second after the first load
        await settle(pilot)
        assert listings() == 2
        await pilot.press("question_mark")
        opened = listings()
        timers.fire()  # the next one comes due while the help is open
        await settle(pilot)
        assert listings() == opened  # nothing while the help is open
        await pilot.press("escape")
        await settle(pilot)
        assert listings() == opened + 1  # the refresh that came due runs once it closes


async def test_a_refresh_shows_new_spend_and_one_with_nothing_new_leaves_the_view_alone(
    tmp_path: Path,
) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 14)) as pilot:
        await settle(pilot)
        table = harness.app.screen.query_one(TenantTable)
        await pilot.press(*["down"] * 12)
        await pilot.press("up")  # the cursor mid-screen, the table scrolled
        scrolled, row = table.scroll_y, table.cursor_row
        assert scrolled > 0
        await pilot.press("r")
        await settle(pilot)
        assert (table.scroll_y, table.cursor_row) == (scrolled, row)

        web = next(k for k in harness.store.keys.values() if k.key_alias == "acme-web")
        before = _row_text(table, "acme-web")
        harness.store.charge(web, "gpt-4o", 100_000, 100_000, at=NOW)
        await pilot.press("r")
        await settle(pilot)
        assert _row_text(table, "acme-web") != before
        assert table.cursor_row == row


def _row_text(table: TenantTable, name: str) -> str:
    for index in range(table.row_count):
        cells = list(table.cells_at(index).values())
        if name in cells[0].split():
            return " ".join(cells)
    raise AssertionError(f"{name} not in the table")


class _Stopwatch:
    """Stands in for `time` in the tenants screen: every refresh it times took `took` s."""

    def __init__(self, took: float) -> None:
        self._readings = itertools.cycle((0.0, took))  # the start, then the end, of each

    def monotonic(self) -> float:
        return next(self._readings)


async def test_auto_refresh_keeps_its_cadence_and_gives_a_slow_proxy_quiet_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--refresh 4`: a refresh that took 1 s is followed by the next 3 s later (one every 4 s);
    one that took 10 s by the next 1 s later (never back to back, never overlapping)."""
    harness = build(tmp_path, refresh=4.0)
    timers = ManualTimers(harness.app.tenants_screen)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert len(timers.pending()) == 1
        for took, wait in ((1.0, 3.0), (10.0, 1.0)):
            monkeypatch.setattr(tenants, "time", _Stopwatch(took))
            await pilot.press("r")  # while the next auto-refresh is pending: it is replaced
            await settle(pilot)
            assert [timer.delay for timer in timers.pending()] == [wait]
