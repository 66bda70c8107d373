"""The tenants table: org rows (the org's own cap and spend) with their tenants beneath."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from budgettui.domain.budget import Alert, BindingCap, Cap, alert_level
from budgettui.domain.listing import Group, Row
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Org, Tenant
from budgettui.ui.widgets.budget_bar import ALERT_LABEL, bar
from budgettui.ui.widgets.theme_styles import (
    ALERT_STYLE,
    GOOD,
    MUTED,
    NOTICE,
    PENDING,
    SOON,
    URGENT,
)

BAR_WIDTH = 8
# Fixed widths for every column but the tenant's, which takes what is left (DataTable sizes
# auto columns by their labels once, which truncated names and amounts). Below WIDE_FROM
# columns the period and reset columns give way (the tenant screen shows both), so the
# table fits 80 columns without scrolling sideways.
COLUMNS = (
    ("spend", "Spend", 9),
    ("budget", "Budget", 9),
    ("used", "Used", BAR_WIDTH + 6),
    ("duration", "Period", 6),
    ("resets", "Resets", 12),
    ("runway", "Runway", 6),
    ("status", "Status", 12),
)
NARROW_HIDDEN = frozenset({"duration", "resets"})
WIDE_FROM = 100
MIN_TENANT_WIDTH = 14
MAX_TENANT_WIDTH = 40
ORG_CAP_MARKER = "*"  # on a tenant's Used: the org's cap binds first (see the help screen)
ORG_ROW_PREFIX = "org:"
TENANT_ROW_PREFIX = "key:"
PROVISIONING_ROW_PREFIX = "new:"
NO_ORG_ROW = "none:"
Cells = dict[str, object]


def row_key_for(tenant: Tenant) -> str:
    if tenant.key_hash is None:
        return PROVISIONING_ROW_PREFIX + (tenant.org.team_id if tenant.org else tenant.name)
    return TENANT_ROW_PREFIX + tenant.key_hash


def _reset(cap: Cap, tz: tzinfo) -> str:
    if cap.budget_reset_at is None:
        return "—"
    local = cap.budget_reset_at.astimezone(tz)
    return local.strftime("%b %d" if (local.hour, local.minute) == (0, 0) else "%b %d %H:%M")


def _runway(row: Row, today: date) -> Content:
    projection = row.projection
    if projection is not None and projection.resets_first:
        return Content.styled("resets", GOOD)
    if projection is None or projection.runway_date is None:
        return Content.styled("—", MUTED)
    if projection.runway_date <= today:
        return Content.styled("now", URGENT)
    days = (projection.runway_date - today).days
    return Content.styled(projection.runway_date.strftime("%b %d"), SOON if days <= 7 else "")


def _status(alert: Alert, *, provisioning: bool = False) -> Content:
    if provisioning:
        return Content.styled("provisioning", PENDING)
    return Content.styled(ALERT_LABEL[alert], ALERT_STYLE[alert])


def _cap_cells(cap: Cap, tz: tzinfo) -> Cells:
    return {
        "spend": Text(format_money(cap.spend), justify="right"),
        "budget": Text(format_money(cap.max_budget), justify="right"),
        "duration": cap.budget_duration or "—",
        "resets": _reset(cap, tz),
    }


def org_cells(org: Org, tz: tzinfo) -> Cells:
    alert = alert_level(org.cap.fraction_used)
    return {
        "tenant": Text(org.name, style="bold"),
        **_cap_cells(org.cap, tz),
        "used": bar(org.cap.fraction_used, BAR_WIDTH, alert),
        "status": _status(alert),
    }


def tenant_cells(row: Row, today: date, tz: tzinfo) -> Cells:
    tenant = row.tenant
    # Text, never a markup string: an alias like "[bold]x[/]" must show as typed.
    name = Text(("  " if tenant.org else "") + tenant.name)
    if tenant.provisioning:
        return {"tenant": name, "status": _status(Alert.NONE, provisioning=True)}
    # Used and status measure the cap that binds first, which may be the org's.
    marker = ORG_CAP_MARKER if tenant.binding is BindingCap.ORG else ""
    return {
        "tenant": name,
        **_cap_cells(tenant.cap, tz),
        "used": bar(tenant.fraction_used, BAR_WIDTH, tenant.alert, marker=marker),
        "runway": _runway(row, today),
        "status": _status(tenant.alert),
    }


class TenantTable(DataTable[object]):
    """Row keys: `org:<team_id>`, `key:<hash>`, `new:<team_id>` (provisioning)."""

    DEFAULT_CSS = """
    TenantTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._rows: list[tuple[str, Cells]] = []
        self._wide: bool | None = None

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE_FROM
        if wide != self._wide:
            self._wide = wide
            self._build_columns()
        else:
            self._fit_tenant_column()

    def _visible(self) -> list[tuple[str, str, int]]:
        return [c for c in COLUMNS if self._wide or c[0] not in NARROW_HIDDEN]

    def _build_columns(self) -> None:
        self.clear(columns=True)
        self.add_column("Tenant", key="tenant", width=MIN_TENANT_WIDTH)
        for key, label, width in self._visible():
            self.add_column(label, key=key, width=width)
        self._fit_tenant_column()
        self._fill()

    def _fit_tenant_column(self) -> None:
        """The tenant column gets the width the others leave, within bounds."""
        fixed = sum(width + 2 * self.cell_padding for _, _, width in self._visible())
        spare = self.size.width - fixed - 2 * self.cell_padding - 1
        column = self.columns.get(ColumnKey("tenant"))
        if column is None:
            return
        column.width = max(MIN_TENANT_WIDTH, min(MAX_TENANT_WIDTH, spare))
        column.auto_width = False
        self.refresh()

    def show(self, groups: list[Group], *, today: date, tz: tzinfo) -> None:
        """Redraw, keeping the cursor on the same row when it is still there."""
        rows: list[tuple[str, Cells]] = []
        for group in groups:
            if group.org is not None:
                rows.append((ORG_ROW_PREFIX + group.org.team_id, org_cells(group.org, tz)))
            elif len(groups) > 1:
                rows.append((NO_ORG_ROW, {"tenant": Text("(no org)", style="dim italic")}))
            for row in group.rows:
                rows.append((row_key_for(row.tenant), tenant_cells(row, today, tz)))
        if _as_drawn(rows) == _as_drawn(self._rows) and self.row_count == len(rows):
            # A refresh that changed nothing repaints nothing: at 2,000 tenants a rebuild costs
            # ~0.7 s of CPU a refresh, and the view (cursor, scroll) stays where the user left it.
            return
        self._rows = rows
        self._fill()

    def _fill(self) -> None:
        if not self.columns:
            return  # not sized yet: on_resize fills
        selected = self.selected_key()
        self.clear()
        keys = [str(column.key.value) for column in self.ordered_columns]
        for row_key, cells in self._rows:
            self.add_row(*(cells.get(key, "") for key in keys), key=row_key)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))

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
