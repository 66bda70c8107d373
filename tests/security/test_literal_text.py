"""Aliases are user input: whatever a key or team is called ("[bold]x[/]", "[/]",
"[@click=app.quit]", emoji, right-to-left text) shows exactly as typed, never as markup, on every
screen and in every headless format; and no alias can send control sequences to the terminal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from textual.command import CommandPalette
from textual.widgets import OptionList, Static

from budgettui.simulator import DEMO_KEYS, Faults, create_app, demo_store
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.confirm import ConfirmScreen
from budgettui.ui.screens.reset_spend import ResetSpendDialog
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.security.support import (
    MARKUP_ALIASES,
    MARKUP_ORG,
    Cli,
    build_app,
    markup_store,
    serve,
    svg_text,
)
from tests.uihelpers import NOW, Toasts, rendered_text, settle, table_names

MASTER = DEMO_KEYS["master"]
SIZE = (130, 48)
# One alias of each kind is enough where the code path is the same for all.
TITLED = ("[/]", "[@click=app.quit]quit[/]", "🔥 fire 🔥", "שלום [b]עולם[/b]")
EDITED = ("[/]", "שלום [b]עולם[/b]")
ESCAPES = "evil\x1b[2J\x1b]0;owned\x07\x9b31m"  # clear screen, set window title, C1 CSI


async def _select(pilot: object, name: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    table = pilot.app.screen.query_one(TenantTable)
    table.move_cursor(row=table_names(pilot.app).index(name))  # type: ignore[arg-type]
    await pilot.pause()


def _static(app: BudgetApp, selector: str) -> str:
    return rendered_text(app.screen.query_one(selector, Static))


# ---------------------------------------------------------------------------------------------
# The dashboard


async def test_the_table_and_the_screen_show_aliases_as_typed(tmp_path: Path) -> None:
    app = build_app(tmp_path, markup_store(), MASTER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = table_names(app)
        screen = svg_text(app.export_screenshot())
        for alias in (*MARKUP_ALIASES, MARKUP_ORG):
            assert alias in names, alias
            assert alias in screen, alias
        assert app.is_running  # "[@click=app.quit]" did not become a link, nothing crashed


async def test_the_tenant_screen_and_the_editors_show_aliases_as_typed(tmp_path: Path) -> None:
    app = build_app(tmp_path, markup_store(), MASTER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for alias in TITLED:
            await _select(pilot, alias)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, TenantScreen)
            assert _static(app, "#tenant-title").startswith(f"{alias}  acme")
            assert alias in svg_text(app.export_screenshot())
            await pilot.press("escape")
        for alias in EDITED:
            await _select(pilot, alias)
            await pilot.press("b")
            assert isinstance(app.screen, BudgetEditor)
            assert _static(app, "#editor-title") == f"Budget of {alias} (acme)\n"
            assert f"Budget of {alias} (acme)" in svg_text(app.export_screenshot())
            await pilot.press("escape", "R")
            assert isinstance(app.screen, ResetSpendDialog)
            assert _static(app, "#reset-title") == f"Reset spend: {alias}\n"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            question = _static(app, "#confirm-question")
            assert question.startswith(f"Reset the spend of {alias} from")
            assert f"Reset the spend of {alias}" in svg_text(app.export_screenshot())
            await pilot.press("n", "escape")
            assert isinstance(app.screen, TenantsScreen)
        assert app.is_running


async def test_the_org_editor_shows_the_org_alias_as_typed(tmp_path: Path) -> None:
    app = build_app(tmp_path, markup_store(), MASTER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _select(pilot, MARKUP_ORG)  # the org row comes first
        await pilot.press("o")
        assert isinstance(app.screen, BudgetEditor)
        title = f"Org budget of {MARKUP_ORG} (every tenant in it)"
        assert _static(app, "#editor-title") == title + "\n"
        assert title in svg_text(app.export_screenshot())


async def test_the_palette_lists_every_tenant_as_typed(tmp_path: Path) -> None:
    app = build_app(tmp_path, markup_store(), MASTER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Open")
        await settle(pilot)  # the palette's search is a worker
        options = app.screen.query_one(OptionList)
        prompts = [
            str(options.get_option_at_index(i).prompt).split("\n")[0]
            for i in range(options.option_count)
        ]
        for alias in MARKUP_ALIASES:
            assert f"Open {alias} (acme)" in prompts, (alias, prompts)


def _failing_listing(message: str) -> tuple[Callable[[ASGIApp], ASGIApp], list[bool]]:
    """A wrapper that, once switched on, answers /key/list with a LiteLLM error message."""
    switch = [False]

    def wrap(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if not (switch[0] and scope["type"] == "http" and scope["path"] == "/key/list"):
                await app(scope, receive, send)
                return
            body = json.dumps({"error": {"message": message, "type": "budget_exceeded"}})
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body.encode()})

        return wrapped

    return wrap, switch


async def test_toasts_show_names_and_proxy_messages_as_typed(tmp_path: Path) -> None:
    """A toast with markup on and a "[/]" in its message crashes the whole app (Textual parses
    it when it draws the toast), so toasts are drawn here, not just created."""
    message = "Budget has been exceeded! Key=[/] [b]x[/b] (sk-...abcd)"
    wrap, failing = _failing_listing(message)
    app = build_app(tmp_path, markup_store(), MASTER, wrap=wrap)
    toasts = Toasts()
    async with app.run_test(size=SIZE, notifications=True, message_hook=toasts) as pilot:
        await settle(pilot)
        rows = table_names(app)
        table = app.screen.query_one(TenantTable)
        table.move_cursor(row=rows.index(MARKUP_ORG) + 1)  # the org's provisioning tenant
        await pilot.press("b")  # refused (no key yet): the toast names the tenant
        failing[0] = True  # LiteLLM echoes an alias in its error message
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        screen = " ".join(svg_text(app.export_screenshot()).split())
        assert f"{MARKUP_ORG} has no key yet" in screen
        assert "Key=[/] [b]x[/b]" in screen
        assert [n.message for n in toasts.raised if n.markup] == []


# ---------------------------------------------------------------------------------------------
# Control sequences in aliases


def _terminal_output(app: BudgetApp) -> str:
    """What the app writes to the terminal for the current screen (escape codes included)."""
    from rich.console import Console

    update = app.screen._compositor.render_update(full=True)
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, color_system=None, width=SIZE[0]).print(update)
    return buffer.getvalue()


async def test_an_alias_cannot_send_escape_sequences_to_the_terminal(tmp_path: Path) -> None:
    store = demo_store(NOW)
    store.add_key("sk-escapes-0001", key_alias=ESCAPES, max_budget=5.0)
    app = build_app(tmp_path, store, MASTER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        output = _terminal_output(app)
        assert "evil" in output
        for sequence in ("\x1b[2J", "\x1b]0;owned", "\x9b"):
            assert sequence not in output


# ---------------------------------------------------------------------------------------------
# Headless


@pytest.fixture
def markup_proxy() -> object:
    with serve(create_app(markup_store(), Faults())) as url:
        yield url


def test_headless_json_csv_and_table_show_aliases_as_typed(run_cli: Cli, markup_proxy: str) -> None:
    common = ("--proxy-url", markup_proxy, "--api-key", MASTER)
    result = run_cli(*common, "tenants", "--json")
    assert result.code == 0, result.err
    tenants = {record["tenant"] for record in json.loads(result.out)}
    assert set(MARKUP_ALIASES) | {MARKUP_ORG} <= tenants

    result = run_cli(*common, "tenants", "--csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert set(MARKUP_ALIASES) | {MARKUP_ORG} <= {row["tenant"] for row in rows}
    assert MARKUP_ORG in {row["org"] for row in rows}

    result = run_cli(*common, "tenants")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    for alias in MARKUP_ALIASES:
        assert any(line.startswith(f"{alias}  ") for line in lines), alias

    for alias in MARKUP_ALIASES:
        result = run_cli(*common, "usage", "--", alias)
        assert result.code == 0, result.err
        assert result.out.splitlines()[0].startswith(f"{alias} (acme) — ")
        result = run_cli(*common, "usage", "--json", "--", alias)
        assert json.loads(result.out)["tenant"] == alias


def test_headless_output_never_carries_raw_control_characters(run_cli: Cli) -> None:
    store = demo_store(NOW)
    store.add_key("sk-escapes-0001", key_alias=ESCAPES, max_budget=5.0)
    with serve(create_app(store, Faults())) as url:
        common = ("--proxy-url", url, "--api-key", MASTER)
        outputs = {fmt: run_cli(*common, "tenants", *flag) for fmt, flag in FORMATS.items()}
    for fmt, result in outputs.items():
        assert result.code == 0, (fmt, result.err)
        assert "evil" in result.out, fmt
        controls = [ch for ch in result.out if ch not in "\n\r" and _is_control(ch)]
        assert controls == [], (fmt, controls)
    # Shown as U+FFFD, in every format alike.
    aliases = {record["tenant"] for record in json.loads(outputs["json"].out)}
    assert "evil\N{REPLACEMENT CHARACTER}[2J\N{REPLACEMENT CHARACTER}]0;owned" in "".join(aliases)


FORMATS = {"table": (), "csv": ("--csv",), "json": ("--json",)}


def _is_control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F
