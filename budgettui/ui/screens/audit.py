"""`:audit`: the journal of writes (budgets set, spend reset, undone), newest first, one row per
write with how it ended; the highlighted write's details (who, the proxy's answer) underneath.
Escape goes back."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from budgettui.domain.tenants import printable
from budgettui.services.audit_reading import (
    CUT_SHORT,
    JournaledWrite,
    field_words,
    read_writes,
    value_words,
)
from budgettui.services.journal import JournalError
from budgettui.ui.widgets.footer import Footer
from budgettui.ui.widgets.theme_styles import GOOD, MUTED, NOTICE, URGENT

OUTCOME_STYLE = {
    "applied": GOOD,
    "not applied": URGENT,
    "failed": URGENT,
    "unknown": NOTICE,  # it may have been applied: worth a look at the proxy
    CUT_SHORT: NOTICE,
}
PROXY = "Proxy"
COLUMNS = ("When", PROXY, "Tenant / org", "Field", "Before → after", "Outcome")
UNDO_ACTIONS = frozenset({"budget.undo", "spend.undo"})


class AuditScreen(Screen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Back", id="audit.back")]
    DEFAULT_CSS = """
    AuditScreen #audit-title { padding: 0 1; text-style: bold; }
    AuditScreen #audit-writes { height: 1fr; }
    AuditScreen #audit-detail { height: auto; padding: 0 1; }
    AuditScreen #audit-note { padding: 1 1; }
    """

    def __init__(self, journal_path: Path, tz: tzinfo | None = None) -> None:
        """`tz`: the zone times are shown in (the session's); None, this machine's."""
        super().__init__()
        self.journal_path = journal_path
        self.tz = tz
        self.writes: list[JournaledWrite] = []

    def compose(self) -> ComposeResult:
        yield Static(id="audit-title")
        yield Static(id="audit-note")
        yield DataTable(id="audit-writes", cursor_type="row", zebra_stripes=True)
        yield Static(id="audit-detail")
        yield Footer()

    def on_mount(self) -> None:
        try:
            self.writes = read_writes(self.journal_path)
        except JournalError as error:
            self._say(error.message, URGENT)
        else:
            self._show_writes()
        count = len(self.writes)
        proxies = {write.entry.proxy_host for write in self.writes}
        self.query_one("#audit-title", Static).update(
            Content.assemble(
                f"Audit journal: {count} write{'' if count == 1 else 's'}, newest first",
                f" on {printable(proxies.pop())}" if len(proxies) == 1 else "",
                (f"  {self.journal_path}", MUTED),
            )
        )

    def _show_writes(self) -> None:
        if not self.writes:
            if self.journal_path.exists():
                self._say(f"{self.journal_path} is empty: nothing has been written yet.", MUTED)
            else:
                self._say(
                    f"No journal yet at {self.journal_path}: budgettui starts it with the "
                    "first budget set or spend reset.",
                    MUTED,
                )
            return
        self.query_one("#audit-note").display = False
        table = self.query_one(DataTable)
        rows = [self._cells(write) for write in self.writes]
        # One proxy in the whole journal (the usual case): its column says nothing the title
        # does not, and at 80 columns it pushed the before → after figures off the screen.
        proxies = {write.entry.proxy_host for write in self.writes}
        shown = [i for i, label in enumerate(COLUMNS) if label != PROXY or len(proxies) > 1]
        # Each column as wide as its widest cell: the table measures a Content cell as one
        # cell wide and would cut every word to its label's width.
        for column in shown:
            label = COLUMNS[column]
            width = max(cell_len(label), *(row[column].cell_length for row in rows))
            table.add_column(label, key=label, width=width)
        for index, cells in enumerate(rows):
            table.add_row(*(cells[column] for column in shown), key=str(index))
        table.focus()

    def _say(self, text: str, style: str) -> None:
        """In place of the table: why there is nothing to list."""
        self.query_one(DataTable).display = False
        self.query_one("#audit-detail").display = False
        self.query_one("#audit-note", Static).update(Content.styled(text, style))

    def _cells(self, write: JournaledWrite) -> tuple[Content, ...]:
        entry = write.entry
        changes = write.changes
        undo = " (undo)" if entry.action in UNDO_ACTIONS else ""
        fields = ", ".join(field_words(change.field) for change in changes) + undo
        before_after = "; ".join(
            f"{value_words(c.field, c.before)} → {value_words(c.field, c.after)}" for c in changes
        )
        when = write.time.astimezone(self.tz)
        return (
            Content(f"{when:%Y-%m-%d %H:%M:%S}"),
            Content(printable(entry.proxy_host)),
            Content(printable(write.target)),
            Content(fields),
            Content(printable(before_after)),
            Content.styled(write.outcome, OUTCOME_STYLE.get(write.outcome, "")),
        )

    @on(DataTable.RowHighlighted, "#audit-writes")
    def _show_detail(self, event: DataTable.RowHighlighted) -> None:
        write = self.writes[event.cursor_row]
        self.query_one("#audit-detail", Static).update(Content(printable(self._detail(write))))

    def _detail(self, write: JournaledWrite) -> str:
        """Who made the write and what the proxy answered, for the highlighted row."""
        entry, result = write.entry, write.result
        parts = [f"by {entry.caller or 'an unnamed caller'}"]
        if entry.org and entry.tenant is not None:
            parts.append(f"org {entry.org}")
        if result is None:
            parts.append("no outcome was journaled: check the proxy for what it holds")
        else:
            answer = f"HTTP {result.http_status}" if result.http_status else "no HTTP answer"
            parts.append(f"{answer}: {result.message}" if result.message else answer)
            kept = ", ".join(
                f"{field_words(name)} {value_words(name, value)}"
                for name, value in result.fields.items()
            )
            if kept:
                parts.append(f"the proxy kept {kept}")
        if entry.write_id:
            parts.append(f"write {entry.write_id}")
        return "  ·  ".join(parts)
