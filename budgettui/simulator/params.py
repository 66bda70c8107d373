"""Query-string and JSON-body parsing with FastAPI's 422 error shapes.

Query parameters are validated with pydantic ``TypeAdapter``s so the ``type``/``msg`` of every
error match what FastAPI produces for ``Query(ge=..., le=...)`` declarations; all errors of one
request are collected before raising, as FastAPI does.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.datastructures import QueryParams

from budgettui.simulator.errors import ApiError, pydantic_errors, validation_error

ModelT = TypeVar("ModelT", bound=BaseModel)


@lru_cache(maxsize=64)
def _int_adapter(ge: int | None, le: int | None) -> TypeAdapter[int]:
    return TypeAdapter(Annotated[int, Field(ge=ge, le=le)])


_BOOL: TypeAdapter[bool] = TypeAdapter(bool)
_FLOAT: TypeAdapter[float] = TypeAdapter(float)


class Query:
    """Typed access to query parameters; call ``done()`` to raise the collected 422."""

    def __init__(self, params: QueryParams) -> None:
        self.params = params
        self.errors: list[dict[str, Any]] = []

    def text(self, name: str) -> str | None:
        return self.params.get(name)

    def integer(
        self, name: str, default: int, *, ge: int | None = None, le: int | None = None
    ) -> int:
        raw = self.params.get(name)
        if raw is None:
            return default
        try:
            return _int_adapter(ge, le).validate_python(raw)
        except ValidationError as exc:
            self.errors.extend(
                {**err, "loc": ["query", name]} for err in pydantic_errors(exc, "query")
            )
            return default

    def optional_int(self, name: str) -> int | None:
        if self.params.get(name) is None:
            return None
        return self.integer(name, 0)

    def optional_float(self, name: str) -> float | None:
        raw = self.params.get(name)
        if raw is None:
            return None
        try:
            return _FLOAT.validate_python(raw)
        except ValidationError as exc:
            self.errors.extend(
                {**err, "loc": ["query", name]} for err in pydantic_errors(exc, "query")
            )
            return None

    def flag(self, name: str, default: bool = False) -> bool:
        raw = self.params.get(name)
        if raw is None:
            return default
        try:
            return _BOOL.validate_python(raw)
        except ValidationError as exc:
            self.errors.extend(
                {**err, "loc": ["query", name]} for err in pydantic_errors(exc, "query")
            )
            return default

    def done(self) -> None:
        if self.errors:
            raise validation_error(self.errors)


def decode_json(raw: bytes) -> Any:
    """The request body as JSON (None when empty), or FastAPI's 422 ``json_invalid``."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        position = getattr(exc, "pos", 0)
        reason = getattr(exc, "msg", str(exc))
        raise validation_error(
            [
                {
                    "type": "json_invalid",
                    "loc": ["body", position],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": reason},
                }
            ]
        ) from exc


def parse_body(model: type[ModelT], data: Any) -> ModelT:
    """Validate a JSON body against ``model``, or raise FastAPI's 422."""
    if data is None:
        raise validation_error(
            [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(pydantic_errors(exc, "body")) from exc


def require(condition: bool, error: ApiError) -> None:
    """Raise ``error`` unless ``condition`` holds."""
    if not condition:
        raise error
