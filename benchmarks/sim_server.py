"""The simulator served on 127.0.0.1 for the benchmarks, in a process of its own.

    python -m benchmarks.sim_server --tenants N --ready FILE [--heavy]

Builds `demo_store(now, Scale(tenants=N, requests_per_tenant_per_month=5))` plus the tenants the
benchmark asks about (`bench_tenants`), serves it with uvicorn, writes {"url", "keys", ...} to
FILE once it answers, and serves until SIGTERM. `GET /_bench/requests` answers how many requests
each path has had (the idle-refresh measurement counts refreshes by them).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from budgettui.simulator import Scale, Store, create_app, demo_store
from budgettui.simulator.models import Key
from budgettui.simulator.server import serve_in_thread

REQUESTS_PER_TENANT_MONTH = 5
PROBE = "bench-probe"  # the one tenant whose `usage` is asked for among 12, 2,000, 20,000
HEAVY = "bench-heavy"  # 100,000 requests in the measured month
LIGHT = "bench-light"  # 1,000 requests in the measured month
HEAVY_REQUESTS = 100_000
LIGHT_REQUESTS = 1_000
PROBE_REQUESTS = 200
COUNTS_PATH = "/_bench/requests"


def now_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def measured_month(now: datetime) -> tuple[datetime, datetime]:
    """The last whole month before `now`: [its first instant, the next month's first)."""
    end = now.replace(day=1, hour=0, minute=0)
    start = (end - timedelta(days=1)).replace(day=1)
    return start, end


def month_label(now: datetime) -> str:
    return measured_month(now)[0].strftime("%Y-%m")


@dataclass(frozen=True)
class BenchTenant:
    alias: str
    requests: int


def bench_tenants(heavy: bool) -> list[BenchTenant]:
    tenants = [BenchTenant(PROBE, PROBE_REQUESTS)]
    if heavy:
        tenants += [BenchTenant(HEAVY, HEAVY_REQUESTS), BenchTenant(LIGHT, LIGHT_REQUESTS)]
    return tenants


def add_bench_tenants(store: Store, now: datetime, tenants: list[BenchTenant]) -> dict[str, Key]:
    """Each tenant's requests spread evenly over the measured month (small gpt-4o-mini calls)."""
    start, end = measured_month(now)
    added = {}
    for tenant in tenants:
        key = store.add_key(
            store.new_raw_key(), key_alias=tenant.alias, created_at=start - timedelta(days=3)
        )
        step = (end - start).total_seconds() / tenant.requests
        for index in range(tenant.requests):
            store.charge(key, "gpt-4o-mini", 120, 30, at=start + timedelta(seconds=index * step))
        added[tenant.alias] = key
    return added


def build_store(tenants: int, *, heavy: bool, now: datetime) -> tuple[Store, dict[str, Key]]:
    scale = Scale(tenants=tenants, requests_per_tenant_per_month=REQUESTS_PER_TENANT_MONTH)
    store = demo_store(now, scale)
    return store, add_bench_tenants(store, now, bench_tenants(heavy))


class CountingApp:
    """Counts requests by path in front of the simulator and answers `COUNTS_PATH` itself."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: collections.Counter[str] = collections.Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == COUNTS_PATH:
            body = json.dumps(dict(self.counts)).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http":
            self.counts[scope["path"]] += 1
        await self.app(scope, receive, send)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, required=True)
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--heavy", action="store_true")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    now = now_minute()
    store, added = build_store(args.tenants, heavy=args.heavy, now=now)
    with serve_in_thread(CountingApp(create_app(store))) as url:
        hello = {
            "url": url,
            "keys": len(store.keys),
            "month": month_label(now),
            "hashes": {alias: key.token for alias, key in added.items()},
        }
        partial = args.ready.with_suffix(".part")
        partial.write_text(json.dumps(hello))
        os.replace(partial, args.ready)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
