"""The real client against the simulator, both in-process (ASGI) and over a loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest

from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.transport import ConnectionOptions, RetryPolicy
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store, serve_in_thread

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
OPTIONS = ConnectionOptions(retry=RetryPolicy(attempts=1))
Connect = Callable[..., AbstractAsyncContextManager[LiteLLMClient]]


@pytest.fixture
def store() -> Store:
    return demo_store(NOW)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture(params=["in-process", "loopback"])
def connect(request: pytest.FixtureRequest, store: Store, faults: Faults) -> Iterator[Connect]:
    """`async with connect(role) as client:` — the same client code over either transport."""
    app = create_app(store, faults)

    if request.param == "in-process":

        @asynccontextmanager
        async def in_process(role: str = "master") -> AsyncIterator[LiteLLMClient]:
            transport = httpx.ASGITransport(app=app)
            async with LiteLLMClient(
                "http://sim.test", DEMO_KEYS[role], OPTIONS, transport=transport
            ) as client:
                yield client

        yield in_process
        return

    with serve_in_thread(app) as url:

        @asynccontextmanager
        async def loopback(role: str = "master") -> AsyncIterator[LiteLLMClient]:
            async with LiteLLMClient(url, DEMO_KEYS[role], OPTIONS) as client:
                yield client

        yield loopback
