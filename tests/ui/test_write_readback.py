"""The budget editor checks each write by reading it back: a change LiteLLM 1.84.10 answers 200
to but does not apply keeps the editor open with what was typed and the fields not applied; a
change applied but not journaled closes it and says so."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import AuditEntry, Journal, JournalError, read_entries
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from budgettui.simulator.models import Key
from budgettui.ui.app import BudgetApp, make_app
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.tenants import TenantsScreen
from tests.uihelpers import NOW, rendered_text, settle, table_names

TENANT = "acme-web"  # seeded with a 30d period


def _app(store: Store, version: str, journal: Journal) -> BudgetApp:
    transport = httpx.ASGITransport(app=create_app(store, Faults(), litellm_version=version))
    settings = Settings(DEMO_URL, Secret(DEMO_KEYS["master"]), refresh_seconds=0)
    return make_app(settings, transport=transport, clock=lambda: NOW, tz=UTC, journal=journal)


def _key(store: Store) -> Key:
    return next(k for k in store.keys.values() if k.key_alias == TENANT)


async def _save_budget(pilot: Pilot[None], app: BudgetApp, amount: str, duration: str) -> None:
    for _ in range(table_names(app).index(TENANT)):
        await pilot.press("down")
    await pilot.press("b", "ctrl+u", *amount, "tab", "ctrl+u", *duration, "enter")
    await settle(pilot)


@pytest.mark.parametrize("version", ["1.84.10", "1.108.7"])
async def test_a_period_that_is_not_cleared_keeps_the_editor_open(
    version: str, tmp_path: Path
) -> None:
    store = demo_store(NOW)
    journal = Journal(tmp_path / "audit.jsonl")
    app = _app(store, version, journal)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _save_budget(pilot, app, "60", "none")
        editor = app.screen
        if version == "1.84.10":
            assert isinstance(editor, BudgetEditor)
            shown = " ".join(rendered_text(editor.query_one("#save-error", Static)).split())
            assert shown == "LiteLLM did not apply: duration (still 30d)"
            assert editor.query_one("#amount", Input).value == "60"
            assert editor.query_one("#duration", Input).value == "none"
            assert app.session.undo == []  # nothing to undo: it did not go through
        else:
            assert isinstance(editor, TenantsScreen)
            assert (_key(store).max_budget, _key(store).budget_duration) == (60, None)
            assert len(app.session.undo) == 1
    outcome = "not_applied" if version == "1.84.10" else "applied"
    assert [e.result.status for e in read_entries(journal.path)] == ["attempted", outcome]


class FailsAfterTheAttempt(Journal):
    def append(self, entry: AuditEntry, *, secret: str | None = None) -> None:
        if entry.result.status != "attempted":
            raise JournalError(f"cannot write the audit journal {self.path}: No space left")
        super().append(entry, secret=secret)


async def test_an_applied_change_the_journal_missed_closes_and_says_so(tmp_path: Path) -> None:
    store = demo_store(NOW)
    app = _app(store, "1.108.7", FailsAfterTheAttempt(tmp_path / "audit.jsonl"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _save_budget(pilot, app, "60", "30d")
        assert isinstance(app.screen, TenantsScreen)
        assert _key(store).max_budget == 60
        toasts = [(n.title, n.message) for n in app._notifications]
        assert (
            "Applied, not journaled",
            "applied, but the journal could not be written: cannot write the audit journal "
            f"{tmp_path / 'audit.jsonl'}: No space left",
        ) in toasts
        assert len(app.session.undo) == 1  # the change stands, so it can be undone
