"""Writes are sent once. A write whose answer never came (a timeout, a dropped connection, a
gateway's 502/504) is reported as an unknown outcome, journaled as `unknown` and never sent
again behind the admin's back; a write refused outright is an error; a second press of submit
while the first is on its way sends nothing. Over loopback, in the editors and headless.

`Proxy.arrived` logs requests as they reach the proxy (before they are held), so a retry the
client sent and then gave up on is still counted. `Gate` holds the writes at the proxy: shut,
the client times out; opened by the test, they are answered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from budgettui.services.journal import AuditEntry, read_entries
from budgettui.simulator.models import Key
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.confirm import ConfirmScreen
from budgettui.ui.screens.reset_spend import ResetSpendDialog
from budgettui.ui.screens.tenants import TenantsScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.faults.conftest import (
    FAST,
    CliResult,
    Gate,
    Loopback,
    Proxy,
    WorkerWatch,
    journal_path,
    loopback_app,
)
from tests.uihelpers import rendered_text, settle, table_names

TENANT = "acme-web"
TIMEOUT = 0.3  # how long the client waits for a held write before giving up
TIMING_OUT = replace(FAST, read_timeout=TIMEOUT)
PATIENT = replace(FAST, read_timeout=10.0)
# How a write answered with an error is journaled: a gateway's 502/504 may hide an applied write.
WRITE_ERRORS = [
    (500, "failed"),
    (502, "unknown"),
    (503, "failed"),
    (504, "unknown"),
    (429, "failed"),
]


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate("POST")
    yield gate
    gate.open()  # let what it held go, so the server can stop


@pytest.fixture
def held_writes(loopback: Loopback, gate: Gate) -> Proxy:
    """A simulator whose writes wait at the gate (reads answer at once)."""
    return loopback.attach(wrap=gate.wrap)


def _key(proxy: Proxy, alias: str = TENANT) -> Key:
    return next(k for k in proxy.store.keys.values() if k.key_alias == alias)


def _journal(tmp_path: Path) -> list[AuditEntry]:
    return read_entries(tmp_path / "audit.jsonl")


def _headless_statuses(tmp_path: Path) -> list[str]:
    """Each journal line's status, as the headless commands wrote them: attempt, outcome."""
    return [e.result.status for e in read_entries(journal_path(tmp_path))]


async def _select(pilot: Pilot[None], name: str) -> None:
    """Put the cursor on a tenant's row (as `down` presses would, without their cost)."""
    app = pilot.app
    assert isinstance(app, BudgetApp)
    app.screen.query_one(TenantTable).move_cursor(row=table_names(app).index(name))
    await pilot.pause()


async def _edit_budget(pilot: Pilot[None], amount: str) -> BudgetEditor:
    """`b`, the amount (set, not typed: typing is the editor tests' business), `enter`."""
    await _select(pilot, TENANT)
    await pilot.press("b")
    editor = pilot.app.screen
    assert isinstance(editor, BudgetEditor)
    editor.query_one("#amount", Input).value = amount
    await pilot.press("enter")
    await settle(pilot)
    editor = pilot.app.screen
    assert isinstance(editor, BudgetEditor)
    return editor


def _save_error(app: BudgetApp) -> str:
    screen = app.screen
    selector = "#reset-error" if isinstance(screen, ResetSpendDialog) else "#save-error"
    return " ".join(rendered_text(screen.query_one(selector, Static)).split())


# -- the editors --------------------------------------------------------------------------------


async def test_a_budget_write_that_times_out_is_unknown_journaled_and_sent_once(
    held_writes: Proxy, tmp_path: Path
) -> None:
    proxy = held_writes
    app = loopback_app(proxy, tmp_path, options=TIMING_OUT)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        editor = await _edit_budget(pilot, "90")
        message = _save_error(app)
        assert message.startswith("Unknown outcome: no answer from 127.0.0.1 within 0.3 s")
        assert "may or may not have been applied" in message
        assert editor.query_one("#amount", Input).value == "90"
        await pilot.press("escape", "q")
    entry = _journal(tmp_path)[-1]
    assert (entry.action, entry.tenant, entry.result.status) == ("budget.set", TENANT, "unknown")
    assert entry.after == {"max_budget": 90.0}
    assert proxy.arrived("POST") == ["POST /key/update"]  # never sent again
    assert watch.failed == []


