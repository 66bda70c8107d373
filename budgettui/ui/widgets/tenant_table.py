"""The tenants table: org rows (the org's own cap and spend) with their tenants beneath."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable

from budgettui.domain.budget import Alert, BindingCap, Cap, alert_level
from budgettui.domain.caps import StopState
from budgettui.domain.display import (
    compact_money,
    day_label,
    runway_label,
    shorten_middle,
    status_word,
)
from budgettui.domain.listing import Group, Row
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Org, Tenant
from budgettui.ui.widgets.budget_bar import bar
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
    projection = row.projection
    if not row.tenant.usage_visible:
        return Content.styled(HIDDEN_USAGE, MUTED)  # a zero pace would read as an all-clear
    if projection is not None and projection.resets_first:
        return Content.styled("resets", GOOD)
    if projection is not None and projection.too_little_history:
        return Content.styled(TOO_NEW, MUTED)
    if projection is None or projection.runway_date is None:
        return Content.styled("—", MUTED)
    if projection.runway_date <= today:
        return Content.styled(runway_label(projection.runway_date, today), URGENT)
    days = (projection.runway_date - today).days
    return Content.styled(
        runway_label(projection.runway_date, today), SOON if days <= SOON_DAYS else ""
    )


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
        "status": status_cell(
            tenant.alert, state=tenant.state, unmeasured=bool(tenant.unmeasured_caps)
        ),
    }


def _cell_width(cell: Cell) -> int:
    if isinstance(cell, Amount | Name):
        return cell.width()
    if isinstance(cell, Content):
        return cell.cell_length
    return cell_len(cell)


def _drawn(cell: Cell, width: int) -> object:
    return cell.at(width) if isinstance(cell, Amount | Name) else cell


class TenantTable(DataTable[object]):
    """Row keys: `org:<team_id>`, `key:<hash>`, `new:<team_id>` (provisioning)."""

    DEFAULT_CSS = """
    TenantTable { height: 1fr; }
    """
    # What a less or k9s user tries first; the cursor moves, not only the view.
    BINDINGS = [
        Binding("home,g", "scroll_top", "First row", show=False),
        Binding("end,G", "scroll_bottom", "Last row", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._rows: list[tuple[str, Cells]] = []
        self._laid_out_for: int | None = None

    def on_resize(self) -> None:
        if self.size.width != self._laid_out_for:
            self._fill()

    def _visible(self) -> list[tuple[str, str]]:
        wide = self.size.width >= WIDE_FROM
        return [c for c in COLUMNS if wide or c[0] not in NARROW_HIDDEN]

    def column_widths(self) -> dict[str, int]:
        """Each column as wide as its widest cell; the tenant's takes what is left. When that
        is under MIN_TENANT_WIDTH the widest amount column narrows, a cell at a time down to
        SHORTEST_MONEY, and amounts that no longer fit are written short ($22.5k), not cut."""
        widths = {
            key: max([cell_len(label)] + [_cell_width(c[key]) for _, c in self._rows if key in c])
            for key, label in self._visible()
        }
        padding = 2 * self.cell_padding
        room = self.size.width - sum(widths.values()) - padding * (len(widths) + 1) - 1
        labels = dict(COLUMNS)
        while room < MIN_TENANT_WIDTH:
            key = max(MONEY_COLUMNS, key=lambda k: widths[k])  # the widest gives way first
            floor = max(SHORTEST_MONEY, cell_len(labels[key]))
            if widths[key] <= floor:
                break
            widths[key] -= 1
            room += 1
        return {"tenant": max(MIN_TENANT_WIDTH, min(MAX_TENANT_WIDTH, room)), **widths}

    def show(self, groups: list[Group], *, today: date, tz: tzinfo) -> None:
        """Redraw, keeping the cursor on the same row when it is still there."""
        rows: list[tuple[str, Cells]] = []
        for group in groups:
            if group.org is not None:
                rows.append((ORG_ROW_PREFIX + group.org.team_id, org_cells(group.org, tz, today)))
            elif len(groups) > 1:
                rows.append((NO_ORG_ROW, {"tenant": Name("(no org)", style="dim italic")}))
            for row in group.rows:
                rows.append((row_key_for(row.tenant), tenant_cells(row, today, tz)))
        if _as_drawn(rows) == _as_drawn(self._rows) and self.row_count == len(rows):
            # A refresh that changed nothing repaints nothing: at 2,000 tenants a rebuild costs
            # ~0.7 s of CPU a refresh, and the view (cursor, scroll) stays where the user left it.
            return
        self._rows = rows
        self._fill()

    def _fill(self) -> None:
        if self.size.width == 0:
            return  # not sized yet: on_resize fills
        selected = self.selected_key()
        widths = self.column_widths()
        self.clear(columns=True)
        self.add_column("Tenant", key="tenant", width=widths["tenant"])
        for key, label in self._visible():
            self.add_column(label, key=key, width=widths[key])
        for row_key, cells in self._rows:
            self.add_row(
                *(_drawn(cells[key], widths[key]) if key in cells else "" for key in widths),
                key=row_key,
            )
        self._laid_out_for = self.size.width
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))

    def first_tenant_row(self) -> int | None:
        """The first row that is a tenant (not an org or the no-org heading)."""
        for index, (row_key, _) in enumerate(self._rows):
            if row_key.startswith((TENANT_ROW_PREFIX, PROVISIONING_ROW_PREFIX)):
                return index
        return None

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value


def _as_drawn(rows: list[tuple[str, Cells]]) -> list[tuple[str, list[tuple[object, object]]]]:
    """Rows with every cell's styles: Content compares by its text alone, and a runway date
    takes the warning colour as its day comes near, with the same text."""
    return [
        (key, [(cell, getattr(cell, "spans", None)) for cell in cells.values()])
        for key, cells in rows
    ]


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
