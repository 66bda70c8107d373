"""The tenants screen: every tenant the credential may see, grouped under its org."""

from __future__ import annotations

import time
from decimal import Decimal

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from budgettui.domain.listing import DESCENDING_BY_DEFAULT, Row, SortKey, TenantRows
from budgettui.domain.tenants import NOT_FOUND, Org, Tenant, is_read_only
from budgettui.domain.usage import Month
from budgettui.proxy.errors import ProxyError
from budgettui.services.loading import MonthToDate, Overview, load_dashboard
from budgettui.ui.screens.editing import EDIT_BINDINGS, EditingMixin
from budgettui.ui.screens.error import ErrorScreen
from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.screens.org import OrgScreen
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.screens.tenants_tools import TenantsTools
from budgettui.ui.session import Session
from budgettui.ui.widgets.command_line import CommandLine
from budgettui.ui.widgets.footer import Footer
from budgettui.ui.widgets.identity import role_words
from budgettui.ui.widgets.tenant_table import (
    ORG_ROW_PREFIX,
    PROVISIONING_ROW_PREFIX,
    TENANT_ROW_PREFIX,
    TenantTable,
    describe_refresh,
)
from budgettui.ui.widgets.theme_styles import MUTED, NOTICE


class TenantsScreen(EditingMixin, TenantsTools):
    BINDINGS = [
        *EDIT_BINDINGS,
        Binding("u", "undo", "Undo", id="edit.undo"),
        Binding("slash", "filter", "Filter", id="tenants.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="tenants.clear_filter"),
        Binding("s", "sort", "Sort", id="tenants.sort"),
        Binding("S", "reverse_sort", "Reverse", id="tenants.reverse_sort"),
        Binding("enter", "open", "Open", id="tenants.open", show=True, priority=False),
        Binding("r", "refresh", "Refresh", id="tenants.refresh"),
        Binding("question_mark", "help", "Help", id="tenants.help"),
        Binding("q", "quit", "Quit", id="tenants.quit"),
        Binding("colon", "command_line", "Command line", id="tenants.command", show=False),
        Binding("exclamation_mark", "risk", "At risk", id="tenants.risk", show=False),
        Binding("space", "mark", "Mark", id="tenants.mark", show=False),
        Binding("asterisk", "mark_shown", "Mark shown", id="tenants.mark_shown", show=False),
        Binding("e", "export('csv')", "Export CSV", id="tenants.export_csv", show=False),
        Binding("E", "export('json')", "Export JSON", id="tenants.export_json", show=False),
        Binding("y", "copy", "Copy", id="tenants.copy", show=False),
    ]

    AUTO_FOCUS = "#tenants"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.query_text = ""
        self.sort = SortKey.TENANT
        self.reverse = False
        self.month_to_date = MonthToDate(None)
        self.rows: TenantRows | None = None
        # True until the last page of keys and of month-to-date totals has landed.
        self.is_loading = True
        self.shown_query = ""  # the filter the table reflects now (the benchmark waits on it)
        self._progress: tuple[int, int | None] | None = None  # keys landed, keys in all
        self._redraw_timer: Timer | None = None
        self._redraw_cost = 0.0  # seconds the last streaming redraw took
        self._lines_shown: dict[str, tuple[str, object]] = {}
        self.marked: set[str] = set()  # row keys of the tenants marked for a bulk edit
        self._refresh_timer: Timer | None = None
        self._refresh_due = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="tenants-header"):
            yield Static(id="identity")
            yield Static(id="freshness")
        yield Input(placeholder="filter by tenant, org or status", id="filter")
        yield CommandLine(self._command_candidates, id="command-line")
        yield TenantTable(id="tenants")
        yield Static(id="table-note")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(5, self._tick_freshness)
        self._tick_freshness()  # "loading…" until the first answer
        self.reload()

    # -- data ---------------------------------------------------------------------------------

    @work(exclusive=True, group="overview", exit_on_error=False)
    async def reload(self) -> None:
        """Fetch the overview; on failure keep the last good data and say what went wrong. The
        first load streams: rows appear as pages of keys land ("loading keys 3,400 / 20,005")
        and runways fill in as the month-to-date totals come. A refresh keeps the table as it
        is until its data is whole: it never blanks, and an idle dashboard stays quiet."""
        session = self.session
        started = time.monotonic()
        now, today = session.clock(), session.today()
        stream = _Stream(self, TenantRows(today=today, now=now)) if self.rows is None else None
        self.is_loading = True
        try:
            overview, month_to_date = await load_dashboard(
                session.client,
                now,
                session.settings.threshold,
                Month.of(today),
                on_tenants=stream.tenants_landed if stream else None,
                on_spend=stream.spend_landed if stream else None,
            )
        except ProxyError as exc:
            if session is self.session:
                self._failed(exc)
        else:
            if session is not self.session:
                return  # an answer from the context the user has left
            session.overview = overview
            self.month_to_date = month_to_date
            self.rows = TenantRows(
                overview.tenants, month_to_date=month_to_date.spend, today=today, now=now
            )
            table = self.query_one(TenantTable)
            table.forget_widths()
            table.measure(self.rows.rows, today=today, tz=session.tz)
        finally:
            if session is self.session:
                self._loaded(started)

    def _loaded(self, started: float) -> None:
        """The load has ended, well or not: the next refresh is set and the table drawn whole."""
        self.is_loading = False
        self._progress = None
        if self._redraw_timer is not None:  # the redraw below shows it all
            self._redraw_timer.stop()
            self._redraw_timer = None
        self._schedule_refresh(time.monotonic() - started)
        self.redraw()

    # While pages land the table is redrawn at most this often: at 20,000 tenants a redraw
    # sorts every row, and 200 pages would otherwise keep the app from the user's keys.
    STREAM_REDRAW_SECONDS = 0.25

    def _redraw_soon(self) -> None:
        if self.rows is not None and self.query_one(TenantTable).row_count == 0:
            self._redraw_now()  # the first rows go up at once
        elif self._redraw_timer is None:
            # Never more than a fifth of the time spent redrawing: the user's keys come first.
            wait = max(self.STREAM_REDRAW_SECONDS, 4 * self._redraw_cost)
            self._redraw_timer = self.set_timer(wait, self._redraw_now)

    def _redraw_now(self) -> None:
        if self._redraw_timer is not None:
            self._redraw_timer.stop()  # this redraw is the one it was waiting for
            self._redraw_timer = None
        started = time.perf_counter()
        self.redraw()
        self._redraw_cost = time.perf_counter() - started

    def _failed(self, error: ProxyError) -> None:
        if self.session.overview is None:
            self.app.push_screen(ErrorScreen(error), callback=self._retry_after_error)
            return
        self.notify(error.message, title=error.title, severity="warning", timeout=8)
        self._tick_freshness()

    def _retry_after_error(self, _result: None) -> None:
        self.reload()

    def _schedule_refresh(self, took: float) -> None:
        """Refreshes start every `refresh_seconds`: the time a refresh took counts toward the
        wait (at 2,000 tenants a refresh takes ~0.8 s; `--refresh 1` still means every second).
        They never overlap: the next is set only once this one has ended, and at least a quarter
        of the interval later, so a proxy slower than the interval gets quiet time between."""
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        seconds = self.session.settings.refresh_seconds
        if seconds > 0:
            wait = max(seconds - took, seconds / 4)
            self._refresh_timer = self.set_timer(wait, self._poll_due)

    def _poll_due(self) -> None:
        if self.app.screen is not self:  # a modal or the tenant screen is on top: wait
            self._refresh_due = True
            return
        self.reload()

    def on_screen_resume(self) -> None:
        if self._refresh_due:
            self._refresh_due = False
            self.reload()
        elif self.session.overview is not None:
            self.redraw()

    # -- drawing ------------------------------------------------------------------------------

    def redraw(self) -> None:
        rows = self.rows
        if rows is None:
            self._draw_note(None, 0)
            return
        groups = rows.groups(self.query_text, self.sort, self.reverse)
        table = self.query_one(TenantTable)
        table.marked = self.marked
        table.show(groups, today=self.session.today(), tz=self.session.tz)
        self.shown_query = self.query_text
        overview = self.session.overview
        if overview is not None:
            self._draw_identity(overview)
        self._tick_freshness()
        self._draw_note(overview, sum(len(g.rows) for g in groups))

    def _draw_identity(self, overview: Overview) -> None:
        caller = overview.caller
        named = caller.user_id and caller.user_id != "default_user_id"
        context = self.session.settings.context
        text = Content.assemble(
            (f"{context} · ", "bold $accent") if context else "",
            (self.session.settings.host, "bold"),
            (f" · {overview.capabilities.label}", MUTED),  # what "n/a on LiteLLM …" refers to
            f"  {role_words(caller, overview.tenants)}",
            (f" ({caller.user_id})", MUTED) if named else "",
            ("  read-only", NOTICE) if is_read_only(caller) else "",
        )
        self._show("#identity", text)

    def _tick_freshness(self) -> None:
        overview = self.session.overview
        fetched = overview.fetched_at if overview else None
        text = describe_refresh(
            fetched, self.session.clock(), self.session.stale_after, self.session.tz
        )
        self._show("#freshness", text)

    def _draw_note(self, overview: Overview | None, shown: int) -> None:
        total = len(self.rows) if self.rows is not None else 0
        parts = [f"{shown:,} of {total:,} tenants"]
        if self._progress is not None:
            landed, expected = self._progress
            verb = "loading" if overview is None else "refreshing"
            parts.insert(
                0,
                f"{verb} keys {landed:,} / {expected:,}" if expected else f"{verb} keys {landed:,}",
            )
        elif self.is_loading and overview is None:
            parts = ["loading…"]
        if self.query_text and shown == 0 and not self.is_loading:
            # The same words whether the name does not exist or is hidden from this key.
            parts = [f"no tenant matches {self.query_text!r}: {NOT_FOUND}"]
        elif self.query_text:
            parts.append(f"filter: {self.query_text!r}")
        if self.marked:
            parts.append(f"{len(self.marked):,} marked: b or R edits them all")
        if self.month_to_date.unavailable:
            parts.append(f"runway {self.month_to_date.unavailable}")
        direction = "↓" if (self.sort in DESCENDING_BY_DEFAULT) != self.reverse else "↑"
        parts.append(f"sort: {self.sort.value} {direction}")
        if overview is not None and overview.partial:
            parts.append("PARTIAL: the proxy listed more than budgettui pages through")
        self._show("#table-note", Content.styled("  ·  ".join(parts), MUTED))

    def _show(self, line: str, content: Content) -> None:
        """Update a line only when what it says changed: a refresh that finds nothing new sends
        the terminal the clock, not the whole header again (an idle dashboard over SSH)."""
        drawn = (content.plain, content.spans)
        before = self._lines_shown.get(line)
        if before != drawn:
            self._lines_shown[line] = drawn
            # The same width (the clock ticking on): repaint the line alone. A layout pass
            # would send the whole screen again, some 3 KB a refresh over SSH.
            same_width = before is not None and cell_len(before[0]) == content.cell_length
            self.query_one(line, Static).update(content, layout=not same_width)

    # -- actions ------------------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        # At once, not on the next turn of the loop as `focus()` does: keys typed right after
        # `/` while the app is busy are already queued, and would go to the table and be lost.
        self.set_focus(field)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.redraw()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        """Enter: on to the first tenant that matches, ready for `b` or Enter (not its org)."""
        table = self.query_one(TenantTable)
        table.focus()
        first = table.first_tenant_row()
        if first is not None:
            table.move_cursor(row=first)

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        field.display = False
        self.query_text = ""
        self.query_one(TenantTable).focus()
        self.redraw()

    def action_sort(self) -> None:
        self.sort = self.sort.next()
        self.reverse = False
        self.redraw()

    def action_reverse_sort(self) -> None:
        self.reverse = not self.reverse
        self.redraw()

    def action_refresh(self) -> None:
        self.reload()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    async def action_quit(self) -> None:
        self.app.exit()

    def action_open(self) -> None:
        tenant = self.selected_tenant()
        if tenant is not None:
            self.open_tenant(tenant)
            return
        key = self.query_one(TenantTable).selected_key()
        if key is not None and key.startswith(ORG_ROW_PREFIX):
            org = self.session.find_org(key.removeprefix(ORG_ROW_PREFIX))
            if org is not None:
                self.open_org(org)

    def open_org(self, org: Org, month: Month | None = None) -> None:
        screen = OrgScreen(self.session, org)
        if month is not None:
            screen.month = month
        self.app.push_screen(screen)

    @on(TenantTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    @on(TenantTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def open_tenant(self, tenant: Tenant, month: Month | None = None) -> None:
        screen = TenantScreen(self.session, tenant)
        if month is not None:
            screen.month = month
        self.app.push_screen(screen)

    def selected_tenant(self) -> Tenant | None:
        table = self.query_one(TenantTable)
        key = table.selected_key()
        if key is None or not key.startswith((TENANT_ROW_PREFIX, PROVISIONING_ROW_PREFIX)):
            return None
        return table.tenant_at(table.cursor_row)

    def current_tenant(self) -> Tenant | None:
        return self.selected_tenant()

    def current_org(self) -> Org | None:
        key = self.query_one(TenantTable).selected_key()
        if key is not None and key.startswith(ORG_ROW_PREFIX):
            return self.session.find_org(key.removeprefix(ORG_ROW_PREFIX))
        return super().current_org()

    def after_edit(self) -> None:
        self.reload()

    def action_edit_budget(self) -> None:
        """With tenants marked, one editor for all of them (a preview first); else this one."""
        if self.marked:
            self.open_bulk_editor("budget")
        else:
            super().action_edit_budget()

    def action_reset_spend(self) -> None:
        if self.marked:
            self.open_bulk_editor("reset")
        else:
            super().action_reset_spend()

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def action_undo(self) -> None:
        try:
            await self.undo_last()
        except ProxyError as error:
            self.notify(error.message, title=f"Undo failed: {error.title}", severity="error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows only keys that work now; editor keys the caller may not use are
        dimmed (and say why when pressed)."""
        if action == "undo":
            return bool(self.session.undo)
        if action == "clear_filter":
            return bool(self.query_text) or self.query_one("#filter", Input).display
        if action == "open":
            return self.rows is not None
        if action in ("edit_budget", "reset_spend") and self.marked:
            return True  # the bulk editor says, tenant by tenant, what it skips and why
        return self.check_edit_action(action)


class _Stream:
    """The first load's pages, into the screen's rows as they land."""

    def __init__(self, screen: TenantsScreen, rows: TenantRows) -> None:
        self.screen, self.rows = screen, rows
        self.session = screen.session
        self.spend: dict[str, Decimal] = {}

    def tenants_landed(self, tenants: list[Tenant], landed: int, total: int | None) -> None:
        if self.session is not self.screen.session:
            return  # a page from the context the user has left
        self._measure(self.rows.add(tenants))
        self.screen.rows = self.rows
        self.screen._progress = (landed, total)
        self.screen._redraw_soon()

    def spend_landed(self, page: dict[str, Decimal]) -> None:
        if self.session is not self.screen.session:
            return
        self.spend.update(page)
        self._measure(self.rows.set_month_to_date(self.spend, page))
        self.screen._redraw_soon()

    def _measure(self, rows: list[Row]) -> None:
        table = self.screen.query_one(TenantTable)
        table.measure(rows, today=self.rows.today, tz=self.session.tz)
