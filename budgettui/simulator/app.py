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
    routes_users,
)
from budgettui.simulator.faults import Faults, SimulatorMiddleware
from budgettui.simulator.routing import Spec, make_endpoint
from budgettui.simulator.store import Store

ALL_SPECS: list[Spec] = [
    *routes_keys.ROUTES,
    *routes_key_writes.ROUTES,
    *routes_teams.ROUTES,
    *routes_team_writes.ROUTES,
    *routes_users.ROUTES,
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


def create_app(store: Store, faults: Faults | None = None) -> Starlette:
    """A LiteLLM-compatible ASGI app over ``store`` (``faults`` defaults to none)."""
    active = faults if faults is not None else Faults()
    routes = [
        Route(spec.path, make_endpoint(store, spec), methods=[spec.method]) for spec in ALL_SPECS
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SimulatorMiddleware, store=store, faults=active)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.store = store
    app.state.faults = active
    return app
