"""The proxy answers, but badly: 5xx, 429, a dropped body, malformed JSON, a body of the wrong
shape, an HTML page from a reverse proxy, a read timeout. GETs that may succeed on a second try
are retried with backoff; then (or at once, when retrying cannot help) the user gets a clear
error: the error screen at launch, a toast over the last good data mid-session, one line on
stderr from a headless command. Never a crash, a hang or a traceback."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from textual.widgets import Static

from budgettui.simulator import Faults
from budgettui.ui.screens.error import ErrorScreen
from budgettui.ui.screens.tenants import TenantsScreen
from tests.faults.conftest import (
    ATTEMPTS,
    FAST,
    FAST_RETRY,
    CliResult,
    Loopback,
    Proxy,
    WorkerWatch,
    loopback_app,
    record_sleeps,
    with_header,
)
from tests.uihelpers import rendered_text, settle, table_names

PATH = "/key/list"


@dataclass(frozen=True)
class Fault:
    name: str
    arm: Callable[[Faults], None]
    title: str
    says: str  # a fragment of the message the user reads
    retried: bool  # a GET worth repeating (the next answer may be fine)

    def __str__(self) -> str:
        return self.name


def _status(code: int) -> Callable[[Faults], None]:
    return lambda faults: faults.status_by_path.__setitem__(PATH, code)


FAULTS = [
    *(
        Fault(f"http-{code}", _status(code), "Proxy unavailable", f"(HTTP {code})", True)
        for code in (500, 502, 503, 504)
    ),
    Fault("http-429", _status(429), "Proxy unavailable", "Rate limit exceeded", True),
    Fault(
        "html-502",
        lambda f: f.html_error_paths.append(PATH),
        "Proxy unavailable",
        "HTML page (a reverse proxy in front of LiteLLM?) (HTTP 502)",
        True,
    ),
    Fault(
        "dropped-mid-body",
        lambda f: f.drop_connection_paths.append(PATH),
        "Proxy unavailable",
        "lost the connection to 127.0.0.1",
        True,
    ),
    Fault(
        "malformed-json",
        lambda f: f.malformed_body_paths.append(PATH),
        "Unexpected answer",
        "/key/list did not answer with JSON",
        False,
    ),
    Fault(
        "wrong-shape",
        lambda f: f.wrong_shape_paths.append(PATH),
        "Unexpected answer",
        "/key/list answered with a shape budgettui does not know",
        False,
    ),
]


def _expected_requests(fault: Fault) -> int:
    return ATTEMPTS if fault.retried else 1


# At launch every fault reaches the error screen by one of three paths: an error status retried
# to the end, a transport failure retried to the end, an answer retrying cannot fix. One fault
# stands for each (every fault runs mid-session in the app, and headless, below).
LAUNCH_FAULTS = [f for f in FAULTS if f.name in ("http-503", "dropped-mid-body", "wrong-shape")]


@pytest.mark.parametrize("fault", LAUNCH_FAULTS, ids=str)
async def test_at_launch_the_error_screen_says_what_happened(
    fault: Fault, proxy: Proxy, tmp_path: Path
) -> None:
    fault.arm(proxy.faults)
    app = loopback_app(proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ErrorScreen), type(screen)
        assert screen.error.title == fault.title
        shown = rendered_text(screen.query_one("#error-message", Static))
        assert fault.says in " ".join(shown.split())
        expected = _expected_requests(fault)
        assert len(proxy.calls("GET", PATH, at_least=expected)) == expected
        await pilot.press("q")
    assert watch.failed == []
    assert app.return_code == 0


async def test_mid_session_every_fault_keeps_the_data_and_says_why(
    proxy: Proxy, tmp_path: Path
) -> None:
    app = loopback_app(proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        before = table_names(app)
        assert "acme-web" in before
        for fault in FAULTS:
            proxy.faults.reset()
            fault.arm(proxy.faults)
            watch.raised.clear()
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, TenantsScreen), fault
            assert table_names(app) == before, fault
            notes = watch.lines()
            assert len(notes) == 1, (fault, notes)
            assert notes[0].startswith(f"{fault.title}: "), (fault, notes)
            assert fault.says in notes[0], (fault, notes)

        proxy.faults.reset()  # and once the proxy is fine again, r brings fresh data
        watch.raised.clear()
        await pilot.press("r")
        await settle(pilot)
        assert watch.lines() == []
        assert table_names(app) == before
        await pilot.press("q")
    assert watch.failed == []
    assert app.return_code == 0


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_headless_is_one_line_and_exit_1_and_a_passing_fault_is_retried_away(
    fault: Fault, proxy: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    fault.arm(proxy.faults)
    line = run_cli(proxy.url, "tenants", "--json").assert_one_line_error(fault.title, fault.says)
    expected = _expected_requests(fault)
    assert len(proxy.calls("GET", PATH, at_least=expected)) == expected
    assert "\x1b" not in line

    # The same fault, but only until the last attempt: a retried GET gets through; one that
    # retrying cannot help was asked once, and fails the same way.
    proxy.store.requests.clear()
    proxy.faults.faulted = 0
    proxy.faults.fail_times = ATTEMPTS - 1
    result = run_cli(proxy.url, "tenants", "--json")
    if fault.retried:
        assert (result.code, result.err) == (0, "")
        assert '"tenant": "acme-web"' in result.out
    else:
        result.assert_one_line_error(fault.title, fault.says)
    assert len(proxy.calls("GET", PATH, at_least=expected)) == expected


async def test_retries_back_off_exponentially(proxy: Proxy, tmp_path: Path) -> None:
    proxy.faults.status_by_path[PATH] = 503
    app = loopback_app(proxy, tmp_path)
    delays = await record_sleeps(app)
    async with app.run_test(size=(120, 36), message_hook=WorkerWatch()) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        await pilot.press("q")
    # jitter pinned to its maximum: base·2ⁿ, capped
    base, cap = FAST_RETRY.base_delay, FAST_RETRY.max_delay
    assert delays == [min(cap, base * 2**n) for n in range(ATTEMPTS - 1)]


async def test_429_retry_after_is_the_delay_the_client_chooses(
    proxy: Proxy, tmp_path: Path
) -> None:
    proxy.faults.status_by_path[PATH] = 429
    proxy.faults.retry_after = 7
    proxy.faults.fail_times = 1
    app = loopback_app(proxy, tmp_path)
    delays = await record_sleeps(app)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)
        assert "acme-web" in table_names(app)
        await pilot.press("q")
    assert delays == [7.0]  # not our own 0.01 s backoff
    assert len(proxy.calls("GET", PATH, at_least=2)) == 2
    assert watch.failed == []


def test_429_retry_after_is_waited_out_by_the_headless_command(
    proxy: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    proxy.faults.status_by_path[PATH] = 429
    proxy.faults.retry_after = 0.6
    proxy.faults.fail_times = 1
    started = time.monotonic()
    result = run_cli(proxy.url, "tenants", "--json")
    elapsed = time.monotonic() - started
    assert (result.code, result.err) == (0, "")
    assert elapsed >= 0.6  # our own backoff would be at most 0.01 s
    assert elapsed < 0.6 + 2
    assert len(proxy.calls("GET", PATH, at_least=2)) == 2


async def test_retry_after_as_an_http_date_without_a_zone(
    loopback: Loopback, tmp_path: Path
) -> None:
    """`Retry-After: <date> -0000` parses to a naive datetime; it once crashed the worker."""
    date = "Wed, 21 Oct 2015 07:28:00 -0000"
    proxy = loopback.attach(wrap=lambda app: with_header(app, "retry-after", date))
    proxy.faults.status_by_path[PATH] = 429
    proxy.faults.fail_times = 1
    app = loopback_app(proxy, tmp_path)
    delays = await record_sleeps(app)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)
        await pilot.press("q")
    assert watch.failed == []
    assert delays == [FAST_RETRY.base_delay]  # a date in the past: our own backoff


# -- read timeout ---------------------------------------------------------------------------

SHORT = 0.2


async def test_read_timeout_at_launch_and_mid_session(proxy: Proxy, tmp_path: Path) -> None:
    options = replace(FAST, read_timeout=SHORT)
    app = loopback_app(proxy, tmp_path, options=options)
    proxy.faults.latency = SHORT + 0.3
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ErrorScreen)
        assert screen.error.message == f"no answer from 127.0.0.1 within {SHORT:g} s (ReadTimeout)"

        proxy.faults.latency = 0
        await pilot.press("r")
        await settle(pilot)
        before = table_names(app)
        assert "acme-web" in before

        proxy.faults.latency = SHORT + 0.3
        await pilot.press("r")
        await settle(pilot)
        assert table_names(app) == before
        assert any("no answer from 127.0.0.1" in note for note in watch.lines())
        await pilot.press("q")
    assert watch.failed == []
    assert app.return_code == 0


def test_read_timeout_headless(proxy: Proxy, run_cli: Callable[..., CliResult]) -> None:
    proxy.faults.latency = SHORT + 0.3
    run_cli(proxy.url, "--timeout", str(SHORT), "tenants").assert_one_line_error(
        "Proxy unavailable", f"no answer from 127.0.0.1 within {SHORT:g} s"
    )
