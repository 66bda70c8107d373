"""Fault knobs, request recording, and serving over a real socket."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from budgettui.simulator import (
    Faults,
    RecordedRequest,
    Store,
    create_app,
    demo_store,
)
from budgettui.simulator.server import serve_in_thread
from tests.simulator.conftest import NOW, auth

LOGS = {"start_date": "2026-11-01", "end_date": "2026-11-30"}


async def test_latency_is_added(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.latency = 0.05
    started = time.perf_counter()
    await client.get("/key/list", headers=auth("master"))
    assert time.perf_counter() - started >= 0.05


async def test_status_fault_with_retry_after_and_fail_times(
    client: httpx.AsyncClient, faults: Faults, store: Store
) -> None:
    faults.status_by_path["/key/"] = 429
    faults.retry_after = 2
    faults.fail_times = 2
    first = await client.get("/key/list", headers=auth("master"))
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert first.json()["error"]["code"] == "429"
    assert first.json()["error"]["type"] == "rate_limit_error"
    assert (await client.get("/key/info", headers=auth("internal_user"))).status_code == 429
    assert (await client.get("/key/list", headers=auth("master"))).status_code == 200
    assert [(r.path, r.status, r.caller) for r in store.requests] == [
        ("/key/list", 429, "default_user_id"),
        ("/key/info", 429, "globex-dev"),
        ("/key/list", 200, "default_user_id"),
    ]


async def test_malformed_wrong_shape_and_html(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.malformed_body_paths.append("/key/list")
    r = await client.get("/key/list", headers=auth("master"))
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    faults.reset()
    faults.wrong_shape_paths.append("/v2/team/list")
    assert isinstance((await client.get("/v2/team/list", headers=auth("master"))).json(), list)
    faults.reset()
    faults.html_error_paths.append("/spend/logs/v2")
    r = await client.get("/spend/logs/v2", params=LOGS, headers=auth("master"))
    assert r.status_code == 502
    assert r.headers["content-type"].startswith("text/html")
    assert "nginx" in r.text


async def test_lying_total_pages(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.lying_total_pages["/key/list"] = "huge"
    assert (await client.get("/key/list", headers=auth("master"))).json()[
        "total_pages"
    ] == 1_000_000
    faults.lying_total_pages["/key/list"] = "zero"
    assert (await client.get("/key/list", headers=auth("master"))).json()["total_pages"] == 0
    faults.lying_total_pages["/spend/logs/v2"] = "repeat_page"
    one = (
        await client.get("/spend/logs/v2", params={**LOGS, "page": 1}, headers=auth("master"))
    ).json()
    nine = (
        await client.get("/spend/logs/v2", params={**LOGS, "page": 9}, headers=auth("master"))
    ).json()
    assert nine["page"] == 9
    assert nine["data"] == one["data"]
    assert len(nine["data"]) == 50


async def test_drop_connection_in_process(
    client: httpx.AsyncClient, faults: Faults, store: Store
) -> None:
    faults.drop_connection_paths.append("/key/list")
    with pytest.raises(ConnectionResetError):
        await client.get("/key/list", headers=auth("master"))
    assert store.requests[-1] == RecordedRequest("GET", "/key/list", "", 200, "default_user_id")


async def test_no_post_is_recorded_for_reads(client: httpx.AsyncClient, store: Store) -> None:
    await client.get("/key/list", params={"size": 5}, headers=auth("team_admin"))
    await client.get("/team/list")
    assert [r.method for r in store.requests] == ["GET", "GET"]
    assert store.requests[0].query == "size=5"
    assert store.requests[1].status == 401
    assert store.requests[1].caller is None


def test_serve_in_thread_over_a_real_socket() -> None:
    store = demo_store(NOW)
    faults = Faults()
    threads_before = threading.active_count()
    with serve_in_thread(create_app(store, faults)) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert not base_url.endswith(":0")
        with httpx.Client(base_url=base_url, timeout=5) as http:
            r = http.get("/v2/team/list", headers=auth("master"))
            assert r.status_code == 200
            assert r.json()["total"] == 4
            faults.drop_connection_paths.append("/team/list")
            with pytest.raises(httpx.RemoteProtocolError):
                http.get("/team/list", headers=auth("master"))
        stopping = time.perf_counter()
    assert time.perf_counter() - stopping < 3
    assert threading.active_count() <= threads_before
