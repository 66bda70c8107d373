"""Pilots of the bulk editor over the simulator: the preview follows what is typed, Escape sends
nothing, and a write that fails in the middle leaves the screen open, every row and the journal
telling the same story."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, ProgressBar, Static

from budgettui.services.bulk import BulkResult, Kind
from budgettui.services.journal import read_entries
from budgettui.simulator import Store
from budgettui.ui.screens.bulk_editor import BulkEditorScreen
from budgettui.ui.screens.confirm import ConfirmScreen, DeliberateConfirm
from budgettui.ui.screens.tenants import TenantsScreen
from tests.uihelpers import Harness, build, rendered_text, settle

FOUR = ("acme-api", "acme-batch", "acme-web", "acme-web-eu")
SIZE = (120, 36)


async def _open(
    pilot: Pilot[None], kind: Kind, names: tuple[str, ...], results: list[BulkResult | None]
) -> BulkEditorScreen:
    """The bulk editor on the named tenants, as the tenants screen opens it for marked rows."""
    await settle(pilot)
    app = pilot.app
    session = app.tenants_screen.session  # type: ignore[attr-defined]
    by_name = {tenant.name: tenant for tenant in session.overview.tenants}
    screen = BulkEditorScreen(session, [by_name[name] for name in names], kind)
    app.push_screen(screen, callback=results.append)
    await settle(pilot)
    return screen


def _rows(screen: BulkEditorScreen) -> list[tuple[str, ...]]:
    """The preview as the admin reads it: tenant, change, outcome."""
    table = screen.query_one("#bulk-preview", DataTable)
    return [
        tuple(str(cell).strip() for cell in table.get_row_at(i)) for i in range(table.row_count)
    ]


def _text(screen: BulkEditorScreen, selector: str) -> str:
    return " ".join(rendered_text(screen.query_one(selector, Static)).split())


def _budget(store: Store, alias: str) -> float | None:
    return next(k.max_budget for k in store.keys.values() if k.key_alias == alias)


def _journaled(harness: Harness) -> dict[str, str]:
    """Each tenant's journaled outcome, its `attempted` line paired with the line after."""
    entries = read_entries(harness.journal_path)
    ended = {e.write_id: e.result.status for e in entries if e.result.status != "attempted"}
    return {str(e.tenant): ended[e.write_id] for e in entries if e.result.status == "attempted"}


async def test_the_preview_shows_every_change_as_it_is_typed(tmp_path: Path) -> None:
    harness = build(tmp_path)
    results: list[BulkResult | None] = []
    async with harness.app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "budget", ("acme-api", "acme-web", "hooli"), results)
        await pilot.press(*"7")
        await settle(pilot)
        assert _rows(screen) == [
            ("acme-api", "budget no cap → $7.00", ""),
            ("acme-web", "budget $4.91 → $7.00", ""),
            ("hooli", "skipped: no key yet (provisioning)", ""),
        ]
        assert _text(screen, "#bulk-summary").startswith("2 changes to send, 1 skipped.")

        await pilot.press("tab", *"7d")
        await settle(pilot)
        assert _rows(screen)[1][1] == "budget $4.91 → $7.00, duration 30d → 7d"

        await pilot.press("shift+tab", "ctrl+u", *"1e3", "ctrl+s")
        await settle(pilot)
        assert "no exponents" in _text(screen, "#amount-problem")
        assert [row[1] for row in _rows(screen)] == ["", "", ""]  # nothing to preview
        assert harness.app.screen is screen  # nothing to confirm either
    assert harness.writes() == []


