"""The baselines `make bench` holds budgettui against: bare httpx scripts, nothing of budgettui.

    python benchmarks/bare.py replay REQUESTS_FILE [--concurrency 8]
    python benchmarks/bare.py month KEY_HASH YYYY-MM
    python benchmarks/bare.py seed KEY_ALIAS YYYY-MM

The proxy and key come from LITELLM_PROXY_URL and LITELLM_PROXY_API_KEY, as for budgettui.
Each prints one JSON line: what it fetched and the totals it read, so that the benchmark can
check that the baseline and budgettui agree (or, for `seed`, by how much it falls short).

- `replay`: GET every path of REQUESTS_FILE (one a line, with its query: the requests budgettui
  made for the same command), `--concurrency` at once, and parse each body. No request waits for
  another, so this is a floor, not a rival implementation.
- `month`: the one aggregated request for one key's month (`/user/daily/activity/aggregated`).
- `seed`: the seed's method: `/spend/logs/v2` by alias, 100 rows a page, at most 50 pages (so a
  busy month is cut short).

Only the standard library and httpx are imported: its start-up is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import json
import os
import sys
from typing import Any

import httpx

SEED_PAGE_SIZE = 100
SEED_MAX_PAGES = 50


def _client(concurrency: int = 8) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=os.environ["LITELLM_PROXY_URL"].rstrip("/"),
        headers={"Authorization": f"Bearer {os.environ['LITELLM_PROXY_API_KEY']}"},
        limits=httpx.Limits(max_connections=concurrency),
        timeout=httpx.Timeout(120.0, connect=10.0),
    )


async def _get(client: httpx.AsyncClient, path: str, params: Any = None) -> Any:
    response = await client.get(path, params=params)
    response.raise_for_status()
    return response.json()


async def replay(paths: list[str], concurrency: int) -> dict[str, Any]:
    gate = asyncio.Semaphore(concurrency)
    received = 0

    async def fetch(path: str) -> None:
        nonlocal received
        async with gate:
            response = await client.get(path)
        response.raise_for_status()
        response.json()  # parsed, as any client must
        received += len(response.content)

    async with _client(concurrency) as client:
        await asyncio.gather(*(fetch(path) for path in paths))
    return {"requests": len(paths), "bytes": received}


def month_range(month: str) -> tuple[str, str]:
    """The first and last day of YYYY-MM, as LiteLLM's `start_date`/`end_date`."""
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return f"{year:04d}-{number:02d}-01", f"{year:04d}-{number:02d}-{last:02d}"


async def month_usage(key_hash: str, month: str) -> dict[str, Any]:
    first, last = month_range(month)
    params = {"api_key": key_hash, "start_date": first, "end_date": last}
    async with _client() as client:
        body = await _get(client, "/user/daily/activity/aggregated", params)
    metadata = body["metadata"]
    return {
        "requests": 1,
        "request_count": metadata["total_api_requests"],
        "total_spend": metadata["total_spend"],
    }


async def seed_usage(alias: str, month: str) -> dict[str, Any]:
    first, last = month_range(month)
    rows = 0
    spend = 0.0
    pages = 0
    async with _client() as client:
        for page in range(1, SEED_MAX_PAGES + 1):
            params = {
                "key_alias": alias,
                "start_date": f"{first} 00:00:00",
                "end_date": f"{last} 23:59:59",
                "page": page,
                "page_size": SEED_PAGE_SIZE,
            }
            body = await _get(client, "/spend/logs/v2", params)
            pages += 1
            rows += len(body["data"])
            spend += sum(float(row.get("spend") or 0) for row in body["data"])
            if len(body["data"]) < SEED_PAGE_SIZE:
                break
    return {"requests": pages, "request_count": rows, "total_spend": spend}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    replaying = commands.add_parser("replay")
    replaying.add_argument("requests_file")
    replaying.add_argument("--concurrency", type=int, default=8)
    for name, what in (("month", "key_hash"), ("seed", "key_alias")):
        command = commands.add_parser(name)
        command.add_argument(what)
        command.add_argument("month")
    args = parser.parse_args(argv)
    if args.command == "replay":
        with open(args.requests_file) as lines:
            paths = [line.strip() for line in lines if line.strip()]
        result = asyncio.run(replay(paths, args.concurrency))
    elif args.command == "month":
        result = asyncio.run(month_usage(args.key_hash, args.month))
    else:
        result = asyncio.run(seed_usage(args.key_alias, args.month))
    print(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
