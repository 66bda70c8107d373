"""Answers the simulator's knobs cannot make, from whatever may sit between budgettui and
LiteLLM (an SSO gateway, a captive portal, a broken compressor) or a hostile proxy: a redirect,
a 200 HTML page, a body that claims gzip, JSON nested past Python's recursion limit, an error
message with newlines and terminal escapes. Each is a clear one-line error, never a traceback
(each of the last three once escaped the client as a raw exception)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from budgettui.services.journal import read_entries
from budgettui.ui.screens.tenants import TenantsScreen
from tests.faults.conftest import (
    CliResult,
    Loopback,
    Proxy,
    WorkerWatch,
    journal_path,
    loopback_app,
)
from tests.uihelpers import settle, table_names

PATH = "/key/list"
Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Reply:
    name: str
    status: int
    body: bytes
    headers: Headers
    title: str
    says: str

    def __str__(self) -> str:
        return self.name


REPLIES = [
    Reply(
        "redirect-to-login",
        302,
        b"",
        [(b"location", b"https://sso.example.com/login?session=s3cr3t")],
        "Unexpected answer",
        "/key/list redirected to https://sso.example.com/login (HTTP 302)",
    ),
    Reply(
        "redirect-nowhere-sensible",
        307,
        b"",
        [(b"location", b"http://[::")],
        "Proxy unavailable",  # httpx itself refuses the answer (a protocol error): retried
        "127.0.0.1: Invalid URL in location header",
    ),
    Reply(
        "html-200-captive-portal",
        200,
        b"<html><body>Please log in</body></html>",
        [(b"content-type", b"text/html")],
        "Unexpected answer",
        "/key/list did not answer with JSON",
    ),
    Reply(
        "gzip-that-is-not",
        200,
        b"this is not gzip",
        [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")],
        "Unexpected answer",
        "127.0.0.1 sent an answer budgettui cannot read",
    ),
    Reply(
        "json-nested-too-deep",
        200,
        b"[" * 100_000,
        [(b"content-type", b"application/json")],
        "Unexpected answer",
        "/key/list did not answer with JSON",
    ),
    Reply(
        "error-with-newlines-and-escapes",
        503,
        b'{"error": {"message": "db down\\nretry later\\u001b[2J\\u001b[31m now"}}',
        [(b"content-type", b"application/json")],
        "Proxy unavailable",
        "db down retry later [2J [31m now (HTTP 503)",
    ),
]


class Canned:
    """Answers `path` with `reply` while one is set; everything else goes to the simulator."""

    def __init__(self) -> None:
        self.reply: Reply | None = None
        self.path = PATH

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            reply = self.reply
            if reply is None or scope["type"] != "http" or scope["path"] != self.path:
                await app(scope, receive, send)
                return
            headers = [*reply.headers, (b"content-length", str(len(reply.body)).encode())]
            await send({"type": "http.response.start", "status": reply.status, "headers": headers})
            await send({"type": "http.response.body", "body": reply.body})

        return wrapped


@pytest.fixture
def canned(loopback: Loopback) -> tuple[Proxy, Canned]:
    canned = Canned()
    return loopback.attach(wrap=canned.wrap), canned


@pytest.mark.parametrize("reply", REPLIES, ids=str)
def test_headless_is_one_clean_line(
    reply: Reply, canned: tuple[Proxy, Canned], run_cli: Callable[..., CliResult]
) -> None:
    proxy, answers = canned
    answers.reply = reply
    line = run_cli(proxy.url, "tenants", "--json").assert_one_line_error(reply.title, reply.says)
    assert "\x1b" not in line
    assert "s3cr3t" not in line  # a redirect's query string may carry a session


async def test_the_dashboard_keeps_its_data_through_each_of_them(
    canned: tuple[Proxy, Canned], tmp_path: Path
) -> None:
    proxy, answers = canned
    app = loopback_app(proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        before = table_names(app)
        for reply in REPLIES:
            answers.reply = reply
            watch.raised.clear()
            # Identical toasts collapse while one is shown: start each reply with none on screen.
            app.clear_notifications()
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, TenantsScreen)
            assert table_names(app) == before
            notes = [(n.title, n.message) for n in watch.raised]
            assert len(notes) == 1, (reply, notes)
            assert notes[0][0] == reply.title
            assert reply.says in notes[0][1]
            assert "\x1b" not in notes[0][1]
        await pilot.press("q")
    assert watch.failed == []
    assert app.return_code == 0


def test_a_write_redirected_to_a_login_page_is_an_error_not_unknown(
    canned: tuple[Proxy, Canned], run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The redirect came from in front of LiteLLM: the write never reached it."""
    proxy, answers = canned
    answers.path = "/key/update"
    answers.reply = REPLIES[0]
    line = run_cli(proxy.url, "budget", "set", "acme-web", "--max-budget", "90")
    line.assert_one_line_error("Unexpected answer", "/key/update redirected to https://sso")
    entries = read_entries(journal_path(tmp_path))
    assert [e.result.status for e in entries] == ["attempted", "failed"]
    assert proxy.arrived("POST") == ["POST /key/update"]
