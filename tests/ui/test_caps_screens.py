"""Every cap that can stop a tenant, on screen: a bar per cap on the tenant screen labelled by
whose it is, the one LiteLLM hits first marked, unreadable caps and untold spend said so (never
"no cap"), the soft budget as a marker; blocked and expired before any money, in the table and
as a banner; the table's marker of whose cap binds; the LiteLLM release in the header."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from budgettui.simulator import Faults
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.widgets.budget_bar import BudgetBar
from budgettui.ui.widgets.tenant_table import TenantTable
from budgettui.ui.widgets.theme_styles import URGENT
from tests.ui.caps_support import WINDOWED, caps_app, caps_store
from tests.uihelpers import rendered_text, settle, table_names

WIDE = (120, 36)
VERSIONS = ("1.84.10", "1.108.7")


async def _open(app: BudgetApp, pilot: Pilot[None], name: str) -> TenantScreen:
    await settle(pilot)
    app.screen.query_one(TenantTable).move_cursor(row=table_names(app).index(name))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, TenantScreen)
    return app.screen


def _bars(screen: TenantScreen) -> list[str]:
    """Each cap's bar as the user reads it, in screen order, blanks collapsed."""
    return [
        " ".join(rendered_text(bar).split())
        for bar in screen.query(BudgetBar)
        if bar.display and bar.parent is not None and bar.parent.display
    ]


def _text(app: BudgetApp, selector: str) -> str:
    return " ".join(rendered_text(app.screen.query_one(selector, Static)).split())


def _row(app: BudgetApp, name: str) -> dict[str, str]:
    table = app.screen.query_one(TenantTable)
    return table.cells_at(table_names(app).index(name))


def _styles(content: object) -> set[str]:
    assert isinstance(content, Content)
    return {str(span.style) for span in content.spans}


@pytest.mark.parametrize("litellm_version", VERSIONS)
async def test_an_owner_over_their_budget_shows_a_user_bar_that_binds_first(
    tmp_path: Path, litellm_version: str
) -> None:
    app = caps_app(tmp_path, litellm_version=litellm_version)
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, "solo-capped-user")
        key, user = _bars(screen)  # a personal key: no org bar
        assert key.startswith("Key no cap $2.31 spent")
        assert user.startswith("User (owner) ██████████ 125% ◀ binds first")
        assert "$2.31 of $1.85 · none left" in user
        assert "Runway cap hit now" in _text(app, "#facts")


async def test_a_member_over_their_team_budget_shows_whose_team_it_is(tmp_path: Path) -> None:
    app = caps_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, "acme-intern")
        labels = [bar.split(" █")[0].split(" no cap")[0] for bar in _bars(screen)]
        assert labels == ["Key", "Org", "Member in acme"]
        assert [("binds first" in bar) for bar in _bars(screen)] == [False, False, True]


async def test_window_spend_is_read_when_the_screen_opens_and_binds_resets_and_runway(
    tmp_path: Path,
) -> None:
    """The listing behind the table has no window spend (1.108 tells it in `/key/info` only):
    the screen reads it, and the window that binds first decides Resets and Runway."""
    app = caps_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, WINDOWED)
        key, hour, day = _bars(screen)
        assert "binds first" not in key
        assert hour.startswith("Window 1h ██████████ 130% ◀ binds first")
        assert "$2.60 of $2.00" in hour
        assert day.startswith("Window 1d ██░░░░░░░░ 20%")
        facts = _text(app, "#facts")
        assert "Resets Fri Nov 20 15:00 UTC" in facts  # the 1h window's, not the key's "—"
        assert "Runway cap hit now" in facts


async def test_on_1_84_a_window_shows_its_max_and_that_its_spend_is_not_told(
    tmp_path: Path,
) -> None:
    app = caps_app(tmp_path, litellm_version="1.84.10")
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, WINDOWED)
        key, hour, _day = _bars(screen)
        assert "◀ binds first" in key  # the only cap whose spend is known
        assert hour == "Window 1h max $2.00 · spend not reported by LiteLLM"


