"""The tenants screen read at a glance: every digit of an amount, the year of a far date, names
cut where they still tell apart, the credential named in words, keys a k9s or less user tries,
and help and quit reachable at 80×24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from budgettui.domain.display import ELLIPSIS
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.ui.glance_support import BIG_SPENDER, ORG, TWINS, glance_app
from tests.uihelpers import build, settle, table_names

NARROW, WIDE = (80, 24), (120, 36)


def _row(app: BudgetApp, name: str) -> dict[str, str]:
    """The row whose tenant cell reads `name`, as column key → the text on screen."""
    table = app.screen.query_one(TenantTable)
    return table.cells_at(table_names(app).index(name))


def _column_width(app: BudgetApp, key: str) -> int:
    table = app.screen.query_one(TenantTable)
    return table.column_widths()[key]


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "120x36"])
async def test_a_20000_dollar_spend_keeps_every_digit(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = glance_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        spend = _row(app, BIG_SPENDER)["spend"].strip()
        assert spend in {"$22,504.50", "$22.50k", "$22.5k"}  # exact, or shortened with a unit
        assert _column_width(app, "spend") >= len(spend)  # nothing cut off by the column
        assert _row(app, BIG_SPENDER)["budget"].strip() in {"$50,000.00", "$50.00k", "$50.0k"}


async def test_at_120_columns_the_amount_is_exact(tmp_path: Path) -> None:
    app = glance_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert _row(app, BIG_SPENDER)["spend"].strip() == "$22,504.50"


async def test_a_far_reset_shows_its_year_and_a_far_runway_says_beyond_a_year(
    tmp_path: Path,
) -> None:
    app = glance_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        row = _row(app, BIG_SPENDER)
        assert row["resets"] == "Dec 05 2028"
        assert row["runway"] == "> 1 year"


async def test_long_names_that_differ_at_the_end_stay_apart_at_80x24(tmp_path: Path) -> None:
    app = glance_app(tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        shown = [n for n in table_names(app) if n.startswith("hperf") and len(n) > len(ORG)]
        shown.remove(BIG_SPENDER)
        assert len(shown) == len(TWINS)
        assert len(set(shown)) == len(TWINS)
        assert all(ELLIPSIS in name for name in shown)
        assert shown[1].endswith("-2")


async def test_filter_enter_lands_on_the_tenant_not_its_org(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"acme-web-eu", "enter", "b")
        await settle(pilot)
        assert isinstance(app.screen, BudgetEditor)
        assert "acme-web-eu" in str(app.screen.query_one("#editor-title", Static).render())


def _cursor_name(app: BudgetApp) -> str:
    table = app.screen.query_one(TenantTable)
    return table_names(app)[table.cursor_row]


async def test_the_keys_a_less_user_tries_move_the_cursor(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        names = table_names(app)
        await pilot.press("G")
        assert _cursor_name(app) == names[-1]
        await pilot.press("g")
        assert _cursor_name(app) == names[0]
        await pilot.press("end")
        assert _cursor_name(app) == names[-1]
        await pilot.press("home", "j", "j")
        assert _cursor_name(app) == names[2]
        await pilot.press("k")
        assert _cursor_name(app) == names[1]
        await pilot.press("pagedown")
        assert app.screen.query_one(TenantTable).cursor_row > 5


@pytest.mark.parametrize(
    ("role", "words"),
    [
        ("master", "proxy admin"),
        ("proxy_admin_viewer", "proxy admin (viewer)"),
        ("team_admin", "team admin of acme"),
        ("internal_user", "user"),
        ("internal_user_viewer", "user (viewer)"),
    ],
)
async def test_the_header_names_the_credential_in_words(
    tmp_path: Path, role: str, words: str
) -> None:
    app = build(tmp_path, role).app
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        identity = str(app.screen.query_one("#identity", Static).render())
        assert f"  {words}" in identity
        assert "internal_user" not in identity
        assert "proxy_admin" not in identity


def _footer_keys(app: BudgetApp) -> dict[str, FooterKey]:
    return {key.key: key for key in app.screen.query(FooterKey)}


async def test_help_and_quit_stay_in_the_footer_at_80_columns(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        keys = _footer_keys(app)
        palette = keys["ctrl+p"].region
        for key in ("question_mark", "q"):
            assert key in keys, key
            assert keys[key].region.right <= palette.x, key  # drawn, not under the palette key


async def test_the_help_overlay_says_it_scrolls_when_cut(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        more: Any = app.screen.query_one("#help-more")
        assert more.display
        await pilot.press("end")
        await settle(pilot)
        assert not more.display  # the end is in view


async def test_the_help_overlay_fits_a_tall_terminal_without_the_note(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert not app.screen.query_one("#help-more").display
