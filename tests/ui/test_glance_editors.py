"""Issue 13 for the editors and the app shell: a spend reset that cannot slip, a reset that `u`
puts back, refusals that explain the rule of the thing refused, toasts that render Textual's
markup but never ours, do not pile up, and a screenshot that says where it went."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from budgettui.services.journal import read_entries
from budgettui.simulator import Store
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.confirm import ConfirmScreen
from budgettui.ui.screens.reset_spend import ResetSpendDialog
from budgettui.ui.screens.tenants import TenantsScreen
from tests.uihelpers import NOW, Harness, Toasts, build, rendered_text, settle, table_names


def _key(store: Store, alias: str):  # type: ignore[no-untyped-def]
    return next(k for k in store.keys.values() if k.key_alias == alias)


async def _select(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(table_names(pilot.app).index(name)):
        await pilot.press("down")


def _toasts(app: BudgetApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_enter_alone_never_resets_spend(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        spend = _key(harness.store, "acme-web").spend
        await pilot.press("R", "enter", "enter", "enter")  # the reflex that used to reset
        await settle(pilot)
        dialog = harness.app.screen
        assert isinstance(dialog, ResetSpendDialog)
        assert "ctrl+s" in rendered_text(dialog.query_one("#reset-error", Static))
        await pilot.press("ctrl+s", "enter", "enter")  # the confirmation: Enter is not yes
        await pilot.pause()  # (not settle: the reset's worker waits for the answer)
        assert isinstance(harness.app.screen, ConfirmScreen)
        assert "Enter does not confirm" in rendered_text(
            harness.app.screen.query_one("#confirm-hint", Static)
        )
        assert harness.writes() == []
        assert _key(harness.store, "acme-web").spend == spend
        await pilot.press("y")
        await settle(pilot)
        assert _key(harness.store, "acme-web").spend == 0


async def test_u_puts_a_reset_spend_back_and_journals_it(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-web")
        key = _key(harness.store, "acme-web")
        spend = key.spend
        await pilot.press("R")
        notes = rendered_text(harness.app.screen.query_one("#reset-notes", Static))
        assert "Press u afterwards to put the spend back." in notes
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert key.spend == 0
        await pilot.press("u")
        await pilot.pause()
        confirm = harness.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert f"put the spend of acme-web back to ${spend:.2f} (now $0.00)" in confirm.question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(harness.app.screen, TenantsScreen)
        assert key.spend == pytest.approx(spend)
        assert harness.writes() == [f"POST /key/{key.token}/reset_spend", "POST /key/update"]
        assert [(e.action, e.result.status) for e in read_entries(harness.journal_path)] == [
            ("spend.reset", "attempted"),
            ("spend.reset", "applied"),
            ("spend.undo", "attempted"),
            ("spend.undo", "applied"),
        ]
        assert any(f"spend of ${spend:.2f} for acme-web again" in m for m in _toasts(harness.app))


def _member_key(harness: Harness) -> None:
    """A key of another acme member: its team admin may reset it, not set its spend."""
    store = harness.store
    acme = next(t for t in store.teams.values() if t.team_alias == "acme")
    member = store.add_user("acme-dev", None, "internal_user", created_at=NOW - timedelta(days=5))
    store.add_member(acme.team_id, member.user_id, "user")
    key = store.add_key(
        "sk-glance-acme-dev-0001", key_alias="acme-dev-key", team_id=acme.team_id,
        user_id=member.user_id, created_at=NOW - timedelta(days=5),
    )  # fmt: skip
    store.apply_spend(key, 3.5, NOW - timedelta(days=1))


async def test_a_reset_that_cannot_be_undone_says_so_before_confirming(tmp_path: Path) -> None:
    harness = build(tmp_path, role="team_admin")
    _member_key(harness)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _select(pilot, "acme-dev-key")
        await pilot.press("R")
        await settle(pilot)
        dialog = harness.app.screen
        assert isinstance(dialog, ResetSpendDialog)
        notes = rendered_text(dialog.query_one("#reset-notes", Static))
        assert "This cannot be undone from budgettui." in notes
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "This cannot be undone from budgettui." in harness.app.screen.detail  # type: ignore[attr-defined]
        await pilot.press("y")
        await settle(pilot)
        assert _key(harness.store, "acme-dev-key").spend == 0
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(harness.app.screen, TenantsScreen)
        assert "nothing to undo in this session" in _toasts(harness.app)


async def test_u_with_nothing_to_undo_says_so(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await pilot.pause()
        assert "nothing to undo in this session" in _toasts(harness.app)


async def test_budget_undo_shows_money_with_a_dollar(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        team = next(t for t in harness.store.teams.values() if t.team_alias == "acme")
        before = team.max_budget
        await pilot.press("o", "ctrl+u", *"20", "enter")
        await settle(pilot)
        await pilot.press("u")
        await pilot.pause()
        confirm = harness.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert f"back to ${before:.2f}, period" in confirm.question


@pytest.mark.parametrize("role", ["team_admin", "internal_user"])
async def test_o_explains_the_org_rule_not_the_key_rule(tmp_path: Path, role: str) -> None:
    harness = build(tmp_path, role=role)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        (message,) = [m for m in _toasts(harness.app) if "budget" in m]
        assert "only proxy admins change a team's budget" in message
        assert "team's keys" not in message
        assert harness.writes() == []


async def test_ctrl_c_renders_textuals_markup_and_ours_stays_literal(tmp_path: Path) -> None:
    harness = build(tmp_path)
    toasts = Toasts()
    async with harness.app.run_test(size=(120, 36), message_hook=toasts) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        harness.app.notify("alias [b]x[/b]")
        await pilot.pause()
    quit_hint = next(n for n in toasts.raised if n.title == "Do you want to quit?")
    assert quit_hint.markup  # Textual's own text: the key is drawn in bold
    assert "[b]q[/b]" in quit_hint.message
    ours = next(n for n in toasts.raised if n.message == "alias [b]x[/b]")
    assert not ours.markup


async def test_identical_toasts_collapse_while_shown(tmp_path: Path) -> None:
    harness = build(tmp_path)
    toasts = Toasts()
    async with harness.app.run_test(size=(120, 36), message_hook=toasts) as pilot:
        await settle(pilot)
        for _ in range(5):
            harness.app.notify("proxy unreachable", title="Refresh failed", severity="error")
        harness.app.notify("proxy unreachable", title="Refresh failed", severity="warning")
        await pilot.pause()
    lines = [line for line in toasts.lines() if "unreachable" in line]
    assert lines == ["Refresh failed: proxy unreachable"] * 2  # one error, one warning


async def test_screenshot_says_where_it_went(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pictures = tmp_path / "pictures"
    monkeypatch.setattr("budgettui.ui.app.screenshot_directory", lambda: pictures / "budgettui")
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        harness.app.deliver_screenshot()
        for _ in range(50):  # the driver writes in a thread, then posts DeliveryComplete
            await pilot.pause(0.05)
            if any("screenshot" in m for m in _toasts(harness.app)):
                break
    (saved,) = list((pictures / "budgettui").glob("*.svg"))
    (message,) = [m for m in _toasts(harness.app) if "screenshot" in m]
    assert message == f"Saved the screenshot to {saved}"


async def test_a_screenshot_that_cannot_be_saved_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "pictures"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setattr("budgettui.ui.app.screenshot_directory", lambda: blocker / "budgettui")
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        harness.app.deliver_screenshot()
        await pilot.pause()
    (message,) = [m for m in _toasts(harness.app) if "screenshot" in m]
    assert message == f"Cannot save the screenshot: {blocker / 'budgettui'}: Not a directory"
