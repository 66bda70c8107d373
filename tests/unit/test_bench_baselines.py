"""The benchmark's baselines measure what they claim: on a small simulator store, the bare httpx
scripts read the same month as budgettui (and the seed's method stops at 50 pages), and the
replay makes exactly the requests budgettui made."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from benchmarks import bare
from benchmarks.recording import record_cli_requests
from benchmarks.sim_server import BenchTenant, add_bench_tenants, month_label
from budgettui.cli.main import main
from budgettui.simulator import DEMO_KEYS, Scale, create_app, demo_store
from budgettui.simulator.server import serve_in_thread

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
MONTH = month_label(NOW)
BUSY = BenchTenant("bench-busy", 5_100)  # more than the seed's 50 pages of 100
QUIET = BenchTenant("bench-quiet", 40)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, dict[str, str]]]:
    store = demo_store(NOW, Scale(tenants=12, requests_per_tenant_per_month=5))
    keys = add_bench_tenants(store, NOW, [BUSY, QUIET])
    with serve_in_thread(create_app(store)) as url:
        yield url, {alias: key.token for alias, key in keys.items()}


@pytest.fixture
def proxy_env(served: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITELLM_PROXY_URL", served[0])
    monkeypatch.setenv("LITELLM_PROXY_API_KEY", DEMO_KEYS["master"])


def budgettui_usage(alias: str) -> dict[str, object]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["usage", alias, "--month", MONTH, "--json"]) == 0
    record: dict[str, object] = json.loads(out.getvalue())
    return record


@pytest.mark.usefixtures("proxy_env")
def test_the_bare_month_agrees_with_budgettui(served: tuple[str, dict[str, str]]) -> None:
    for tenant in (BUSY, QUIET):
        ours = budgettui_usage(tenant.alias)
        theirs = asyncio.run(bare.month_usage(served[1][tenant.alias], MONTH))
        assert ours["request_count"] == theirs["request_count"] == tenant.requests
        assert ours["total_spend"] == pytest.approx(theirs["total_spend"], abs=0.01)


@pytest.mark.usefixtures("proxy_env")
def test_the_seeds_method_stops_at_fifty_pages_and_counts_what_it_read() -> None:
    busy = asyncio.run(bare.seed_usage(BUSY.alias, MONTH))
    quiet = asyncio.run(bare.seed_usage(QUIET.alias, MONTH))
    assert (busy["requests"], busy["request_count"]) == (50, 5_000)
    assert (quiet["requests"], quiet["request_count"]) == (1, QUIET.requests)


@pytest.mark.usefixtures("proxy_env")
def test_the_replay_makes_the_requests_budgettui_made(
    served: tuple[str, dict[str, str]],
) -> None:
    recorded = record_cli_requests(["tenants", "--json"], served[0], DEMO_KEYS["master"])
    assert any(path.startswith("/key/list?") for path in recorded)
    replayed = asyncio.run(bare.replay(recorded, concurrency=4))
    assert replayed["requests"] == len(recorded)
    assert replayed["bytes"] > 0
