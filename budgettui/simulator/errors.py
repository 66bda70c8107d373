"""LiteLLM's three error envelopes and the helpers that build them.

1. ``ProxyException`` → ``{"error": {"message", "type", "param", "code"}}`` with ``code`` the status
   as a string. When LiteLLM wraps an ``HTTPException`` whose ``detail`` is a dict, ``message`` is
   the *Python* ``str()`` of that dict (``"{'error': '...'}"``).
2. A plain FastAPI ``HTTPException`` → ``{"detail": <str or dict>}``.
3. Request validation → 422 ``{"detail": [{"type", "loc", "msg"}]}``; LiteLLM 1.84.10's
   FastAPI also keeps each item's ``input`` and ``ctx`` (``without_inputs`` drops them for 1.108).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

NOT_PREMIUM = (
    "You must be a LiteLLM Enterprise user to use this feature. If you have a license please set "
    "`LITELLM_LICENSE` in your env. Get a 7 day trial key here: "
    "https://www.litellm.ai/enterprise#trial. \nPricing: https://www.litellm.ai/#pricing"
)


class ApiError(Exception):
    """An error response: status, JSON body and optional headers."""

    def __init__(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        media_type: str = "application/json",
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.media_type = media_type


def proxy_error(
    status: int, message: object, error_type: str, param: str | None = "None"
) -> ApiError:
    """A ``ProxyException`` envelope (``param`` is the string ``"None"``)."""
    text = message if isinstance(message, str) else str(message)
    body = {"error": {"message": text, "type": error_type, "param": param, "code": str(status)}}
    return ApiError(status, body)


def detail_error(status: int, detail: object) -> ApiError:
    """An unwrapped FastAPI ``HTTPException``."""
    return ApiError(status, {"detail": detail})


def validation_error(errors: list[dict[str, Any]]) -> ApiError:
    """A 422 request-validation error, its items with ``input`` (and ``ctx``) where known."""
    return ApiError(422, {"detail": errors})


def without_inputs(exc: ApiError) -> ApiError:
    """A 422 validation error as LiteLLM 1.108.7 renders it: items keep type, loc and msg."""
    detail = exc.body.get("detail") if isinstance(exc.body, dict) else None
    if exc.status != 422 or not isinstance(detail, list):
        return exc
    items = [{k: v for k, v in item.items() if k in ("type", "loc", "msg")} for item in detail]
    return ApiError(422, {"detail": items}, exc.headers, exc.media_type)


def _jsonable(value: object) -> object:
    """FastAPI's ``jsonable_encoder`` of a ``ctx`` value: an exception becomes ``{}``."""
    return value if isinstance(value, str | int | float | bool | type(None)) else {}


def pydantic_errors(exc: ValidationError, prefix: str) -> list[dict[str, Any]]:
    """A pydantic error list in FastAPI's public form, ``loc`` prefixed with body/query."""
    items = []
    for err in exc.errors(include_url=False):
        item: dict[str, Any] = {
            "type": err["type"],
            "loc": [prefix, *err["loc"]],
            "msg": err["msg"],
        }
        item["input"] = err.get("input")
        if "ctx" in err:
            item["ctx"] = {name: _jsonable(value) for name, value in err["ctx"].items()}
        items.append(item)
    return items


def mask_user_id(user_id: str | None) -> str:
    """``RouteChecks._mask_user_id``: keep 6 leading and 2 trailing characters."""
    if not user_id or len(user_id) <= 4:
        return "***"
    if len(user_id) <= 8:
        return "*" * len(user_id)
    return user_id[:6] + "*" * (len(user_id) - 8) + user_id[-2:]
