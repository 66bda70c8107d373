"""HTTP plumbing under the LiteLLM client: auth, timeouts, retries with backoff, error mapping.

Reads (GET) are retried on connect errors, timeouts, dropped connections, 429 (honouring
`Retry-After`), 500, 502, 503 and 504 with exponential backoff and full jitter, then reported as
`Unavailable`. Writes are never retried: a write whose answer never came (a timeout, a dropped
connection, a gateway's 502/504, a 2xx body that cannot be read) is reported as `UnknownOutcome`,
because sending it again could apply it twice; only a write that provably never left (the
connection could not be opened) is `Unavailable`.
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from budgettui.proxy.errors import (
    BadResponse,
    ProxyError,
    Unavailable,
    UnknownOutcome,
    error_from_response,
    redact_secret,
)

Model = TypeVar("Model", bound=BaseModel)
Params = Mapping[str, str | int | bool]

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A gateway in front of LiteLLM answered for it: LiteLLM may have applied the write meanwhile.
_GATEWAY_STATUSES = frozenset({502, 504})
# Failures before a single byte of the request left: a write can be reported as not sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_MAX_RETRY_AFTER = 60.0
_UNKNOWN = "the change may or may not have been applied: re-read before trying again"


@dataclass(frozen=True)
class RetryPolicy:
    """How GETs are retried: `attempts` in all, delays base·2ⁿ capped at `max_delay`, jittered."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass(frozen=True)
class ConnectionOptions:
    """Everything about how to reach the proxy except where it is and the key."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    verify: bool | str = True  # False only with --insecure; a path for a private CA bundle
    max_concurrency: int = 4


Sleep = Callable[[float], Awaitable[None]]


class Transport:
    """One `httpx.AsyncClient` with the caller's key, plus retry and error mapping."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        options: ConnectionOptions,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._api_key = api_key
        self._options = options
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not cryptography)
        timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            verify=_tls(options.verify),
            limits=httpx.Limits(max_connections=options.max_concurrency * 2),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get(self, path: str, model: type[Model], params: Params | None = None) -> Model:
        response = await self._get_with_retries(path, params)
        return self._parse(response, model)

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        response = await self._get_with_retries(path, params)
        return self._json(response)

    async def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """Send a write once. A lost answer is an `UnknownOutcome`, never a silent retry."""
        try:
            response = await self._http.post(path, json=dict(body))
        except _NOT_SENT as exc:
            raise Unavailable(self._describe(exc), status=None) from None
        except httpx.HTTPError as exc:  # timeouts, drops, undecodable bodies: sent, no answer
            raise UnknownOutcome(f"{self._describe(exc)}; {_UNKNOWN}") from None
        if response.status_code in _GATEWAY_STATUSES:
            error = error_from_response(response, redact=self._api_key)
            raise UnknownOutcome(f"{error.message}; {_UNKNOWN}", status=response.status_code)
        if response.is_error:
            raise error_from_response(response, redact=self._api_key)
        if response.is_redirect:  # something in front of LiteLLM answered: nothing was applied
            message = _redirect_message(response, self._api_key)
            raise BadResponse(message, status=response.status_code)
        try:
            return self._json(response)
        except BadResponse as exc:  # 2xx: accepted, but we cannot read what was applied
            raise UnknownOutcome(f"{exc.message}; {_UNKNOWN}", status=exc.status) from None

    async def _get_with_retries(self, path: str, params: Params | None) -> httpx.Response:
        attempts = max(1, self._options.retry.attempts)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._http.get(path, params=dict(params or {}))
            except httpx.TransportError as exc:  # connect, timeouts, drops mid-body
                if last:
                    raise Unavailable(self._describe(exc)) from None
                await self._sleep(self._options.retry.backoff(attempt, self._rng))
                continue
            except httpx.HTTPError as exc:  # an undecodable body, a redirect loop
                raise BadResponse(self._describe(exc)) from None
            if response.status_code in _RETRY_STATUSES and not last:
                await self._sleep(self._retry_delay(response, attempt))
                continue
            if response.is_error:
                raise error_from_response(response, redact=self._api_key)
            if response.is_redirect:
                raise BadResponse(
                    _redirect_message(response, self._api_key), status=response.status_code
                )
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        backoff = self._options.retry.backoff(attempt, self._rng)
        retry_after = _parse_retry_after(response.headers.get("retry-after"))
        return backoff if retry_after is None else max(retry_after, backoff)

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise BadResponse(
                f"{response.request.url.path} did not answer with JSON", status=response.status_code
            ) from None

    def _parse(self, response: httpx.Response, model: type[Model]) -> Model:
        try:
            return model.model_validate(self._json(response))
        except ValidationError as exc:
            where = response.request.url.path
            raise BadResponse(
                f"{where} answered with a shape budgettui does not know "
                f"({exc.error_count()} problem(s), first: {_first_problem(exc)})",
                status=response.status_code,
            ) from None

    def _describe(self, exc: Exception) -> str:
        host = self._http.base_url.host
        detail = redact_secret(str(exc), self._api_key) or type(exc).__name__
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            seconds = self._options.connect_timeout
            return f"could not connect to {host} within {seconds:g} s: {detail}"
        if isinstance(exc, httpx.TimeoutException):
            seconds = self._options.read_timeout
            return f"no answer from {host} within {seconds:g} s ({type(exc).__name__})"
        if isinstance(exc, httpx.ConnectError):
            return f"could not connect to {host}: {detail}"
        if isinstance(exc, httpx.TransportError):
            return f"lost the connection to {host}: {detail}"
        return f"{host} sent an answer budgettui cannot read: {detail}"


def _redirect_message(response: httpx.Response, secret: str) -> str:
    """A redirect is a login page or an http→https hop in front of LiteLLM: name where it
    points, without credentials or a query string (either may carry tokens)."""
    try:
        target = httpx.URL(response.headers.get("location", ""))
        where = target.path
        if target.host:
            where = f"{target.scheme}://{target.netloc.decode('ascii', 'replace')}{target.path}"
    except httpx.InvalidURL:
        where = "an address that is not a URL"
    return (
        f"{response.request.url.path} redirected to {redact_secret(where, secret)} "
        f"(HTTP {response.status_code}): check the proxy URL (https?) and any login page in "
        "front of LiteLLM"
    )


def _first_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{location}: {first['msg']}"


def _parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` is seconds or an HTTP date; anything odd falls back to our own backoff."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000": UTC with no zone attached
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return 0.0
    return min(seconds, _MAX_RETRY_AFTER)


def _tls(verify: bool | str) -> bool | ssl.SSLContext:
    """A CA bundle path becomes a verifying context (httpx deprecates `verify=<path>`)."""
    return ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify


__all__ = ["ConnectionOptions", "ProxyError", "RetryPolicy", "Transport"]
