"""The client against scripted answers: retries, pagination bounds, fallbacks, bad bodies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from budgettui.proxy import client as client_module
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import (
    BadResponse,
    EndpointMissing,
    NotSupported,
    Rejected,
    Unavailable,
    UnknownOutcome,
)
from budgettui.proxy.models import Caller
from budgettui.proxy.transport import ConnectionOptions, RetryPolicy

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Scripted answers. The schema (`/openapi.json`) is hidden, as a proxy with `NO_DOCS` does,
    so every route is tried, and its one request is not counted with the scripted ones."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            return httpx.Response(404, json={"detail": "Not Found"})
        self.requests.append(request)
        return self.handler(request)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, attempts: int = 4) -> LiteLLMClient:
        options = ConnectionOptions(retry=RetryPolicy(attempts=attempts, base_delay=0.5))
        return LiteLLMClient(
            "http://proxy.test",
            "sk-test-key",
            options,
            transport=httpx.MockTransport(self),
            sleep=self.sleep,
        )


def _key(n: int) -> dict[str, object]:
    return {"token": f"hash-{n:05d}", "key_alias": f"tenant-{n}", "spend": 1.5}


def _key_pages(total: int, claimed_pages: int | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["size"])
        keys = [_key(n) for n in range((page - 1) * size, min(page * size, total))]
        pages = claimed_pages if claimed_pages is not None else -(-total // size)
        body = {"keys": keys, "total_count": total, "current_page": page, "total_pages": pages}
        return httpx.Response(200, json=body)

    return handler


async def test_every_key_page_is_read() -> None:
    recorder = Recorder(_key_pages(250))
    async with recorder.client() as client:
        listing = await client.list_keys()
    assert len(listing.items) == 250
    assert not listing.partial
    assert recorder.requests[0].url.params["return_full_object"] == "true"
    assert recorder.requests[0].headers["authorization"] == "Bearer sk-test-key"


@pytest.mark.parametrize("claimed", [0, 1, 10**9])
async def test_a_lying_total_pages_neither_truncates_nor_runs_away(claimed: int) -> None:
    recorder = Recorder(_key_pages(305, claimed_pages=claimed))
    async with recorder.client() as client:
        listing = await client.list_keys()
    assert len(listing.items) == 305
    assert len(recorder.requests) <= 4 + 4  # the four pages, plus at most one batch of probes


async def test_never_ending_pages_stop_at_the_bound_and_say_partial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client_module, "MAX_PAGES", 5)
    recorder = Recorder(_key_pages(10**6, claimed_pages=10**4))
    async with recorder.client() as client:
        listing = await client.list_keys()
    assert listing.partial
    assert len(listing.items) == 500


async def test_a_503_is_retried_with_backoff_then_succeeds() -> None:
    answers = iter([503, 502, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status != 200:
            return httpx.Response(status, json={"error": {"message": "busy"}})
        return httpx.Response(200, json={"user_id": "u1", "user_role": "proxy_admin"})

    recorder = Recorder(handler)
    async with recorder.client() as client:
        caller = await client.whoami()
    assert caller.user_role == "proxy_admin"
    assert len(recorder.requests) == 3
    assert len(recorder.sleeps) == 2


async def test_retry_after_is_honoured() -> None:
    answers = iter([429, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        if next(answers) == 429:
            return httpx.Response(429, headers={"retry-after": "7"}, json={"detail": "slow"})
        return httpx.Response(200, json={"user_id": "u1", "user_role": "proxy_admin"})

    recorder = Recorder(handler)
    async with recorder.client() as client:
        await client.whoami()
    assert recorder.sleeps == [7.0]


async def test_retries_end_in_a_clear_error() -> None:
    recorder = Recorder(lambda request: httpx.Response(504, text="gateway timeout"))
    async with recorder.client(attempts=3) as client:
        with pytest.raises(Unavailable, match="HTTP 504"):
            await client.whoami()
    assert len(recorder.requests) == 3


async def test_connect_errors_are_retried_then_reported_without_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    recorder = Recorder(handler)
    async with recorder.client(attempts=2) as client:
        with pytest.raises(Unavailable) as caught:
            await client.whoami()
    assert "could not connect to proxy.test" in caught.value.message
    assert "sk-test-key" not in str(caught.value)
    assert len(recorder.requests) == 2


async def test_a_write_that_times_out_is_unknown_and_never_resent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    recorder = Recorder(handler)
    async with recorder.client() as client:
        with pytest.raises(UnknownOutcome):
            await client.update_key("hash-1", {"max_budget": 10})
    assert len(recorder.requests) == 1


async def test_a_write_refused_by_the_proxy_is_not_retried() -> None:
    recorder = Recorder(lambda request: httpx.Response(503, json={"error": {"message": "db down"}}))
    async with recorder.client() as client:
        with pytest.raises(Unavailable):
            await client.update_team("t1", {"max_budget": None})
    assert len(recorder.requests) == 1
    assert b'"max_budget":null' in recorder.requests[0].content.replace(b" ", b"")


async def test_reset_spend_puts_the_hash_in_the_path() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"key_hash": "abc", "spend": 0.0, "previous_spend": 3.5}
        return httpx.Response(200, json=body)

    recorder = Recorder(handler)
    async with recorder.client() as client:
        from decimal import Decimal

        result = await client.reset_key_spend("abc", Decimal("0"))
    assert recorder.requests[0].url.path == "/key/abc/reset_spend"
    assert result.previous_spend == Decimal("3.5")


async def test_malformed_json_is_a_bad_response() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, text="{not json"))
    async with recorder.client() as client:
        with pytest.raises(BadResponse, match="did not answer with JSON"):
            await client.whoami()


async def test_a_body_of_the_wrong_shape_is_a_bad_response() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=["not", "a", "page"]))
    async with recorder.client() as client:
        with pytest.raises(BadResponse, match="shape"):
            await client.list_keys()


async def test_whoami_falls_back_on_older_proxies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/key/info":
            return httpx.Response(200, json={"key": "k", "info": {"user_id": "u7"}})
        if request.url.path == "/user/info":
            return httpx.Response(
                200, json={"user_id": "u7", "user_info": {"user_role": "internal_user"}}
            )
        return httpx.Response(404, json={"detail": "Not Found"})

    recorder = Recorder(handler)
    async with recorder.client() as client:
        caller = await client.whoami()
    assert caller == Caller(user_id="u7", user_role="internal_user")


async def test_master_key_on_an_older_proxy_is_a_proxy_admin() -> None:
    recorder = Recorder(
        lambda request: httpx.Response(404, json={"error": {"message": "Key not found"}})
    )
    async with recorder.client() as client:
        caller = await client.whoami()
    assert caller.user_role == "proxy_admin"


async def test_team_listing_falls_back_to_the_unpaged_route_with_the_callers_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/team/list":
            return httpx.Response(200, json=[{"team_id": "t1", "team_alias": "acme"}])
        return httpx.Response(404, json={"detail": "Not Found"})

    recorder = Recorder(handler)
    async with recorder.client() as client:
        listing = await client.list_teams(Caller(user_id="u1", user_role="internal_user"))
    assert [t.team_alias for t in listing.items] == ["acme"]
    assert recorder.requests[-1].url.params["user_id"] == "u1"


async def test_spend_log_dates_cover_the_whole_range_in_utc() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [], "total": 0})

    recorder = Recorder(handler)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    async with recorder.client() as client:
        await client.spend_log_page("hash-1", start, end, page=1)
    params = recorder.requests[0].url.params
    assert params["start_date"] == "2026-11-01 00:00:00"
    assert params["end_date"] == "2026-12-01 00:00:00"
    assert params["api_key"] == "hash-1"
    assert "key_alias" not in params


async def test_a_400_on_a_read_is_not_retried() -> None:
    recorder = Recorder(lambda request: httpx.Response(400, json={"detail": "bad"}))
    async with recorder.client() as client:
        with pytest.raises(Rejected):
            await client.team_info("t1")
    assert len(recorder.requests) == 1


# -- capabilities -----------------------------------------------------------------------------


def _schema(version: object, routes: list[str]) -> Handler:
    """A proxy whose `/openapi.json` says `version` and `routes`; every route answers 404."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            info = {} if version is None else {"version": version}
            return httpx.Response(200, json={"info": info, "paths": {r: {} for r in routes}})
        return httpx.Response(404, json={"detail": "Not Found"})

    return handler


