"""`:ctx` with no name: the config file's contexts, the active one marked; Enter switches to the
highlighted one, Escape goes back. The same list as the palette's "Context: …" entries."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from budgettui.services.config import ContextSummary
from budgettui.ui.widgets.theme_styles import MUTED, NOTICE

ACTIVE = "▶"


class ContextsScreen(ModalScreen[str | None]):
    """Dismissed with the chosen context's name, or None."""

    BINDINGS = [
        Binding("enter", "choose", "Switch", id="contexts.choose", priority=True),
        Binding("escape", "dismiss(None)", "Back", id="contexts.back"),
    ]
    DEFAULT_CSS = """
    ContextsScreen { align: center middle; }
    ContextsScreen #contexts-dialog {
        width: auto; max-width: 90%; height: auto; max-height: 80%;
        border: thick $accent; background: $panel; color: $foreground; padding: 0 1;
    }
    ContextsScreen #contexts-title { text-style: bold; padding: 0 0 1 0; }
    ContextsScreen DataTable { height: auto; max-height: 20; width: auto; }
    """
    AUTO_FOCUS = "#contexts-table"

    def __init__(self, contexts: list[ContextSummary]) -> None:
        super().__init__()
        self.contexts = contexts

    def compose(self) -> ComposeResult:
        with Vertical(id="contexts-dialog"):
            yield Static(
                Content.assemble(
                    "Contexts", ("  Enter switches · the config file's [contexts]", MUTED)
                ),
                id="contexts-title",
            )
            yield DataTable(id="contexts-table", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        rows = [
            (
                ACTIVE if context.active else " ",
                context.name,
                context.url,
                Content.styled("read-only", NOTICE) if context.read_only else Content(""),
            )
            for context in self.contexts
        ]
        for column, label in enumerate(("", "Name", "URL", "")):
            width = max([len(label)] + [len(str(row[column])) for row in rows])
            table.add_column(label, width=width)
        for context, row in zip(self.contexts, rows, strict=True):
            table.add_row(*row, key=context.name)
        active = next((i for i, c in enumerate(self.contexts) if c.active), 0)
        table.move_cursor(row=active)

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if self.contexts:
            self.dismiss(self.contexts[table.cursor_row].name)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_choose()
