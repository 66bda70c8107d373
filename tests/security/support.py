"""Shared by the security tests: a canary key, stores with hostile aliases, an ASGI wrapper that
echoes the caller's key back in its answers, screenshots as text, and the CLI run in-process."""

from __future__ import annotations

import html
import re
import secrets
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from budgettui.cli import main as cli
from budgettui.proxy.transport import ConnectionOptions, RetryPolicy
from budgettui.services.connect import DEMO_URL
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import Faults, Store, create_app, demo_store
from budgettui.simulator.server import serve_in_thread
from budgettui.ui.app import BudgetApp, make_app
from tests.uihelpers import NOW

# A fresh canary per run, so no fixture, snapshot or cache can contain it by accident.
CANARY = f"sk-canary-{secrets.token_hex(12)}"

# Aliases a team admin could give a key: Textual/Rich markup (valid, broken, and an action
# link), emoji, right-to-left text mixed with brackets.
MARKUP_ALIASES = (
    "[bold]bold[/]",
    "[/]",
    "[@click=app.quit]quit[/]",
    "[red]red",
    "🔥 fire 🔥",
    "שלום [b]עולם[/b]",
)
MARKUP_ORG = "[/] [i]org[/i]"  # a team with no key: a provisioning tenant, named by its alias

# Short retries; a read timeout short enough for the timeout tests, long enough that a loaded
# 2-core machine does not time out an ordinary read.
FAST = ConnectionOptions(
    connect_timeout=1.0,
    read_timeout=1.0,
    retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02),
)


def canary_store() -> Store:
    """The demo data, with the canary as the proxy's master key."""
    store = demo_store(NOW)
    store.master_key = CANARY
    return store


def markup_store() -> Store:
    """The demo data plus one key per hostile alias (in org `acme`) and an org with no key."""
    store = demo_store(NOW)
    acme = next(t for t in store.teams.values() if t.team_alias == "acme")
    for index, alias in enumerate(MARKUP_ALIASES):
        store.add_key(
            f"sk-markup-{index:04d}",
            key_alias=alias,
            team_id=acme.team_id,
            max_budget=10.0,
            budget_duration="30d",
        )
    store.add_team(MARKUP_ORG)
    return store


def build_app(
    tmp_path: Path,
    store: Store,
    key: str,
    *,
    faults: Faults | None = None,
    url: str | None = None,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
    refresh: float = 0.0,
    options: ConnectionOptions | None = None,
) -> BudgetApp:
    """The dashboard as `make_app` builds it: over the in-process simulator, or (with `url`)
    over real sockets. The journal goes to tmp_path/audit.jsonl."""
    transport: httpx.AsyncBaseTransport | None = None
    if url is None:
        asgi: ASGIApp = create_app(store, faults or Faults())
        transport = httpx.ASGITransport(app=wrap(asgi) if wrap else asgi)
    settings = Settings(
        url or DEMO_URL, Secret(key), options or ConnectionOptions(), refresh_seconds=refresh
    )
    return make_app(
        settings,
        transport=transport,
        clock=lambda: NOW,
        tz=UTC,
        journal=Journal(tmp_path / "audit.jsonl"),
    )


def svg_text(svg: str) -> str:
    """What a Textual SVG screenshot shows, one line per terminal row."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for match in re.finditer(r"<text ([^>]*)>(.*?)</text>", svg, re.S):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(1)))
        if "y" not in attrs or "clip-path" not in attrs:
            continue  # the window title
        row = rows.setdefault(float(attrs["y"]), [])
        row.append((float(attrs.get("x", 0)), html.unescape(match.group(2))))
    lines = ["".join(text for _, text in sorted(row)) for _, row in sorted(rows.items())]
    return "\n".join(line.replace("\xa0", " ") for line in lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """`app` on a loopback port, in a thread; yields its URL."""
    with serve_in_thread(app, port=free_port()) as url:
        yield url


# ---------------------------------------------------------------------------------------------
# A proxy that echoes the key back

EchoMode = Literal[
    "json_401", "detail_403", "validation_422", "text_500", "html_502", "malformed", "wrong_shape"
]
ECHO_MODES: tuple[EchoMode, ...] = (
    "json_401",
    "detail_403",
    "validation_422",
    "text_500",
    "html_502",
    "malformed",
    "wrong_shape",
)


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            text: str = value.decode("latin-1")
            return text.removeprefix("Bearer ")
    return ""


def _echo_body(mode: EchoMode, key: str) -> tuple[int, str, bytes]:
    import json

    said = f"Authentication Error, Invalid API key provided: {key} (key={key!r})"
    bodies: dict[EchoMode, tuple[int, str, Any]] = {
        "json_401": (401, "json", {"error": {"message": said, "type": "auth_error"}}),
        "detail_403": (403, "json", {"detail": {"error": said}}),
        "validation_422": (
            422,
            "json",
            {"detail": [{"loc": ["header", key], "msg": said, "input": key}]},
        ),
        "text_500": (500, "text", said),
        "html_502": (502, "html", f"<html><body><h1>502</h1><p>{said}</p></body></html>"),
        "malformed": (200, "json-raw", '{"keys": ["' + key + '", '),
        "wrong_shape": (200, "json", {"keys": "oops", "echo": key, key: key}),
    }
    status, kind, body = bodies[mode]
    if kind == "json":
        return status, "application/json", json.dumps(body).encode()
    if kind == "html":
        return status, "text/html", str(body).encode()
    if kind == "json-raw":
        return status, "application/json", str(body).encode()
    return status, "text/plain", str(body).encode()


def echoing(app: ASGIApp, mode: EchoMode, *, paths: tuple[str, ...] = ("/",)) -> ASGIApp:
    """Answer every request whose path starts with one of `paths` with a body that contains
    the caller's key (as a careless reverse proxy or a debug build would); pass the rest on."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(paths):
            await app(scope, receive, send)
            return
        status, content_type, body = _echo_body(mode, _bearer(scope))
        headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


# ---------------------------------------------------------------------------------------------
# The CLI, in-process


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class Cli:
    """`budgettui.cli.main` in-process: exit code (argparse's SystemExit included), stdout and
    stderr. The journal goes to tmp_path (XDG_DATA_HOME) and retries are fast."""

    def __init__(self, capsys: pytest.CaptureFixture[str], fast: bool = True) -> None:
        self.capsys = capsys
        self.fast = fast

    def __call__(self, *argv: str) -> CliResult:
        self.capsys.readouterr()
        try:
            code = cli.main(list(argv), now=NOW)
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else 1
        out, err = self.capsys.readouterr()
        return CliResult(code, out, err)


@pytest.fixture
def run_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    monkeypatch.delenv("LITELLM_PROXY_API_KEY", raising=False)

    def fast_options(**kwargs: Any) -> ConnectionOptions:
        return replace(FAST, **{k: v for k, v in kwargs.items() if k != "read_timeout"})

    monkeypatch.setattr(cli, "ConnectionOptions", fast_options)
    return Cli(capsys)


def journal_path(tmp_path: Path) -> Path:
    """Where the headless commands write the journal when XDG_DATA_HOME is tmp_path."""
    return tmp_path / "budgettui" / "audit.jsonl"
