"""`budgettui serve`: the dashboard in a browser. A smoke test over loopback (the page, then the
dashboard itself through the websocket a browser opens), the command each browser's process
runs (the options given, never the key), and what is refused."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from budgettui.cli import serve_command
from budgettui.cli.main import build_parser, main
from budgettui.cli.serve_command import dashboard_command, dashboard_environment, public_url
from budgettui.services.settings import ENV_KEY, Secret, Settings

SECRET = "sk-serve-canary-5d1e"  # a canary: must never reach a command line
STARTUP_SECONDS = 60  # two shared cores: the server and then the dashboard's process start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`budgettui serve --demo` on a free loopback port, in its own process group so that the
    dashboards it starts go with it; its URL."""
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    server = subprocess.Popen(
        [sys.executable, "-m", "budgettui", "serve", "--demo", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def fetch_page(url: str) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            return httpx.get(url + "/", timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


async def dashboard_output(url: str, until: bytes) -> bytes:
    """What the dashboard sends the browser, until `until` appears in it."""
    received = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/ws?width=120&height=30") as socket_,
    ):
        async with asyncio.timeout(STARTUP_SECONDS):
            while until not in received:
                message = await socket_.receive()
                if message.type is aiohttp.WSMsgType.BINARY:
                    received += message.data
                elif message.type is not aiohttp.WSMsgType.TEXT:
                    break  # closed: the dashboard ended
    return received


@pytest.mark.timeout(180)
def test_serve_gives_the_page_and_the_dashboard_over_loopback(served: str) -> None:
    page = fetch_page(served)
    assert page.status_code == 200
    assert "textual.js" in page.text  # textual-serve's page
    assert f"{served.replace('http', 'ws')}/ws" in page.text  # where the browser connects
    # What a browser would show once connected: the demo's tenants table.
    assert b"acme-web" in asyncio.run(dashboard_output(served, until=b"acme-web"))


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_each_browser_runs_this_budgettui_with_the_options_given_but_not_the_key() -> None:
    args = parse(
        "--refresh",
        "30",
        "serve",
        "--proxy-url",
        "https://litellm.example",
        "--api-key",
        SECRET,
        "--timeout",
        "12",
        "--insecure",
        "--port",
        "9000",
    )
    command = dashboard_command(args)
    assert command[:3] == [sys.executable, "-m", "budgettui"]
    assert SECRET not in " ".join(command)
    # The dashboard reads back the same connection options, with no subcommand and no port.
    again = build_parser().parse_args(command[3:])
    assert again.command is None
    assert (again.proxy_url, again.timeout, again.insecure, again.refresh) == (
        "https://litellm.example",
        12,
        True,
        30,
    )
    settings = Settings("https://litellm.example", Secret(SECRET))
    assert dashboard_environment(args, settings, demo=False) == {ENV_KEY: SECRET}


def test_a_key_from_the_environment_stays_there_and_the_demo_keeps_its_role() -> None:
    args = parse("serve", "--demo-as", "team_admin")
    assert dashboard_command(args)[3:] == ["--demo-as", "team_admin"]
    settings = Settings("https://litellm.example", Secret(SECRET))
    assert dashboard_environment(args, settings, demo=True) == {}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "dashboard.example"])
def test_an_address_others_reach_is_refused_without_public(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--demo", "--host", host]) == 2
    said = capsys.readouterr().err
    assert f"--host {host} lets other machines open the dashboard" in said
    assert "--public" in said


def test_without_textual_serve_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve", "--demo"]) == 2
    assert "pip install 'budgettui[serve]'" in capsys.readouterr().err


def test_api_key_and_context_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """With --context the dashboard would take the context's key, not the flag's."""
    args = parse("serve", "--context", "prod", "--api-key", SECRET)
    settings = Settings("https://litellm.example", Secret(SECRET))
    assert serve_command.run_serve(args, settings, demo=False) == 2
    assert "--api-key or --context, not both" in capsys.readouterr().err


def test_the_page_sends_the_browser_to_an_address_it_can_reach() -> None:
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert public_url("0.0.0.0", 8000) == f"http://{socket.getfqdn()}:8000"
