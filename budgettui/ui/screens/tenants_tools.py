"""The tenants screen's tools for an admin's day: the `:` command line, the at-risk view, the
audit journal, export and copy, marks and bulk edits, switching contexts. A mixin, so the
screen's own module keeps to the table and its data."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.screen import Screen
from textual.widgets import Input

from budgettui.domain.listing import Group, SortKey, TenantRows
from budgettui.domain.risk import RiskError, Thresholds, at_risk, percent_text
from budgettui.domain.tenants import NOT_FOUND, Org, Tenant
from budgettui.domain.usage import Month, MonthError
from budgettui.errors import BudgettuiError
from budgettui.services.bulk import BulkResult, Kind
from budgettui.services.config import list_contexts, settings_for_context
from budgettui.services.export import ExportError, copy_text, export_tenants
from budgettui.services.loading import MonthToDate
from budgettui.ui.screens.audit import AuditScreen
from budgettui.ui.screens.bulk_editor import BulkEditorScreen
from budgettui.ui.screens.contexts import ContextsScreen
from budgettui.ui.screens.risk import RiskScreen
from budgettui.ui.session import Session
from budgettui.ui.widgets.command_line import VERBS, Command, CommandLine, parse_command
from budgettui.ui.widgets.tenant_table import TENANT_ROW_PREFIX, TenantTable, row_key_for

MONTHS_OFFERED = 13  # `:month` suggests this month and the twelve before


class TenantsTools(Screen[None]):
    session: Session
    rows: TenantRows | None
    query_text: str
    sort: SortKey
    reverse: bool
    marked: set[str]
    month_to_date: MonthToDate
    _candidates: dict[str, list[str]] = {}  # replaced as the line opens, never mutated

    if TYPE_CHECKING:  # provided by the screen

        def redraw(self) -> None: ...
        def reload(self) -> object: ...
        def selected_tenant(self) -> Tenant | None: ...
        def open_tenant(self, tenant: Tenant, month: Month | None = None) -> None: ...
        def open_org(self, org: Org, month: Month | None = None) -> None: ...
        def current_org(self) -> Org | None: ...

    def shown_groups(self) -> list[Group]:
        """What the table shows: filtered, grouped, sorted."""
        if self.rows is None:
            return []
        return self.rows.groups(self.query_text, self.sort, self.reverse)

    # -- the command line -----------------------------------------------------------------------

    def action_command_line(self) -> None:
        # What the verbs can take, read once as the line opens: the suggester asks on every
        # keystroke, and that is no time to read the config file or walk 20,000 rows.
        self._candidates = {
            "ctx": self._context_names(),
            "org": [org.name for org in self._orgs()],
            "month": self._recent_months(),
        }
        line = self.query_one(CommandLine)
        line.value = ""
        line.display = True
        self.set_focus(line)  # at once: keys typed right after `:` must reach it

    def _close_command_line(self) -> None:
        line = self.query_one(CommandLine)
        line.display = False
        self.set_focus(self.query_one(TenantTable))

    @on(Input.Submitted, "#command-line")
    def _command_submitted(self, event: Input.Submitted) -> None:
        self._close_command_line()
        command = parse_command(event.value)
        if command is None:
            if event.value.strip():
                verbs = ", ".join(f":{verb}" for verb in VERBS)
                self.notify(f"{event.value.strip()!r} is not a command: {verbs}", title="Command")
            return
        self.run_command(command)

    @on(CommandLine.Closed)
    def _command_line_closed(self) -> None:
        self._close_command_line()

    def run_command(self, command: Command) -> None:
        match command.verb:
            case "q":
                self.app.exit()
            case "risk":
                self.action_risk()
            case "audit":
                self.action_audit()
            case "ctx":
                self._command_ctx(command.argument)
            case "org":
                self._command_org(command.argument)
            case "month":
                self._command_month(command.argument)

    def _command_ctx(self, name: str) -> None:
        if not name:
            self._say_contexts()
        else:
            self.switch_context(name)

    def _say_contexts(self) -> None:
        """The contexts to choose from; without a config file, how to write one."""
        try:
            contexts = list_contexts(self.session.settings.context)
        except BudgettuiError as error:
            self.notify(error.message, title=error.title, severity="error")
            return
        if not contexts:
            self.notify(
                "No contexts: `budgettui config init` writes a config file to add them to.",
                title="Contexts",
            )
            return
        self.app.push_screen(ContextsScreen(contexts), callback=self._context_chosen)

    def _context_chosen(self, name: str | None) -> None:
        if name is not None and name != self.session.settings.context:
            self.switch_context(name)

    def _command_org(self, name: str) -> None:
        org = self._find_org(name)
        if org is None:
            self.notify(f"org {name!r} {NOT_FOUND}", title="Org", severity="warning")
        else:
            self.open_org(org)

    def _find_org(self, name: str) -> Org | None:
        orgs = self._orgs()
        folded = name.strip().casefold()
        exact = [org for org in orgs if org.name == name.strip() or org.team_id == name.strip()]
        if exact:
            return exact[0]
        same = [org for org in orgs if org.name.casefold() == folded]
        return same[0] if len(same) == 1 else None

    def _orgs(self) -> list[Org]:
        seen: dict[str, Org] = {}
        for row in self.rows.rows if self.rows else []:
            org = row.tenant.org
            if org is not None:
                seen.setdefault(org.team_id, org)
        return sorted(seen.values(), key=lambda org: org.name.casefold())

    def _command_month(self, text: str) -> None:
        try:
            month = Month.parse(text)
        except MonthError as error:
            self.notify(error.message, title="Month", severity="warning")
            return
        tenant = self.selected_tenant()
        org = None if tenant is not None else self.current_org()
        if tenant is not None:
            self.open_tenant(tenant, month)
        elif org is not None:
            self.open_org(org, month)
        else:
            self.notify("select a tenant or an org first", title="Month")

    def _command_candidates(self, verb: str) -> list[str]:
        return self._candidates.get(verb, [])

    def _context_names(self) -> list[str]:
        try:
            return [c.name for c in list_contexts(self.session.settings.context)]
        except BudgettuiError:
            return []  # a broken file: `:ctx` alone says why

    def _recent_months(self) -> list[str]:
        month = Month.of(self.session.today())
        offered = []
        for _ in range(MONTHS_OFFERED):
            offered.append(str(month))
            month = Month.of(month.first_day - timedelta(days=1))
        return offered

    # -- contexts -------------------------------------------------------------------------------

    @work(exclusive=True, group="context", exit_on_error=False)
    async def switch_context(self, name: str) -> None:
        """Everything re-read from the other proxy; answers still coming from the old one are
        dropped (each load checks that its session is still the screen's)."""
        old = self.session
        try:
            # May run the context's `api_key_cmd` (a password manager): not on the UI's loop.
            settings = await asyncio.to_thread(settings_for_context, name, old.settings)
        except BudgettuiError as error:
            self.notify(error.message, title=f"Context {name}", severity="error")
            return
        session = old.moved_to(settings)
        self.session = session
        self.rows = None
        self.month_to_date = MonthToDate(None)
        self.marked.clear()
        table = self.query_one(TenantTable)
        table.forget_widths()
        table.show([], today=session.today(), tz=session.tz)
        self.reload()
        self.notify(f"{name}: {settings.host}", title="Context")
        await old.client.aclose()

    # -- views ----------------------------------------------------------------------------------

    def action_risk(self) -> None:
        if self.rows is None:
            return
        threshold = self.session.settings.threshold
        try:
            thresholds = Thresholds(warning=threshold)
        except RiskError as error:
            self.notify(str(error), title="At risk", severity="error")
            return
        rows = at_risk(
            [row.tenant for row in self.rows.rows],
            thresholds,
            today=self.session.today(),
            month_to_date=self.month_to_date.spend,
            now=self.session.clock(),
        )
        self.app.push_screen(
            RiskScreen(
                rows,
                today=self.session.today(),
                open_tenant=self.open_tenant,
                open_org=self.open_org,
                threshold_words=f"{percent_text(threshold)} of a cap",
            )
        )

    def action_audit(self) -> None:
        journal = self.session.journal
        if journal is None:
            self.notify("this session keeps no journal", title="Audit")
            return
        self.app.push_screen(AuditScreen(journal.path, self.session.tz))

    # -- export and copy ------------------------------------------------------------------------

    def action_export(self, fmt: str) -> None:
        """What the table shows (filter and sort kept) to a file in the current directory."""
        if fmt not in ("csv", "json"):
            return
        try:
            path = export_tenants(
                self.shown_groups(),
                "csv" if fmt == "csv" else "json",
                host=self.session.settings.host,
                now=self.session.clock().astimezone(self.session.tz),
            )
        except ExportError as error:
            self.notify(error.message, title=error.title, severity="error")
        else:
            self.notify(f"Wrote {path}", title="Export")

    def action_copy(self) -> None:
        """Alias, key name and team id to the clipboard: OSC 52, so it works over SSH."""
        tenant = self.selected_tenant()
        if tenant is None:
            self.notify("select a tenant first", title="Copy")
            return
        self.app.copy_to_clipboard(copy_text(tenant))
        self.notify(f"{tenant.name}: alias, key name and team id", title="Copied")

    # -- marks and bulk edits -------------------------------------------------------------------

    def action_mark(self) -> None:
        table = self.query_one(TenantTable)
        key = table.selected_key()
        if key is not None and key.startswith(TENANT_ROW_PREFIX):  # not an org, not provisioning
            self.marked.symmetric_difference_update({key})
            self.redraw()
        table.action_cursor_down()

    def action_mark_shown(self) -> None:
        """Every tenant the filter shows; again, and they are unmarked."""
        shown = {
            row_key_for(row.tenant)
            for group in self.shown_groups()
            for row in group.rows
            if row.tenant.key_hash is not None
        }
        if shown <= self.marked:
            self.marked -= shown
        else:
            self.marked |= shown
        self.redraw()
        self.notify(f"{len(self.marked):,} marked", title="Marks")

    def marked_tenants(self) -> list[Tenant]:
        if self.rows is None:
            return []
        return [row.tenant for row in self.rows.rows if row_key_for(row.tenant) in self.marked]

    def open_bulk_editor(self, kind: Kind) -> None:
        tenants = self.marked_tenants()
        self.app.push_screen(
            BulkEditorScreen(self.session, tenants, kind), callback=self._bulk_done
        )

    def _bulk_done(self, result: BulkResult | None) -> None:
        if result is None:
            return
        self.marked.clear()
        self.notify(
            result.summary(),
            title="Bulk edit",
            severity="warning" if result.troubled else "information",
        )
        self.reload()