async def test_a_cap_this_key_cannot_read_says_so_never_no_cap(tmp_path: Path) -> None:
    faults = Faults(status_by_path={"/user/list": 403})
    app = caps_app(tmp_path, faults=faults)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        row = _row(app, "solo-capped-user")
        assert (row["used"], row["status"]) == ("—", "cap unknown")
        screen = await _open(app, pilot, "solo-capped-user")
        _key, user = _bars(screen)
        assert user == "User (owner) cannot read: LiteLLM does not let proxy_admin list users"


@pytest.mark.parametrize("litellm_version", VERSIONS)
async def test_a_soft_budget_is_a_marker_line_not_a_bar(
    tmp_path: Path, litellm_version: str
) -> None:
    """1.84 tells the soft budget only in the key's `/key/info`, which the screen reads."""
    app = caps_app(tmp_path, litellm_version=litellm_version)
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot, "initech-soft")
        line = _text(app, "#soft-budget")
        assert re.fullmatch(r"soft budget \$[\d.]+ \(alerts only\) · passed: .*", line)
        assert not any("soft" in bar for bar in _bars(screen))


async def test_blocked_and_expired_come_first_as_an_urgent_banner(tmp_path: Path) -> None:
    app = caps_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await _open(app, pilot, "acme-blocked")
        banner = app.screen.query_one("#tenant-state", Static)
        assert banner.display
        assert banner.region.y < app.screen.query_one("#charts").region.y
        assert _text(app, "#tenant-state") == "blocked: LiteLLM refuses every request of this key"
        assert URGENT in _styles(banner.content)
        await pilot.press("escape")
        await _open(app, pilot, "globex-expired")
        assert _text(app, "#tenant-state") == "expired Nov 19 14:30 UTC: LiteLLM refuses this key"
        await pilot.press("escape")
        await _open(app, pilot, "acme-web")
        assert not app.screen.query_one("#tenant-state").display


async def test_a_blocked_org_blocks_each_of_its_tenants_and_says_whose_block(
    tmp_path: Path,
) -> None:
    store = caps_store()
    next(team for team in store.teams.values() if team.team_alias == "acme").blocked = True
    app = caps_app(tmp_path, store=store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert _row(app, "acme")["status"] == "BLOCKED"
        assert _row(app, "acme-web")["status"] == "BLOCKED"
        await _open(app, pilot, "acme-web")
        assert _text(app, "#tenant-state").startswith("blocked (its org acme is blocked):")


async def test_the_table_says_blocked_and_expired_before_money_and_marks_whose_cap_binds(
    tmp_path: Path,
) -> None:
    app = caps_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(TenantTable)
        status = table.cell_at(table_names(app).index("acme-blocked"), "status")
        assert str(status) == "BLOCKED"
        assert URGENT in _styles(status)
        assert _row(app, "acme-blocked")["used"].endswith("%o")  # its org binds before its $5
        assert _row(app, "globex-expired")["status"] == "EXPIRED"
        assert (_row(app, "solo-capped-user")["used"], _row(app, "solo-capped-user")["status"]) == (
            "████████ 125%u",
            "EXCEEDED",
        )
        assert _row(app, "acme-intern")["used"].endswith("111%m")
        assert _row(app, "acme-web-eu")["used"].endswith("83%")  # the key's own: no marker


@pytest.mark.parametrize("litellm_version", VERSIONS)
async def test_the_header_names_the_litellm_release(tmp_path: Path, litellm_version: str) -> None:
    app = caps_app(tmp_path, litellm_version=litellm_version)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert f"demo.budgettui.invalid · LiteLLM {litellm_version}" in _text(app, "#identity")


async def test_on_1_84_a_team_admin_reads_why_there_is_no_runway(tmp_path: Path) -> None:
    app = caps_app(tmp_path, "team_admin", litellm_version="1.84.10")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "runway n/a on LiteLLM 1.84.10" in _text(app, "#table-note")


async def test_help_explains_blocked_expired_cap_unknown_and_every_marker(tmp_path: Path) -> None:
    app = caps_app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        legend = _text(app, "#help-legend")
        for words in (
            "BLOCKED the key or its org is blocked: LiteLLM refuses it",
            "EXPIRED the key has expired",
            "cap unknown a cap this key cannot read",
            "o the org's budget",
            "u the owner's own user budget",
            "m the owner's member budget in the org",
            "w a rolling window",
            "$ a per-model budget",
        ):
            assert words in legend, words
