"""``GET /openapi.json``: FastAPI's schema document, reduced to the routes the simulator serves.

The real proxy serves its FastAPI schema there, unauthenticated, with ``info.title`` "LiteLLM API"
and ``info.version`` the LiteLLM release (``proxy_server.py``: ``FastAPI(title=_title,
version=version)``). Clients can read the version from it, so the simulator reports the release
it reproduces and lists the paths that release lists among the simulated ones (1.108.7 serves
``/management/v1/users/me`` but leaves it out of its schema).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from budgettui.simulator.routing import Spec
from budgettui.simulator.versions import LiteLLMVersion

OPENAPI_PATH = "/openapi.json"
_CONTROL_PREFIX = "/__sim/"  # the simulator's own controls are not LiteLLM routes


def openapi_document(version: LiteLLMVersion, specs: Iterable[Spec]) -> dict[str, Any]:
    """The schema document: ``paths`` maps each LiteLLM route template to its methods."""
    paths: dict[str, dict[str, Any]] = {}
    for spec in specs:
        if spec.route.startswith(_CONTROL_PREFIX) or spec.route in version.unlisted_routes:
            continue
        operation = {"responses": {"200": {"description": "Successful Response"}}}
        paths.setdefault(spec.route, {})[spec.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "LiteLLM API", "version": version.number},
        "paths": dict(sorted(paths.items())),
    }


def openapi_endpoint(document: dict[str, Any]) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint answering ``document`` (no authentication, like FastAPI's)."""

    async def endpoint(request: Request) -> Response:
        del request
        return JSONResponse(document)

    return endpoint
