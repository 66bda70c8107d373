"""The API key never leaves the Authorization header: not on a screen or in a screenshot, not in
a log line (httpx's and httpcore's DEBUG output included), an exception, an error message, the
audit journal, a command's stdout or stderr, or a repr. A canary key (`sk-canary-<random>`) is
driven through every path, the error paths above all: a proxy that echoes the key back in a
401, 403, 422, 500, an HTML page, a malformed or wrong-shaped body; a refused connection; a
timeout; a write whose answer never comes."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import ProxyError
from budgettui.proxy.models import Caller
from budgettui.services.edits import Editor
from budgettui.services.journal import Journal, read_entries
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.confirm import ConfirmScreen
from budgettui.ui.screens.error import ErrorScreen
from budgettui.ui.screens.help import HelpScreen
from budgettui.ui.screens.reset_spend import ResetSpendDialog
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.security.support import (
    CANARY,
    ECHO_MODES,
    FAST,
    Cli,
    CliResult,
    EchoMode,
    build_app,
    canary_store,
    echoing,
    free_port,
    journal_path,
    serve,
    svg_text,
)
from tests.uihelpers import Toasts, settle, table_names

ROOT = Path(__file__).resolve().parents[2]
WRITES_ONLY = ("/key/update", "/team/update")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG (httpx and httpcore log requests and responses there)."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "asyncio", "budgettui", "textual"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


def assert_no_canary(where: str, text: str) -> None:
    assert CANARY not in text, f"the key leaked into {where}"
    # Nor a recognisable piece of it (the random part), e.g. cut at a line or escaped.
    assert CANARY[-16:] not in text, f"part of the key leaked into {where}"


class Switch:
    """An ASGI app that forwards to whichever app the test put in `target`."""

    def __init__(self, target: ASGIApp) -> None:
        self.target = target

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.target(scope, receive, send)


def slow_writes(app: ASGIApp, seconds: float) -> ASGIApp:
    """Delay every POST (the reads answer at once): a write that times out."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            await asyncio.sleep(seconds)
        await app(scope, receive, send)

    return wrapped


# ---------------------------------------------------------------------------------------------
# Objects


def test_settings_and_secret_never_show_the_key() -> None:
    secret = Secret(CANARY)
    settings = Settings("https://litellm.example.com", secret)
    for text in (
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        repr(settings),
        str(settings),
        repr(dataclasses.replace(settings, refresh_seconds=5)),
        repr(dataclasses.asdict(settings)),
        repr(settings.connection),
        " ".join(settings.warnings()),
    ):
        assert_no_canary("a repr of the settings", text)
    assert secret.reveal() == CANARY  # the one way to get it, for the Authorization header


def test_the_client_never_shows_the_key() -> None:
    client = LiteLLMClient("https://litellm.example.com", CANARY, FAST)
    http = client._http._http
    for text in (repr(client), str(client), repr(client._http), repr(http), repr(http.headers)):
        assert_no_canary("a repr of the client", text)
    assert http.headers["authorization"] == f"Bearer {CANARY}"


def test_the_editor_never_shows_the_key(tmp_path: Path) -> None:
    client = LiteLLMClient("https://litellm.example.com", CANARY, FAST)
    editor = Editor(client, Caller(), Journal(tmp_path / "audit.jsonl"), CANARY)
    assert_no_canary("repr(Editor)", repr(editor))


# ---------------------------------------------------------------------------------------------
# The client's errors


async def _error_of(call: Callable[[], Awaitable[object]]) -> ProxyError:
    with pytest.raises(ProxyError) as caught:
        await call()
    return caught.value


def _everything_about(error: BaseException) -> str:
    """Every way an error could be shown: message, repr, args, title, the traceback with its
    chain, and the suppressed context's text too."""
    parts = [str(error), repr(error), repr(error.args)]
    parts += [str(getattr(error, name, "")) for name in ("title", "message")]
    parts += traceback.format_exception(error)
    context = error.__context__
    while context is not None:
        parts += [str(context), repr(context)]
        context = context.__context__
    return "\n".join(parts)


