"""Fault injection and request recording, as one ASGI middleware in front of every route.

``Faults`` is plain mutable state read on every request, so tests can change it between calls.
Paths are matched by prefix (``"/key/"`` matches ``/key/list`` and ``/key/info``). ``fail_times``
limits how many requests are faulted in total (then everything succeeds again), for retry tests.
``/__sim/`` control routes are never faulted. Every request, faulted or not, is appended to
``store.requests`` with the status that reached the client.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from budgettui.simulator.auth import caller_label
from budgettui.simulator.models import RecordedRequest
from budgettui.simulator.store import Store

LyingMode = Literal["huge", "zero", "repeat_page"]
FaultKind = Literal["status", "malformed", "wrong_shape", "html", "drop", "lying"]

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_STATUS_TYPES = {
    401: "auth_error",
    403: "auth_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


@dataclass
class Faults:
    """Mutable fault knobs; changes take effect on the next request."""

    latency: float = 0.0
    status_by_path: dict[str, int] = field(default_factory=dict)
    retry_after: float | None = None
    fail_times: int | None = None
    malformed_body_paths: list[str] = field(default_factory=list)
    wrong_shape_paths: list[str] = field(default_factory=list)
    html_error_paths: list[str] = field(default_factory=list)
    drop_connection_paths: list[str] = field(default_factory=list)
    lying_total_pages: dict[str, LyingMode] = field(default_factory=dict)
    faulted: int = 0

    def reset(self) -> None:
        """Back to a healthy proxy."""
        self.latency = 0.0
        self.status_by_path.clear()
        self.retry_after = None
        self.fail_times = None
        self.malformed_body_paths.clear()
        self.wrong_shape_paths.clear()
        self.html_error_paths.clear()
        self.drop_connection_paths.clear()
        self.lying_total_pages.clear()
        self.faulted = 0

    def pick(self, path: str) -> tuple[FaultKind, Any] | None:
        """The fault for ``path`` (counting it against ``fail_times``), or None."""
        if path.startswith("/__sim/"):
            return None
        found = self._match(path)
        if found is None:
            return None
        if self.fail_times is not None and self.faulted >= self.fail_times:
            return None
        self.faulted += 1
        return found

    def _match(self, path: str) -> tuple[FaultKind, Any] | None:
        for prefix, status in self.status_by_path.items():
            if path.startswith(prefix):
                return "status", status
        groups: list[tuple[FaultKind, list[str]]] = [
            ("malformed", self.malformed_body_paths),
            ("wrong_shape", self.wrong_shape_paths),
            ("html", self.html_error_paths),
            ("drop", self.drop_connection_paths),
        ]
        for kind, prefixes in groups:
            if any(path.startswith(prefix) for prefix in prefixes):
                return kind, None
        for prefix, mode in self.lying_total_pages.items():
            if path.startswith(prefix):
                return "lying", mode
        return None


def _error_body(status: int) -> bytes:
    error_type = _STATUS_TYPES.get(
        status, "internal_server_error" if status >= 500 else "bad_request_error"
    )
    message = f"Simulated fault: HTTP {status}"
    if status == 429:
        message = "Rate limit exceeded. Simulated fault."
    return json.dumps(
        {"error": {"message": message, "type": error_type, "param": None, "code": str(status)}}
    ).encode()


async def _send_simple(
    send: Send, status: int, body: bytes, content_type: str, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class SimulatorMiddleware:
    """Records every request and applies ``Faults`` before the routes run."""

    def __init__(self, app: ASGIApp, store: Store, faults: Faults) -> None:
        self.app = app
        self.store = store
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        caller = caller_label(self.store, Headers(scope=scope))
        status = [500]

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            if self.faults.latency > 0:
                await asyncio.sleep(self.faults.latency)
            fault = self.faults.pick(path)
            if fault is None:
                await self.app(scope, receive, recording_send)
            else:
                await self._serve_fault(fault, scope, receive, recording_send)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            self.store.requests.append(
                RecordedRequest(scope["method"], path, query, status[0], caller)
            )

    async def _serve_fault(
        self, fault: tuple[FaultKind, Any], scope: Scope, receive: Receive, send: Send
    ) -> None:
        kind, value = fault
        if kind == "status":
            extra: list[tuple[bytes, bytes]] = []
            if value == 429 and self.faults.retry_after is not None:
                extra.append((b"retry-after", f"{self.faults.retry_after:g}".encode()))
            await _send_simple(send, int(value), _error_body(int(value)), "application/json", extra)
        elif kind == "malformed":
            await _send_simple(
                send, 200, b'{"keys": [{"token": "abc", "spend": 1.', "application/json", []
            )
        elif kind == "wrong_shape":
            body = (
                b'{"unexpected": "object"}'
                if scope["path"] in ("/team/list",)
                else b'[{"unexpected": "list"}]'
            )
            await _send_simple(send, 200, body, "application/json", [])
        elif kind == "html":
            await _send_simple(send, 502, NGINX_502.encode(), "text/html", [])
        elif kind == "drop":
            await self._drop(scope, receive, send)
        else:
            await self._lie(str(value), scope, receive, send)

    async def _capture(
        self, scope: Scope, receive: Receive
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")

        await self.app(scope, receive, capture)
        return captured["status"], captured["headers"], captured["body"]

    async def _drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, headers, body = await self._capture(scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send(
            {
                "type": "http.response.body",
                "body": body[: max(1, len(body) // 2)],
                "more_body": True,
            }
        )
        raise ConnectionResetError("simulated connection drop mid-body")

    async def _lie(self, mode: str, scope: Scope, receive: Receive, send: Send) -> None:
        requested_page = 1
        if mode == "repeat_page":
            query = scope.get("query_string", b"").decode("latin-1")
            parts = [p for p in query.split("&") if p and not p.startswith("page=")]
            for part in query.split("&"):
                if part.startswith("page=") and part[5:].isdigit():
                    requested_page = int(part[5:])
            scope = {**scope, "query_string": "&".join([*parts, "page=1"]).encode("latin-1")}
        status, headers, body = await self._capture(scope, receive)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for field_name in ("total_pages",):
                if field_name in data:
                    data[field_name] = {"huge": 1_000_000, "zero": 0}.get(mode, data[field_name])
            if mode == "repeat_page":
                for name in ("page", "current_page"):
                    if name in data:
                        data[name] = requested_page
            body = json.dumps(data, ensure_ascii=False).encode()
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
