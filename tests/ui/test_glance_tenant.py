"""The tenant screen read at a glance: a day cursor under the charts, tokens in and out told apart
without colour, months with nothing to chart said so, partial usage never read as a pace, far
dates with their year, and the month keys saying why when they do nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from budgettui.domain.budget import Projection
from budgettui.domain.money import format_money
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.tenant import TenantScreen, runway_words
from budgettui.ui.widgets.spend_chart import SpendChart, TokensChart
from budgettui.ui.widgets.tenant_table import TOO_NEW, TenantTable
from tests.ui.glance_support import BIG_SPENDER, glance_app, glance_store
from tests.uihelpers import NOW, Toasts, build, rendered_text, settle, table_names

WIDE = (120, 36)
TODAY = NOW.date()


async def _open(app: BudgetApp, pilot: object, name: str) -> TenantScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await settle(pilot)
    app.screen.query_one(TenantTable).move_cursor(row=table_names(app).index(name))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, TenantScreen)
    return app.screen


def _text(screen: TenantScreen, selector: str) -> str:
    return rendered_text(screen.query_one(selector, Static))


def _plain(widget: SpendChart | TokensChart) -> str:
    console = Console(width=200, color_system=None)
    with console.capture() as capture:
        console.print(widget.render())
    return capture.get()


async def test_the_day_cursor_moves_with_the_arrows_and_tells_the_day(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, "acme-web")
        assert screen.usage is not None
        assert "Fri Nov 20:" in _text(screen, "#day-line")  # today, to start with
        await pilot.press("left", "left")
        await pilot.pause()
        day = screen.usage.daily[17]
        line = _text(screen, "#day-line")
        assert "Wed Nov 18:" in line
        assert format_money(day.spend) in line
        assert f"{day.input_tokens:,} in" in line
        assert f"{day.output_tokens:,} out" in line
        assert f"{day.requests:,} requests" in line
        axis = [row for row in _plain(screen.query_one(SpendChart)).splitlines() if "└" in row]
        assert axis[0].index("▲") - axis[0].index("└") in (18, 35)  # under day 18's bar
        await pilot.press("right", "right", "right")  # never past today
        await pilot.pause()
        assert "Fri Nov 20:" in _text(screen, "#day-line")


async def test_tokens_in_and_out_read_apart_without_colour(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, "acme-api")
        chart = _plain(screen.query_one(TokensChart))
        title, *bars = chart.splitlines()
        assert "█ in" in title
        assert "░ out" in title
        drawn = "".join(bars)
        assert "█" in drawn
        assert "░" in drawn


async def test_days_stand_apart_when_the_width_allows(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _open(app, pilot, "acme-api")
        bottom = [r for r in _plain(screen.query_one(SpendChart)).splitlines() if "┤" in r][-1]
        bars = bottom.split("┤", 1)[1]
        assert bars.startswith("█ █ █")  # a gap after every day


async def test_q_quits_from_the_tenant_screen(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=WIDE) as pilot:
        await _open(app, pilot, "acme-web")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_next_month_on_the_current_month_says_why(tmp_path: Path) -> None:
    toasts = Toasts()
    app = build(tmp_path).app
    async with app.run_test(size=WIDE, message_hook=toasts) as pilot:
        screen = await _open(app, pilot, "acme-web")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert str(screen.month) == "2026-11"
        assert any("this is the current month" in line for line in toasts.lines())


async def test_previous_month_stops_a_year_back_and_says_so(tmp_path: Path) -> None:
    toasts = Toasts()
    app = build(tmp_path).app
    async with app.run_test(size=WIDE, message_hook=toasts) as pilot:
        screen = await _open(app, pilot, "acme-web")
        for _ in range(14):
            await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(screen.month) == "2025-11"
        assert any("November 2025 is the first" in line for line in toasts.lines())


async def test_a_month_without_data_says_so_and_the_caps_say_today(tmp_path: Path) -> None:
    app = build(tmp_path).app
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, "acme-web")
        for _ in range(3):  # the demo has two months of traffic
            await pilot.press("left_square_bracket")
        await settle(pilot)
        assert str(screen.month) == "2026-08"
        assert not screen.query_one("#charts").display
        assert "no data for August 2026" in _text(screen, "#month-note")
        assert "today: " in _text(screen, "#key-bar")
        assert "today: " in _text(screen, "#org-bar")


async def test_partial_usage_draws_no_pace_and_says_why(tmp_path: Path) -> None:
    app = build(tmp_path, role="internal_user_viewer").app
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, "initech-tps")
        assert screen.usage is not None
        assert screen.usage.partial
        facts = _text(screen, "#facts")
        assert "Pace" not in facts
        assert "$0.00/day" not in facts
        assert "cap not hit" not in facts
        assert "not projected" in facts
        assert f"PARTIAL: {screen.usage.partial_reason}" in " ".join(facts.split())
        assert "no usage shown for November 2026" in _text(screen, "#month-note")


async def test_a_far_reset_shows_its_year_on_the_tenant_screen(tmp_path: Path) -> None:
    app = glance_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, BIG_SPENDER)
        facts = _text(screen, "#facts")
        assert "Resets Tue Dec 05 2028 00:00 UTC" in facts
        assert "$22,504.50" in _text(screen, "#key-bar")  # every digit here
        assert "cap hit in > 1 year at this pace" in facts


async def test_a_key_made_today_has_too_little_history_for_a_runway(tmp_path: Path) -> None:
    store = glance_store()
    fresh = store.add_key("sk-glance-fresh-0001", key_alias="fresh", max_budget=5.0)
    fresh.created_at = NOW - timedelta(hours=2)
    store.charge(fresh, "gpt-4o", 400_000, 10_000, at=NOW - timedelta(hours=1))
    app = glance_app(tmp_path, store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(TenantTable)
        row = table.cells_at(table_names(app).index("fresh"))
        assert row["runway"] == TOO_NEW
        screen = await _open(app, pilot, "fresh")
        assert "Runway too little history" in _text(screen, "#facts")


def test_runway_words_tell_too_little_history_and_far_dates() -> None:
    young = Projection(Decimal(1), Decimal(10), None, too_little_history=True)
    assert runway_words(young, TODAY, None, has_cap=True)[0].startswith("too little history")
    soon = Projection(Decimal(1), Decimal(10), date(2027, 1, 4))
    assert runway_words(soon, TODAY, None, has_cap=True)[0] == "cap hit Mon Jan 04 2027"
    resets = Projection(Decimal(1), Decimal(10), None, resets_first=True)
    words = runway_words(resets, TODAY, date(2027, 1, 1), has_cap=True)[0]
    assert words == "the cap resets Jan 01 2027 before this pace uses it"