@pytest.mark.parametrize("mode", ECHO_MODES)
async def test_client_errors_never_carry_the_key(
    mode: EchoMode, debug_logs: pytest.LogCaptureFixture
) -> None:
    transport = httpx.ASGITransport(app=echoing(create_app(canary_store()), mode))
    async with LiteLLMClient("http://proxy.test", CANARY, FAST, transport=transport) as client:
        errors = [await _error_of(client.list_keys)]
        if mode != "wrong_shape":  # a 200 to a write is taken as applied: its body is not read
            errors.append(await _error_of(lambda: client.update_key("k", {"max_budget": 5.0})))
    for error in errors:
        assert_no_canary(f"a {mode} error", _everything_about(error))
    assert_no_canary("the debug log", debug_logs.text)


async def test_refused_and_timed_out_connections_never_carry_the_key(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    refused = f"http://127.0.0.1:{free_port()}"
    errors: list[ProxyError] = []
    async with LiteLLMClient(refused, CANARY, FAST) as client:
        errors.append(await _error_of(client.whoami))
        errors.append(await _error_of(lambda: client.update_key("abc", {"max_budget": 5.0})))
    faults = Faults(latency=1.5)  # longer than FAST's read timeout
    with serve(create_app(canary_store(), faults)) as url:
        async with LiteLLMClient(url, CANARY, FAST) as client:
            errors.append(await _error_of(client.whoami))
            errors.append(await _error_of(lambda: client.update_key("abc", {"max_budget": 5.0})))
    assert [type(e).__name__ for e in errors] == [
        "Unavailable",
        "Unavailable",
        "Unavailable",
        "UnknownOutcome",
    ]
    for error in errors:
        assert_no_canary("a connection error", _everything_about(error))
    assert_no_canary("the debug log", debug_logs.text)


# ---------------------------------------------------------------------------------------------
# The headless commands

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("tenants",),
    ("tenants", "--json"),
    ("tenants", "--csv"),
    ("usage", "acme-web"),
    ("usage", "acme-web", "--json", "--month", "2026-10"),
    ("usage", "acme-web", "--csv"),
    ("usage", "no-such-tenant"),
    ("budget", "set", "acme-web", "--max-budget", "77"),
    ("budget", "set", "acme-web", "--max-budget", "1e309"),
    ("budget", "set-org", "acme", "--max-budget", "5000", "--duration", "30d"),
    ("spend", "reset", "acme-api", "--yes"),
    ("spend", "reset", "acme-web"),
)


WRITE_COMMANDS = tuple(c for c in COMMANDS if c[0] in ("budget", "spend") and c[-1] != "1e309")


def _run_all(
    run_cli: Cli, url: str, *, key_flag: bool, commands: tuple[tuple[str, ...], ...] = COMMANDS
) -> list[CliResult]:
    auth = ("--api-key", CANARY) if key_flag else ()
    return [run_cli("--proxy-url", url, *auth, *command) for command in commands]


