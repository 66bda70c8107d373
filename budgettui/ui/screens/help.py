"""`?`: every key of the screen underneath, and what the colours and bars mean."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from budgettui.domain.budget import Alert
from budgettui.ui.widgets.budget_bar import ALERT_LABEL
from budgettui.ui.widgets.theme_styles import ACCENT, ALERT_STYLE, NOTICE, PENDING

LEGEND = {
    Alert.OK: "below the warning threshold (80 % unless configured)",
    Alert.WARNING: "at or above the warning threshold",
    Alert.CRITICAL: "at or above 90 % of the cap",
    Alert.EXCEEDED: "at or above 100 %: LiteLLM refuses this tenant's requests",
    Alert.NONE: "no cap at the key or the org",
}
LABEL_WIDTH = len("provisioning")  # the widest label
KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "escape": "esc",
    "enter": "enter",
}


def _key_label(key: str) -> str:
    return KEY_NAMES.get(key, key)


def _labelled_table(title: str) -> Table:
    """Label, then what it means; only the meaning takes the spare width, so the two tables'
    columns line up."""
    table = Table(title=title, show_header=False, box=None, expand=True, title_style="bold")
    table.add_column(width=LABEL_WIDTH)
    table.add_column(ratio=1)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close_again"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    """

    def __init__(self, underneath: Screen[Any]) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._keys(), id="help-keys")
            yield Static(self._legend(), id="help-legend")

    def _keys(self) -> Table:
        table = _labelled_table("Keys")
        key_style = f"bold {ACCENT}"
        for binding in self.underneath.BINDINGS:
            if isinstance(binding, Binding):
                table.add_row(
                    Content.styled(_key_label(binding.key), key_style), binding.description
                )
        table.add_row(
            Content.styled("ctrl+p", key_style), "Command palette: jump to a tenant, refresh, theme"
        )
        return table

    def _legend(self) -> Table:
        table = _labelled_table("Status")
        for alert, meaning in LEGEND.items():
            table.add_row(Content.styled(ALERT_LABEL[alert], ALERT_STYLE[alert]), meaning)
        table.add_row(Content.styled("provisioning", PENDING), "a team with no key yet")
        table.add_row("█░ bar", "share used of the cap that binds first (the key's or the org's)")
        table.add_row("62%*", "* the org's cap binds first for this tenant")
        table.add_row(Content.styled("STALE", NOTICE), "data older than two refresh intervals")
        return table
