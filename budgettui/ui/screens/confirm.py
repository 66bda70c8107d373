"""A yes/no question that names what it is about. `y` or `enter` confirms; `n` or `escape`
cancels, and the caller gets a plain bool. `DeliberateConfirm`, for what must not slip through
on a reflex (a spend reset): only `y` confirms, and `enter` only rings the bell."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from budgettui.ui.widgets.footer import Footer


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto; border: thick $warning; padding: 1 2;
        background: $panel;
    }
    ConfirmScreen #confirm-detail { color: $text-muted; margin-top: 1; }
    ConfirmScreen #confirm-hint { margin-top: 1; }
    """
    HINT = ""  # a line under the question on how to answer, when the keys are not the usual

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question, style="bold"), id="confirm-question")
            if self.detail:
                yield Static(Text(self.detail), id="confirm-detail")
            if self.HINT:
                yield Static(Text(self.HINT), id="confirm-hint")
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DeliberateConfirm(ConfirmScreen):
    """Enter is the key that opens and moves through a dialog: pressed again out of habit, it
    must not reset money. Only `y` answers yes (a subclass's binding of a key replaces the
    inherited one)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding("enter", "app.bell", show=False),
    ]
    HINT = "Press y to go ahead, n or esc to cancel. Enter does not confirm here."
