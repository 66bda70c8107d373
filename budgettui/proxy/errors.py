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
    """401: the key is missing, unknown, or its role may not call this route."""

    default_title = "Not authorised"


class Forbidden(ProxyError):
    """403: the key is valid but may not see or change this object."""

    default_title = "Forbidden"


class NotFound(ProxyError):
    """404: the object (or, on an older proxy, the endpoint) does not exist."""

    default_title = "Not found"


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


def error_from_response(response: httpx.Response, *, redact: str | None = None) -> ProxyError:
    """Map a non-2xx response to the typed error a user should see."""
    status = response.status_code
    message = _message_of(response) or response.reason_phrase or f"HTTP {status}"
    message = _shorten(redact_secret(message, redact))
    kind = _BY_STATUS.get(status)
    if kind is None:
        kind = Unavailable if status == 429 or status >= 500 else ProxyError
    return kind(f"{message} (HTTP {status})", status=status)


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
