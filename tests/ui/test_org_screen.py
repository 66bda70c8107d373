"""The org screen as an admin drives it: its month and tenants ranked by spend, `o` for the org's
budget (saved, then shown), Enter into a tenant, Escape back out, and the month keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from budgettui.services.org_loading import resolve_org
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.org import OrgScreen
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.widgets.budget_bar import BudgetBar
from tests.uihelpers import Toasts, build, rendered_text, settle

WIDE = (120, 36)


async def open_org(app: BudgetApp, pilot: Pilot[Any], name: str) -> OrgScreen:
    """As Enter on the org's row will: the org from the overview the tenants screen loaded."""
    await settle(pilot)
    session = app.tenants_screen.session
    assert session.overview is not None
    app.push_screen(OrgScreen(session, resolve_org(session.overview, name)))
    await settle(pilot)
    assert isinstance(app.screen, OrgScreen)
    return app.screen


def tenant_rows(screen: OrgScreen) -> list[tuple[str, str, str]]:
    table = screen.query_one("#org-tenants", DataTable)
    return [
        tuple(str(cell).strip() for cell in table.get_row_at(i))  # type: ignore[misc]
        for i in range(table.row_count)
    ]


def text(screen: OrgScreen, selector: str) -> str:
    return rendered_text(screen.query_one(selector, Static))


async def test_the_org_screen_shows_its_month_and_its_tenants_by_spend(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_org(app, pilot, "acme")
        assert text(screen, "#org-title").startswith("acme  org   November 2026 (month to date)")
        rows = tenant_rows(screen)
        assert [row[0] for row in rows][:2] == ["acme-web", "acme-batch"]
        spends = [float(row[1].lstrip("$")) for row in rows]
        assert spends == sorted(spends, reverse=True)
        assert len(rows) == 5
        facts = text(screen, "#org-facts")
        assert "Month  $6.99 · 602 requests" in facts
        assert "From   team daily activity" in facts
        assert "Period 1mo · resets Dec 01 00:00 UTC" in facts
        assert "$9.53 of $15.40" in rendered_text(screen.query_one(BudgetBar))


async def test_o_edits_the_orgs_budget_and_the_screen_shows_the_new_cap(tmp_path: Path) -> None:
    harness = build(tmp_path)
    app = harness.app
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_org(app, pilot, "acme")
        await pilot.press("o")
        editor = app.screen
        assert isinstance(editor, BudgetEditor)
        assert editor.title_text == "Org budget of acme (every tenant in it)"
        await pilot.press("ctrl+u", *"20", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert harness.writes() == ["POST /team/update"]
        assert harness.store.teams[screen.org.team_id].max_budget == 20
        assert "$9.53 of $20.00" in rendered_text(screen.query_one(BudgetBar))


async def test_o_as_a_viewer_says_why_and_opens_nothing(tmp_path: Path) -> None:
    toasts = Toasts()
    app = build(tmp_path, "proxy_admin_viewer").app
    async with app.run_test(size=WIDE, message_hook=toasts) as pilot:
        screen = await open_org(app, pilot, "acme")
        await pilot.press("o")
        await settle(pilot)
        assert app.screen is screen
        assert toasts.raised[-1].title == "Not available"


async def test_enter_opens_the_highlighted_tenant_and_escape_comes_back(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_org(app, pilot, "acme")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TenantScreen)
        assert app.screen.tenant.name == "acme-batch"  # second by the month's spend
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)


async def test_the_month_keys_move_back_and_say_why_not_forward(tmp_path: Path) -> None:
    toasts = Toasts()
    app = build(tmp_path).app
    async with app.run_test(size=WIDE, message_hook=toasts) as pilot:
        screen = await open_org(app, pilot, "acme")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert str(screen.month) == "2026-11"
        assert any("this is the current month" in line for line in toasts.lines())
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert text(screen, "#org-title").startswith("acme  org   October 2026")
        assert "today: $9.53 of $15.40" in rendered_text(screen.query_one(BudgetBar))
        assert "Month  $10.95 · 924 requests" in text(screen, "#org-facts")
