"""What the tenant and the org screen share: one subject's month, read in the background and
re-read after an edit; `[`/`]` step the month within the range budgettui reads (at either end
the key says why it does nothing), `←`/`→` move the day cursor, and the day line tells that
day's figures. Written once so the two screens move and read the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import ClassVar, Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Static

from budgettui.domain.display import day_label
from budgettui.domain.money import format_money
from budgettui.domain.usage import Month, MonthUsage
from budgettui.proxy.errors import ProxyError
from budgettui.services.loading import Overview
from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.session import Session
from budgettui.ui.widgets.footer import Footer
from budgettui.ui.widgets.spend_chart import SpendChart, TokensChart
from budgettui.ui.widgets.theme_styles import MUTED

MONTHS_BACK = 12  # how far `[` goes: LiteLLM keeps logs longer, but a year is what admins ask
MONTH_KEYS = {"left_square_bracket": -1, "right_square_bracket": 1}

Loaded = TypeVar("Loaded")  # what a screen reads for its month: a tenant's usage, an org's month


def day_text(day: date, today: date) -> str:
    """`Wed Nov 18`, with the year when far or in another year."""
    return f"{day:%a} {day_label(day, today)}"


def month_screen_bindings(screen: str) -> list[Binding]:
    """`[`/`]`, `←`/`→`, refresh, help, quit and back, their ids under the screen's name
    (`tenant.next_month`, `org.day_before`): a config file rebinds them by those ids, one
    screen at a time."""
    return [
        Binding("left_square_bracket", "month(-1)", "Prev month", id=f"{screen}.previous_month"),
        Binding("right_square_bracket", "month(1)", "Next month", id=f"{screen}.next_month"),
        # Priority: the screen's table would otherwise take the arrows (the tenant's models
        # table, to scroll sideways).
        Binding(
            "left", "day(-1)", "Day before", show=False, priority=True, id=f"{screen}.day_before"
        ),
        Binding(
            "right", "day(1)", "Day after", show=False, priority=True, id=f"{screen}.day_after"
        ),
        Binding("r", "refresh", "Refresh", id=f"{screen}.refresh"),
        Binding("question_mark", "help", "Help", id=f"{screen}.help"),
        Binding("q", "quit", "Quit", id=f"{screen}.quit"),
        Binding("escape", "back", "Back", id=f"{screen}.back"),
    ]


class MonthScreen(Screen[None], Generic[Loaded]):
    """A screen of one subject's month (a tenant's, an org's). The screen gives its parts as
    the hooks below, its keys as `month_screen_bindings(...)`, and asks `check_month_action`
    from `check_action`. Opens on the current month."""

    SCREEN_NAME: ClassVar[str]  # its widgets' prefix: `#tenant-title`, `#org-state`

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.month = Month.of(session.today())
        self.cursor_day: date | None = None  # placed when the month's usage lands

    # -- what the screen gives ----------------------------------------------------------------

    def compose_details(self) -> ComposeResult:
        """What goes under the day line: the caps, the facts, the screen's own table."""
        raise NotImplementedError

    def shown_subject(self) -> object:
        """Who the screen shows, as an identity: a read for someone else is dropped."""
        raise NotImplementedError

    async def read_month(self, overview: Overview, month: Month) -> Loaded:
        """The shown subject's `month` from the proxy."""
        raise NotImplementedError

    def show_month(self, loaded: Loaded) -> None:
        """Keep what `read_month` brought, place `cursor_day` in it and draw it."""
        raise NotImplementedError

    def month_usage(self) -> MonthUsage | None:
        """The shown month's usage by day; None while it loads."""
        raise NotImplementedError

    def forget_month(self) -> None:
        """`self.month` has just moved: drop what was read for the last one that would read as
        the new one's. By default nothing: it stays until the new month's usage lands."""

    def take_fresh_overview(self) -> None:
        """The overview was re-read: take the subject from it, as the proxy now holds it."""
        raise NotImplementedError

    def _draw_title(self) -> None:
        raise NotImplementedError

    def _draw_budgets(self) -> None:
        raise NotImplementedError

    def action_refresh(self) -> None:
        raise NotImplementedError

    # -- the frame ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id=f"{self.SCREEN_NAME}-title")
        yield Static(id=f"{self.SCREEN_NAME}-state")
        with Horizontal(id="charts"):
            yield SpendChart(id="spend-chart")
            yield TokensChart(id="tokens-chart")
        yield Static(id="month-note")  # said instead of the charts when there is nothing to chart
        yield Static(id="day-line")
        yield from self.compose_details()
        yield Footer()

    @work(exclusive=True, group="month-usage", exit_on_error=False)
    async def load(self) -> None:
        month, subject = self.month, self.shown_subject()
        overview = self.session.overview
        if overview is None:
            return
        try:
            loaded = await self.read_month(overview, month)
        except ProxyError as exc:
            self.notify(exc.message, title=exc.title, severity="warning", timeout=8)
            return
        if month != self.month or subject != self.shown_subject():
            return  # the user moved on while this was loading: drop it
        self.show_month(loaded)

    def after_edit(self) -> None:
        self._reread()

    @work(exclusive=True, group="month-reread", exit_on_error=False)
    async def _reread(self) -> None:
        """Re-read the overview after an edit, so every cap shows what the proxy now holds."""
        try:
            await self.session.refresh_overview()
        except ProxyError as error:
            self.notify(error.message, title=error.title, severity="warning")
            return
        self.take_fresh_overview()
        self._draw_budgets()
        self.refresh_bindings()
        self.action_refresh()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_quit(self) -> None:
        self.app.exit()

    # -- the month and the day ----------------------------------------------------------------

    @property
    def is_current_month(self) -> bool:
        return self.month == Month.of(self.session.today())

    def first_cursor_day(self, usage: MonthUsage) -> date:
        """Today in the current month; else the month's last day with traffic (or its last)."""
        if self.is_current_month:
            return self.session.today()
        busy = [d.day for d in usage.daily if d.requests or d.spend]
        return busy[-1] if busy else self.month.last_day

    def _draw_day(self) -> None:
        """The cursor's day in words and on both charts; hidden while there is no chart."""
        line = self.query_one("#day-line", Static)
        usage, cursor = self.month_usage(), self.cursor_day
        shown = self.query_one("#charts").display and usage is not None and cursor is not None
        line.display = bool(shown)
        if usage is None or cursor is None or not shown:
            return
        day = usage.daily[cursor.day - 1]
        line.update(
            Content.assemble(
                ("▲ ", "bold"),
                (day_text(day.day, self.session.today()), "bold"),
                f": {format_money(day.spend)} · {day.input_tokens:,} in · "
                f"{day.output_tokens:,} out tokens · {day.requests:,} requests",
                ("   ←/→ day", MUTED),
            )
        )
        for chart in (self.query_one(SpendChart), self.query_one(TokensChart)):
            chart.show(usage, cursor.day)

    def month_refusal(self, step: int) -> str | None:
        """None when `[`/`]` may move; else why not."""
        current = Month.of(self.session.today())
        if step > 0 and self.month >= current:
            return "this is the current month: there is nothing after it yet"
        earliest = _months_before(current, MONTHS_BACK)
        if step < 0 and self.month <= earliest:
            first = f"{earliest.first_day:%B %Y}"
            return f"budgettui looks back {MONTHS_BACK} months: {first} is the first"
        return None

    def check_month_action(self, parameters: Sequence[object]) -> bool | None:
        """For `check_action("month", ...)`: dimmed (None) at the range's ends, so the footer
        shows that `[` or `]` cannot move."""
        return None if self.month_refusal(int(str(parameters[0]))) else True

    def action_month(self, step: int) -> None:
        if self.month_refusal(step):
            return
        self.month = self.month.next() if step > 0 else self.month.previous()
        self.cursor_day = None  # the new month's usage places it when it lands
        self.forget_month()
        self._draw_title()
        self._draw_budgets()
        self.refresh_bindings()
        self.load()

    def action_day(self, step: int) -> None:
        if self.cursor_day is None or not self.query_one("#charts").display:
            return
        # Never past today: the days after it have no usage yet.
        last = min(self.month.last_day, self.session.today())
        moved = self.cursor_day + timedelta(days=step)
        self.cursor_day = max(self.month.first_day, min(last, moved))
        self._draw_day()

    def on_key(self, event: Key) -> None:
        """`[` or `]` at the end of the range still answers: it says why it does nothing.
        (Textual calls every class's `on_key` in turn, so the editor keys' own handler runs
        without a `super()` call.)"""
        step = MONTH_KEYS.get(event.key)
        reason = self.month_refusal(step) if step else None
        if reason:
            event.stop()
            self.notify(reason, title="No other month", severity="information")


def _months_before(month: Month, count: int) -> Month:
    for _ in range(count):
        month = month.previous()
    return month