async def test_after_an_unknown_outcome_the_tenant_is_re_read(
    held_writes: Proxy, tmp_path: Path
) -> None:
    proxy = held_writes
    key_hash = _key(proxy).token
    app = loopback_app(proxy, tmp_path, options=TIMING_OUT)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _edit_budget(pilot, "90")
        # the key itself, read back at once, so the admin sees what the proxy holds now
        assert f"GET /key/info?key={key_hash}" in proxy.arrived("GET", "/key/info")
        assert "now" in _save_error(app)
        await pilot.press("escape")
        await settle(pilot)
        # and the table behind was read again
        assert "GET /key/list" in proxy.arrived_after("POST /key/update")
        await pilot.press("q")
    assert proxy.arrived("POST") == ["POST /key/update"]


async def test_a_gateway_timeout_on_a_write_is_unknown_and_never_retried(
    proxy: Proxy, tmp_path: Path
) -> None:
    """GETs are retried on a 504; a write never is. The gateway gave up on LiteLLM, which may
    have applied the write meanwhile: unknown, not failed. (Every status: headless, below.)"""
    status, journaled = 504, "unknown"
    proxy.faults.status_by_path["/key/update"] = status
    app = loopback_app(proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        await _edit_budget(pilot, "90")
        message = _save_error(app)
        assert f"(HTTP {status})" in message
        assert message.startswith("Unknown outcome" if journaled == "unknown" else "Proxy ")
        await pilot.press("escape", "q")
    entry = _journal(tmp_path)[-1]
    assert entry.result.status == journaled
    assert f"HTTP {status}" in entry.result.message
    assert proxy.arrived("POST") == ["POST /key/update"]
    assert watch.failed == []


async def test_a_write_to_a_proxy_that_went_down_is_not_sent_and_says_so(
    own_proxy: Proxy, tmp_path: Path
) -> None:
    proxy = own_proxy
    app = loopback_app(proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        proxy.stop()
        await _edit_budget(pilot, "90")
        assert _save_error(app).startswith("Proxy unavailable: could not connect to 127.0.0.1")
        await pilot.press("escape", "q")
    entry = _journal(tmp_path)[-1]
    assert (entry.result.status, entry.result.http_status) == ("failed", None)
    assert proxy.arrived("POST") == []
    assert watch.failed == []


async def test_a_spend_reset_that_times_out_is_unknown_and_sent_once(
    held_writes: Proxy, tmp_path: Path
) -> None:
    proxy = held_writes
    app = loopback_app(proxy, tmp_path, options=TIMING_OUT)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        await _select(pilot, TENANT)
        await pilot.press("R", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ResetSpendDialog)
        assert _save_error(app).startswith("Unknown outcome: no answer from 127.0.0.1")
        await pilot.press("escape", "q")
    entry = _journal(tmp_path)[-1]
    assert (entry.action, entry.result.status) == ("spend.reset", "unknown")
    assert proxy.arrived("POST") == [f"POST /key/{_key(proxy).token}/reset_spend"]
    assert watch.failed == []


# -- double submit ----------------------------------------------------------------------------


async def test_double_pressing_save_sends_one_budget_write(
    held_writes: Proxy, gate: Gate, tmp_path: Path
) -> None:
    proxy = held_writes
    app = loopback_app(proxy, tmp_path, options=PATIENT)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        await _select(pilot, TENANT)
        await pilot.press("b", "ctrl+u", *"90", "enter")
        await pilot.press("enter", "ctrl+s", "ctrl+s", "enter")  # while the write is held
        assert isinstance(app.screen, BudgetEditor)
        gate.open()
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)
        await pilot.press("q")
    assert proxy.arrived("POST") == ["POST /key/update"]
    assert _key(proxy).max_budget == 90
    assert [e.result.status for e in _journal(tmp_path)] == ["attempted", "applied"]
    assert watch.failed == []


async def test_double_pressing_reset_sends_one_spend_reset(
    held_writes: Proxy, gate: Gate, tmp_path: Path
) -> None:
    proxy = held_writes
    app = loopback_app(proxy, tmp_path, options=PATIENT)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        await _select(pilot, TENANT)
        await pilot.press("R", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.press("ctrl+s", "enter", "ctrl+s")  # while the reset is held
        assert isinstance(app.screen, ResetSpendDialog)
        gate.open()
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)
        await pilot.press("q")
    assert proxy.arrived("POST") == [f"POST /key/{_key(proxy).token}/reset_spend"]
    assert _key(proxy).spend == 0
    assert [e.result.status for e in _journal(tmp_path)] == ["attempted", "applied"]
    assert watch.failed == []


# -- headless -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("budget", "set", TENANT, "--max-budget", "90"),
        ("budget", "set-org", "acme", "--max-budget", "900"),
        ("spend", "reset", TENANT, "--yes"),
    ],
    ids=["budget-set", "budget-set-org", "spend-reset"],
)
def test_headless_writes_that_time_out_are_unknown_and_sent_once(
    argv: tuple[str, ...],
    held_writes: Proxy,
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
) -> None:
    proxy = held_writes
    line = run_cli(proxy.url, "--timeout", str(TIMEOUT), *argv).assert_one_line_error(
        "Unknown outcome", "may or may not have been applied"
    )
    assert "no answer from 127.0.0.1" in line
    assert len(proxy.arrived("POST")) == 1
    entries = read_entries(journal_path(tmp_path))
    assert [e.result.status for e in entries] == ["attempted", "unknown"]


