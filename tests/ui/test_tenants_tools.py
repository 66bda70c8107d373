"""The tenants screen's tools, as a user drives them: marks then `b` open one editor for the
marked tenants, `e` writes what the table shows, `y` copies, `!` lists what is at risk, Enter on
an org row opens the org."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from budgettui.ui.screens.bulk_editor import BulkEditorScreen
from budgettui.ui.screens.org import OrgScreen
from budgettui.ui.screens.risk import RiskScreen
from budgettui.ui.screens.tenants import TenantsScreen
from tests.uihelpers import build, settle


async def test_marks_then_b_open_one_editor_for_the_marked_tenants(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "space", "space")  # acme-admin-key, acme-api
        assert [t.name for t in app.tenants_screen.marked_tenants()] == [
            "acme-admin-key",
            "acme-api",
        ]
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BulkEditorScreen)
        assert [t.name for t in screen.tenants] == ["acme-admin-key", "acme-api"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.tenants_screen.marked  # cancelled: the marks stay for another try


async def test_star_marks_what_the_filter_shows(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"web", "enter", "asterisk")
        await settle(pilot)
        screen = app.tenants_screen
        assert sorted(t.name for t in screen.marked_tenants()) == ["acme-web", "acme-web-eu"]


async def test_e_writes_the_filtered_table_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = build(tmp_path).app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"globex", "enter", "e")
        await settle(pilot)
    assert {row["tenant"] for row in _exported(tmp_path)} == {
        "globex-dev-key",
        "globex-ml",
        "globex-portal",
        "globex-search",
    }


def _exported(directory: Path) -> list[dict[str, str]]:
    (written,) = directory.glob("budgettui-tenants-*.csv")
    return list(csv.DictReader(io.StringIO(written.read_text())))


async def test_y_copies_the_alias_key_name_and_team(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "y")
        await pilot.pause()
        alias, key_name, team = app.clipboard.split("\t")
        assert alias == "acme-admin-key"
        assert key_name.startswith("sk-")
        assert team  # the team id, never the key itself
        assert app.session.settings.api_key.reveal() not in app.clipboard


async def test_bang_lists_what_is_at_risk_worst_first(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RiskScreen)
        assert [row.name for row in screen.rows] == ["globex-ml", "acme-batch", "acme-web-eu"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TenantScreen"


async def test_enter_on_an_org_row_opens_the_org(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)
        await pilot.press("enter")  # the first row: the org acme
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OrgScreen)
        assert screen.org.name == "acme"