async def test_escape_before_applying_sends_nothing(tmp_path: Path) -> None:
    harness = build(tmp_path)
    results: list[BulkResult | None] = []
    async with harness.app.run_test(size=SIZE) as pilot:
        await _open(pilot, "budget", FOUR, results)
        await pilot.press(*"7", "ctrl+s")
        await pilot.pause()  # not settle: the apply waits on the question
        assert isinstance(harness.app.screen, ConfirmScreen)
        await pilot.press("escape")  # no to the question: back to the editor
        await settle(pilot)
        assert isinstance(harness.app.screen, BulkEditorScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(harness.app.screen, TenantsScreen)
    assert results == [None]
    assert harness.writes() == []
    assert not harness.journal_path.exists()


async def test_a_failure_in_the_middle_keeps_the_screen_and_the_journal_in_step(
    tmp_path: Path,
) -> None:
    harness = build(tmp_path)
    results: list[BulkResult | None] = []
    async with harness.app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "budget", FOUR, results)
        await pilot.press(*"7")
        gone = next(k for k in harness.store.keys.values() if k.key_alias == "acme-batch")
        del harness.store.keys[gone.token]  # deleted elsewhere since the preview
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert harness.app.screen is screen  # it never closes on a failure
        rows = _rows(screen)
        assert [row[2].split(":")[0] for row in rows] == [
            "applied",
            "failed",
            "not attempted",
            "not attempted",
        ]
        assert "Key not found" in rows[1][2]
        progress = screen.query_one("#bulk-progress", ProgressBar)
        assert (progress.progress, progress.total) == (2, 4)
        status = _text(screen, "#bulk-status")
        assert _text(screen, "#bulk-summary") == "Done: 1 applied, 1 failed, 2 not attempted."
        assert status.startswith("acme-batch failed: Not found: Key not found.")
        assert _journaled(harness) == {"acme-api": "applied", "acme-batch": "failed"}
        assert _budget(harness.store, "acme-web") != 7.0

        await pilot.press("ctrl+s")  # the run is over: nothing is sent again
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert harness.writes() == ["POST /key/update"] * 2
    (result,) = results
    assert result is not None
    assert [o.status for o in result.outcomes] == [
        "applied",
        "failed",
        "not_attempted",
        "not_attempted",
    ]


async def test_the_box_goes_on_after_a_failure(tmp_path: Path) -> None:
    harness = build(tmp_path)
    results: list[BulkResult | None] = []
    async with harness.app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "budget", FOUR, results)
        await pilot.press(*"7")
        screen.query_one("#bulk-keep-going", Checkbox).value = True
        gone = next(k for k in harness.store.keys.values() if k.key_alias == "acme-batch")
        del harness.store.keys[gone.token]
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        outcomes = [row[2].split(":")[0] for row in _rows(screen)]
        assert outcomes == ["applied", "failed", "applied", "applied"]
        assert _journaled(harness) == dict(zip(FOUR, outcomes, strict=True))
        await pilot.press("escape")
    assert _budget(harness.store, "acme-web-eu") == 7.0


async def test_a_run_that_all_comes_through_closes_with_its_result(tmp_path: Path) -> None:
    """A reset is asked as deliberately as a single one: Enter does not confirm, `y` does."""
    harness = build(tmp_path)
    results: list[BulkResult | None] = []
    async with harness.app.run_test(size=SIZE) as pilot:
        await _open(pilot, "reset", ("acme-api", "acme-web", "hooli"), results)
        await pilot.press("ctrl+s")
        await pilot.pause()  # not settle: the apply waits on the question
        assert isinstance(harness.app.screen, DeliberateConfirm)
        await pilot.press("enter")
        assert harness.writes() == []
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(harness.app.screen, TenantsScreen)
    (result,) = results
    assert result is not None
    assert [o.status for o in result.outcomes] == ["applied", "applied", "skipped"]
    assert [f"{r.method} {r.path}" for r in harness.store.requests if r.method == "POST"] == [
        f"POST /key/{o.tenant.key_hash}/reset_spend" for o in result.outcomes[:2]
    ]
    spends = {k.key_alias: k.spend for k in harness.store.keys.values()}
    assert (spends["acme-api"], spends["acme-web"]) == (0, 0)
