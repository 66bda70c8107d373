"""Command palette (ctrl+p): jump to a tenant by name, switch context, refresh."""

from __future__ import annotations

from functools import partial
from typing import Protocol, cast

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from budgettui.domain.tenants import NOT_FOUND, Tenant
from budgettui.errors import BudgettuiError
from budgettui.services.config import ContextSummary, list_contexts
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.session import Session


class DashboardApp(Protocol):
    """What the palette needs of the app; a protocol rather than `BudgetApp` itself, so that
    the app can list this provider without the two modules importing each other."""

    session: Session
    tenants_screen: TenantsScreen


def plain_highlight(matcher: Matcher, label: str) -> Content:
    """Textual's `Matcher.highlight` reads the label as markup, so an alias like `[/]` would
    break it; this styles the matched letters of the label as plain text."""
    content = Content(label)
    _, offsets = matcher.fuzzy_search.match(matcher.query, label)
    for offset in offsets:
        if not label[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class TenantCommands(Provider):
    @property
    def budget_app(self) -> DashboardApp:
        return cast(DashboardApp, self.app)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        screen = self.budget_app.tenants_screen
        found = False
        refresh = "Refresh tenants"
        if (score := matcher.match(refresh)) > 0:
            found = True
            yield Hit(score, plain_highlight(matcher, refresh), screen.reload, help="r on the list")
        for context in self._context_list:
            label = f"Context {context.name}" + (" (in use)" if context.active else "")
            if (score := matcher.match(label)) > 0:
                found = True
                yield Hit(
                    score,
                    plain_highlight(matcher, label),
                    partial(self._switch, context.name),
                    help=f"switch to {context.url}",
                )
        overview = self.budget_app.session.overview
        rows = screen.rows  # while the table streams in, the rows so far
        for tenant in [row.tenant for row in rows.rows] if rows else []:
            label = f"Open {tenant.name}" + (f" ({tenant.org_name})" if tenant.org_name else "")
            if (score := matcher.match(label)) > 0:
                found = True
                yield Hit(
                    score,
                    plain_highlight(matcher, label),
                    partial(self._open, tenant),
                    help="tenant detail",
                )
        if not found and query.strip() and overview is not None:
            # The same words whether the name does not exist or is hidden from this key.
            message = f"tenant {query.strip()!r}: {NOT_FOUND}"
            yield Hit(0.0001, Content(message), self._nothing, help="nothing to open")

    async def startup(self) -> None:
        """The contexts, read once as the palette opens (not on every keystroke)."""
        self._context_list = self._contexts()

    def _contexts(self) -> list[ContextSummary]:
        try:
            return list_contexts(self.budget_app.session.settings.context)
        except BudgettuiError:
            return []  # a broken file: `config check` says why; the palette stays useful

    def _switch(self, name: str) -> None:
        self._back_to_the_list()
        self.budget_app.tenants_screen.switch_context(name)

    def _back_to_the_list(self) -> None:
        screen = self.budget_app.tenants_screen
        while self.app.screen is not screen and len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def _nothing(self) -> None:
        """A hit that only informs."""

    def _open(self, tenant: Tenant) -> None:
        # From a tenant screen, go back to the list first so `escape` returns there.
        self._back_to_the_list()
        self.budget_app.tenants_screen.open_tenant(tenant)
