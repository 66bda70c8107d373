"""Endpoint plumbing: one ``Spec`` per route, and the wrapper that authenticates, gates and renders.

Order of checks, as in FastAPI + LiteLLM: JSON decoding of the body (422), authentication (401),
the role route gate (401/403), then the handler (which validates its own body and query).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from budgettui.simulator.auth import LLM_ROUTES, Caller, authenticate, check_route
from budgettui.simulator.errors import ApiError, detail_error, without_inputs
from budgettui.simulator.params import Query, decode_json
from budgettui.simulator.store import Store
from budgettui.simulator.versions import LiteLLMVersion


@dataclass(slots=True)
class Ctx:
    """Everything a handler needs for one request."""

    store: Store
    version: LiteLLMVersion
    request: Request
    caller: Caller
    query: Query
    body: Any

    @property
    def path_params(self) -> dict[str, Any]:
        return dict(self.request.path_params)


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Spec:
    """A route: HTTP method, Starlette path, LiteLLM route template (for the gate), handler."""

    method: str
    path: str
    route: str
    handler: Handler
    master_only: bool = False


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(exc: ApiError) -> Response:
    if exc.media_type == "application/json":
        return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)
    return JSONResponse(
        exc.body, status_code=exc.status, headers=exc.headers, media_type=exc.media_type
    )


def make_endpoint(
    store: Store, spec: Spec, version: LiteLLMVersion
) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for ``spec``, behaving as LiteLLM ``version``."""

    async def endpoint(request: Request) -> Response:
        try:
            body = decode_json(await request.body()) if request.method == "POST" else None
            caller = authenticate(
                store, request.headers, version, llm_route=spec.route in LLM_ROUTES
            )
            if spec.master_only and not caller.is_master:
                raise detail_error(403, {"error": "simulator control routes need the master key"})
            check_route(
                version,
                caller,
                spec.route,
                request.url.path,
                request.method,
                request.query_params.get("user_id"),
            )
            ctx = Ctx(
                store=store,
                version=version,
                request=request,
                caller=caller,
                query=Query(request.query_params),
                body=body,
            )
            result = await spec.handler(ctx)
        except ApiError as exc:
            if not version.validation_errors_carry_input:
                exc = without_inputs(exc)
            return error_response(exc)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    return endpoint
