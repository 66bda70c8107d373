"""Snapshots of the admin's-day views, as `test_snapshots.py` takes them (fixed size, seed,
clock, UTC, every worker finished): the `:` command line with its completion, the contexts
list, the at-risk view, and an org opened with Enter on its row. Review a changed snapshot as
a picture before accepting it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.snapshots.test_snapshots import NARROW, WIDE, RunBefore, Snap, _compare
from tests.ui.contexts_support import two_proxies
from tests.uihelpers import build, settle


def _keys(*keys: str) -> RunBefore:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)
        await pilot.pause(0.1)  # the suggestion is worked out after the key

    return run_before


def test_command_line_completes(
    snap_compare: Snap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`:ctx st` with `staging` suggested (Tab takes it)."""
    app = two_proxies(tmp_path, monkeypatch).app
    assert _compare(snap_compare, app, WIDE, _keys("colon", *"ctx", "space", *"st"))


def test_contexts_list(snap_compare: Snap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`:ctx` alone: the config file's contexts, the one in use marked, the read-only one said."""
    app = two_proxies(tmp_path, monkeypatch).app
    assert _compare(snap_compare, app, WIDE, _keys("colon", *"ctx", "enter"))


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x36", "80x24"])
def test_at_risk(snap_compare: Snap, tmp_path: Path, size: tuple[int, int]) -> None:
    assert _compare(snap_compare, build(tmp_path).app, size, _keys("exclamation_mark"))


def test_org_opened_from_its_row(snap_compare: Snap, tmp_path: Path) -> None:
    """Enter on the first row (the org acme) opens the org screen."""
    assert _compare(snap_compare, build(tmp_path).app, NARROW, _keys("enter"))


def test_marked_tenants(snap_compare: Snap, tmp_path: Path) -> None:
    """Two tenants marked for a bulk edit: `●` where their indent was, in bold."""
    assert _compare(snap_compare, build(tmp_path).app, NARROW, _keys("down", "space", "space"))
