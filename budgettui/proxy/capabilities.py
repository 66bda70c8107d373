"""What the LiteLLM proxy on the other end can do, learned once per connection.

LiteLLM serves its FastAPI schema at `GET /openapi.json` without authentication: `info.version`
is the release and `paths` every route it has. Releases differ in routes (1.84 lacks
`/management/v1/users/me` and the per-key activity totals), so the client asks `Capabilities`
before it calls a route that not every supported release has, instead of comparing versions.
A proxy that hides its schema (`NO_DOCS`, a gateway) leaves both unknown: then every route is
tried, and one that answers the framework's 404 or the role gate's refusal is remembered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

UNKNOWN_VERSION = "unknown"
# Routes LiteLLM serves without listing them in its schema (`include_in_schema=False`; seen on
# 1.108.7): their absence from `paths` proves nothing, so they are tried, and a 404 remembered.
UNLISTED_ROUTES = frozenset({"/management/v1/users/me"})
_RELEASE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Capabilities:
    """The proxy's LiteLLM release and routes, plus what this connection learned by calling.

    `routes` is None when the schema could not be read (every route is then assumed present
    until it answers 404), and never decides for `UNLISTED_ROUTES`. `missing` and `refused` are
    route templates learned on first use: absent from the proxy, or closed to the caller's
    role."""

    version: str = UNKNOWN_VERSION
    routes: frozenset[str] | None = None
    missing: frozenset[str] = frozenset()
    refused: frozenset[str] = frozenset()

    @classmethod
    def from_openapi(cls, document: Any) -> Capabilities:
        """Read a schema document, tolerating any part of it being absent or odd."""
        if not isinstance(document, Mapping):
            return cls()
        info = document.get("info")
        version = info.get("version") if isinstance(info, Mapping) else None
        paths = document.get("paths")
        return cls(
            version=version.strip()
            if isinstance(version, str) and version.strip()
            else UNKNOWN_VERSION,
            routes=frozenset(p for p in paths if isinstance(p, str))
            if isinstance(paths, Mapping) and paths
            else None,
        )

    @property
    def release(self) -> tuple[int, int, int] | None:
        """The version as numbers ("1.84.10" → (1, 84, 10)); None when unknown."""
        match = _RELEASE.match(self.version)
        if match is None:
            return None
        return int(match[1]), int(match[2]), int(match[3] or 0)

    @property
    def label(self) -> str:
        """For a header or a message: "LiteLLM 1.84.10", or "LiteLLM (version unknown)"."""
        return "LiteLLM (version unknown)" if self.release is None else f"LiteLLM {self.version}"

    def has(self, route: str) -> bool:
        """Whether the proxy (as far as we know) serves `route`, a path template."""
        if route in self.missing:
            return False
        return self.routes is None or route in self.routes or route in UNLISTED_ROUTES

    def allows(self, route: str) -> bool:
        """Whether calling `route` can answer: served, and not closed to this caller's role."""
        return self.has(route) and route not in self.refused

    def without(self, route: str) -> Capabilities:
        return replace(self, missing=self.missing | {route})

    def refusing(self, route: str) -> Capabilities:
        return replace(self, refused=self.refused | {route})
