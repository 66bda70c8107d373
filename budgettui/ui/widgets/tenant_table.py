"""The tenants table: org rows (the org's own cap and spend) with their tenants beneath."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import Visual
from textual.widget import Widget

from budgettui.domain.budget import Alert, BindingCap, Cap, alert_level
from budgettui.domain.caps import StopState
from budgettui.domain.display import (
    compact_money,
    day_label,
    runway_label,
    shorten_middle,
    status_word,
    tenant_status_word,
)
from budgettui.domain.listing import Group, Row
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Org, Tenant
from budgettui.ui.widgets.budget_bar import bar, bar_width
from budgettui.ui.widgets.theme_styles import (
    ALERT_STYLE,
    GOOD,
    MUTED,
    NOTICE,
    PENDING,
    SOON,
    URGENT,
)

# The runway column's words beyond a date (the help screen's legend explains them).
HIDDEN_USAGE = "n/a"  # LiteLLM does not show this credential the key's usage
TOO_NEW = "too new"  # under a day of history: no pace to project
SOON_DAYS = 7  # a runway this close is drawn in the warning colour

BAR_WIDTH = 8
# Every column but the tenant's is as wide as the widest cell it holds (or its label), so no
# amount or date loses a digit; the tenant column takes what is left, within bounds. Below
# WIDE_FROM columns the period and reset columns give way (the tenant screen shows both), and
# when the amounts still leave the names too little room they are written short ($22.5k): the
# tenant screen has every digit.
COLUMNS = (
    ("spend", "Spend"),
    ("budget", "Budget"),
    ("used", "Used"),
    ("duration", "Period"),
    ("resets", "Resets"),
    ("runway", "Runway"),
    ("status", "Status"),
)
MONEY_COLUMNS = ("spend", "budget")
NARROW_HIDDEN = frozenset({"duration", "resets"})
WIDE_FROM = 100
MIN_TENANT_WIDTH = 18  # `  acme-admin-key`: a tenant's name under its org, whole
MAX_TENANT_WIDTH = 40
SHORTEST_MONEY = 7  # "$22.5k", "-$1.23M": as short as an amount gets
# On a tenant's Used: whose cap binds first when it is not the key's own (the help screen's
# legend lists them), so `112%u` reads "the owner's budget stops this key".
BINDING_MARKERS: dict[BindingCap, str] = {
    BindingCap.ORG: "o",
    BindingCap.USER: "u",
    BindingCap.TEAM_MEMBER: "m",
    BindingCap.WINDOW: "w",
    BindingCap.MODEL: "$",
}
ORG_ROW_PREFIX = "org:"
TENANT_ROW_PREFIX = "key:"
PROVISIONING_ROW_PREFIX = "new:"
NO_ORG_ROW = "none:"
TENANT_INDENT = 2  # a tenant under its org
# The screen's actions that open a line to type in, and the line's id.
LINE_ACTIONS = {"filter": "#filter", "command_line": "#command-line"}
MARK = "●"


@dataclass(frozen=True)
class Amount:
    """A money cell, written out once its column's width is known."""

    value: Decimal | None

    def width(self) -> int:
        return len(format_money(self.value))

    def at(self, width: int) -> Text:
        return Text(compact_money(self.value, width), justify="right")


@dataclass(frozen=True)
class Name:
    """A tenant or org name, cut in the middle to its column's width (the end of a name is
    what tells `svc-2` from `svc-3`). Text, never markup: `[bold]x[/]` shows as typed."""

    text: str
    indent: int = 0
    style: str = ""

    def width(self) -> int:
        return self.indent + cell_len(self.text)

    def at(self, width: int) -> Text:
        shown = shorten_middle(self.text, max(1, width - self.indent))
        return Text(" " * self.indent + shown, style=self.style)


Cell = Amount | Name | Content | str
Cells = dict[str, Cell]


def row_key_for(tenant: Tenant) -> str:
    if tenant.key_hash is None:
        return PROVISIONING_ROW_PREFIX + (tenant.org.team_id if tenant.org else tenant.name)
    return TENANT_ROW_PREFIX + tenant.key_hash


def _reset(cap: Cap, tz: tzinfo, today: date) -> str:
    if cap.budget_reset_at is None:
        return "—"
    local = cap.budget_reset_at.astimezone(tz)
    day = day_label(local.date(), today)
    return day if (local.hour, local.minute) == (0, 0) else f"{day} {local:%H:%M}"


def _runway(row: Row, today: date) -> Content:
    return Content.styled(*_runway_parts(row, today))


