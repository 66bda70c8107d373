"""One tenant: the month by day (spend and tokens), totals, models, both caps and where the
month is heading."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from budgettui.domain.budget import BindingCap, project
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Tenant
from budgettui.domain.usage import Month, MonthUsage
from budgettui.proxy.errors import ProxyError
from budgettui.services.loading import load_month_usage
from budgettui.ui.screens.editing import EDIT_BINDINGS, EditingMixin
from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.session import Session
from budgettui.ui.widgets.budget_bar import BudgetBar
from budgettui.ui.widgets.footer import Footer
from budgettui.ui.widgets.spend_chart import SpendChart, TokensChart
from budgettui.ui.widgets.theme_styles import ACCENT, GOOD, MUTED, NOTICE, PENDING, SOON, URGENT

Part = str | tuple[str, str]  # a piece of a line for Content.assemble: text, or text and style


class TenantScreen(EditingMixin):
    BINDINGS = [
        *EDIT_BINDINGS,
        Binding("left_square_bracket", "month(-1)", "Prev month", id="tenant.previous_month"),
        Binding("right_square_bracket", "month(1)", "Next month", id="tenant.next_month"),
        Binding("r", "refresh", "Refresh", id="tenant.refresh"),
        Binding("question_mark", "help", "Help", id="tenant.help"),
        Binding("escape", "back", "Back", id="tenant.back"),
    ]

    def __init__(self, session: Session, tenant: Tenant) -> None:
        super().__init__()
        self.session = session
        self.tenant = tenant
        self.month = Month.of(session.today())
        self.usage: MonthUsage | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="tenant-title")
        with Horizontal(id="charts"):
            yield SpendChart(id="spend-chart")
            yield TokensChart(id="tokens-chart")
        with Horizontal(id="details"):
            with Vertical(id="budgets"):
                yield BudgetBar(id="key-bar")
                yield BudgetBar(id="org-bar")
                yield Static(id="facts")
            yield DataTable(id="models", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        models = self.query_one("#models", DataTable)
        models.add_column("Model", key="model")
        models.add_column("Spend", key="spend")
        models.add_column("Reqs", key="requests")
        self._draw_budgets()
        self._draw_title()
        self.load()

    @work(exclusive=True, group="tenant-usage", exit_on_error=False)
    async def load(self) -> None:
        month = self.month
        tenant = self.tenant
        overview = self.session.overview
        if overview is None:
            return
        try:
            usage = await load_month_usage(self.session.client, overview.caller, tenant, month)
        except ProxyError as exc:
            self.notify(exc.message, title=exc.title, severity="warning", timeout=8)
            return
        if month != self.month or tenant is not self.tenant:
            return  # the user moved on while this was loading: drop it
        self.usage = usage
        self._draw_usage(usage)

    # -- drawing ------------------------------------------------------------------------------

    def _draw_title(self) -> None:
        tenant = self.tenant
        title = Content.assemble(
            (tenant.name, "bold"),
            (f"  {tenant.org_name or 'no org'}", ACCENT),
            (f"   {self.month.first_day:%B %Y}", "bold"),
            (" (month to date)", MUTED) if self.month == Month.of(self.session.today()) else "",
            ("   provisioning: no key yet", PENDING) if tenant.provisioning else "",
        )
        self.query_one("#tenant-title", Static).update(title)

    def _draw_budgets(self) -> None:
        tenant = self.tenant
        binds = tenant.binding
        self.query_one("#key-bar", BudgetBar).show(
            "Key",
            None if tenant.provisioning else tenant.cap,
            binds=binds is BindingCap.KEY,
            threshold=tenant.threshold,
        )
        self.query_one("#org-bar", BudgetBar).show(
            "Org",
            tenant.org.cap if tenant.org else None,
            binds=binds is BindingCap.ORG,
            threshold=tenant.threshold,
        )

    def _draw_usage(self, usage: MonthUsage) -> None:
        self._draw_title()
        self.query_one(SpendChart).show(usage)
        self.query_one(TokensChart).show(usage)
        models = self.query_one("#models", DataTable)
        models.clear()
        for model in usage.models:
            models.add_row(
                Text(model.model),
                Text(format_money(model.spend), justify="right"),
                Text(f"{model.requests:,}", justify="right"),
            )
        self.query_one("#facts", Static).update(self._facts(usage))

    def _facts(self, usage: MonthUsage) -> Content:
        tenant = self.tenant
        reset = tenant.cap.budget_reset_at or (
            tenant.org.cap.budget_reset_at if tenant.org else None
        )
        rpm = f"{tenant.rpm_limit:,}" if tenant.rpm_limit is not None else "—"
        tpm = f"{tenant.tpm_limit:,}" if tenant.tpm_limit is not None else "—"
        parts: list[Part] = [
            ("Month  ", "bold"),
            f"{format_money(usage.total_spend)} · {usage.request_count:,} requests\n",
            ("Tokens ", "bold"),
            f"{usage.input_tokens:,} in · {usage.output_tokens:,} out\n",
            (f"PARTIAL: {usage.partial_reason}\n", NOTICE) if usage.partial else "",
            ("Resets ", "bold"),
            f"{reset.astimezone(self.session.tz):%a %b %d %H:%M %Z}\n" if reset else "—\n",
            ("Limits ", "bold"),
            f"{rpm} rpm · {tpm} tpm\n",
        ]
        if self.month == Month.of(self.session.today()):
            parts += self._projection(usage)
        return Content.assemble(*parts)

    def _projection(self, usage: MonthUsage) -> list[Part]:
        cap = self.tenant.binding_cap_value
        today = self.session.today()
        reset_on = cap.budget_reset_at.date() if cap and cap.budget_reset_at else None
        projection = project(
            usage.total_spend, today, self.month.last_day, cap.remaining if cap else None, reset_on
        )
        if projection.runway_date is not None:
            style = URGENT if projection.runway_date <= today else SOON
            runway = (f"cap hit {projection.runway_date:%a %b %d}", style)
        elif projection.resets_first and reset_on is not None:
            runway = (f"the cap resets {reset_on:%b %d} before this pace uses it", GOOD)
        elif cap is not None:
            runway = ("cap not hit at this pace", GOOD)
        else:
            runway = ("no cap", MUTED)
        return [
            ("Pace   ", "bold"),
            f"{format_money(projection.daily_rate)}/day → "
            f"{format_money(projection.month_end_spend)} by month end\n",
            ("Runway ", "bold"),
            runway,
        ]

    # -- actions ------------------------------------------------------------------------------

    def action_month(self, step: int) -> None:
        self.month = self.month.next() if step > 0 else self.month.previous()
        self._draw_title()
        self.refresh_bindings()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "month" and parameters and int(str(parameters[0])) > 0:
            # No future months: there is nothing to show yet.
            return self.month < Month.of(self.session.today())
        return self.check_edit_action(action)

    def current_tenant(self) -> Tenant | None:
        return self.tenant

    def after_edit(self) -> None:
        self._reread()

    @work(exclusive=True, group="tenant-reread", exit_on_error=False)
    async def _reread(self) -> None:
        """Re-read the overview so both caps show what the proxy now holds."""
        try:
            await self.session.refresh_overview()
        except ProxyError as error:
            self.notify(error.message, title=error.title, severity="warning")
            return
        fresh = self.session.find_tenant(self.tenant.key_hash, self.tenant.name)
        if fresh is not None:
            self.tenant = fresh
        self._draw_budgets()
        self.refresh_bindings()
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    def action_back(self) -> None:
        self.app.pop_screen()
