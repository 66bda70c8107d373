"""The real client against the simulator, both in-process (ASGI) and over a loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest

from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.transport import ConnectionOptions, RetryPolicy
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from budgettui.simulator.server import serve_in_thread

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
# The supported LiteLLM releases, oldest first; a test runs against both with
# `@pytest.mark.parametrize("litellm_version", VERSIONS)`, which overrides the fixture below.
VERSIONS = ("1.84.10", "1.108.7")
OPTIONS = ConnectionOptions(retry=RetryPolicy(attempts=1))
Connect = Callable[..., AbstractAsyncContextManager[LiteLLMClient]]


@pytest.fixture
def store() -> Store:
    return demo_store(NOW)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def litellm_version() -> str:
    """The release the simulator reproduces: the newest unless a test asks for both."""
    return VERSIONS[-1]


@pytest.fixture(params=["in-process", "loopback"])
def connect(
    request: pytest.FixtureRequest, store: Store, faults: Faults, litellm_version: str
) -> Iterator[Connect]:
    """`async with connect(role) as client:` — the same client code over either transport
    (`api_key=` calls with a key that is no demo role's)."""
    app = create_app(store, faults, litellm_version=litellm_version)

    if request.param == "in-process":

        @asynccontextmanager
        async def in_process(
            role: str = "master", *, api_key: str | None = None
        ) -> AsyncIterator[LiteLLMClient]:
            transport = httpx.ASGITransport(app=app)
            key = api_key or DEMO_KEYS[role]
            async with LiteLLMClient(
                "http://sim.test", key, OPTIONS, transport=transport
            ) as client:
                yield client

        yield in_process
        return

    with serve_in_thread(app) as url:

        @asynccontextmanager
        async def loopback(
            role: str = "master", *, api_key: str | None = None
        ) -> AsyncIterator[LiteLLMClient]:
            async with LiteLLMClient(url, api_key or DEMO_KEYS[role], OPTIONS) as client:
                yield client

        yield loopback
