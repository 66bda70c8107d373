"""The simulator's ASGI app: every route module's ``Spec``s behind one middleware."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from budgettui.simulator import (
    routes_daily,
    routes_key_writes,
    routes_keys,
    routes_llm,
    routes_spend,
    routes_team_writes,
    routes_teams,
    routes_user_budgets,
    routes_users,
)
from budgettui.simulator.faults import Faults, SimulatorMiddleware
from budgettui.simulator.openapi import OPENAPI_PATH, openapi_document, openapi_endpoint
from budgettui.simulator.routing import Spec, make_endpoint
from budgettui.simulator.store import Store
from budgettui.simulator.versions import DEFAULT_VERSION, resolve_version

ALL_SPECS: list[Spec] = [
    *routes_keys.ROUTES,
    *routes_key_writes.ROUTES,
    *routes_teams.ROUTES,
    *routes_team_writes.ROUTES,
    *routes_users.ROUTES,
    *routes_user_budgets.ROUTES,
    *routes_spend.ROUTES,
    *routes_daily.ROUTES,
    *routes_llm.ROUTES,
]


async def _http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's default for unknown routes and wrong methods: ``{"detail": "Not Found"}``."""
    del request
    if isinstance(exc, HTTPException):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


def create_app(
    store: Store, faults: Faults | None = None, *, litellm_version: str = DEFAULT_VERSION
) -> Starlette:
    """A LiteLLM-compatible ASGI app over ``store`` (``faults`` defaults to none).

    ``litellm_version`` picks the release to reproduce (one of ``SUPPORTED_VERSIONS``, or its
    ``major.minor``); routes that release lacks answer FastAPI's 404. Raises ValueError for
    any other version.
    """
    version = resolve_version(litellm_version)
    active = faults if faults is not None else Faults()
    specs = [spec for spec in ALL_SPECS if version.serves(spec.route)]
    routes = [
        Route(spec.path, make_endpoint(store, spec, version), methods=[spec.method])
        for spec in specs
    ]
    document = openapi_document(version, specs)
    routes.append(Route(OPENAPI_PATH, openapi_endpoint(document), methods=["GET"]))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SimulatorMiddleware, store=store, faults=active)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.store = store
    app.state.faults = active
    app.state.litellm_version = version.number
    return app
