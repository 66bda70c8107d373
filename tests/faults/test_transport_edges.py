"""Edges a loopback simulator cannot produce on demand, against scripted answers: a write that
never left (connect or pool timeout) is `Unavailable`, not `UnknownOutcome`; a key-activity
listing whose `offset` is ignored stops at the first page with nothing new."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from budgettui.proxy.client import KEY_ACTIVITY_PAGE_SIZE, LiteLLMClient
from budgettui.proxy.errors import Unavailable
from tests.faults.conftest import FAST


def _client(handler: httpx.MockTransport) -> LiteLLMClient:
    return LiteLLMClient("http://proxy.test", "sk-test-key", FAST, transport=handler)


@pytest.mark.parametrize("error", [httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError])
async def test_a_write_that_never_left_is_unavailable_not_unknown(
    error: type[httpx.TransportError],
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise error("no connection", request=request)

    async with _client(httpx.MockTransport(handler)) as client:
        with pytest.raises(Unavailable) as caught:
            await client.update_key("hash-1", {"max_budget": 10})
    assert len(sent) == 1
    assert "could not connect to proxy.test" in caught.value.message
    assert "sk-test-key" not in str(caught.value)


async def test_key_activity_that_ignores_offset_stops_partial() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            return httpx.Response(404)  # a proxy that hides its schema: every route is tried
        seen.append(request.url.params["offset"])
        rows = [
            {"api_key": f"hash-{n}", "metrics": {"spend": 1.0}}
            for n in range(KEY_ACTIVITY_PAGE_SIZE)
        ]
        return httpx.Response(200, json={"api_keys": rows})

    async with _client(httpx.MockTransport(handler)) as client:
        listing = await client.key_activity_totals("user", date(2026, 11, 1), date(2026, 11, 30))
    assert listing.partial
    assert len(listing.items) == KEY_ACTIVITY_PAGE_SIZE
    assert seen == ["0", str(KEY_ACTIVITY_PAGE_SIZE)]
