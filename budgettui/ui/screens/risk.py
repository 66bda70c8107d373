"""`!` or `:risk`: every tenant and org at or over the warning threshold, across orgs, worst
first (the same list `budgettui check` prints). Enter opens the row's tenant or org; Escape goes
back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from budgettui.domain.display import runway_label, shorten_middle
from budgettui.domain.risk import AtRisk, RiskKind, RiskLevel
from budgettui.domain.tenants import Org, Tenant
from budgettui.ui.widgets.footer import Footer
from budgettui.ui.widgets.theme_styles import MUTED, SOON, URGENT

LEVEL_STYLE = {RiskLevel.CRITICAL: URGENT, RiskLevel.WARNING: SOON}
NAME_WIDTH = 32


class RiskScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open", id="risk.open", priority=True),
        Binding("escape", "dismiss", "Back", id="risk.back"),
    ]
    DEFAULT_CSS = """
    RiskScreen #risk-title { padding: 0 1; text-style: bold; }
    RiskScreen #risk-rows { height: 1fr; }
    RiskScreen #risk-note { padding: 1 1; }
    """
    AUTO_FOCUS = "#risk-rows"

    def __init__(
        self,
        rows: list[AtRisk],
        *,
        today: date,
        open_tenant: Callable[[Tenant], None],
        open_org: Callable[[Org], None],
        threshold_words: str,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.today = today
        self._open_tenant, self._open_org = open_tenant, open_org
        self._threshold_words = threshold_words

    def compose(self) -> ComposeResult:
        yield Static(id="risk-title")
        yield Static(id="risk-note")
        yield DataTable(id="risk-rows", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        count = len(self.rows)
        self.query_one("#risk-title", Static).update(
            Content.assemble(
                f"At risk: {count}, worst first",
                (f"  · at or over {self._threshold_words}", MUTED),
            )
        )
        note = self.query_one("#risk-note", Static)
        table = self.query_one(DataTable)
        if not self.rows:
            note.update(
                Content.styled("Nothing at risk: every budget is under the threshold.", MUTED)
            )
            table.display = False
            return
        note.display = False
        cells = [self._cells(row) for row in self.rows]
        for column, label in enumerate(("Level", "", "Name", "Why", "Runway")):
            # Content cells are not measured by the table: each column as wide as its widest.
            width = max([len(label)] + [cell[column].cell_length for cell in cells])
            table.add_column(label, width=width)
        for index, row_cells in enumerate(cells):
            table.add_row(*row_cells, key=str(index))

    def _cells(self, row: AtRisk) -> tuple[Content, ...]:
        style = LEVEL_STYLE[row.level]
        level = row.status.value
        return (
            Content.styled(level.upper() if row.level is RiskLevel.CRITICAL else level, style),
            Content.styled(row.kind.value, MUTED),
            Content(shorten_middle(row.name, NAME_WIDTH)),
            Content(row.reason),
            Content(runway_label(row.runway_date, self.today) if row.runway_date else "—"),
        )

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or not table.display:
            return
        row = self.rows[table.cursor_row]
        if row.kind is RiskKind.TENANT and row.tenant is not None:
            self._open_tenant(row.tenant)
        elif row.org is not None:
            self._open_org(row.org)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()
