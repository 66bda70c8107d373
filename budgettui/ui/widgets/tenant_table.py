"""The tenants table: org rows (the org's own cap and spend) with their tenants beneath."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from rich.text import Text
from textual.widgets import DataTable

from budgettui.domain.budget import Alert, Cap, alert_level
from budgettui.domain.listing import Group, Row
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Org, Tenant
from budgettui.ui.widgets.budget_bar import ALERT_LABEL, ALERT_STYLE, bar

COLUMNS = (
    ("tenant", "Tenant"),
    ("spend", "Spend"),
    ("budget", "Budget"),
    ("used", "Used"),
    ("duration", "Period"),
    ("resets", "Resets"),
    ("runway", "Runway"),
    ("status", "Status"),
)
BAR_WIDTH = 8
ORG_ROW_PREFIX = "org:"
TENANT_ROW_PREFIX = "key:"
PROVISIONING_ROW_PREFIX = "new:"


def row_key_for(tenant: Tenant) -> str:
    if tenant.key_hash is None:
        return PROVISIONING_ROW_PREFIX + (tenant.org.team_id if tenant.org else tenant.name)
    return TENANT_ROW_PREFIX + tenant.key_hash


def _reset(cap: Cap, tz: tzinfo) -> str:
    if cap.budget_reset_at is None:
        return "—"
    return cap.budget_reset_at.astimezone(tz).strftime("%b %d %H:%M")


def _runway(row: Row, today: date) -> Text:
    projection = row.projection
    if projection is None or projection.runway_date is None:
        return Text("—", style="dim")
    if projection.runway_date <= today:
        return Text("now", style="bold red")
    days = (projection.runway_date - today).days
    style = "dark_orange" if days <= 7 else ""
    return Text(projection.runway_date.strftime("%b %d"), style=style)


def _status(alert: Alert, *, provisioning: bool = False) -> Text:
    if provisioning:
        return Text("provisioning", style="italic cyan")
    return Text(ALERT_LABEL[alert], style=ALERT_STYLE[alert])


def _cells_for_cap(cap: Cap, alert: Alert, tz: tzinfo) -> tuple[object, ...]:
    return (
        Text(format_money(cap.spend), justify="right"),
        Text(format_money(cap.max_budget), justify="right"),
        bar(cap.fraction_used, BAR_WIDTH, alert),
        cap.budget_duration or "—",
        _reset(cap, tz),
    )


class TenantTable(DataTable[object]):
    """Row keys: `org:<team_id>`, `key:<hash>`, `new:<team_id>` (provisioning)."""

    DEFAULT_CSS = """
    TenantTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(self, groups: list[Group], *, today: date, tz: tzinfo) -> None:
        """Redraw, keeping the cursor on the same row when it is still there."""
        selected = self.selected_key()
        self.clear()
        for group in groups:
            if group.org is not None:
                self._add_org(group.org, tz)
            for row in group.rows:
                self._add_tenant(row, today, tz)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def _add_org(self, org: Org, tz: tzinfo) -> None:
        alert = alert_level(org.cap.fraction_used)
        name = Text(org.name, style="bold")
        status = _status(alert)
        self.add_row(
            name, *_cells_for_cap(org.cap, alert, tz), "", status, key=ORG_ROW_PREFIX + org.team_id
        )

    def _add_tenant(self, row: Row, today: date, tz: tzinfo) -> None:
        tenant = row.tenant
        indent = "  " if tenant.org else ""
        # Text, never a markup string: an alias like "[bold]x[/]" must show as typed.
        name = Text(indent + tenant.name)
        if tenant.provisioning:
            self.add_row(
                name,
                "",
                "",
                "",
                "",
                "",
                "",
                _status(Alert.NONE, provisioning=True),
                key=row_key_for(tenant),
            )
            return
        key_alert = alert_level(tenant.cap.fraction_used, tenant.threshold)
        self.add_row(
            name,
            *_cells_for_cap(tenant.cap, key_alert, tz),
            _runway(row, today),
            _status(tenant.alert),
            key=row_key_for(tenant),
        )


def describe_refresh(
    fetched_at: datetime | None, now: datetime, stale_after: float, tz: tzinfo
) -> Text:
    """`refreshed 14:03:12`, or `STALE: refreshed 4m ago` once two refresh intervals pass."""
    if fetched_at is None:
        return Text("loading…", style="dim")
    age = (now - fetched_at).total_seconds()
    stamp = fetched_at.astimezone(tz).strftime("%H:%M:%S")
    if stale_after > 0 and age > stale_after:
        minutes = int(age // 60)
        ago = f"{minutes}m" if minutes else f"{int(age)}s"
        return Text(f"STALE: refreshed {ago} ago ({stamp})", style="bold yellow")
    return Text(f"refreshed {stamp}", style="dim")
