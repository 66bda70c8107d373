"""Typed errors for everything that can go wrong talking to a LiteLLM proxy.

Every error carries a short `title` for a toast or a dialog heading and a `message` a user can act
on. Nothing here ever holds the API key: the client redacts it before an error is built.

LiteLLM answers errors in three envelopes, depending on the endpoint (docs/litellm.md, "Errors"):
`{"error": {"message", "type", "code"}}` (ProxyException), `{"detail": str | {"error": str}}`
(a plain FastAPI HTTPException, e.g. reset_spend) and `{"detail": [{"loc", "msg"}]}` (422
request validation). `error_from_response` reads all three, and anything else a reverse proxy in
front of LiteLLM might send (an HTML page, an empty body).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import httpx

from budgettui.errors import BudgettuiError

_MAX_MESSAGE = 300


class ProxyError(BudgettuiError):
    """Base of every error the client raises; `title` and `message` are safe to show."""

    default_title = "Proxy error"

    def __init__(self, message: str, *, title: str | None = None, status: int | None = None):
        super().__init__(one_line(message), title=one_line(title) if title else None)
        self.status = status

    def __str__(self) -> str:
        return f"{self.title}: {self.message}"


class Unauthorized(ProxyError):
    """The key itself was refused: missing, malformed, unknown or expired (a 401 that is not a
    refusal of what the key asked for)."""

    default_title = "Not authorised"


class Forbidden(ProxyError):
    """The key is valid but may not see or do this: a 403, or a 401 whose message refuses the
    action (LiteLLM 1.84 answers a role's forbidden route with 401 "Only proxy admin…")."""

    default_title = "Forbidden"


class RouteRefused(Forbidden):
    """The caller's role may not call this endpoint at all (LiteLLM's route gate): asking again
    with other parameters cannot help, so the client remembers it per connection."""


class NotFound(ProxyError):
    """404: the object (or, on an older proxy, the endpoint) does not exist."""

    default_title = "Not found"


class EndpointMissing(NotFound):
    """404 from the web framework itself (`{"detail": "Not Found"}`): the proxy has no such
    endpoint, typically an older LiteLLM."""


class NotSupported(ProxyError):
    """This LiteLLM release lacks what was asked for; nothing was sent or changed."""

    default_title = "Not supported by this proxy"


class Rejected(ProxyError):
    """400/409/422: the proxy refused the request's content (a validation error)."""

    default_title = "Rejected by the proxy"


class Unavailable(ProxyError):
    """The proxy could not be reached or answered 429/5xx after every retry."""

    default_title = "Proxy unavailable"


class BadResponse(ProxyError):
    """The proxy answered, but not with what LiteLLM sends (bad JSON, wrong shape)."""

    default_title = "Unexpected answer"


class UnknownOutcome(ProxyError):
    """A write was sent but no answer came back: it may or may not have been applied."""

    default_title = "Unknown outcome"


_BY_STATUS: dict[int, type[ProxyError]] = {
    400: Rejected,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Rejected,
    422: Rejected,
}


# How LiteLLM words a refusal of what a valid key asked for, in any release: the route gate
# (1.84 "Only proxy admin can be used to…", 1.108 "user not allowed to access this route"), a
# team member's permissions, object access. Matched case-insensitively, never on the status.
_REFUSAL = re.compile(
    r"only proxy admin|not allowed|does not have permission|not authori[sz]ed to|you must be a",
    re.IGNORECASE,
)
_ROUTE_GATE = re.compile(r"only proxy admin|not allowed to access this route", re.IGNORECASE)
# 1.84 quotes the abbreviated key and its hash in an unknown-key 401; neither belongs on screen.
_KEY_ECHOES = (
    re.compile(r"\s*Received API Key\s*=\s*[^\s,]*,?", re.IGNORECASE),
    re.compile(r"\s*Key Hash \(Token\)\s*=\s*[0-9a-f]*\.?", re.IGNORECASE),
)


def error_from_response(response: httpx.Response, *, redact: str | None = None) -> ProxyError:
    """Map a non-2xx response to the typed error a user should see: by what it means, read from
    the status and LiteLLM's message together (releases differ in both)."""
    status = response.status_code
    raw = _message_of(response)
    message = raw or response.reason_phrase or f"HTTP {status}"
    message = _shorten(_without_key_echoes(redact_secret(message, redact)))
    kind = _kind(status, message, framework_not_found=raw == "Not Found")
    return kind(f"{message} (HTTP {status})", status=status)


def _kind(status: int, message: str, *, framework_not_found: bool) -> type[ProxyError]:
    if status in (401, 403) and _ROUTE_GATE.search(message):
        return RouteRefused
    if status == 401 and _REFUSAL.search(message):
        return Forbidden
    if status == 404 and framework_not_found:
        return EndpointMissing
    kind = _BY_STATUS.get(status)
    if kind is None:
        kind = Unavailable if status == 429 or status >= 500 else ProxyError
    return kind


def _without_key_echoes(message: str) -> str:
    for pattern in _KEY_ECHOES:
        message = pattern.sub("", message)
    return message


def one_line(text: str) -> str:
    """What a proxy (or a library) said, made safe for one line of a terminal: control and
    format characters (newlines, ANSI escapes, bidi overrides) become spaces, runs of space one."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def redact_secret(text: str, secret: str | None) -> str:
    """Replace every occurrence of the API key in `text`; errors echo what they were sent."""
    if secret:
        text = text.replace(secret, "***")
    return text


def _message_of(response: httpx.Response) -> str | None:
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _non_json_message(response)
    if isinstance(body, dict):
        if "error" in body:
            return _error_field(body["error"])
        if "detail" in body:
            return _detail_field(body["detail"])
        for key in ("message", "title"):  # plain messages and RFC 7807 problem JSON
            if isinstance(body.get(key), str):
                return str(body[key])
    return None


def _error_field(error: Any) -> str | None:
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str):
            return _unwrap_python_dict(message)
    return None


def _detail_field(detail: Any) -> str | None:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, dict):
        inner = detail.get("error") or detail.get("message")
        return inner if isinstance(inner, str) else json.dumps(detail)
    if isinstance(detail, list):
        parts = [_validation_item(item) for item in detail if isinstance(item, dict)]
        return "; ".join(part for part in parts if part) or None
    return None


def _validation_item(item: dict[str, Any]) -> str:
    location = item.get("loc")
    field = ".".join(str(p) for p in location[1:]) if isinstance(location, list) else ""
    message = str(item.get("msg", "invalid value"))
    return f"{field}: {message}" if field else message


def _unwrap_python_dict(message: str) -> str:
    """LiteLLM stringifies a wrapped HTTPException's dict detail: "{'error': '...'}" (or
    "{'message': '...'}" from `/team/info`)."""
    if message.startswith("{") and message.endswith("}"):
        try:
            value = ast.literal_eval(message)
        except (ValueError, SyntaxError):
            return message
        if isinstance(value, dict):
            for key in ("error", "message"):
                if isinstance(value.get(key), str):
                    return str(value[key])
    return message


def _non_json_message(response: httpx.Response) -> str | None:
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or response.text.lstrip().startswith("<"):
        return "the server answered with an HTML page (a reverse proxy in front of LiteLLM?)"
    text = response.text.strip()
    return text or None


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"
