"""Colours come from the active theme: on textual-light the warnings are the light theme's own
dark amber (readable), not the dark theme's pale one, and a theme switch from the palette
recolours what is already on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from textual.color import Color

from budgettui.ui.app import BudgetApp
from budgettui.ui.widgets.spend_chart import SpendChart
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.uihelpers import build, settle, table_names

DARK, LIGHT = "textual-dark", "textual-light"
SIZE = (120, 36)
# (row, status word, the theme variable it is drawn in). The `$text-*` shades are the theme's
# colours tuned for text on its background; `$error` and `$warning` themselves are the same in
# textual-dark and textual-light.
ALERT_ROWS = [
    ("globex-ml", "EXCEEDED", "text-error"),
    ("acme-web-eu", "warning", "text-warning"),
]


def _theme_hex(app: BudgetApp, variable: str) -> str:
    return Color.parse(app.theme_variables[variable]).hex.lower()


def _hex(style: Style | None) -> str | None:
    color = style.color if style else None
    return color.triplet.hex if color and color.triplet else None


def _drawn_colours(app: BudgetApp, row: str, status: str) -> tuple[str | None, str | None]:
    """The colours the row is drawn in, as on screen: of its status word and of its bar."""
    table = app.screen.query_one(TenantTable)
    line = table.render_line(1 + table_names(app).index(row))  # line 0 is the header
    colours = {segment.text.strip(): _hex(segment.style) for segment in line}
    bar = next(text for text in colours if text.startswith("█"))
    return colours[status], colours[bar]


@pytest.mark.parametrize("theme", [DARK, LIGHT])
async def test_alerts_are_drawn_in_the_themes_error_and_warning_colours(
    tmp_path: Path, theme: str
) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await settle(pilot)
        for row, status, variable in ALERT_ROWS:
            expected = _theme_hex(app, variable)
            assert _drawn_colours(app, row, status) == (expected, expected), (theme, row)


async def test_switching_theme_recolours_the_rows_on_screen(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=SIZE) as pilot:
        app.theme = DARK
        await settle(pilot)
        before = {row: _drawn_colours(app, row, status) for row, status, _ in ALERT_ROWS}
        app.theme = LIGHT  # what the palette's theme command does
        await settle(pilot)
        for row, status, variable in ALERT_ROWS:
            after = _drawn_colours(app, row, status)
            assert after != before[row], row
            assert after == (_theme_hex(app, variable),) * 2, row


def _chart_colours(app: BudgetApp) -> set[str | None]:
    chart = app.screen.query_one(SpendChart)
    drawn = chart.render()
    assert not isinstance(drawn, str)
    return {_hex(span.style) for span in getattr(drawn, "spans", []) if span.style}


async def test_switching_theme_recolours_the_spend_chart(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(TenantTable).move_cursor(row=table_names(app).index("acme-web"))
        await pilot.press("enter")
        await settle(pilot)
        dark_bars = _theme_hex(app, "text-primary")
        assert dark_bars in _chart_colours(app)
        app.theme = LIGHT
        await settle(pilot)
        colours = _chart_colours(app)
        assert _theme_hex(app, "text-primary") in colours
        assert dark_bars not in colours
