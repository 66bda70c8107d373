"""`?`: every key of the screen underneath, and what the colours and bars mean."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD, Alert, BindingCap
from budgettui.domain.caps import StopState
from budgettui.ui.widgets.tenant_table import BINDING_MARKERS, HIDDEN_USAGE, TOO_NEW, status_cell
from budgettui.ui.widgets.theme_styles import ACCENT, NOTICE

LEGEND = {
    Alert.OK: "below the warning threshold ({threshold}: `threshold` in the config file)",
    Alert.WARNING: "at or above the warning threshold",
    Alert.CRITICAL: "at or above 90 % of the cap",
    Alert.EXCEEDED: "at or above 100 %: LiteLLM refuses this tenant's requests",
    Alert.NONE: "no cap on the key, org, owner, window or model",
}
STATE_LEGEND = {
    StopState.BLOCKED: "the key or its org is blocked: LiteLLM refuses it",
    StopState.EXPIRED: "the key has expired: LiteLLM refuses it",
}
MARKER_WORDS = {
    BindingCap.ORG: "the org's budget",
    BindingCap.USER: "the owner's own user budget (personal keys)",
    BindingCap.TEAM_MEMBER: "the owner's member budget in the org",
    BindingCap.WINDOW: "a rolling window (budget_limits)",
    BindingCap.MODEL: "a per-model budget",
}
LABEL_WIDTH = len("provisioning")  # the widest label
KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "escape": "esc",
    "enter": "enter",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "colon": ":",
    "exclamation_mark": "!",
    "asterisk": "*",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}
MORE_BELOW = "↓ more below: ↓, PgDn or the mouse wheel scrolls"


def _key_label(key: str) -> str:
    return "/".join(KEY_NAMES.get(k, k) for k in key.split(","))


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
        border: round $accent; background: $panel; padding: 0 1; scrollbar-size-vertical: 1;
    }
    HelpScreen #help-more {
        dock: bottom; height: 1; text-style: bold; background: $panel; display: none;
    }
    """

    def __init__(self, underneath: Screen[Any]) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._keys(), id="help-keys")
            yield Static(self._legend(), id="help-legend")
            yield Static(MORE_BELOW, id="help-more")  # docked: it stays while the rest scrolls

    def on_mount(self) -> None:
        scroll = self.query_one(VerticalScroll)
        self.watch(scroll, "scroll_y", self._say_if_more, init=False)
        self.call_after_refresh(self._say_if_more)

    def _say_if_more(self) -> None:
        """On a short terminal the help is cut: a line says so until the end is in view."""
        scroll = self.query_one(VerticalScroll)
        self.query_one("#help-more").display = scroll.scroll_y < scroll.max_scroll_y

    def _keys(self) -> Table:
        """Two keys a line: the tenants screen has some thirty, and a 60-line terminal shows
        them all with the legend."""
        table = Table(title="Keys", show_header=False, box=None, expand=True, title_style="bold")
        for _ in range(2):
            table.add_column(width=LABEL_WIDTH)
            table.add_column(ratio=1)
        key_style = f"bold {ACCENT}"
        cells: list[tuple[Content | str, str]] = [
            (Content.styled(_key_label(binding.key), key_style), binding.description)
            for binding in self._listed_bindings()
        ]
        cells.append((Content.styled("ctrl+p", key_style), "Palette: tenants, contexts, theme"))
        for left, right in zip(cells[::2], [*cells[1::2], ("", "")], strict=False):
            table.add_row(*left, *right)
        return table

    def _listed_bindings(self) -> list[Binding]:
        """The screen's keys, then those of our widget that has focus (the table's j/k/g/G)."""
        owners: list[Widget | Screen[Any]] = [self.underneath]
        focused = self.underneath.focused
        if focused is not None and type(focused).__module__.startswith("budgettui."):
            owners.append(focused)
        listed: dict[str, Binding] = {}
        for owner in owners:
            for binding in type(owner).BINDINGS:
                if isinstance(binding, Binding):
                    listed.setdefault(binding.key, binding)  # the screen's `enter` says it all
        return list(listed.values())

    def _legend(self) -> Table:
        table = _labelled_table("Status")
        for state, meaning in STATE_LEGEND.items():
            table.add_row(status_cell(Alert.NONE, state=state), meaning)
        settings = getattr(getattr(self.underneath, "session", None), "settings", None)
        threshold = getattr(settings, "threshold", DEFAULT_WARNING_THRESHOLD)
        for alert, meaning in LEGEND.items():
            words = meaning.format(threshold=f"{float(threshold) * 100:g} %")
            table.add_row(status_cell(alert), words)
        table.add_row(
            status_cell(Alert.NONE, unmeasured=True),
            "a cap this key cannot read, or whose spend LiteLLM does not tell, may stop it",
        )
        table.add_row(status_cell(Alert.NONE, provisioning=True), "a team with no key yet")
        table.add_row("█░ bar", "share used of the cap that binds first")
        table.add_row("62%u", "the letter: whose cap binds first, when not the key's own")
        for cap, marker in BINDING_MARKERS.items():
            table.add_row(f"  {marker}", MARKER_WORDS[cap])
        table.add_row(Content.styled("STALE", NOTICE), "data older than two refresh intervals")
        table.add_row("Runway", "the day this month's pace uses the cap up; > 1 year beyond that")
        table.add_row("  resets", "the cap's period restarts before this pace uses it up")
        table.add_row(f"  {TOO_NEW}", "under a day of spending: no pace to project")
        table.add_row(f"  {HIDDEN_USAGE}", "LiteLLM does not show this credential the key's usage")
        return table
