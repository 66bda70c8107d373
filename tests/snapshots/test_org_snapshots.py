"""Snapshots of the org screen, as `test_snapshots.py` takes them: fixed terminal size, seed and
clock, UTC, every worker finished. Review a changed snapshot as a picture before accepting it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from budgettui.services.org_loading import resolve_org
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.org import OrgScreen
from tests.snapshots.test_snapshots import NARROW, WIDE, RunBefore, Snap, _compare
from tests.ui.glance_support import ORG as BIG_ORG
from tests.ui.glance_support import glance_app
from tests.uihelpers import build, settle


def _open_org(name: str) -> RunBefore:
    """As Enter on the org's row will: the org from the overview the tenants screen loaded."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, BudgetApp)
        session = app.tenants_screen.session
        assert session.overview is not None
        app.push_screen(OrgScreen(session, resolve_org(session.overview, name)))
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x36", "80x24"])
def test_org(snap_compare: Snap, tmp_path: Path, size: tuple[int, int]) -> None:
    assert _compare(snap_compare, build(tmp_path).app, size, _open_org("acme"))


def test_org_unkind_data_at_80x24(snap_compare: Snap, tmp_path: Path) -> None:
    """$22,504.50 spent with no cap, a $1,051.20 month, two long names that differ only at the
    end: every digit there, the names cut in the middle and told apart."""
    assert _compare(snap_compare, glance_app(tmp_path), NARROW, _open_org(BIG_ORG))


def test_org_seen_by_a_member(snap_compare: Snap, tmp_path: Path) -> None:
    """LiteLLM shows a plain member only its own keys' usage: PARTIAL with the reason, the other
    tenants' shares n/a, never $0."""
    app = build(tmp_path, "internal_user").app
    assert _compare(snap_compare, app, WIDE, _open_org("globex"))
