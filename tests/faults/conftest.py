"""Fault tests run the real app and the real headless commands against the simulator served on
127.0.0.1 (uvicorn in a thread), with short timeouts and retry delays so the suite stays fast.

Every pilot here watches its workers: a worker that ends in an exception (rather than the
screen showing the error) fails the test, because Textual would swallow it silently.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from textual.message import Message as TextualMessage
from textual.worker import Worker, WorkerState

from budgettui.cli import main as cli
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.transport import ConnectionOptions, RetryPolicy
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from budgettui.simulator.server import serve_in_thread
from budgettui.ui.app import BudgetApp, make_app
from tests.uihelpers import NOW, Toasts

MASTER_KEY = DEMO_KEYS["master"]
ATTEMPTS = 3
FAST_RETRY = RetryPolicy(attempts=ATTEMPTS, base_delay=0.01, max_delay=0.04)
FAST = ConnectionOptions(connect_timeout=0.5, read_timeout=0.5, retry=FAST_RETRY)
STRAGGLER = 0.03  # seconds: ample for the simulator's thread to log a request already answered


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gate:
    """Holds every request of one method at the proxy until opened: a write whose answer does
    not come until the test says so (a timeout, or a second key press while it is on its way),
    with no fixed delay to tune."""

    def __init__(self, method: str = "POST") -> None:
        self.method = method
        self._open = threading.Event()

    def open(self) -> None:
        self._open.set()

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def held(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] == self.method:
                while not self._open.is_set():  # noqa: ASYNC110 (set from another thread)
                    await asyncio.sleep(0.01)
            await app(scope, receive, send)

        return held


def with_header(app: ASGIApp, name: str, value: str) -> ASGIApp:
    """Add (or replace) a response header, e.g. a `Retry-After` in HTTP-date form."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def patched(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k.lower() != name.encode()]
                message = {**message, "headers": [*headers, (name.encode(), value.encode())]}
            await send(message)

        await app(scope, receive, patched)

    return wrapped


class Switch:
    """One ASGI app served for a whole module, forwarding to the simulator the current test
    installed: every test gets a fresh store and fresh faults without the cost of a server."""

    def __init__(self) -> None:
        self.target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None
        await self.target(scope, receive, send)


