"""Fixtures for the simulator's own tests: a fixed clock, the demo store, in-process clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "real-litellm" / "samples"


def auth(role: str) -> dict[str, str]:
    """The Authorization header of a DEMO_KEYS role."""
    return {"Authorization": f"Bearer {DEMO_KEYS[role]}"}


@pytest.fixture
def store() -> Store:
    return demo_store(NOW)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
async def client(store: Store, faults: Faults) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(store, faults))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        yield http


@pytest.fixture
def key_of(store: Store) -> Callable[[str], str]:
    """The hashed token of a key, by alias."""

    def lookup(alias: str) -> str:
        return next(k.token for k in store.keys.values() if k.key_alias == alias)

    return lookup
