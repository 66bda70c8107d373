"""The bulk editor: one budget, or one spend reset, for every marked tenant.

The fields are the single editors' (`BudgetFields`, `ResetToField`), checked as you type; under
them, a table of every tenant's change (or why it is skipped) that follows the fields. `ctrl+s`
asks once (a reset as deliberately as a single one: only `y`), then the writes go one by one
(`services.bulk.apply`), the progress bar and each row's outcome filling in as they land. It
stops at the first failure unless the box says go on. Escape before applying sends nothing.
After applying it closes with the result when everything came through; otherwise it stays, every
row saying what happened, until the admin has read it (escape still closes with the result)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, ProgressBar, Static

from budgettui.domain.tenants import Tenant
from budgettui.domain.validation import ValidationError
from budgettui.services.bulk import (
    STOPPING,
    BulkResult,
    Kind,
    Outcome,
    Plan,
    Status,
    apply,
    parse_new_budget,
    parse_reset_to,
    plan_budget,
    plan_reset,
)
from budgettui.ui.failures import ReportsFailures
from budgettui.ui.screens.budget_editor import BudgetFields, amount_text
from budgettui.ui.screens.confirm import ConfirmScreen, DeliberateConfirm
from budgettui.ui.screens.reset_spend import ResetSpendDialog, ResetToField
from budgettui.ui.session import Session
from budgettui.ui.widgets.footer import Footer
from budgettui.ui.widgets.theme_styles import GOOD, MUTED, NOTICE, URGENT

OUTCOME_STYLE: Final[dict[Status, str]] = {
    "applied": GOOD,
    "not_applied": URGENT,
    "failed": URGENT,
    "unknown": NOTICE,
    "skipped": MUTED,
    "not_attempted": MUTED,
}
_COLUMNS: Final = (("Tenant", "tenant"), ("Change", "change"), ("Outcome", "outcome"))
NOT_UNDONE = "u does not undo a bulk change; the journal keeps every tenant's earlier values."


class BulkEditorScreen(ModalScreen[BulkResult | None], ReportsFailures):
    """Dismissed with None when cancelled (nothing sent), else with the result of applying.

    `ModalScreen` first: Textual matches a widget's CSS type names along its first bases only,
    so with the mixin first neither Screen's `color: $foreground` nor ModalScreen's dimmed
    backdrop would apply (the text would take the panel's colour and vanish)."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="bulk.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="bulk.apply"),
    ]

    def __init__(self, session: Session, tenants: Sequence[Tenant], kind: Kind) -> None:
        super().__init__()
        self.session = session
        self.tenants = tuple(tenants)
        self.kind = kind
        self.plan: Plan | None = None
        self.outcomes: dict[int, Outcome] = {}  # by the step's index, as they land
        self.result: BulkResult | None = None
        self.applying = False

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        count = _counted(len(self.tenants), "marked tenant")
        with Vertical(id="bulk-dialog"):
            if self.kind == "budget":
                yield Static(Text(f"Budget of {count}"), id="bulk-title")
                yield BudgetFields(
                    self._common_amount(), "", period_hint="e.g. 14d; empty: each keeps its own"
                )
            else:
                yield Static(Text(f"Reset the spend of {count}"), id="bulk-title")
                yield ResetToField()
            yield Static(id="bulk-summary")
            yield DataTable(id="bulk-preview", cursor_type="row")
            yield Checkbox("Go on after a failure", id="bulk-keep-going", compact=True)
            yield ProgressBar(id="bulk-progress", show_eta=False)
            yield Static(id="bulk-status")
        yield Footer()

    def _common_amount(self) -> str:
        """The cap every marked tenant has, if they share one; else empty (no cap, as the
        preview then shows for each)."""
        caps = {tenant.cap.max_budget for tenant in self.tenants}
        return amount_text(caps.pop()) if len(caps) == 1 else ""

    def on_mount(self) -> None:
        self.query_one("#bulk-progress", ProgressBar).display = False
        self._replan()

    # -- the preview ----------------------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self) -> None:
        self._replan()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter is how a field is left in a hurry: here it never sends N writes."""
        self._status("Enter does not apply: ctrl+s reviews and applies, esc cancels.")

    def _replan(self) -> None:
        try:
            self.plan = self._plan()
        except ValidationError as error:
            self.plan = None
            self._show_problems(error)
        else:
            self._show_problems(None)
        self._draw_preview()

    def _plan(self) -> Plan:
        caller = self.session.caller
        if self.kind == "budget":
            new_budget = parse_new_budget(*self.query_one(BudgetFields).texts)
            return plan_budget(self.tenants, new_budget.draft_for, caller)
        reset_to = parse_reset_to(self.query_one(ResetToField).text)
        return plan_reset(self.tenants, reset_to, caller)

    def _show_problems(self, error: ValidationError | None) -> None:
        if self.kind == "budget":
            self.query_one(BudgetFields).show_problems(error)
        else:
            self.query_one(ResetToField).show_problems(error)

    def _draw_preview(self) -> None:
        self._draw_table()
        if self.plan is None:
            self._summary("Fix the field above to preview the changes.")
            return
        to_send, skipped = self.plan.to_send, len(self.plan.steps) - self.plan.to_send
        line = f"{_counted(to_send, 'change')} to send, {skipped} skipped."
        if to_send:
            line += " ctrl+s applies them one by one; esc cancels, nothing sent."
        self._summary(line)

    def _draw_table(self) -> None:
        """Every tenant's row from the plan and the outcomes so far. Drawn whole each time,
        columns sized to their cells: a DataTable cannot measure `Content` cells itself."""
        rows = [
            (Content(tenant.name), self._change_cell(index), self._outcome_cell(index))
            for index, tenant in enumerate(self.tenants)
        ]
        table = self.query_one("#bulk-preview", DataTable)
        row, column = table.cursor_coordinate
        widths = [
            max(len(label), *(cells[position].cell_length for cells in rows))
            for position, (label, _) in enumerate(_COLUMNS)
        ]
        # The outcome gets the width left, cropped there: the status line tells a row's whole
        # outcome, and a table wider than the dialog would hide it behind a scrollbar.
        left = table.size.width - sum(widths[:-1]) - 2 * table.cell_padding * len(widths) - 1
        if left > len(_COLUMNS[-1][0]):
            widths[-1] = min(widths[-1], left)
        table.clear(columns=True)
        for (label, key), width in zip(_COLUMNS, widths, strict=True):
            table.add_column(label, key=key, width=width)
        for index, cells in enumerate(rows):
            table.add_row(*cells, key=str(index))
        table.move_cursor(row=row, column=column, animate=False)

    def _change_cell(self, index: int) -> Content:
        if self.plan is None:
            return Content("")
        step = self.plan.steps[index]
        if step.sends:
            return Content(step.change)
        return Content.styled(f"skipped: {step.skip}", MUTED)

    def _outcome_cell(self, index: int) -> Content:
        outcome = self.outcomes.get(index)
        if outcome is None:
            return Content("")
        word = outcome.status.replace("_", " ")
        detail = outcome.message if outcome.status != "skipped" else ""  # the change says why
        shown = f"{word}: {detail}" if detail else word
        return Content.styled(shown, OUTCOME_STYLE[outcome.status])

    # -- applying -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply" and (self.applying or self.result is not None):
            return None  # shown dimmed: the writes are on their way, or done
        return True

    def action_apply(self) -> None:
        if self.applying or self.result is not None:
            return
        self._replan()
        plan = self.plan
        if plan is None:
            self.app.bell()
            return
        if not plan.to_send:
            self._status("Nothing to send: every marked tenant is skipped.")
            return
        self.applying = True
        self.refresh_bindings()
        self._confirm_and_apply(plan)

    @work(exclusive=True, group="bulk-apply", exit_on_error=False)
    async def _confirm_and_apply(self, plan: Plan) -> None:
        try:
            if not await self.app.push_screen_wait(_question(plan)):
                return
            self._lock(plan)
            editor = self.session.editor()
            keep_going = self.query_one("#bulk-keep-going", Checkbox).value
            result = await apply(plan, editor, self._landed, keep_going=keep_going)
        finally:
            self.applying = False
            self.refresh_bindings()
        self._finished(result)

    def _lock(self, plan: Plan) -> None:
        """Nothing typed or ticked while the writes go: the plan being sent is the one shown."""
        for field in self.query(Input):
            field.disabled = True
        self.query_one("#bulk-keep-going", Checkbox).disabled = True
        progress = self.query_one("#bulk-progress", ProgressBar)
        progress.update(total=plan.to_send, progress=0)
        progress.display = True
        self._summary(f"Applying {_counted(plan.to_send, 'change')} one by one…")

    def _landed(self, outcome: Outcome) -> None:
        """One write has ended: its row and the bar say so at once."""
        self._record(outcome)
        self._draw_table()
        progress = self.query_one("#bulk-progress", ProgressBar)
        progress.advance(1)
        self._status(f"Applying: {int(progress.progress)} of {int(progress.total or 0)} done…")

    def _record(self, outcome: Outcome) -> None:
        assert self.plan is not None
        index = next(i for i, step in enumerate(self.plan.steps) if step is outcome.step)
        self.outcomes[index] = outcome

    def _finished(self, result: BulkResult) -> None:
        self.result = result
        for outcome in result.outcomes:
            self._record(outcome)
        self._draw_table()
        if not result.troubled:
            self.dismiss(result)
            return
        self._summary(f"Done: {result.summary()}.")
        troubles = (o.status in STOPPING or o.journal_missed for o in result.outcomes)
        first = next(index for index, trouble in enumerate(troubles) if trouble)
        table = self.query_one("#bulk-preview", DataTable)
        table.move_cursor(row=first, animate=False)
        self._tell_outcome(first)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.result is not None:
            self._tell_outcome(event.cursor_row)

    def _tell_outcome(self, index: int) -> None:
        """After the run: the highlighted row's outcome in full."""
        assert self.result is not None
        outcome = self.result.outcomes[index]
        detail = outcome.status.replace("_", " ")
        if outcome.message:
            detail += f": {outcome.message}"
        self._status(f"{outcome.tenant.name} {detail}. Press esc to close.")

    def _summary(self, message: str) -> None:
        self.query_one("#bulk-summary", Static).update(Text(message, style="bold"))

    def _status(self, message: str) -> None:
        self.query_one("#bulk-status", Static).update(Text(message))

    def action_close(self) -> None:
        """Before applying: cancel, nothing sent. While applying: wait. After: the result."""
        if self.applying:
            self.app.bell()
            return
        self.dismiss(self.result)


def _counted(count: int, what: str) -> str:
    return f"{count} {what}" + ("" if count == 1 else "s")


def _question(plan: Plan) -> ConfirmScreen:
    """The one question before the writes: a reset as deliberately as a single reset."""
    if plan.kind == "reset":
        question = f"Reset the spend of {_counted(plan.to_send, 'tenant')}, one by one?"
        detail = f"LiteLLM keeps the spend logs. {ResetSpendDialog.NOT_UNDOABLE}"
        return DeliberateConfirm(question, detail)
    question = f"Apply {_counted(plan.to_send, 'budget change')}, one by one?"
    return ConfirmScreen(question, NOT_UNDONE)