@pytest.mark.parametrize(("status", "journaled"), WRITE_ERRORS)
def test_headless_write_answered_with_an_error_is_sent_once(
    status: int,
    journaled: str,
    proxy: Proxy,
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
) -> None:
    proxy.faults.status_by_path["/key/update"] = status
    proxy.faults.retry_after = 0  # a 429 that invites a retry at once: still none for a write
    title = "Unknown outcome" if journaled == "unknown" else "Proxy unavailable"
    run_cli(proxy.url, "budget", "set", TENANT, "--max-budget", "90").assert_one_line_error(
        title, f"(HTTP {status})"
    )
    assert proxy.arrived("POST") == ["POST /key/update"]
    assert _headless_statuses(tmp_path) == ["attempted", journaled]


def test_headless_write_whose_answer_is_dropped_is_unknown_though_it_was_applied(
    proxy: Proxy, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    proxy.faults.drop_connection_paths.append("/key/update")
    run_cli(proxy.url, "budget", "set", TENANT, "--max-budget", "90").assert_one_line_error(
        "Unknown outcome", "lost the connection to 127.0.0.1"
    )
    assert _key(proxy).max_budget == 90  # it was applied: "failed" would have been a lie
    assert proxy.arrived("POST") == ["POST /key/update"]
    assert _headless_statuses(tmp_path) == ["attempted", "unknown"]


@pytest.mark.parametrize(
    ("knob", "argv"),
    [
        ("malformed_body_paths", ("budget", "set", TENANT, "--max-budget", "90")),
        ("wrong_shape_paths", ("spend", "reset", TENANT, "--yes")),
    ],
    ids=["malformed-200", "wrong-shape-200"],
)
def test_headless_write_accepted_with_an_unreadable_answer_is_unknown(
    knob: str,
    argv: tuple[str, ...],
    proxy: Proxy,
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
) -> None:
    """A 2xx says the proxy took the write; a body we cannot read says nothing of what it did.
    (The wrong-shaped reset answer once escaped as a raw pydantic error: a traceback.)"""
    write_path = "/key/update" if argv[0] == "budget" else f"/key/{_key(proxy).token}/reset_spend"
    getattr(proxy.faults, knob).append(write_path)
    run_cli(proxy.url, *argv).assert_one_line_error("Unknown outcome", "re-read")
    assert len(proxy.arrived("POST")) == 1
    assert _headless_statuses(tmp_path) == ["attempted", "unknown"]


def test_headless_unknown_outcome_re_reads_the_tenant(
    held_writes: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    proxy = held_writes
    key_hash = _key(proxy).token
    run_cli(
        proxy.url, "--timeout", str(TIMEOUT), "budget", "set", TENANT, "--max-budget", "90"
    ).assert_one_line_error("Unknown outcome")
    assert f"GET /key/info?key={key_hash}" in proxy.arrived("GET", "/key/info")
    assert proxy.arrived("POST") == ["POST /key/update"]