def test_every_command_keeps_the_key_when_all_goes_well(
    run_cli: Cli, tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    with serve(create_app(canary_store())) as url:
        results = _run_all(run_cli, url, key_flag=True)
    codes = [result.code for result in results]
    assert codes == [0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 2], [r.err for r in results]
    for command, result in zip(COMMANDS, results, strict=True):
        assert_no_canary(f"`{' '.join(command)}`", result.out + result.err)
    journal = journal_path(tmp_path).read_text()
    assert len(read_entries(journal_path(tmp_path))) == 6  # each write: attempted, then outcome
    assert_no_canary("the journal", journal)
    assert_no_canary("the debug log", debug_logs.text)


@pytest.mark.parametrize("mode", ECHO_MODES)
def test_every_command_keeps_the_key_when_the_proxy_echoes_it(
    run_cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    debug_logs: pytest.LogCaptureFixture,
    mode: EchoMode,
) -> None:
    """First every read echoes the key back; then only the writes do, so each write gets as
    far as the proxy and its failure is journaled."""
    monkeypatch.setenv("LITELLM_PROXY_API_KEY", CANARY)
    store = canary_store()
    switch = Switch(echoing(create_app(store), mode))
    with serve(switch) as url:
        # Every command's first request is the same (who am I): three of them will do.
        results = _run_all(run_cli, url, key_flag=False, commands=COMMANDS[1:8:3])
        switch.target = echoing(create_app(store), mode, paths=WRITES_ONLY)
        results += _run_all(run_cli, url, key_flag=False, commands=WRITE_COMMANDS)
    for result in results:
        assert result.code in (0, 1, 2), result.err
        assert "Traceback" not in result.err
        assert_no_canary(f"a command's output ({mode})", result.out + result.err)
    # budget set and set-org reached the proxy and got the echo (journaled as refused, as
    # unknown for a 5xx, or as not applied when the echo stood in for the write); spend reset
    # was not echoed. Each write is two lines: attempted, then its outcome.
    statuses = [e.result.status for e in read_entries(journal_path(tmp_path))]
    assert len(statuses) == 6
    assert statuses[::2] == ["attempted"] * 3
    assert statuses[5] == "applied"
    assert_no_canary("the journal", journal_path(tmp_path).read_text())
    assert_no_canary("the debug log", debug_logs.text)


def test_refused_connections_and_lost_writes_keep_the_key(
    run_cli: Cli, tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    refused = f"http://127.0.0.1:{free_port()}"
    results = _run_all(run_cli, refused, key_flag=True, commands=COMMANDS[1:8:3])
    assert {r.code for r in results} == {1}
    with serve(slow_writes(create_app(canary_store()), 1.5)) as url:
        results += _run_all(run_cli, url, key_flag=True, commands=WRITE_COMMANDS)
    for result in results:
        assert_no_canary("a command's output", result.out + result.err)
    entries = read_entries(journal_path(tmp_path))
    assert [e.result.status for e in entries] == ["attempted", "unknown"] * 3
    assert_no_canary("the journal", journal_path(tmp_path).read_text())
    assert_no_canary("the debug log", debug_logs.text)


def _budgettui(*argv: str, key: str | None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LITELLM_")}
    if key is not None:
        environ["LITELLM_PROXY_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-W", "default", "-m", "budgettui", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environ, **env},
        cwd=ROOT,
        check=False,
    )


def test_a_real_process_keeps_the_key_and_accepts_it_by_flag(tmp_path: Path) -> None:
    """`python -m budgettui` as a user runs it (warnings on): the key from the environment or
    from `--api-key`; the flag wins over the environment."""
    xdg = {"XDG_DATA_HOME": str(tmp_path)}
    store = canary_store()
    with serve(echoing(create_app(store), "json_401", paths=WRITES_ONLY)) as url:
        listed = _budgettui("--proxy-url", url, "tenants", "--json", key=CANARY, **xdg)
        by_flag = _budgettui(
            "--proxy-url", url, "--api-key", CANARY, "tenants", key="sk-wrong", **xdg
        )
        wrong_flag = _budgettui("--proxy-url", url, "--api-key", "sk-wrong", "tenants", key=CANARY)
        echoed = _budgettui(
            "--proxy-url", url, "budget", "set", "acme-web", "--max-budget", "9", key=CANARY, **xdg
        )
    assert (listed.returncode, by_flag.returncode) == (0, 0), (listed.stderr, by_flag.stderr)
    assert '"tenant": "acme-web"' in listed.stdout
    assert "acme-web" in by_flag.stdout
    assert wrong_flag.returncode == 1
    assert "Not authorised" in wrong_flag.stderr
    assert echoed.returncode == 1
    assert "***" in echoed.stderr  # the echoed key, redacted
    for run in (listed, by_flag, wrong_flag, echoed):
        assert "Traceback" not in run.stderr
        assert_no_canary("a process's stdout/stderr", run.stdout + run.stderr)
    assert_no_canary("the journal", journal_path(tmp_path).read_text())


def test_the_readme_recommends_the_environment_over_the_flag() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "export LITELLM_PROXY_API_KEY=" in readme
    assert "prefer the environment over --api-key" in readme
    assert "visible to every user in `ps`" in readme
    from budgettui.cli.main import build_parser

    assert "prefer LITELLM_PROXY_API_KEY" in build_parser().format_help()


def test_no_snapshot_or_screenshot_contains_a_key() -> None:
    files = [*ROOT.glob("tests/snapshots/**/*.svg"), *ROOT.glob("screenshots/*.svg")]
    assert files
    keys = [*DEMO_KEYS.values(), CANARY]
    for file in files:
        text = file.read_text(encoding="utf-8")
        for key in keys:
            assert key not in text, (file, key)


# ---------------------------------------------------------------------------------------------
# The dashboard


@contextmanager
def _collecting() -> Iterator[list[tuple[str, str]]]:
    shots: list[tuple[str, str]] = []
    yield shots
    for where, text in shots:
        assert_no_canary(f"the {where} screen", text)


def _key(store: Store, alias: str) -> str:
    return next(k.token for k in store.keys.values() if k.key_alias == alias)


async def test_no_screen_or_modal_shows_the_key(
    tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    """Every screen and modal, and the errors in them: a save the proxy refuses by echoing the
    key, a refresh that gets the same, a write that times out."""
    store = canary_store()
    switch = Switch(create_app(store))
    with serve(switch) as url, _collecting() as shots:
        app = build_app(tmp_path, store, CANARY, url=url, options=FAST)
        toasts = Toasts()
        async with app.run_test(size=(120, 40), notifications=True, message_hook=toasts) as pilot:

            def shot(where: str) -> None:
                shots.append((where, svg_text(app.export_screenshot())))

            await settle(pilot)
            shot("tenants")
            await pilot.press("slash", *"acme")
            shot("filtered tenants")
            await pilot.press("escape", "question_mark")
            assert isinstance(app.screen, HelpScreen)
            shot("help")
            await pilot.press("escape")
            table = app.screen.query_one(TenantTable)
            table.move_cursor(row=table_names(app).index("acme-web"))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, TenantScreen)
            shot("tenant")
            await pilot.press("b", "f2")
            assert isinstance(app.screen, BudgetEditor)
            shot("budget editor with its curl")
            switch.target = echoing(create_app(store), "json_401", paths=WRITES_ONLY)
            await pilot.press("ctrl+u", *"66", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, BudgetEditor)  # refused: the modal stays
            shot("budget editor after an echoed 401")
            switch.target = slow_writes(create_app(store), 1.5)
            await pilot.press("ctrl+s")
            await settle(pilot)
            shot("budget editor after a lost write")
            await pilot.press("escape", "o")
            shot("org budget editor")
            await pilot.press("escape", "R")
            assert isinstance(app.screen, ResetSpendDialog)
            shot("reset spend")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            shot("confirmation")
            await pilot.press("n", "escape", "escape")
            switch.target = echoing(create_app(store), "text_500")
            await pilot.press("r")
            await settle(pilot)
            shot("tenants after a refresh the proxy answered with the key")
            messages = [n.title + " " + n.message for n in toasts.raised]
            assert any("***" in message for message in messages)  # it did, redacted
            for message in messages:
                assert_no_canary("a notification", message)
    text = journal_path_of(tmp_path).read_text()
    assert [e.result.status for e in read_entries(journal_path_of(tmp_path))] == [
        "attempted",
        "failed",
        "attempted",
        "unknown",
    ]
    assert_no_canary("the journal", text)
    assert_no_canary("the debug log", debug_logs.text)


def journal_path_of(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


async def test_the_error_screen_never_shows_the_key(
    tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    for mode in ("json_401", "malformed"):
        app = build_app(tmp_path, canary_store(), CANARY, wrap=lambda a, m=mode: echoing(a, m))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ErrorScreen), mode
            assert_no_canary(f"the error screen ({mode})", svg_text(app.export_screenshot()))
    assert_no_canary("the debug log", debug_logs.text)
