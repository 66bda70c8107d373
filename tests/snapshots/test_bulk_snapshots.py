"""Snapshots of the bulk editor at 100x30, on the snapshots' seed, clock and UTC: its preview of
every change, and its rows once a write has failed in the middle. Review a changed one as a
picture before accepting it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from budgettui.services.bulk import Kind
from budgettui.ui.screens.bulk_editor import BulkEditorScreen
from tests.snapshots.test_snapshots import Snap, _compare
from tests.uihelpers import Harness, build, settle

SIZE = (100, 30)
MARKED = ("acme-api", "acme-batch", "acme-web", "globex-ml", "hooli")


async def _open(pilot: Pilot[Any], kind: Kind, *keys: str) -> None:
    """The editor on the marked tenants, as the tenants screen opens it, then `keys`."""
    await settle(pilot)
    session = pilot.app.tenants_screen.session
    by_name = {tenant.name: tenant for tenant in session.overview.tenants}
    pilot.app.push_screen(BulkEditorScreen(session, [by_name[n] for n in MARKED], kind))
    await settle(pilot)
    await pilot.press(*keys)


def test_bulk_budget_preview(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, "budget", *"7")
        await settle(pilot)

    assert _compare(snap_compare, build(tmp_path).app, SIZE, run_before)


def test_bulk_budget_failed_in_the_middle(snap_compare: Snap, tmp_path: Path) -> None:
    harness: Harness = build(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, "budget", *"7")
        gone = next(k for k in harness.store.keys.values() if k.key_alias == "acme-batch")
        del harness.store.keys[gone.token]  # deleted elsewhere since the preview
        await pilot.press("ctrl+s", "y")
        await settle(pilot)

    assert _compare(snap_compare, harness.app, SIZE, run_before)


def test_bulk_reset_preview(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _open(pilot, "reset", "ctrl+u", *"0.6")
        await settle(pilot)

    assert _compare(snap_compare, build(tmp_path).app, SIZE, run_before)