def _client_of(handler: Handler) -> tuple[LiteLLMClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    options = ConnectionOptions(retry=RetryPolicy(attempts=1))
    client = LiteLLMClient(
        "http://proxy.test", "sk-test-key", options, transport=httpx.MockTransport(record)
    )
    return client, sent


async def test_capabilities_are_asked_for_once_however_many_callers_wait() -> None:
    client, sent = _client_of(_schema("1.84.10", ["/key/info"]))
    async with client:
        answers = await asyncio.gather(*(client.capabilities() for _ in range(5)))
    assert {a.version for a in answers} == {"1.84.10"}
    assert answers[0].release == (1, 84, 10)
    assert answers[0].label == "LiteLLM 1.84.10"
    assert [r.url.path for r in sent] == ["/openapi.json"]


@pytest.mark.parametrize("version", [None, 1.84, "", "  "])
async def test_an_unreadable_version_is_unknown(version: object) -> None:
    client, _ = _client_of(_schema(version, ["/key/info"]))
    async with client:
        capabilities = await client.capabilities()
    assert capabilities.version == "unknown"
    assert capabilities.release is None
    assert capabilities.label == "LiteLLM (version unknown)"


async def test_a_route_absent_from_the_schema_is_never_called() -> None:
    client, sent = _client_of(_schema("1.70.0", ["/key/info"]))
    async with client:
        with pytest.raises(NotSupported, match=r"LiteLLM 1\.70\.0 has no spend reset.*1\.82"):
            await client.reset_key_spend("0" * 64, Decimal(0))
    assert [r.url.path for r in sent] == ["/openapi.json"]


async def test_a_route_that_answers_404_is_remembered_when_the_schema_is_hidden() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Not Found"})

    client, sent = _client_of(handler)
    async with client:
        for _ in range(3):
            with pytest.raises(EndpointMissing):
                await client.daily_activity("team", date(2026, 11, 1), date(2026, 11, 30))
        assert (await client.capabilities()).version == "unknown"
    assert [r.url.path for r in sent].count("/team/daily/activity/aggregated") == 1
