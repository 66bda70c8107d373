"""Where the proxy is, which key to use, and how to talk to it.

Precedence: command-line flags, then LiteLLM's own CLI environment variables
(`LITELLM_PROXY_URL`, `LITELLM_PROXY_API_KEY`). Named contexts from a TOML file (k9s-style) will
slot in between the two; nothing here reads files at import time.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD
from budgettui.proxy.transport import ConnectionOptions

ENV_URL = "LITELLM_PROXY_URL"
ENV_KEY = "LITELLM_PROXY_API_KEY"
DEFAULT_REFRESH_SECONDS = 60.0
MAX_REFRESH_SECONDS = 86_400.0


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the rule."""


class Secret:
    """An API key that never prints itself: repr, str and f-strings show a mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Settings:
    proxy_url: str
    api_key: Secret
    connection: ConnectionOptions = field(default_factory=ConnectionOptions)
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS
    threshold: Decimal = DEFAULT_WARNING_THRESHOLD

    @property
    def host(self) -> str:
        return httpx.URL(self.proxy_url).netloc.decode()

    def warnings(self) -> list[str]:
        """Things the user should hear about but that do not stop us."""
        notes: list[str] = []
        url = httpx.URL(self.proxy_url)
        if url.scheme == "http" and not _is_loopback(url.host):
            notes.append(
                f"warning: {self.host} is reached over plain http: the API key crosses the "
                "network unencrypted"
            )
        if self.connection.verify is False:
            notes.append("warning: --insecure: TLS certificates are NOT verified")
        return notes


def validate_proxy_url(text: str) -> str:
    text = text.strip()
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise SettingsError(f"proxy URL is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise SettingsError("proxy URL must look like https://host[:port] (http or https)")
    if url.userinfo:
        raise SettingsError("proxy URL must not carry credentials; use LITELLM_PROXY_API_KEY")
    return text.rstrip("/")


def validate_refresh(text: str) -> float:
    """Seconds between refreshes; 0 turns auto-refresh off."""
    try:
        value = float(text.strip())
    except ValueError:
        raise SettingsError(f"refresh must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value < 0 or value > MAX_REFRESH_SECONDS:
        raise SettingsError(f"refresh must be 0 (off) or up to {MAX_REFRESH_SECONDS:.0f} seconds")
    if 0 < value < 1:
        raise SettingsError("refresh must be 0 (off) or at least 1 second")
    return value


def resolve_connection(
    url_flag: str | None, key_flag: str | None, env: Mapping[str, str] | None = None
) -> tuple[str, Secret]:
    env = os.environ if env is None else env
    url = url_flag or env.get(ENV_URL)
    key = key_flag or env.get(ENV_KEY)
    if not url:
        raise SettingsError(f"no proxy: pass --proxy-url or set {ENV_URL} (or use --demo)")
    if not key:
        raise SettingsError(f"no API key: set {ENV_KEY} (or pass --api-key)")
    return validate_proxy_url(url), Secret(key)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
