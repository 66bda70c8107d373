"""Pilots of the editors against the simulator: what is sent (its request log), what is kept
when the proxy says no, and what the journal records."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import Input, Static

from budgettui.services.journal import read_entries
from budgettui.simulator import Store
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.confirm import ConfirmScreen
from budgettui.ui.screens.reset_spend import ResetSpendDialog
from budgettui.ui.screens.tenants import TenantsScreen
from tests.uihelpers import build, rendered_text, settle, table_names


def _key(store: Store, alias: str):  # type: ignore[no-untyped-def]
    return next(k for k in store.keys.values() if k.key_alias == alias)


async def _select(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    names = table_names(pilot.app)
    for _ in range(names.index(name)):
        await pilot.press("down")


async def test_set_change_and_remove_a_budget(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        original = _key(harness.store, "acme-web").max_budget
        await pilot.press("b")
        assert isinstance(harness.app.screen, BudgetEditor)
        await pilot.press("ctrl+u", *"75", "enter")
        await settle(pilot)
        assert isinstance(harness.app.screen, TenantsScreen)
        key = _key(harness.store, "acme-web")
        assert key.max_budget == 75
        assert key.budget_duration == "30d"  # unchanged fields are not sent
        assert harness.writes() == ["POST /key/update"]

        await pilot.press("b", "tab", "ctrl+u", *"7d", "enter")
        await settle(pilot)
        assert _key(harness.store, "acme-web").budget_duration == "7d"

        await pilot.press("b", "ctrl+u", "enter")  # empty amount: no cap, no period
        await settle(pilot)
        key = _key(harness.store, "acme-web")
        assert (key.max_budget, key.budget_duration, key.budget_reset_at) == (None, None, None)
        entries = read_entries(harness.journal_path)
        assert [e.action for e in entries] == ["budget.set"] * 6
        assert entries[0].before == {"max_budget": original, "budget_duration": "30d"}
        assert entries[0].after == {"max_budget": 75.0}
        assert [e.result.status for e in entries] == ["attempted", "applied"] * 3
        assert stat.S_IMODE(harness.journal_path.stat().st_mode) == 0o600


async def test_invalid_input_is_explained_and_nothing_is_sent(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        await pilot.press("b", "ctrl+u", *"1,000", "enter")
        editor = harness.app.screen
        assert isinstance(editor, BudgetEditor)
        problem = rendered_text(editor.query_one("#amount-problem", Static))
        assert "thousands separators" in problem
        assert harness.writes() == []


async def test_a_refusal_from_the_proxy_keeps_the_modal_and_the_typed_text(
    tmp_path: Path,
) -> None:
    harness = build(tmp_path)
    harness.faults.status_by_path["/key/update"] = 400
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        await pilot.press("b", "ctrl+u", *"80", "enter")
        await settle(pilot)
        editor = harness.app.screen
        assert isinstance(editor, BudgetEditor)
        assert editor.query_one("#amount", Input).value == "80"
        assert "HTTP 400" in rendered_text(editor.query_one("#save-error", Static))
        entries = read_entries(harness.journal_path)
        assert entries[-1].result.status == "failed"
        assert entries[-1].result.http_status == 400


async def test_double_submit_sends_one_request(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        harness.faults.latency = 0.3
        await pilot.press("b", "ctrl+u", *"90", "enter", "enter", "ctrl+s")
        await settle(pilot)
        assert harness.writes().count("POST /key/update") == 1


async def test_a_viewer_is_told_why_and_nothing_is_sent(tmp_path: Path) -> None:
    harness = build(tmp_path, role="proxy_admin_viewer")
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        await pilot.press("b", "R", "o")
        await pilot.pause()
        assert isinstance(harness.app.screen, TenantsScreen)
        messages = [n.message for n in harness.app._notifications]
        assert any("read-only role" in m for m in messages)
        assert harness.writes() == []


async def test_reset_spend_with_confirmation(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        await pilot.press("R")
        assert isinstance(harness.app.screen, ResetSpendDialog)
        await pilot.press("ctrl+s")  # Enter in the amount does not move on (test_glance_editors)
        await pilot.pause()
        confirm = harness.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "acme-web" in confirm.question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(harness.app.screen, TenantsScreen)
        assert _key(harness.store, "acme-web").spend == 0
        assert harness.writes() == [
            f"POST /key/{_key(harness.store, 'acme-web').token}/reset_spend"
        ]
        assert read_entries(harness.journal_path)[-1].action == "spend.reset"


async def test_spend_that_moved_under_the_dialog_is_shown_and_asked_again(
    tmp_path: Path,
) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        await pilot.press("R")
        key = _key(harness.store, "acme-web")
        key.spend += 1.25  # traffic arrives while the admin reads the dialog
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        dialog = harness.app.screen
        assert isinstance(dialog, ResetSpendDialog)
        assert harness.writes() == []
        assert "spend changed" in rendered_text(dialog.query_one("#reset-error", Static))
        assert f"{key.spend:.2f}" in rendered_text(dialog.query_one("#reset-current", Static))
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert _key(harness.store, "acme-web").spend == 0
        assert len(harness.writes()) == 1


async def test_org_budget_and_undo(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        team = next(t for t in harness.store.teams.values() if t.team_alias == "acme")
        before = team.max_budget
        await pilot.press("o", "ctrl+u", *"20", "enter")  # the cursor starts on the acme row
        await settle(pilot)
        assert team.max_budget == 20
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(harness.app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert team.max_budget == before
        assert [(e.action, e.result.status) for e in read_entries(harness.journal_path)] == [
            ("org_budget.set", "attempted"),
            ("org_budget.set", "applied"),
            ("budget.undo", "attempted"),
            ("budget.undo", "applied"),
        ]
        assert harness.writes() == ["POST /team/update", "POST /team/update"]