def _runway_parts(row: Row, today: date) -> tuple[str, str]:
    """The runway cell's words and style."""
    projection = row.projection
    if not row.tenant.usage_visible:
        return HIDDEN_USAGE, MUTED  # a zero pace would read as an all-clear
    if projection is not None and projection.resets_first:
        return "resets", GOOD
    if projection is not None and projection.too_little_history:
        return TOO_NEW, MUTED
    if projection is None or projection.runway_date is None:
        return "—", MUTED
    label = runway_label(projection.runway_date, today)
    if projection.runway_date <= today:
        return label, URGENT
    days = (projection.runway_date - today).days
    return label, SOON if days <= SOON_DAYS else ""


def status_cell(
    alert: Alert,
    *,
    provisioning: bool = False,
    state: StopState | None = None,
    unmeasured: bool = False,
) -> Content:
    """The status word (domain.display); what LiteLLM refuses (blocked, expired, exceeded) in
    capitals, so it stands out without colour too."""
    word = status_word(alert, provisioning=provisioning, state=state, unmeasured=unmeasured)
    if provisioning:
        return Content.styled(word, PENDING)
    if state is not None or alert is Alert.EXCEEDED:
        return Content.styled(word.upper(), URGENT)
    if alert is Alert.NONE and unmeasured:
        return Content.styled(word, NOTICE)  # not an all-clear
    return Content.styled(word, ALERT_STYLE[alert])


def _cap_cells(cap: Cap, tz: tzinfo, today: date) -> Cells:
    return {
        "spend": Amount(cap.spend),
        "budget": Amount(cap.max_budget),
        "duration": cap.budget_duration or "—",
        "resets": _reset(cap, tz, today),
    }


def org_cells(org: Org, tz: tzinfo, today: date) -> Cells:
    alert = alert_level(org.cap.fraction_used)
    return {
        "tenant": Name(org.name, style="bold"),
        **_cap_cells(org.cap, tz, today),
        "used": bar(org.cap.fraction_used, BAR_WIDTH, alert),
        "status": status_cell(alert, state=StopState.BLOCKED if org.blocked else None),
    }


def tenant_cells(row: Row, today: date, tz: tzinfo) -> Cells:
    tenant = row.tenant
    name = Name(tenant.name, indent=TENANT_INDENT if tenant.org else 0)
    if tenant.provisioning:
        return {"tenant": name, "status": status_cell(Alert.NONE, provisioning=True)}
    # Used and status measure the cap that binds first, which may be another's than the key's.
    marker = BINDING_MARKERS.get(tenant.binding, "")
    return {
        "tenant": name,
        **_cap_cells(tenant.cap, tz, today),
        "used": bar(tenant.fraction_used, BAR_WIDTH, tenant.alert, marker=marker),
        "runway": _runway(row, today),
        "status": tenant_status_cell(tenant),
    }


def tenant_status_cell(tenant: Tenant) -> Content:
    """The status word of a tenant, as every table draws it."""
    return status_cell(
        tenant.alert,
        provisioning=tenant.provisioning,
        state=tenant.state,
        unmeasured=bool(tenant.unmeasured_caps),
    )


def tenant_widths(row: Row, today: date, tz: tzinfo) -> dict[str, int]:
    """What `tenant_cells` would take, column by column, without drawing it: the table
    measures every row (20,000 of them) but draws only those on screen."""
    tenant = row.tenant
    if tenant.provisioning:
        return {"status": len(tenant_status_word(tenant))}
    marker = BINDING_MARKERS.get(tenant.binding, "")
    return {
        "spend": len(format_money(tenant.cap.spend)),
        "budget": len(format_money(tenant.cap.max_budget)),
        "duration": len(tenant.cap.budget_duration or "—"),
        "resets": len(_reset(tenant.cap, tz, today)),
        "used": bar_width(tenant.fraction_used, BAR_WIDTH, marker=marker),
        "runway": len(_runway_parts(row, today)[0]),
        "status": len(tenant_status_word(tenant)),
    }


def _cell_width(cell: Cell) -> int:
    if isinstance(cell, Amount | Name):
        return cell.width()
    if isinstance(cell, Content):
        return cell.cell_length
    return cell_len(cell)


def _as_content(cell: Cell, width: int) -> Content:
    """A cell written at its column's width: cut (never wrapped) and padded; amounts to the
    right."""
    if isinstance(cell, Amount):
        return _right(cell.at(width), width)
    drawn = Content.from_rich_text(cell.at(width)) if isinstance(cell, Name) else cell
    content = drawn if isinstance(drawn, Content) else Content(drawn)
    if content.cell_length > width:
        content = content.truncate(width)
    return content.pad_right(width - content.cell_length)


