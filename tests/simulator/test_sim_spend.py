"""/spend/logs/v2 quirks, page caps, and the daily-activity endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from budgettui.simulator import Store, create_app
from tests.simulator.conftest import auth

MASTER = {"Authorization": "Bearer sk-demo-master"}
DAY1 = datetime(2026, 11, 3, 9, tzinfo=UTC)
DAY2 = datetime(2026, 11, 17, 15, tzinfo=UTC)


@pytest.fixture
def small() -> Store:
    """Two keys whose aliases prefix each other, traffic on exactly two days."""
    store = Store(clock=lambda: datetime(2026, 11, 25, 12, tzinfo=UTC))
    team = store.add_team("org")
    web = store.add_key("sk-web-000000000000001", key_alias="acme-web", team_id=team.team_id)
    eu = store.add_key("sk-web-000000000000002", key_alias="acme-web-eu", team_id=team.team_id)
    other = store.add_key("sk-web-000000000000003", key_alias="acme_web", team_id=team.team_id)
    for minute in range(3):
        store.charge(web, "fake-gpt", 10, 20, at=DAY1 + timedelta(minutes=minute))
    store.charge(eu, "fake-gpt-mini", 10, 20, at=DAY2)
    store.charge(other, "fake-gpt", 10, 20, at=DAY2)
    store.charge(web, "fake-gpt", 10, 20, at=DAY2)
    return store


@pytest.fixture
async def sim(small: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(small)), base_url="http://sim"
    ) as c:
        yield c


async def test_key_alias_is_a_like_substring(sim: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {
        "start_date": "2026-11-01",
        "end_date": "2026-11-30",
        "key_alias": "acme-web",
    }
    body = (await sim.get("/spend/logs/v2", params=params, headers=MASTER)).json()
    assert body["total"] == 5
    assert {row["metadata"]["user_api_key_alias"] for row in body["data"]} == {
        "acme-web",
        "acme-web-eu",
    }
    params["key_alias"] = "acme_web"  # "_" is a LIKE wildcard
    body = (await sim.get("/spend/logs/v2", params=params, headers=MASTER)).json()
    assert body["total"] == 6


async def test_logs_are_ordered_by_start_time_desc(sim: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {
        "start_date": "2026-11-01",
        "end_date": "2026-11-30",
        "page_size": 100,
    }
    rows = (await sim.get("/spend/logs/v2", params=params, headers=MASTER)).json()["data"]
    times = [row["startTime"] for row in rows]
    assert times == sorted(times, reverse=True)
    assert rows[-1]["startTime"] == "2026-11-03T09:00:00.000+00:00"


async def test_end_date_without_time_means_midnight(sim: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {"start_date": "2026-11-01", "end_date": "2026-11-17"}
    assert (await sim.get("/spend/logs/v2", params=params, headers=MASTER)).json()["total"] == 3
    params["end_date"] = "2026-11-17 23:59:59"
    assert (await sim.get("/spend/logs/v2", params=params, headers=MASTER)).json()["total"] == 6


async def test_spend_log_errors(sim: httpx.AsyncClient) -> None:
    r = await sim.get("/spend/logs/v2", headers=MASTER)
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": "Start date and end date are required",
        "type": "bad_request",
        "param": "None",
        "code": "400",
    }
    r = await sim.get(
        "/spend/logs/v2",
        params={"start_date": "11/01/2026", "end_date": "2026-11-30"},
        headers=MASTER,
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("Invalid date format: 11/01/2026.")
    params: dict[str, str | int] = {
        "start_date": "2026-11-01",
        "end_date": "2026-11-30",
        "page_size": 1001,
        "page": 0,
    }
    r = await sim.get("/spend/logs/v2", params=params, headers=MASTER)
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "type": "greater_than_equal",
            "loc": ["query", "page"],
            "msg": "Input should be greater than or equal to 1",
        },
        {
            "type": "less_than_equal",
            "loc": ["query", "page_size"],
            "msg": "Input should be less than or equal to 1000",
        },
    ]


@pytest.mark.parametrize(
    ("path", "param", "limit"),
    [
        ("/key/list", "size", 100),
        ("/v2/team/list", "page_size", 100),
        ("/spend/logs/v2", "page_size", 1000),
    ],
)
async def test_page_size_caps(sim: httpx.AsyncClient, path: str, param: str, limit: int) -> None:
    base: dict[str, str | int] = {"start_date": "2026-11-01", "end_date": "2026-11-30"}
    assert (await sim.get(path, params={**base, param: limit}, headers=MASTER)).status_code == 200
    r = await sim.get(path, params={**base, param: limit + 1}, headers=MASTER)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", param]


async def test_total_is_capped_at_10000() -> None:
    store = Store(clock=lambda: datetime(2026, 11, 25, 12, tzinfo=UTC))
    key = store.add_key("sk-busy-key-0000000001", key_alias="busy")
    start = datetime(2026, 11, 2, tzinfo=UTC)
    for n in range(10_050):
        store.charge(key, "fake-gpt-mini", 10, 20, at=start + timedelta(seconds=n))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(store)), base_url="http://sim"
    ) as c:
        params: dict[str, str | int] = {
            "start_date": "2026-11-01",
            "end_date": "2026-11-30",
            "page_size": 1000,
            "page": 11,
        }
        body = (await c.get("/spend/logs/v2", params=params, headers=MASTER)).json()
    assert (body["total"], body["total_is_capped"], body["total_pages"]) == (10_000, True, 10)
    assert len(body["data"]) == 50  # the rows past the cap are still served


async def test_non_admins_see_own_rows_and_admin_teams(
    client: httpx.AsyncClient, store: Store
) -> None:
    params: dict[str, str | int] = {
        "start_date": "2026-10-01",
        "end_date": "2026-11-30 23:59:59",
        "page_size": 1000,
    }
    rows = (
        await client.get("/spend/logs/v2", params=params, headers=auth("internal_user"))
    ).json()["data"]
    assert rows
    assert {row["user"] for row in rows} == {"globex-dev"}
    admin = (await client.get("/spend/logs/v2", params=params, headers=auth("team_admin"))).json()
    acme = next(t.team_id for t in store.teams.values() if t.team_alias == "acme")
    assert {row["team_id"] for row in admin["data"]} == {acme}
    assert len({row["api_key"] for row in admin["data"]}) > 1
    r = await client.get(
        "/spend/logs/v2", params={**params, "team_id": acme}, headers=auth("internal_user")
    )
    assert r.status_code == 403


async def test_aggregated_lists_only_days_with_traffic(
    sim: httpx.AsyncClient, small: Store
) -> None:
    params: dict[str, str | int] = {"start_date": "2026-11-01", "end_date": "2026-11-30"}
    body = (await sim.get("/user/daily/activity/aggregated", params=params, headers=MASTER)).json()
    assert [day["date"] for day in body["results"]] == ["2026-11-17", "2026-11-03"]
    meta = body["metadata"]
    assert (meta["total_api_requests"], meta["total_api_keys"], meta["has_more"]) == (6, 3, False)
    assert meta["total_spend"] == pytest.approx(0.05 * 5 + 0.005)
    web = next(k.token for k in small.keys.values() if k.key_alias == "acme-web")
    one = (
        await sim.get(
            "/user/daily/activity/aggregated", params={**params, "api_key": web}, headers=MASTER
        )
    ).json()
    first = one["results"][-1]
    assert first["metrics"]["api_requests"] == 3
    assert first["breakdown"]["api_keys"][web]["metadata"]["key_alias"] == "acme-web"
    assert set(first["breakdown"]["models"]) == {"openai/fake-gpt"}
    assert set(first["breakdown"]["entities"]) == {"Unassigned"}
    limited = (
        await sim.get(
            "/team/daily/activity/aggregated", params={**params, "api_key_limit": 1}, headers=MASTER
        )
    ).json()
    assert all(len(day["breakdown"]["api_keys"]) <= 1 for day in limited["results"])
    assert limited["metadata"]["total_spend"] == meta["total_spend"]


async def test_aggregated_keys_and_paginated_activity(sim: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {"start_date": "2026-11-01", "end_date": "2026-11-30"}
    page = (
        await sim.get(
            "/team/daily/activity/aggregated/keys", params={**params, "limit": 2}, headers=MASTER
        )
    ).json()
    assert (page["total_api_keys"], page["offset"], page["limit"], len(page["api_keys"])) == (
        3,
        0,
        2,
        2,
    )
    assert page["api_keys"][0]["metadata"]["key_alias"] == "acme-web"
    paged = (
        await sim.get("/user/daily/activity", params={**params, "page_size": 2}, headers=MASTER)
    ).json()
    assert paged["metadata"]["has_more"] is True
    assert paged["metadata"]["total_pages"] == 2
    r = await sim.get(
        "/user/daily/activity/aggregated",
        params={"start_date": "2026-11-30", "end_date": "2026-11-01"},
        headers=MASTER,
    )
    assert (r.status_code, r.json()) == (
        400,
        {"detail": {"error": "end_date must be on or after start_date"}},
    )


async def test_daily_activity_role_rules(client: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {"start_date": "2026-11-01", "end_date": "2026-11-30"}
    r = await client.get(
        "/user/daily/activity/aggregated",
        params={**params, "user_id": "acme-admin"},
        headers=auth("internal_user"),
    )
    assert (r.status_code, r.json()) == (
        403,
        {"detail": {"error": "Non-admin users can only view their own spend data."}},
    )
    own = (
        await client.get(
            "/team/daily/activity/aggregated", params=params, headers=auth("internal_user")
        )
    ).json()
    keys = {k for day in own["results"] for k in day["breakdown"]["api_keys"]}
    assert len(keys) == 1
    admin = (
        await client.get(
            "/team/daily/activity/aggregated", params=params, headers=auth("team_admin")
        )
    ).json()
    assert len({k for day in admin["results"] for k in day["breakdown"]["api_keys"]}) == 5
