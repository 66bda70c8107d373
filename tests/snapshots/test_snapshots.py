"""Snapshots of every screen and modal: fixed terminal size, fixed seed, fixed clock, UTC, steady
cursors, and every worker finished before the picture is taken. `make screenshots` copies them
to screenshots/. Review a changed snapshot as a picture before accepting it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from budgettui.proxy.transport import ConnectionOptions, RetryPolicy
from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.ui.app import make_app
from tests.ui.caps_support import caps_app
from tests.ui.glance_support import BIG_SPENDER, glance_app
from tests.uihelpers import NOW, build, settle, table_names

Snap = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]
WIDE, NARROW = (120, 36), (80, 24)


def _steady_cursors(run_before: RunBefore) -> RunBefore:
    """Then stop every text field's cursor blinking: a blinking cursor is drawn or not depending
    on the half second the picture falls in. Done last, for fields a key press opened."""

    async def steady(pilot: Pilot[Any]) -> None:
        await run_before(pilot)
        for screen in pilot.app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
        await pilot.pause()

    return steady


def _compare(snap_compare: Snap, app: object, size: tuple[int, int], run_before: RunBefore) -> bool:
    return snap_compare(app, terminal_size=size, run_before=_steady_cursors(run_before))


def _keys_then_settle(*keys: str) -> RunBefore:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)

    return run_before


def _select_then(name: str, *keys: str, ends_waiting: bool = False) -> RunBefore:
    """`ends_waiting`: the last key opens a question a worker waits on, so only the screen
    (not the workers) can be waited for."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for _ in range(table_names(pilot.app).index(name)):  # type: ignore[arg-type]
            await pilot.press("down")
        for key in keys:
            await pilot.press(key)
        if ends_waiting:
            await pilot.pause(0.2)
        else:
            await settle(pilot)

    return run_before


def _snap(
    snap_compare: Snap,
    tmp_path: Path,
    size: tuple[int, int],
    run_before: RunBefore,
    role: str = "master",
) -> bool:
    return _compare(snap_compare, build(tmp_path, role).app, size, run_before)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x36", "80x24"])
def test_tenants(snap_compare: Snap, tmp_path: Path, size: tuple[int, int]) -> None:
    assert _snap(snap_compare, tmp_path, size, _keys_then_settle())


def test_tenants_light_theme(snap_compare: Snap, tmp_path: Path) -> None:
    """Switched at run time, as from the palette: every status colour reads on a light ground."""

    async def light(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await settle(pilot)

    assert _snap(snap_compare, tmp_path, WIDE, light)


def test_tenants_filtered(snap_compare: Snap, tmp_path: Path) -> None:
    assert _snap(snap_compare, tmp_path, WIDE, _keys_then_settle("slash", *"web", "enter"))


def test_tenants_sorted_by_used(snap_compare: Snap, tmp_path: Path) -> None:
    assert _snap(snap_compare, tmp_path, WIDE, _keys_then_settle("s", "s"))


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x36", "80x24"])
def test_tenant_current_month(snap_compare: Snap, tmp_path: Path, size: tuple[int, int]) -> None:
    assert _snap(snap_compare, tmp_path, size, _select_then("acme-web", "enter"))


def test_tenants_unkind_data_at_80x24(snap_compare: Snap, tmp_path: Path) -> None:
    """A $22,504.50 spend, a reset in 2028, a runway beyond a year, two long names that differ
    only at the end: every digit or a unit, every year, every name told apart."""
    run_before = _select_then(BIG_SPENDER)
    assert _compare(snap_compare, glance_app(tmp_path), NARROW, run_before)


def test_tenants_caps_showcase(snap_compare: Snap, tmp_path: Path) -> None:
    """Blocked and expired before any money, and whose cap binds (o, u, m) beside Used."""
    assert _compare(snap_compare, caps_app(tmp_path), WIDE, _keys_then_settle())


def test_tenant_every_cap(snap_compare: Snap, tmp_path: Path) -> None:
    """A personal key with no cap of its own, stopped by its owner's budget: a bar per cap."""
    run_before = _select_then("solo-capped-user", "enter")
    assert _compare(snap_compare, caps_app(tmp_path), WIDE, run_before)


def test_tenant_day_cursor(snap_compare: Snap, tmp_path: Path) -> None:
    """Two days back from today: the ▲ under the bar and the day's figures beneath."""
    run_before = _select_then("acme-api", "enter", "left", "left")
    assert _snap(snap_compare, tmp_path, WIDE, run_before)


def test_tenant_previous_month(snap_compare: Snap, tmp_path: Path) -> None:
    run_before = _select_then("acme-web", "enter", "left_square_bracket")
    assert _snap(snap_compare, tmp_path, WIDE, run_before)


def test_read_only_caller(snap_compare: Snap, tmp_path: Path) -> None:
    run_before = _select_then("ops-viewer-key", "b")  # pressing an editor key says why not
    assert _snap(snap_compare, tmp_path, WIDE, run_before, role="proxy_admin_viewer")


def test_provisioning_tenant(snap_compare: Snap, tmp_path: Path) -> None:
    assert _snap(snap_compare, tmp_path, WIDE, _select_then("hooli", "down", "enter", "b"))


def test_help(snap_compare: Snap, tmp_path: Path) -> None:
    assert _snap(snap_compare, tmp_path, WIDE, _keys_then_settle("question_mark"))


def test_error_screen_with_the_proxy_down(snap_compare: Snap, tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    settings = Settings(
        DEMO_URL,
        Secret("sk-snapshot-canary"),
        ConnectionOptions(retry=RetryPolicy(attempts=1)),
        refresh_seconds=0,
    )
    app = make_app(
        settings,
        transport=httpx.MockTransport(refuse),
        clock=lambda: NOW,
        journal=Journal(tmp_path / "audit.jsonl"),
    )
    assert _compare(snap_compare, app, WIDE, _keys_then_settle())


EDITOR_CASES: dict[str, Sequence[str]] = {
    "budget_editor_empty": ("b",),
    "budget_editor_invalid": ("b", "ctrl+u", *"1e309"),
    "budget_editor_preview": ("b", "ctrl+u", *"25", "tab", "ctrl+u", *"1mo", "f2"),
}


@pytest.mark.parametrize("keys", EDITOR_CASES.values(), ids=EDITOR_CASES.keys())
def test_editors(snap_compare: Snap, tmp_path: Path, keys: Sequence[str]) -> None:
    assert _snap(snap_compare, tmp_path, WIDE, _select_then("acme-api", *keys))


def test_reset_spend_confirmation(snap_compare: Snap, tmp_path: Path) -> None:
    run_before = _select_then("acme-web", "R", "ctrl+s", ends_waiting=True)
    assert _snap(snap_compare, tmp_path, WIDE, run_before)


def test_org_budget_editor(snap_compare: Snap, tmp_path: Path) -> None:
    assert _snap(snap_compare, tmp_path, NARROW, _select_then("acme", "o"))
