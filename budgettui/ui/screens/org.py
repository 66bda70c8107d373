"""One org (a LiteLLM team): its month by day, its cap and period, and its tenants ranked by the
month's spend. `o` edits the org's budget; Enter opens the highlighted tenant."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.widgets import DataTable, Static

from budgettui.domain.caps import CapScope, ScopedCap
from budgettui.domain.display import day_label, shorten_middle
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Org, Tenant
from budgettui.domain.usage import Month, MonthUsage
from budgettui.services.loading import Overview
from budgettui.services.org_loading import (
    OrgMonth,
    OrgStatus,
    TenantMonthSpend,
    load_org_month,
    org_tenants,
)
from budgettui.ui.screens.editing import EDIT_BINDINGS, EditingMixin
from budgettui.ui.screens.month_navigation import MonthScreen, month_screen_bindings
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.session import Session
from budgettui.ui.widgets.budget_bar import BudgetBar, cap_label
from budgettui.ui.widgets.tenant_table import (
    HIDDEN_USAGE,
    MAX_TENANT_WIDTH,
    status_cell,
    tenant_status_cell,
)
from budgettui.ui.widgets.theme_styles import ACCENT, MUTED, NOTICE, URGENT

SPEND_COLUMN = "Month"
STATUS_COLUMN = "Status"
CELL_PADDING = 2  # a DataTable cell's padding, one each side
MIN_NAME_WIDTH = 8


class OrgScreen(MonthScreen[OrgMonth], EditingMixin):
    BINDINGS = [
        # The org's budget and Enter first: at 80 columns the footer keeps the first keys.
        *(binding for binding in EDIT_BINDINGS if binding.action == "edit_org_budget"),
        # Priority: the focused table's own Enter (hidden from the footer) would take it.
        Binding("enter", "open", "Open", id="org.open", priority=True),
        *(binding for binding in EDIT_BINDINGS if binding.action != "edit_org_budget"),
        *month_screen_bindings("org"),
    ]
    SCREEN_NAME = "org"
    AUTO_FOCUS = "#org-tenants"

    def __init__(self, session: Session, org: Org) -> None:
        super().__init__(session)
        self.org = org
        self.org_month: OrgMonth | None = None

    def compose_details(self) -> ComposeResult:
        with Horizontal(id="org-details"):
            with Vertical(id="org-budgets"):
                yield Vertical(id="org-bars")  # the team's own cap, then its windows
                yield Static(id="org-facts")
            yield DataTable(id="org-tenants", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#month-note").display = False
        self.query_one("#day-line").display = False
        self._draw_title()
        self._draw_budgets()
        self._draw_tenants()
        self.load()

    def shown_subject(self) -> str:
        return self.org.team_id

    async def read_month(self, overview: Overview, month: Month) -> OrgMonth:
        org = self.org
        tenants = org_tenants(overview, org)
        return await load_org_month(self.session.client, overview.caller, org, tenants, month)

    def show_month(self, loaded: OrgMonth) -> None:
        self.org_month = loaded
        self.cursor_day = self.first_cursor_day(loaded.usage)
        self._draw_month()

    # -- drawing ------------------------------------------------------------------------------

    def _draw_title(self) -> None:
        """The org's name cut in the middle to what the month leaves of the line, so a long name
        never pushes the month off screen."""
        line = self.query_one("#org-title", Static)
        rest = Content.assemble(
            ("  org", ACCENT),
            (f"   {self.month.first_day:%B %Y}", "bold"),
            (" (month to date)", MUTED) if self.is_current_month else "",
        )
        room = line.content_region.width - rest.cell_length
        name = shorten_middle(self.org.name, max(MIN_NAME_WIDTH, room))
        line.update(Content.assemble((name, "bold"), rest))
        banner = self.query_one("#org-state", Static)
        banner.display = self.org.blocked
        banner.update(
            Content.styled("blocked: LiteLLM refuses every request of this org's keys", URGENT)
        )

    def _shown_caps(self) -> list[ScopedCap]:
        """The team's own cap first (an uncapped one as a cap without `max_budget`, its spend
        still worth showing), then its windows; one unreadable cap where it cannot be read."""
        caps = self.org.caps
        if any(c.scope is CapScope.TEAM for c in caps):
            return list(caps)
        return [ScopedCap(CapScope.TEAM, None, self.org.cap.spend), *caps]

    def _draw_budgets(self) -> None:
        caps = self._shown_caps()
        holder = self.query_one("#org-bars", Vertical)
        bars = list(holder.query_children(BudgetBar))
        missing = [BudgetBar() for _ in range(len(caps) - len(bars))]
        if missing:
            holder.mount_all(missing)
        for index, bar in enumerate(bars):
            bar.display = index < len(caps)
        # Beside a past month the cap still shows today's spend: said so, not left to guess.
        as_of = "" if self.is_current_month else "today: "
        threshold = self.session.settings.threshold
        for bar, cap in zip([*bars, *missing], caps, strict=False):
            bar.show(cap_label(cap, self.org.name), cap, threshold=threshold, as_of=as_of)
        self.query_one("#org-facts", Static).update(self._facts())

    def _status(self) -> Content:
        status = OrgStatus.of(self.org, self.session.settings.threshold)
        return status_cell(status.alert, state=status.state, unmeasured=status.unmeasured)

    def _facts(self) -> Content:
        org, today = self.org, self.session.today()
        reset = org.cap.budget_reset_at
        resets = ""
        if reset is not None:
            local = reset.astimezone(self.session.tz)
            resets = f" · resets {day_label(local.date(), today)} {local:%H:%M %Z}"
        rpm = f"{org.rpm_limit:,}" if org.rpm_limit is not None else "—"
        tpm = f"{org.tpm_limit:,}" if org.tpm_limit is not None else "—"
        parts: list[str | tuple[str, str] | Content] = [
            ("Status ", "bold"),
            self._status(),
            "\n",
            ("Period ", "bold"),
            f"{org.cap.budget_duration or 'none'}{resets}\n",
            ("Limits ", "bold"),
            f"{rpm} rpm · {tpm} tpm\n",
        ]
        loaded = self.org_month
        if loaded is not None:
            usage = loaded.usage
            parts += [("Month  ", "bold"), *TenantScreen._month_totals(usage)]
            parts += [("From   ", "bold"), (f"{loaded.source}\n", MUTED)]
            if usage.partial:
                parts.append((f"PARTIAL: {usage.partial_reason}", NOTICE))
        return Content.assemble(*parts)

    def _draw_month(self) -> None:
        loaded = self.org_month
        if loaded is None:
            return
        self._draw_title()
        self._draw_budgets()
        usage = loaded.usage
        empty = None
        if not (usage.request_count or usage.total_spend):
            month = f"{self.month.first_day:%B %Y}"
            empty = (
                f"no usage shown for {month}: {usage.partial_reason}"
                if usage.partial
                else f"no data for {month}: no requests were logged for this org's keys"
            )
        self.query_one("#charts").display = empty is None
        note = self.query_one("#month-note", Static)
        note.display = empty is not None
        note.update(Content.styled(empty or "", NOTICE if usage.partial else MUTED))
        self._draw_day()
        self._draw_tenants()

    def _ranked(self) -> list[TenantMonthSpend]:
        """The loaded ranking; before it lands, the org's tenants with their month untold."""
        if self.org_month is not None:
            return self.org_month.tenants
        overview = self.session.overview
        tenants = org_tenants(overview, self.org) if overview else []
        return [TenantMonthSpend(t, None) for t in tenants]

    def _draw_tenants(self) -> None:
        """Columns sized to the widest amount and word; names cut in the middle to what is left,
        so no two rows read the same and no amount loses a digit."""
        table = self.query_one("#org-tenants", DataTable)
        ranked = self._ranked()
        loading = self.org_month is None
        amounts = [_month_spend(share, loading=loading) for share in ranked]
        statuses = [tenant_status_cell(share.tenant) for share in ranked]
        money_width = max([len(SPEND_COLUMN), *(len(a) for a in amounts)])
        status_width = max([len(STATUS_COLUMN), *(s.cell_length for s in statuses)])
        # Room for the scrollbar a long org brings, so it never pushes the status off screen.
        scrollbar = table.styles.scrollbar_size_vertical
        room = table.scrollable_content_region.width - 3 * CELL_PADDING - scrollbar
        name_width = max(MIN_NAME_WIDTH, min(MAX_TENANT_WIDTH, room - money_width - status_width))
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("Tenant", width=name_width, key="tenant")
        table.add_column(Text(SPEND_COLUMN, justify="right"), width=money_width, key="spend")
        table.add_column(STATUS_COLUMN, width=status_width, key="status")
        for share, amount, status in zip(ranked, amounts, statuses, strict=True):
            name = shorten_middle(share.tenant.name, name_width)
            money = Text(amount, justify="right", style="dim" if share.spend is None else "")
            table.add_row(Text(name), money, status, key=_row_key(share.tenant))
        if ranked:
            table.move_cursor(row=min(row, len(ranked) - 1))

    def on_resize(self, _event: Resize) -> None:
        self.call_after_refresh(self._draw_title)
        self.call_after_refresh(self._draw_tenants)

    # -- the month and the day ----------------------------------------------------------------

    def month_usage(self) -> MonthUsage | None:
        return self.org_month.usage if self.org_month else None

    def forget_month(self) -> None:
        # The ranking by the last month's spend would read as this one's: untold until it lands.
        self.org_month = None
        self._draw_tenants()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "month" and parameters:
            return self.check_month_action(parameters)
        if action == "open":
            return self.current_tenant() is not None
        return self.check_edit_action(action)

    # -- tenants and edits --------------------------------------------------------------------

    def current_tenant(self) -> Tenant | None:
        """The highlighted tenant: `b` and `R` act on it, as on the tenants screen."""
        table = self.query_one("#org-tenants", DataTable)
        ranked = self._ranked()
        if not ranked or not 0 <= table.cursor_row < len(ranked):
            return None
        return ranked[table.cursor_row].tenant

    def current_org(self) -> Org | None:
        return self.org

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        tenant = self.current_tenant()
        if tenant is not None:
            self.app.push_screen(TenantScreen(self.session, tenant))

    def take_fresh_overview(self) -> None:
        fresh = self.session.find_org(self.org.team_id)
        if fresh is not None:
            self.org = fresh

    def action_refresh(self) -> None:
        self.load()


def _row_key(tenant: Tenant) -> str:
    return tenant.key_hash or f"new:{tenant.name}"


def _month_spend(share: TenantMonthSpend, *, loading: bool) -> str:
    """Every digit; `n/a` where LiteLLM did not tell (never a zero), `…` while loading."""
    if share.spend is not None:
        return format_money(share.spend)
    return "…" if loading else HIDDEN_USAGE
