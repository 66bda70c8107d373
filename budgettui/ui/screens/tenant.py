"""One tenant: the month by day (spend and tokens), totals, models, every cap that can stop it
(the one that binds first marked), what stops it whatever its money, and where the month is
heading."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from budgettui.domain.budget import Projection, pace_basis, project
from budgettui.domain.caps import CapScope, ScopedCap, StopState
from budgettui.domain.display import RUNWAY_HORIZON_DAYS, day_label, runway_label
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Tenant
from budgettui.domain.usage import Month, MonthUsage
from budgettui.proxy.errors import ProxyError
from budgettui.services.loading import Overview, load_key_details, load_month_usage
from budgettui.ui.screens.editing import EDIT_BINDINGS, EditingMixin
from budgettui.ui.screens.month_navigation import MonthScreen, day_text, month_screen_bindings
from budgettui.ui.session import Session
from budgettui.ui.widgets.budget_bar import BudgetBar, cap_label
from budgettui.ui.widgets.theme_styles import ACCENT, GOOD, MUTED, NOTICE, PENDING, SOON, URGENT

Part = str | tuple[str, str]  # a piece of a line for Content.assemble: text, or text and style


class TenantScreen(MonthScreen[MonthUsage], EditingMixin):
    BINDINGS = [*EDIT_BINDINGS, *month_screen_bindings("tenant")]
    SCREEN_NAME = "tenant"

    def __init__(self, session: Session, tenant: Tenant) -> None:
        super().__init__(session)
        self.tenant = tenant
        self.usage: MonthUsage | None = None

    def compose_details(self) -> ComposeResult:
        with Horizontal(id="details"):
            with Vertical(id="budgets"):
                yield BudgetBar(id="key-bar")
                yield BudgetBar(id="org-bar")
                yield Vertical(id="other-caps")  # the owner's, the member's, windows, models
                yield Static(id="soft-budget")
                yield Static(id="facts")
            yield DataTable(id="models", cursor_type="none", zebra_stripes=True)

    def on_mount(self) -> None:
        models = self.query_one("#models", DataTable)
        models.add_column("Model (month)", key="model")
        models.add_column("Spend", key="spend")
        models.add_column("Reqs", key="requests")
        self.query_one("#month-note").display = False
        self._draw_budgets()
        self._draw_title()
        self.load()
        self.load_details()

    async def read_month(self, overview: Overview, month: Month) -> MonthUsage:
        return await load_month_usage(self.session.client, overview.caller, self.tenant, month)

    def show_month(self, loaded: MonthUsage) -> None:
        self.usage = loaded
        self.cursor_day = self.first_cursor_day(loaded)
        self._draw_usage(loaded)

    @work(exclusive=True, group="tenant-details", exit_on_error=False)
    async def load_details(self) -> None:
        """The key's own `/key/info`: the spend of its windows and per-model budgets and its
        soft budget, which the listing behind the table does not tell."""
        tenant = self.tenant
        try:
            detailed = await load_key_details(self.session.client, tenant)
        except ProxyError as exc:
            self.notify(exc.message, title=exc.title, severity="warning", timeout=8)
            return
        if not self._still_showing(tenant):
            return
        self.tenant = detailed
        self._draw_budgets()
        if self.usage is not None:
            self.query_one("#facts", Static).update(self._facts(self.usage))

    def shown_subject(self) -> tuple[str | None, str]:
        return self.tenant.key_hash, self.tenant.name

    def _still_showing(self, tenant: Tenant) -> bool:
        """Whether `tenant` is the key on screen (its details or a re-read may have replaced the
        object since)."""
        return (tenant.key_hash, tenant.name) == self.shown_subject()

    # -- drawing ------------------------------------------------------------------------------

    def _draw_title(self) -> None:
        tenant = self.tenant
        title = Content.assemble(
            (tenant.name, "bold"),
            (f"  {tenant.org_name or 'no org'}", ACCENT),
            (f"   {self.month.first_day:%B %Y}", "bold"),
            (" (month to date)", MUTED) if self.is_current_month else "",
            ("   provisioning: no key yet", PENDING) if tenant.provisioning else "",
        )
        self.query_one("#tenant-title", Static).update(title)

    def _draw_state(self) -> None:
        """Blocked or expired comes before any budget: LiteLLM refuses the key whatever they say."""
        banner = self.query_one("#tenant-state", Static)
        words = self._state_words()
        banner.display = words is not None
        banner.update(Content.styled(words or "", URGENT))

    def _state_words(self) -> str | None:
        tenant = self.tenant
        if tenant.state is StopState.BLOCKED:
            org = tenant.org
            whose = f" (its org {org.name} is blocked)" if org and org.blocked else ""
            return f"blocked{whose}: LiteLLM refuses every request of this key"
        if tenant.state is StopState.EXPIRED and tenant.expires is not None:
            local = tenant.expires.astimezone(self.session.tz)
            when = f"{day_label(local.date(), self.session.today())} {local:%H:%M %Z}"
            return f"expired {when}: LiteLLM refuses this key"
        return None

    def _draw_budgets(self) -> None:
        """A bar per cap: the key's and the org's always (saying "no cap" when there is none),
        then every other cap LiteLLM checks; the one it hits first marked."""
        tenant = self.tenant
        self._draw_state()
        caps = self._shown_caps()
        labels = [cap_label(cap, tenant.org_name) for cap in caps]
        org_bar = self.query_one("#org-bar", BudgetBar)
        org_bar.display = tenant.org is not None
        own = [self.query_one("#key-bar", BudgetBar), *([org_bar] if tenant.org else [])]
        bars = [*own, *self._other_bars(len(caps) - len(own))]
        binding = tenant.binding_scoped_cap
        # Beside a past month the caps still show today's spend: said so, not left to guess.
        as_of = "" if self.is_current_month else "today: "
        for bar, cap, label in zip(bars, caps, labels, strict=True):
            bar.show(
                label,
                cap,
                binds=cap == binding,
                threshold=tenant.threshold,
                as_of=as_of,
            )
        self._draw_soft_budget()

    def _shown_caps(self) -> list[ScopedCap]:
        """The key's cap and the org's first, an uncapped one as a cap without `max_budget` (its
        spend still worth showing), then the tenant's other caps in the domain's order."""
        tenant = self.tenant
        caps = tenant.caps

        def own(scope: CapScope, spend: Decimal | None) -> ScopedCap:
            return next((c for c in caps if c.scope is scope), ScopedCap(scope, None, spend))

        key = own(CapScope.KEY, None if tenant.provisioning else tenant.cap.spend)
        org = [own(CapScope.TEAM, tenant.org.cap.spend)] if tenant.org else []
        return [key, *org, *(c for c in caps if c.scope not in (CapScope.KEY, CapScope.TEAM))]

    def _other_bars(self, count: int) -> list[BudgetBar]:
        """`count` bars under the key's and the org's: those already there are reused, extra
        ones hidden (a tenant re-read may have fewer caps), missing ones mounted."""
        holder = self.query_one("#other-caps", Vertical)
        bars = list(holder.query_children(BudgetBar))
        missing = [BudgetBar() for _ in range(count - len(bars))]
        if missing:
            holder.mount_all(missing)
        for index, bar in enumerate(bars):
            bar.display = index < count
        return [*bars, *missing][:count]

    def _draw_soft_budget(self) -> None:
        """LiteLLM only alerts on a soft budget: a marker line, never a bar that could bind."""
        line = self.query_one("#soft-budget", Static)
        soft = self.tenant.soft_budget
        line.display = soft is not None
        if soft is None:
            return
        passed = self.tenant.cap.spend >= soft
        line.update(
            Content.assemble(
                f"soft budget {format_money(soft)} (alerts only)",
                (f" · passed: key spend {format_money(self.tenant.cap.spend)}", NOTICE)
                if passed
                else "",
            )
        )

    def _draw_usage(self, usage: MonthUsage) -> None:
        self._draw_title()
        self._draw_budgets()
        empty = self._no_data_note(usage)
        self.query_one("#charts").display = empty is None
        note = self.query_one("#month-note", Static)
        note.display = empty is not None
        note.update(Content.styled(empty or "", NOTICE if usage.partial else MUTED))
        self._draw_day()
        models = self.query_one("#models", DataTable)
        models.clear()
        for model in usage.models:
            models.add_row(
                Text(model.model),
                Text(format_money(model.spend), justify="right"),
                Text(f"{model.requests:,}", justify="right"),
            )
        self.query_one("#facts", Static).update(self._facts(usage))

    def _no_data_note(self, usage: MonthUsage) -> str | None:
        """What to say instead of charts when there is nothing to chart (None: chart it)."""
        if usage.request_count or usage.total_spend:
            return None
        month = f"{self.month.first_day:%B %Y}"
        if usage.partial:
            return f"no usage shown for {month}: {usage.partial_reason}"
        if self.tenant.provisioning:
            return f"no data for {month}: {self.tenant.name} has no key yet"
        return f"no data for {month}: no requests were logged for this key that month"

    def _facts(self, usage: MonthUsage) -> Content:
        tenant = self.tenant
        today = self.session.today()
        binding = tenant.binding_cap_value  # the cap that stops the tenant first, whoever's
        reset = binding.budget_reset_at if binding else None
        rpm = f"{tenant.rpm_limit:,}" if tenant.rpm_limit is not None else "—"
        tpm = f"{tenant.tpm_limit:,}" if tenant.tpm_limit is not None else "—"
        local = reset.astimezone(self.session.tz) if reset else None
        parts: list[Part] = [
            ("Month  ", "bold"),
            *self._month_totals(usage),
            (f"PARTIAL: {usage.partial_reason}\n", NOTICE) if usage.partial else "",
            ("Resets ", "bold"),
            f"{day_text(local.date(), today)} {local:%H:%M %Z}\n" if local else "—\n",
            ("Limits ", "bold"),
            f"{rpm} rpm · {tpm} tpm\n",
        ]
        if self.is_current_month and not tenant.provisioning:  # no key: no pace to project
            parts += self._projection(usage)
        return Content.assemble(*parts)

    @staticmethod
    def _month_totals(usage: MonthUsage) -> list[Part]:
        """Every digit of the month's figures; a partial month's are lower bounds, said so."""
        if usage.partial and not usage.request_count:
            return [("unknown (see PARTIAL)\n", NOTICE)]
        floor = "at least " if usage.partial else ""
        return [
            f"{floor}{format_money(usage.total_spend)} · {usage.request_count:,} requests\n",
            ("Tokens ", "bold"),
            f"{floor}{usage.input_tokens:,} in · {usage.output_tokens:,} out\n",
        ]

    def _projection(self, usage: MonthUsage) -> list[Part]:
        if usage.partial:
            # A pace from part of the month would understate it and could read as an all-clear.
            return [
                ("Runway ", "bold"),
                ("not projected: this month's usage is incomplete", NOTICE),
            ]
        cap = self.tenant.binding_cap_value
        today = self.session.today()
        reset_on = cap.budget_reset_at.date() if cap and cap.budget_reset_at else None
        spent, since = pace_basis(cap, usage.total_spend, self.month.start, self.tenant.created_at)
        projection = project(
            spent,
            today,
            self.month.last_day,
            cap.remaining if cap else None,
            reset_on,
            since=since,
            now=self.session.clock(),
        )
        return [
            ("Pace   ", "bold"),
            f"{format_money(projection.daily_rate)}/day → "
            f"{format_money(projection.month_end_spend)} by month end\n",
            ("Runway ", "bold"),
            runway_words(projection, today, reset_on, has_cap=cap is not None),
        ]

    # -- actions ------------------------------------------------------------------------------

    def month_usage(self) -> MonthUsage | None:
        return self.usage

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "month" and parameters:
            return self.check_month_action(parameters)
        return self.check_edit_action(action)

    def current_tenant(self) -> Tenant | None:
        return self.tenant

    def take_fresh_overview(self) -> None:
        fresh = self.session.find_tenant(self.tenant.key_hash, self.tenant.name)
        if fresh is not None:
            self.tenant = fresh

    def action_refresh(self) -> None:
        self.load()
        self.load_details()


def runway_words(
    projection: Projection, today: date, reset_on: date | None, *, has_cap: bool
) -> Part:
    """Where the cap stands at this pace, in words; a far date with its year."""
    if projection.too_little_history:
        return ("too little history: under a day of spending to project from", MUTED)
    if projection.runway_date is not None:
        label = runway_label(projection.runway_date, today)
        if label == "now":
            return ("cap hit now", URGENT)
        if (projection.runway_date - today).days > RUNWAY_HORIZON_DAYS:
            return (f"cap hit in {label} at this pace", GOOD)
        return (f"cap hit {day_text(projection.runway_date, today)}", SOON)
    if projection.resets_first and reset_on is not None:
        return (f"the cap resets {day_label(reset_on, today)} before this pace uses it", GOOD)
    if has_cap:
        return ("cap not hit at this pace", GOOD)
    return ("no cap", MUTED)
