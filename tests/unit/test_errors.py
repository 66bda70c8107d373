"""Every LiteLLM error envelope becomes a typed error with a message a user can act on."""

from __future__ import annotations

import httpx
import pytest

from budgettui.proxy.errors import (
    Forbidden,
    NotFound,
    ProxyError,
    Rejected,
    Unauthorized,
    Unavailable,
    error_from_response,
)


def _response(status: int, **kwargs: object) -> httpx.Response:
    request = httpx.Request("GET", "http://proxy.test/key/info")
    return httpx.Response(status, request=request, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (
            401,
            {
                "error": {
                    "message": "Authentication Error, Invalid proxy server token passed.",
                    "type": "auth_error",
                    "param": "None",
                    "code": "401",
                }
            },
            Unauthorized,
            "Authentication Error, Invalid proxy server token passed.",
        ),
        (
            403,
            {
                "error": {
                    "message": "user not allowed to access this route, role= proxy_admin_viewer",
                    "type": "auth_error",
                    "code": "403",
                }
            },
            Forbidden,
            "user not allowed to access this route",
        ),
        (
            400,
            {
                "error": {
                    "message": "{'error': 'max_budget must be a non-negative finite number. "
                    "Received: -1.0'}",
                    "type": "bad_request",
                    "code": "400",
                }
            },
            Rejected,
            "max_budget must be a non-negative finite number. Received: -1.0",
        ),
        (404, {"detail": {"error": "Key abc not found."}}, NotFound, "Key abc not found."),
        (404, {"detail": "Not Found"}, NotFound, "Not Found"),
        (
            422,
            {"detail": [{"type": "missing", "loc": ["body", "reset_to"], "msg": "Field required"}]},
            Rejected,
            "reset_to: Field required",
        ),
        (503, {"message": "overloaded"}, Unavailable, "overloaded"),
        (429, {"error": {"message": "slow down", "code": "429"}}, Unavailable, "slow down"),
    ],
)
def test_each_envelope_maps_to_a_typed_error(
    status: int, body: object, kind: type[ProxyError], message: str
) -> None:
    error = error_from_response(_response(status, json=body))
    assert type(error) is kind
    assert message in error.message
    assert f"HTTP {status}" in error.message
    assert error.status == status


def test_html_page_from_a_reverse_proxy_is_described_not_dumped() -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    error = error_from_response(_response(502, text=html, headers={"content-type": "text/html"}))
    assert isinstance(error, Unavailable)
    assert "HTML page" in error.message
    assert "<html>" not in error.message


def test_api_key_echoed_by_the_proxy_is_redacted() -> None:
    body = {"error": {"message": "Invalid key sk-canary-123 passed", "code": "401"}}
    error = error_from_response(_response(401, json=body), redact="sk-canary-123")
    assert "sk-canary-123" not in str(error)
    assert "***" in error.message


def test_a_very_long_message_is_shortened() -> None:
    error = error_from_response(_response(400, json={"detail": "x" * 5000}))
    assert len(error.message) < 400