@dataclass
class Proxy:
    """A simulator on a loopback port: on the module's shared server (`attach`), or on its own
    (`start`/`stop`, for tests where the proxy goes down and comes back on the same port)."""

    store: Store = field(default_factory=lambda: demo_store(NOW))
    faults: Faults = field(default_factory=Faults)
    port: int = field(default_factory=free_port)
    wrap: Callable[[ASGIApp], ASGIApp] = lambda app: app
    arrivals: list[tuple[str, str, str]] = field(default_factory=list)
    _server: AbstractContextManager[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def asgi(self) -> ASGIApp:
        return self._record_arrivals(self.wrap(create_app(self.store, self.faults)))

    def start(self) -> Proxy:
        assert self._server is None
        server = serve_in_thread(self.asgi(), port=self.port)
        server.__enter__()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.__exit__(None, None, None)

    def _record_arrivals(self, app: ASGIApp) -> ASGIApp:
        """Log each request as it arrives, before any delay: what the client sent, even if it
        gave up waiting for the answer."""

        async def recording(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                query = scope.get("query_string", b"").decode("latin-1")
                self.arrivals.append((scope["method"], scope["path"], query))
            await app(scope, receive, send)

        return recording

    def arrived(self, method: str, path: str = "") -> list[str]:
        """`METHOD path?query` of every request that reached the proxy, in order, whose path
        starts with `path`; waits a moment first for one still on the wire."""
        time.sleep(STRAGGLER)
        return [
            f"{m} {p}?{q}" if q else f"{m} {p}"
            for m, p, q in list(self.arrivals)
            if m == method and p.startswith(path)
        ]

    def arrived_after(self, first: str) -> list[str]:
        """`METHOD path` of every request that arrived after the first whose `METHOD path`
        starts with `first`."""
        time.sleep(STRAGGLER)
        seen = [f"{m} {p}" for m, p, _ in list(self.arrivals)]
        index = next(i for i, call in enumerate(seen) if call.startswith(first))
        return seen[index + 1 :]

    def calls(self, method: str = "GET", path: str = "", *, at_least: int = 0) -> list[str]:
        """`METHOD path` of every request the simulator answered whose path starts with `path`.

        The simulator logs a request just after its answer has gone out, so a client can be
        done before the log is: wait (up to 3 s) for `at_least` of them, then a little more
        for any straggler that would make the count wrong."""
        deadline = time.monotonic() + 3
        while len(self._calls(method, path)) < at_least and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(STRAGGLER)
        return self._calls(method, path)

    def _calls(self, method: str, path: str) -> list[str]:
        return [
            f"{r.method} {r.path}"
            for r in list(self.store.requests)
            if r.method == method and r.path.startswith(path)
        ]


@dataclass(frozen=True)
class Loopback:
    switch: Switch
    port: int

    def attach(self, **fields: Any) -> Proxy:
        """A fresh simulator (store, faults, request logs) behind the shared server."""
        proxy = Proxy(port=self.port, **fields)
        self.switch.target = proxy.asgi()
        return proxy


@pytest.fixture(scope="module")
def loopback() -> Iterator[Loopback]:
    switch = Switch()
    port = free_port()
    with serve_in_thread(switch, port=port):
        yield Loopback(switch, port)


@pytest.fixture
def proxy(loopback: Loopback) -> Proxy:
    """A healthy simulator of the demo data, fresh for this test, already listening; tests
    change `proxy.faults` as they go."""
    return loopback.attach()


@pytest.fixture
def own_proxy() -> Iterator[Proxy]:
    """A simulator on a server of its own, listening: for tests that stop and restart it."""
    server = Proxy().start()
    yield server
    server.stop()


@pytest.fixture
def down_proxy() -> Iterator[Proxy]:
    """A simulator that is not listening yet: `start()` it mid-test."""
    server = Proxy()
    yield server
    server.stop()


@dataclass
class Clock:
    """The app's clock, moved by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def loopback_app(
    proxy: Proxy,
    tmp_path: Path,
    *,
    role: str = "master",
    refresh: float = 0.0,
    clock: Callable[[], datetime] | None = None,
    options: ConnectionOptions = FAST,
) -> BudgetApp:
    """The dashboard as the CLI builds it (no in-process transport): real sockets to `proxy`."""
    settings = Settings(proxy.url, Secret(DEMO_KEYS[role]), options, refresh_seconds=refresh)
    return make_app(
        settings,
        transport=None,
        clock=clock or (lambda: NOW),
        tz=UTC,
        journal=Journal(tmp_path / "audit.jsonl"),
    )


class MaxJitter(random.Random):
    """Jitter pinned to its upper bound, so the backoff's doubling is visible."""

    def uniform(self, a: float, b: float) -> float:
        return b


async def record_sleeps(app: BudgetApp, options: ConnectionOptions = FAST) -> list[float]:
    """Swap the app's client for one whose retry sleeps are recorded (and skipped), with the
    jitter pinned to its maximum. Returns the list the delays are appended to."""
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    session = app.session
    await session.client.aclose()
    session.client = LiteLLMClient(
        session.settings.proxy_url,
        session.settings.api_key.reveal(),
        options,
        sleep=sleep,
        rng=MaxJitter(),
    )
    return delays


class WorkerWatch(Toasts):
    """`message_hook` for `run_test`: collects every worker that ended in an exception, and
    (as `Toasts`) every notification raised."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: list[BaseException | None] = []

    def __call__(self, message: TextualMessage) -> None:
        super().__call__(message)
        if isinstance(message, Worker.StateChanged) and message.state is WorkerState.ERROR:
            self.failed.append(message.worker.error)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def assert_one_line_error(self, *fragments: str) -> str:
        """Exit 1, nothing on stdout, one line on stderr naming the problem, no traceback,
        no key."""
        assert self.code == 1, (self.code, self.out, self.err)
        assert self.out == ""
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("budgettui: ")
        assert "Traceback" not in self.err
        assert MASTER_KEY not in self.err
        for fragment in fragments:
            assert fragment in lines[0], (fragment, lines[0])
        return lines[0]


@pytest.fixture
def run_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliResult]:
    """`budgettui.cli.main` in-process, against a URL, with the key in the environment, the
    journal in tmp_path and the fast retry policy (the CLI has no flag for it)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("LITELLM_PROXY_API_KEY", MASTER_KEY)
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)

    def fast_options(**kwargs: Any) -> ConnectionOptions:
        return replace(FAST, **kwargs)

    monkeypatch.setattr(cli, "ConnectionOptions", fast_options)

    def run(url: str, *argv: str) -> CliResult:
        code = cli.main(["--proxy-url", url, *argv], now=NOW)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


def journal_path(tmp_path: Path) -> Path:
    """Where the headless commands (XDG_DATA_HOME=tmp_path) write the journal."""
    return tmp_path / "budgettui" / "audit.jsonl"
