"""Command palette (ctrl+p): jump to a tenant by name, refresh."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider

from budgettui.domain.tenants import Tenant

if TYPE_CHECKING:
    from budgettui.ui.app import BudgetApp


class TenantCommands(Provider):
    @property
    def budget_app(self) -> BudgetApp:
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        screen = self.budget_app.tenants_screen
        refresh = "Refresh tenants"
        if (score := matcher.match(refresh)) > 0:
            yield Hit(score, matcher.highlight(refresh), screen.reload, help="r on the list")
        overview = self.budget_app.session.overview
        for tenant in overview.tenants if overview else []:
            label = f"Open {tenant.name}" + (f" ({tenant.org_name})" if tenant.org_name else "")
            if (score := matcher.match(label)) > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self._open, tenant),
                    help="tenant detail",
                )

    def _open(self, tenant: Tenant) -> None:
        screen = self.budget_app.tenants_screen
        # From a tenant screen, go back to the list first so `escape` returns there.
        while self.app.screen is not screen and len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        screen.open_tenant(tenant)
