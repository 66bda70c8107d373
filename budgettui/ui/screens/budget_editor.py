"""The budget editor (a key's or an org's cap): amount and reset period, checked as you type,
a preview of the change, the equivalent `curl`, and a save that keeps the modal open (with
everything typed) when the proxy says no."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from budgettui.domain.budget import Cap
from budgettui.domain.validation import (
    DURATION_PRESETS,
    BudgetDraft,
    ValidationError,
    describe_change,
    validate_budget_form,
)
from budgettui.errors import BudgettuiError
from budgettui.services.edits import AppliedNotJournaled
from budgettui.ui.failures import ReportsFailures
from budgettui.ui.widgets.footer import Footer

Save = Callable[[BudgetDraft], Awaitable[None]]
Curl = Callable[[BudgetDraft], str]


def amount_text(max_budget: Decimal | None) -> str:
    """A cap as the amount field shows it: `50`, `0.125`; empty for no cap."""
    return "" if max_budget is None else f"{max_budget.normalize():f}"


class BudgetFields(Vertical):
    """The amount and reset-period fields, each with its problem under it: the budget editor's
    and the bulk editor's, which differ only in what they start with and what an empty period
    means (`period_hint` says it)."""

    DEFAULT_CSS = """
    BudgetFields { height: auto; }
    BudgetFields .problem { color: $error; height: auto; }
    """

    def __init__(self, amount: str, period: str, *, period_hint: str = "e.g. 14d, 12h") -> None:
        super().__init__()
        self.amount = amount
        self.period = period
        self.period_hint = period_hint

    def compose(self) -> ComposeResult:
        yield Label("Budget in USD (empty: no cap)")
        yield Input(self.amount, id="amount", placeholder="no cap")
        yield Static(classes="problem", id="amount-problem")
        yield Label(f"Reset period ({', '.join(DURATION_PRESETS)}, or {self.period_hint})")
        yield Input(self.period, id="duration", suggester=SuggestFromList(DURATION_PRESETS))
        yield Static(classes="problem", id="duration-problem")

    @property
    def texts(self) -> tuple[str, str]:
        """The amount and the period, as typed."""
        return self.query_one("#amount", Input).value, self.query_one("#duration", Input).value

    def show_problems(self, error: ValidationError | None) -> None:
        """Each problem under its field; None clears them."""
        problems = {"amount": "", "duration": ""}
        for problem in error.problems if error else ():
            problems[problem.field] = problem.message
        self.query_one("#amount-problem", Static).update(Text(problems["amount"]))
        self.query_one("#duration-problem", Static).update(Text(problems["duration"]))


class BudgetEditor(ModalScreen[BudgetDraft | None], ReportsFailures):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="editor.cancel"),
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("f2", "toggle_curl", "Show API call", id="editor.curl"),
    ]
    DEFAULT_CSS = """
    BudgetEditor { align: center middle; }
    BudgetEditor > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    BudgetEditor #editor-title { text-style: bold; }
    BudgetEditor #preview { margin-top: 1; }
    BudgetEditor #save-error { color: $error; text-style: bold; height: auto; }
    BudgetEditor #curl { color: $text-muted; height: auto; }
    """

    def __init__(self, *, title: str, cap: Cap, save: Save, curl: Curl) -> None:
        super().__init__()
        self.title_text = title
        self.cap = cap
        self.save = save
        self.curl = curl
        self.draft: BudgetDraft | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="editor-title")
            yield BudgetFields(amount_text(self.cap.max_budget), self.cap.budget_duration or "none")
            yield Static(id="preview")
            yield Static(id="save-error")
            yield Static(id="curl")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#curl", Static).display = False
        self._validate()

    @on(Input.Changed)
    def _changed(self) -> None:
        self.query_one("#save-error", Static).update("")
        self._validate()

    def _validate(self) -> None:
        fields = self.query_one(BudgetFields)
        try:
            self.draft = validate_budget_form(*fields.texts)
            fields.show_problems(None)
        except ValidationError as error:
            self.draft = None
            fields.show_problems(error)
        preview = self.query_one("#preview", Static)
        if self.draft is None:
            preview.update(Text("Fix the field above to save.", style="dim"))
        else:
            change = describe_change(self.cap, self.draft)
            cleared = self.draft.max_budget is None and self.cap.budget_duration is not None
            note = " (no cap: the reset period is cleared too)" if cleared else ""
            preview.update(Text(f"Change: {change}{note}", style="bold"))
        self._draw_curl()

    def _draw_curl(self) -> None:
        curl = self.query_one("#curl", Static)
        if curl.display and self.draft is not None:
            curl.update(Text(self.curl(self.draft)))

    def action_toggle_curl(self) -> None:
        curl = self.query_one("#curl", Static)
        curl.display = not curl.display
        self._draw_curl()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.saving:  # a second press while the first is on its way sends nothing
            return
        self._validate()
        draft = self.draft
        if draft is None:
            self.app.bell()
            return
        if describe_change(self.cap, draft) == "no change":
            self.dismiss(None)
            return
        self.saving = True
        self._send(draft)

    @work(exclusive=True, group="budget-save", exit_on_error=False)
    async def _send(self, draft: BudgetDraft) -> None:
        try:
            await self.save(draft)
        except AppliedNotJournaled as missing:
            # The change stands: close as saved, and say loudly what the journal lacks.
            self.notify(missing.message, title=missing.title, severity="error", timeout=30)
            self.dismiss(draft)
        except BudgettuiError as error:  # refused, not applied, or unknown: keep what was typed
            self.query_one("#save-error", Static).update(Text(str(error)))
        else:
            self.dismiss(draft)
        finally:
            self.saving = False

    def action_cancel(self) -> None:
        self.dismiss(None)
