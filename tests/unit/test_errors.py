"""Every LiteLLM error envelope becomes a typed error with a message a user can act on."""

from __future__ import annotations

import httpx
import pytest

from budgettui.proxy.errors import (
    EndpointMissing,
    Forbidden,
    NotFound,
    ProxyError,
    Rejected,
    RouteRefused,
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
            RouteRefused,
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
        (404, {"detail": "Not Found"}, EndpointMissing, "Not Found"),
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


def _auth_error(status: int, message: str) -> httpx.Response:
    return _response(status, json={"error": {"message": message, "code": str(status)}})


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        # LiteLLM 1.84's route gate answers a role's forbidden route with 401; 1.108 with 403.
        (
            401,
            "Authentication Error, Only proxy admin can be used to generate, delete, update info "
            "for new keys/users/teams. Route=/team/update. Your role=internal_user.",
            RouteRefused,
        ),
        (403, "Team admins on this proxy cannot edit team settings.", Forbidden),
        (401, "Team member does not have permissions for endpoint: /key/update", Forbidden),
        (403, "You must be a proxy admin or team admin to reset key spend", Forbidden),
        # An unknown key, as 1.108 and 1.84 word it: the key itself, whatever the route.
        (401, "Authentication Error, Invalid API key provided.", Unauthorized),
        (
            401,
            "Authentication Error, Invalid proxy server token passed. Unable to find token in "
            "cache or `LiteLLM_VerificationTokenTable`",
            Unauthorized,
        ),
        (401, "Authentication Error, No api key passed in.", Unauthorized),
    ],
    ids=[
        "1.84 route gate",
        "1.108 team admin",
        "member permission",
        "reset by a member",
        "1.108 unknown key",
        "1.84 unknown key",
        "no key",
    ],
)
def test_a_refusal_is_told_from_a_bad_key_by_its_meaning(
    status: int, message: str, kind: type[ProxyError]
) -> None:
    error = error_from_response(_auth_error(status, message))
    assert type(error) is kind
    assert error.status == status
    # The screens offer "check your API key" for Unauthorized alone.
    assert isinstance(error, Unauthorized) == (kind is Unauthorized)


def test_the_key_fragments_litellm_1_84_echoes_are_not_shown() -> None:
    digest = "bd59e4cb47b8d6476dce92b5847b0aaede81b5f49f58f077585aa00112233445"
    message = (
        "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...0000, "
        f"Key Hash (Token) ={digest}. Unable to find token in cache or "
        "`LiteLLM_VerificationTokenTable`"
    )
    error = error_from_response(_auth_error(401, message))
    assert isinstance(error, Unauthorized)
    assert "sk-...0000" not in error.message
    assert digest not in error.message
    assert error.message.startswith("Authentication Error, Invalid proxy server token passed.")
    assert "Unable to find token" in error.message
