"""The editors' fields, end to end: whatever is typed (or pasted) into the budget editor or the
spend-reset dialog is judged by `domain.validation`, the problem shown next to the field names
the rule, and a save with a bad value sends nothing. The rules themselves are tested in
tests/unit/test_validation.py; this is the wiring, with the same hostile text the CLI gets."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.widgets import Input, Static

from budgettui.domain.validation import (
    ValidationError,
    describe_change,
    parse_reset_value,
    validate_budget_form,
)
from budgettui.simulator import DEMO_KEYS, Store, demo_store
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.reset_spend import ResetSpendDialog
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.security.support import build_app
from tests.security.test_cli_input import CLASSICS, TEXT
from tests.uihelpers import NOW, rendered_text, settle, table_names

DURATIONS = ["30d", "1mo", "2mo", "1y", "0d", "7 d", "1M", "daily", "none", "3651d", "1e3d"]


def _posts(store: Store) -> int:
    return sum(r.method == "POST" for r in store.requests)


async def _open(pilot: Pilot[None], key: str) -> None:
    table = pilot.app.screen.query_one(TenantTable)
    table.move_cursor(row=table_names(pilot.app).index("acme-web"))  # type: ignore[arg-type]
    await pilot.press(key)


def _shown(app: BudgetApp, selector: str) -> str:
    """A Static's text, its wrapping undone."""
    return _words(rendered_text(app.screen.query_one(selector, Static)))


def _words(text: str) -> str:
    return " ".join(text.split())


async def _judge_budget_form(pilot: Pilot[None], store: Store, field: str, text: str) -> None:
    app = pilot.app
    editor = app.screen
    assert isinstance(editor, BudgetEditor)
    editor.query_one(f"#{field}", Input).value = text
    await pilot.pause(0)  # the Changed message handled; no wait for idle
    amount = editor.query_one("#amount", Input).value
    duration = editor.query_one("#duration", Input).value
    try:
        draft = validate_budget_form(amount, duration)
    except ValidationError as error:
        for problem in error.problems:
            shown = _shown(app, f"#{problem.field}-problem")
            assert shown == _words(problem.message)
        assert _shown(app, "#preview") == "Fix the field above to save."
        posts = _posts(store)
        editor.action_save()  # what ctrl+s does (pressing it costs a wait for idle each time)
        await pilot.pause(0)
        assert app.screen is editor  # still open, nothing sent
        assert _posts(store) == posts
        return
    assert _shown(app, "#amount-problem") == ""
    assert _shown(app, "#preview").startswith(f"Change: {describe_change(editor.cap, draft)}")


async def _judge_reset(pilot: Pilot[None], store: Store, text: str) -> None:
    app = pilot.app
    dialog = app.screen
    assert isinstance(dialog, ResetSpendDialog)
    field = dialog.query_one("#reset-to", Input)
    field.value = text
    await pilot.pause(0)
    cap = dialog.tenant.cap
    try:
        value = parse_reset_value(field.value, dialog.spend, cap.max_budget)
    except ValidationError as error:
        expected = "; ".join(p.message for p in error.problems)
        assert _shown(app, "#reset-problem") == _words(expected)
        posts = _posts(store)
        dialog.action_save()
        await pilot.pause(0)
        assert app.screen is dialog
        assert _posts(store) == posts
        return
    assert _shown(app, "#reset-problem") == ""
    assert dialog.value == value


async def _judge_all(tmp_path: Path, amounts: list[str], durations: list[str]) -> None:
    store = demo_store(NOW)
    app = build_app(tmp_path, store, DEMO_KEYS["master"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open(pilot, "b")
        for text in amounts:
            await _judge_budget_form(pilot, store, "amount", text)
        app.screen.query_one("#amount", Input).value = "50"
        for text in durations:
            await _judge_budget_form(pilot, store, "duration", text)
        await pilot.press("escape")
        await _open(pilot, "R")
        for text in amounts:
            await _judge_reset(pilot, store, text)
        await pilot.press("escape")
        # And a good value is accepted: one write, the store holds it.
        await _open(pilot, "b")
        app.screen.query_one("#amount", Input).value = "123.45"
        app.screen.query_one("#duration", Input).value = "1y"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, BudgetEditor)
    key = next(k for k in store.keys.values() if k.key_alias == "acme-web")
    assert (key.max_budget, key.budget_duration) == (123.45, "365d")
    assert _posts(store) == 1


async def test_the_editors_judge_every_classic_as_the_rules_say(tmp_path: Path) -> None:
    await _judge_all(tmp_path, CLASSICS, [*DURATIONS, *CLASSICS[:12]])


# Each example is a whole app session: a few, and no shrinking (it would take minutes).
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(st.lists(TEXT, min_size=10, max_size=10), st.lists(TEXT, min_size=5, max_size=5))
async def test_the_editors_judge_arbitrary_text_as_the_rules_say(
    amounts: list[str], durations: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        await _judge_all(Path(folder), amounts, durations)