def _right(text: Text, width: int) -> Content:
    content = Content.from_rich_text(text)
    return content.pad_left(max(0, width - content.cell_length))


def marked(name: Name) -> Name:
    """A marked tenant: `●` where its indent was (or before it), in bold."""
    return Name(f"{MARK} {name.text}", indent=max(0, name.indent - len(MARK) - 1), style="bold")


Source = Org | Row | None  # an org's row, a tenant's, or the "(no org)" heading
STRIPS_KEPT = 1000  # drawn lines kept: a few screens' worth
_NOTHING = object()


def _key_of(source: Source) -> str:
    if source is None:
        return NO_ORG_ROW
    if isinstance(source, Org):
        return ORG_ROW_PREFIX + source.team_id
    return row_key_for(source.tenant)


class TenantTable(ScrollView, can_focus=True):
    """The tenants as a virtual table: only the rows on screen are drawn (Textual's line API),
    so 20,000 tenants cost what the 30 visible ones cost, and a keystroke in the filter never
    waits on the table. Row keys: `org:<team_id>`, `key:<hash>`, `new:<team_id>`."""

    # DataTable's look (it was one until 20,000 rows made it too slow to measure).
    DEFAULT_CSS = """
    TenantTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .tenant-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .tenant-table--header { background-tint: $foreground 5%; }
        }
        & > .tenant-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .tenant-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .tenant-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"tenant-table--header", "tenant-table--cursor"}
    # What a less or k9s user tries first; the cursor moves, not only the view.
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "scroll_top", "First row", show=False),
        Binding("end,G", "scroll_bottom", "Last row", show=False),
        Binding("enter", "select_cursor", "Open", show=False),
    ]
    cell_padding = 1

    class RowHighlighted(Message):
        def __init__(self, row_key: str | None) -> None:
            super().__init__()
            self.row_key = row_key

    class RowSelected(Message):
        def __init__(self, row_key: str) -> None:
            super().__init__()
            self.row_key = row_key

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._sources: list[Source] = []
        self._key_list: list[str] | None = None  # the sources' row keys, made when asked for
        # Drawn lines by (source, cursor, marked, width, scroll, style): a keystroke that keeps
        # most rows on screen redraws only the new ones.
        self._strips: dict[tuple[object, ...], tuple[Source, Strip]] = {}
        self._today = date.min
        self._tz: tzinfo = UTC
        self.cursor_row = 0
        # Every row measured since the data was last replaced: the columns keep their width
        # while the filter narrows the rows (they do not jump as the user types).
        self._widest: dict[str, int] = {}
        self._cells: dict[str, tuple[object, Cells]] = {}
        self._widths: dict[str, int] = {}
        self._drawn: list[tuple[str, str, object]] = []
        self.marked: set[str] = set()  # rows marked for a bulk edit: `●` before the name
        self._typing_into: Widget | None = None  # the line `/` or `:` is opening (see on_key)

    # -- data ---------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._sources)

    @property
    def _keys(self) -> list[str]:
        if self._key_list is None:
            self._key_list = [_key_of(source) for source in self._sources]
        return self._key_list

    def show(self, groups: list[Group], *, today: date, tz: tzinfo) -> None:
        """Show these rows, keeping the cursor on the same row when it is still there."""
        old = self._sources
        # (`None` is a row too: the "(no org)" heading.)
        selected: object = old[self.cursor_row] if self.cursor_row < len(old) else _NOTHING
        selected_key = self.selected_key()
        self._today, self._tz = today, tz
        sources: list[Source] = []
        headed = len(groups) > 1
        for group in groups:
            if group.org is not None:
                sources.append(group.org)
            elif headed:
                sources.append(None)
            sources.extend(group.rows)
        self._sources, self._key_list = sources, None
        # The same row object when only the filter changed (found without making every key);
        # else the same key (new data).
        found = next((i for i, s in enumerate(sources) if s is selected), None)
        if found is None and selected_key is not None:
            found = self.row_index(selected_key)
        self.cursor_row = found or 0
        self._lay_out()

    def forget_widths(self) -> None:
        """New data: the columns are measured again (`measure`)."""
        self._widest.clear()
        self._cells.clear()

    def measure(self, rows: Iterable[Row], *, today: date, tz: tzinfo) -> None:
        """Widen the columns for these rows and their orgs: called as rows land or change,
        never on a keystroke (a filter shows fewer rows; the columns keep their width)."""
        widest = self._widest
        orgs: dict[str, Org] = {}

        def widen(widths: dict[str, int]) -> None:
            for column, width in widths.items():
                if width > widest.get(column, 0):
                    widest[column] = width

        for row in rows:
            widen(tenant_widths(row, today, tz))
            if row.tenant.org is not None:
                orgs[row.tenant.org.team_id] = row.tenant.org
        for org in orgs.values():
            widen({column: _cell_width(cell) for column, cell in org_cells(org, tz, today).items()})

    def _cells_of(self, key: str, source: Source) -> Cells:
        cached = self._cells.get(key)
        if cached is not None and cached[0] is source:
            return cached[1]
        if source is None:
            cells: Cells = {"tenant": Name("(no org)", style="dim italic")}
        elif isinstance(source, Org):
            cells = org_cells(source, self._tz, self._today)
        else:
            cells = tenant_cells(source, self._today, self._tz)
        self._cells[key] = (source, cells)
        return cells

    # -- layout -------------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._lay_out()

    def _visible(self) -> list[tuple[str, str]]:
        wide = self.size.width >= WIDE_FROM
        return [c for c in COLUMNS if wide or c[0] not in NARROW_HIDDEN]

    def column_widths(self) -> dict[str, int]:
        """Each column as wide as its widest cell; the tenant's takes what is left. When that
        is under MIN_TENANT_WIDTH the widest amount column narrows, a cell at a time down to
        SHORTEST_MONEY, and amounts that no longer fit are written short ($22.5k), not cut."""
        widths = {
            key: max(cell_len(label), self._widest.get(key, 0)) for key, label in self._visible()
        }
        padding = 2 * self.cell_padding
        # Inside the vertical scrollbar the rows will need (it is not there yet when the rows
        # first arrive), so that no horizontal scrollbar takes a line at 80x24.
        inside = self.size.width
        if len(self._sources) + 1 > self.size.height:
            inside -= self.styles.scrollbar_size_vertical
        room = inside - sum(widths.values()) - padding * (len(widths) + 1) - 1
        labels = dict(COLUMNS)
        while room < MIN_TENANT_WIDTH:
            key = max(MONEY_COLUMNS, key=lambda k: widths[k])  # the widest gives way first
            floor = max(SHORTEST_MONEY, cell_len(labels[key]))
            if widths[key] <= floor:
                break
            widths[key] -= 1
            room += 1
        return {"tenant": max(MIN_TENANT_WIDTH, min(MAX_TENANT_WIDTH, room)), **widths}

    def _lay_out(self) -> None:
        if self.size.width == 0:
            return  # not sized yet: on_resize lays out
        self._widths = self.column_widths()
        width = sum(self._widths.values()) + 2 * self.cell_padding * len(self._widths)
        self.virtual_size = Size(width, len(self._sources) + 1)  # and the header
        self._scroll_to_cursor()
        drawn = self._visible_lines()
        if drawn != self._drawn:
            # A refresh that changed nothing repaints nothing: an idle dashboard over SSH
            # sends the clock and no more.
            self._drawn = drawn
            self.refresh()

    def _visible_lines(self) -> list[tuple[str, str, object]]:
        first = round(self.scroll_y)
        shown = range(first, min(len(self._sources), first + self.size.height))
        lines = []
        for index in shown:
            line = self._line(index)
            lines.append((_key_of(self._sources[index]), line.plain, line.spans))
        return [("", str(self._widths), self.cursor_row), *lines]

    def _line(self, index: int) -> Content:
        key = _key_of(self._sources[index])
        cells = self._cells_of(key, self._sources[index])
        name = cells.get("tenant")
        if key in self.marked and isinstance(name, Name):
            cells = {**cells, "tenant": marked(name)}
        return self._assemble(
            {
                key: _as_content(cells[key], width) if key in cells else Content(" " * width)
                for key, width in self._widths.items()
            }
        )

    def _assemble(self, cells: dict[str, Content]) -> Content:
        pad = Content(" " * self.cell_padding)
        parts: list[Content] = []
        for cell in cells.values():
            parts.extend((pad, cell, pad))
        return Content.assemble(*parts)

    def _header(self) -> Content:
        labels = {"tenant": "Tenant", **dict(COLUMNS)}
        return self._assemble(
            {key: _as_content(labels[key], width) for key, width in self._widths.items()}
        )

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.get_visual_style("tenant-table--header")
            content = self._header()
        else:
            index = round(self.scroll_y) + y - 1
            if index >= len(self._sources):
                return Strip.blank(width, self.visual_style.rich_style)
            return self._row_strip(index, width)
        return self._strip(content, width, style)

    def _row_strip(self, index: int, width: int) -> Strip:
        source = self._sources[index]
        cursor = index == self.cursor_row
        style = self.get_visual_style("tenant-table--cursor") if cursor else self.visual_style
        key = (id(source), cursor, _key_of(source) in self.marked, width, round(self.scroll_x))
        cache_key = (*key, tuple(self._widths.items()), style)
        cached = self._strips.get(cache_key)
        if cached is not None and cached[0] is source:
            return cached[1]
        if len(self._strips) > STRIPS_KEPT:
            self._strips.clear()
        strip = self._strip(self._line(index), width, style)
        self._strips[cache_key] = (source, strip)
        return strip

    def _strip(self, content: Content, width: int, style: VisualStyle) -> Strip:
        # Drawn whole, then cut to the view: on a terminal narrower than the columns the user
        # scrolls sideways.
        full = max(width, self.virtual_size.width)
        strip = Visual.to_strips(self, content, full, 1, style, pad=True)[0]
        left = round(self.scroll_x)
        return strip.crop(left, left + width)

    # -- the cursor ---------------------------------------------------------------------------

    def selected_key(self) -> str | None:
        if not self._sources:
            return None
        return _key_of(self._sources[min(self.cursor_row, len(self._sources) - 1)])

    def first_tenant_row(self) -> int | None:
        """The first row that is a tenant (not an org or the no-org heading)."""
        for index, key in enumerate(self._keys):
            if key.startswith((TENANT_ROW_PREFIX, PROVISIONING_ROW_PREFIX)):
                return index
        return None

    def tenant_at(self, index: int) -> Tenant | None:
        source = self._sources[index] if 0 <= index < len(self._sources) else None
        return source.tenant if isinstance(source, Row) else None

    def row_index(self, key: str) -> int | None:
        try:
            return self._keys.index(key)  # a scan in C: cheaper than a dict rebuilt per keystroke
        except ValueError:
            return None

    def row_keys(self) -> list[str]:
        return list(self._keys)

    def cell_at(self, index: int, column: str) -> Cell | None:
        """A row's cell before it is drawn (with its styles), None where the row has none."""
        return self._cells_of(_key_of(self._sources[index]), self._sources[index]).get(column)

    def cells_at(self, index: int) -> dict[str, str]:
        """A row's cells as the user reads them, column by column (for tests and export)."""
        cells = self._cells_of(_key_of(self._sources[index]), self._sources[index])
        return {
            key: _as_content(cells[key], width).plain.strip() if key in cells else ""
            for key, width in self._widths.items()
        }

    def move_cursor(self, *, row: int) -> None:
        if not self._sources:
            return
        row = max(0, min(row, len(self._sources) - 1))
        if row == self.cursor_row:
            return
        self.cursor_row = row
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.RowHighlighted(self.selected_key()))

    def _rows_on_screen(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._rows_on_screen():
            self.scroll_to(
                y=self.cursor_row - self._rows_on_screen() + 1, animate=False, immediate=True
            )

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._rows_on_screen())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._rows_on_screen())

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._sources) - 1)

    def action_select_cursor(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.post_message(self.RowSelected(key))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._drawn = []  # what is on screen moved

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after `/` (or `:`) while the app is busy are queued here, to the
        table, before that key's action has moved the focus to its line: sent on to the line,
        in order, they are kept (and `s` typed in a filter never sorts the table)."""
        if self._typing_into is not None:
            event.stop()
            event.prevent_default()
            self._typing_into.post_message(events.Key(event.key, event.character))
            return
        active = self.screen.active_bindings.get(event.key)
        line_id = LINE_ACTIONS.get(active.binding.action) if active else None
        if line_id is not None:
            self._typing_into = self.screen.query_one(line_id)  # the key goes on to its action

    def on_focus(self) -> None:
        self._typing_into = None  # the line is done: keys are the table's again

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a click on the row already under it opens it."""
        if event.y < 1:
            return
        row = round(self.scroll_y) + event.y - 1
        if row >= len(self._sources):
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)


def describe_refresh(
    fetched_at: datetime | None, now: datetime, stale_after: float, tz: tzinfo
) -> Content:
    """`refreshed 14:03:12`, or `STALE: refreshed 4m ago` once two refresh intervals pass."""
    if fetched_at is None:
        return Content.styled("loading…", MUTED)
    age = (now - fetched_at).total_seconds()
    stamp = fetched_at.astimezone(tz).strftime("%H:%M:%S")
    if stale_after > 0 and age > stale_after:
        minutes = int(age // 60)
        ago = f"{minutes}m" if minutes else f"{int(age)}s"
        return Content.styled(f"STALE: refreshed {ago} ago ({stamp})", NOTICE)
    return Content.styled(f"refreshed {stamp}", MUTED)
