"""What budgettui asks the proxy, seen from inside its process: every request's path and query
and when its answer came. The bare script replays the recorded paths (`bare.py replay`); the TUI
pilot reads when the first key page arrived."""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Exchange:
    path: str  # with the query string
    answered: float  # time.perf_counter() when the response headers arrived


@contextlib.contextmanager
def watching_requests() -> Iterator[list[Exchange]]:
    """Every request any httpx.AsyncClient sends while inside, in the order they are answered."""
    seen: list[Exchange] = []
    original = httpx.AsyncClient.send

    async def send(self: httpx.AsyncClient, request: httpx.Request, **kwargs: object) -> object:
        response = await original(self, request, **kwargs)  # type: ignore[arg-type]
        seen.append(Exchange(request.url.raw_path.decode(), time.perf_counter()))
        return response

    httpx.AsyncClient.send = send  # type: ignore[assignment,method-assign]
    try:
        yield seen
    finally:
        httpx.AsyncClient.send = original  # type: ignore[method-assign]


def record_cli_requests(argv: Sequence[str], url: str, key: str) -> list[str]:
    """The requests `budgettui ARGV` makes against `url`, run in this process (its stdout
    dropped). Raises if the command fails."""
    from budgettui.cli.main import main

    saved = {name: os.environ.get(name) for name in ("LITELLM_PROXY_URL", "LITELLM_PROXY_API_KEY")}
    os.environ.update(LITELLM_PROXY_URL=url, LITELLM_PROXY_API_KEY=key)
    try:
        with watching_requests() as seen, contextlib.redirect_stdout(io.StringIO()):
            code = main(list(argv))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if code != 0:
        raise RuntimeError(f"budgettui {' '.join(argv)} exited {code} while recording")
    return [exchange.path for exchange in seen]
