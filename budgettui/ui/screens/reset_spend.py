"""Spend reset: the current spend, the value to reset to (0 by default), a confirmation that
names the tenant, and, if the spend moved meanwhile, the new figure and the question again.

It cannot slip through on reflex: Enter in the amount field goes nowhere (ctrl+s moves on to the
confirmation), and there only `y` resets. No typed tenant name, even for a large reset: the
question names the tenant and both amounts, LiteLLM keeps the spend logs, the dialog says
beforehand when budgettui cannot undo it, and a name typed for a routine monthly reset soon
becomes a paste that proves nothing but slows every reset down."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from budgettui.domain.money import format_money
from budgettui.domain.tenants import Tenant
from budgettui.domain.validation import ValidationError, parse_reset_value
from budgettui.errors import BudgettuiError
from budgettui.proxy.errors import NotFound
from budgettui.services.edits import AppliedNotJournaled, SpendChanged
from budgettui.ui.failures import ReportsFailures
from budgettui.ui.screens.confirm import DeliberateConfirm
from budgettui.ui.widgets.footer import Footer

# reset_to, the spend the admin saw when confirming
Reset = Callable[[Decimal, Decimal], Awaitable[None]]


class ResetToField(Vertical):
    """The value a spend is reset to (0 to start with) and its problems under it: the reset
    dialog's and the bulk editor's."""

    DEFAULT_CSS = """
    ResetToField { height: auto; }
    ResetToField .problem { color: $error; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Reset spend to (USD; empty or 0 resets it fully)")
        yield Input("0", id="reset-to")
        yield Static(classes="problem", id="reset-problem")

    @property
    def text(self) -> str:
        return self.query_one("#reset-to", Input).value

    def show_problems(self, error: ValidationError | None) -> None:
        """Every problem, on one line; None clears them."""
        message = "; ".join(p.message for p in error.problems) if error else ""
        self.query_one("#reset-problem", Static).update(Text(message))


class ResetSpendDialog(ModalScreen[Decimal | None], ReportsFailures):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="reset.cancel"),
        Binding("ctrl+s", "save", "Reset", id="reset.save"),
    ]
    DEFAULT_CSS = """
    ResetSpendDialog { align: center middle; }
    ResetSpendDialog > Vertical {
        width: 72; max-width: 100%; height: auto; border: thick $warning; background: $panel;
        padding: 0 1;
    }
    ResetSpendDialog .problem { color: $error; height: auto; }
    ResetSpendDialog #reset-title { text-style: bold; }
    ResetSpendDialog #reset-notes { color: $text-muted; height: auto; }
    """
    NOT_UNDOABLE = "This cannot be undone from budgettui."

    def __init__(self, tenant: Tenant, reset: Reset, *, notes: tuple[str, ...] = ()) -> None:
        """`notes`: what the admin should know before confirming (whether `u` can undo it)."""
        super().__init__()
        self.tenant = tenant
        self.spend = tenant.cap.spend
        self.reset = reset
        self.notes = notes
        self.value: Decimal | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Reset spend: {self.tenant.name}"), id="reset-title")
            yield Static(id="reset-current")
            yield ResetToField()
            yield Static(Text(" ".join(self.notes)), id="reset-notes")
            yield Static(classes="problem", id="reset-error")
        yield Footer()

    def on_mount(self) -> None:
        self._draw_current()
        self._validate()

    def _draw_current(self) -> None:
        cap = self.tenant.cap
        text = Text(f"Current spend {format_money(self.spend)}")
        if cap.max_budget is not None:
            text.append(f" of a {format_money(cap.max_budget)} cap")
        if cap.budget_duration:
            text.append(f" (period {cap.budget_duration}; the next reset date does not move)")
        self.query_one("#reset-current", Static).update(text)

    @on(Input.Changed)
    def _changed(self) -> None:
        self.query_one("#reset-error", Static).update("")
        self._validate()

    def _validate(self) -> None:
        field = self.query_one(ResetToField)
        try:
            self.value = parse_reset_value(field.text, self.spend, self.tenant.cap.max_budget)
            field.show_problems(None)
        except ValidationError as error:
            self.value = None
            field.show_problems(error)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter is how the dialog was reached: here it only says how to go on."""
        self._error("Enter does not reset: press ctrl+s to review the reset, esc to cancel.")

    def action_save(self) -> None:
        if self.saving:
            return
        self._validate()
        if self.value is None:
            self.app.bell()
            return
        self.saving = True
        self._confirm_and_send(self.value)

    @work(exclusive=True, group="reset-save", exit_on_error=False)
    async def _confirm_and_send(self, value: Decimal) -> None:
        try:
            question = (
                f"Reset the spend of {self.tenant.name} from {format_money(self.spend)} "
                f"to {format_money(value)}?"
            )
            detail = " ".join(("LiteLLM keeps the spend logs.", *self.notes))
            if not await self.app.push_screen_wait(DeliberateConfirm(question, detail)):
                return
            await self.reset(value, self.spend)
        except SpendChanged as changed:
            self.spend = changed.spend
            self._draw_current()
            self._validate()
            self._error(f"{changed}. Check the amount and confirm again.")
        except NotFound as error:
            self._error(
                f"{error.message}. If the key exists, this proxy may predate "
                "POST /key/{key}/reset_spend (LiteLLM ≥ 1.81); nothing else was tried."
            )
        except AppliedNotJournaled as missing:
            # The reset stands: close as done, and say loudly what the journal lacks.
            self.notify(missing.message, title=missing.title, severity="error", timeout=30)
            self.dismiss(value)
        except BudgettuiError as error:  # refused, not applied, or unknown: ask again
            self._error(str(error))
        else:
            self.dismiss(value)
        finally:
            self.saving = False

    def _error(self, message: str) -> None:
        self.query_one("#reset-error", Static).update(Text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
