"""Where the proxy is, which key to use, how to talk to it, and the admin's preferences.

Precedence: command-line flags, then LiteLLM's own CLI environment variables
(`LITELLM_PROXY_URL`, `LITELLM_PROXY_API_KEY`), then the config file's named contexts
(`services.config`, which puts them together); nothing here reads files at import time.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from pathlib import Path

import httpx

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD
from budgettui.errors import BudgettuiError
from budgettui.proxy.transport import ConnectionOptions

ENV_URL = "LITELLM_PROXY_URL"
ENV_KEY = "LITELLM_PROXY_API_KEY"
DEFAULT_REFRESH_SECONDS = 60.0
MAX_REFRESH_SECONDS = 86_400.0
MAX_TIMEOUT_SECONDS = 600.0
# Long enough for any number a person types, short enough that no message echoes a novel.
MAX_NUMBER_LENGTH = 32
MAX_URL_LENGTH = 2048
MAX_NAME_LENGTH = 256
# Plain ASCII decimals, as `domain.validation` reads amounts: no sign, exponent, separator,
# non-ASCII digit, NaN or infinity ("1e1", "1_0" and "١٠" are all numbers to `float`).
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+", re.ASCII)
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
# A DNS name (underscores allowed: container and compose service names use them) or an IP.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}\.?$){_LABEL}(?:\.{_LABEL})*\.?", re.ASCII)


class SettingsError(BudgettuiError, ValueError):
    """A setting that cannot be used; the message names the rule."""

    default_title = "Invalid setting"


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
    context: str | None = None  # the config file's context in use, for the header
    read_only: bool = False  # a read-only context: `services.edits` sends no write
    timezone: tzinfo | None = None  # None: the machine's own zone
    theme: str | None = None  # a Textual theme name; None: Textual's default
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> keys

    def __post_init__(self) -> None:
        # A CA bundle that cannot be read would otherwise surface as a traceback from deep in
        # httpx when the client is built; as a setting error the CLI exits 2 with the rule.
        if isinstance(self.connection.verify, str):
            validate_ca_bundle(self.connection.verify)

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


def _shown(text: str, limit: int = 40) -> str:
    """The user's input for an error message: quoted, escaped, and cut short."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _decimal(text: str, what: str) -> float:
    """A plain ASCII decimal number of seconds; the message names the rule it breaks."""
    if len(text) > MAX_NUMBER_LENGTH:
        raise SettingsError(f"{what} must be at most {MAX_NUMBER_LENGTH} characters")
    body = text.strip(" ")
    if not _DECIMAL.fullmatch(body):
        raise SettingsError(
            f"{what} must be a plain number of seconds (digits 0-9 and at most one decimal "
            f"point, e.g. 30 or 2.5), not {_shown(text)}"
        )
    return float(body)


def validate_proxy_url(text: str) -> str:
    """`http(s)://host[:port][/path]`: no credentials, query or fragment, nothing invisible."""
    if len(text) > MAX_URL_LENGTH:
        raise SettingsError(f"proxy URL must be at most {MAX_URL_LENGTH} characters")
    text = text.strip(" ")
    if any(not ch.isprintable() or ch.isspace() for ch in text):
        raise SettingsError("proxy URL must not contain spaces, control or invisible characters")
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise SettingsError(f"proxy URL is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise SettingsError("proxy URL must look like https://host[:port] (http or https)")
    if url.userinfo:
        raise SettingsError("proxy URL must not carry credentials; use LITELLM_PROXY_API_KEY")
    host = url.raw_host.decode("ascii", "replace")
    if not (_is_ip(host) or _HOSTNAME.fullmatch(host)):
        raise SettingsError(f"proxy URL host must be a DNS name or an IP address, not {host!r}")
    if url.port is not None and not 0 < url.port < 65536:
        raise SettingsError("proxy URL port must be 1 to 65535")
    if url.query or url.fragment or "?" in text or "#" in text:
        raise SettingsError("proxy URL must not have a query (?...) or fragment (#...)")
    return text.rstrip("/")


def validate_refresh(text: str) -> float:
    """Seconds between refreshes; 0 turns auto-refresh off."""
    return check_refresh_seconds(_decimal(text, "refresh"))


def check_refresh_seconds(value: float) -> float:
    """The range of `refresh`, whether typed as a flag or read from the config file."""
    if value > MAX_REFRESH_SECONDS:
        raise SettingsError(f"refresh must be 0 (off) or up to {MAX_REFRESH_SECONDS:.0f} seconds")
    if 0 < value < 1:
        raise SettingsError("refresh must be 0 (off) or at least 1 second")
    return value


def validate_timeout(text: str) -> float:
    """The read timeout, in seconds: more than 0 and at most 600."""
    value = _decimal(text, "timeout")
    if not 0 < value <= MAX_TIMEOUT_SECONDS:
        raise SettingsError(
            f"timeout must be more than 0 and at most {MAX_TIMEOUT_SECONDS:.0f} seconds"
        )
    return value


def validate_port(text: str) -> int:
    """A TCP port: a whole number from 1 to 65535, ASCII digits only."""
    body = text.strip(" ")
    if len(body) > MAX_NUMBER_LENGTH or not _WHOLE.fullmatch(body):
        raise SettingsError(f"port must be a whole number from 1 to 65535, not {_shown(text)}")
    port = int(body)
    if not 0 < port < 65536:
        raise SettingsError(f"port must be a whole number from 1 to 65535, not {port}")
    return port


def validate_tenant_name(text: str) -> str:
    """A tenant (key alias) or org name as typed on a command line. Only what no alias can
    be is refused here; whether the name exists is for the proxy's listing to say."""
    if not text.strip():
        raise SettingsError("a tenant name must not be empty")
    if len(text) > MAX_NAME_LENGTH:
        raise SettingsError(f"a tenant name must be at most {MAX_NAME_LENGTH} characters")
    if _has_control(text):
        raise SettingsError("a tenant name must not contain control characters")
    return text


def validate_ca_bundle(path: str, what: str = "--ca-bundle") -> str:
    """A file of PEM CA certificates that the TLS layer can load; `what` names the setting."""
    if not path or _has_control(path):
        raise SettingsError(f"{what} must be the path of a PEM file of CA certificates")
    if not Path(path).is_file():
        raise SettingsError(f"{what}: no such file: {_shown(path, 200)}")
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ValueError, ssl.SSLError):
        raise SettingsError(
            f"{what}: {_shown(path, 200)} is not a readable PEM file of CA certificates"
        ) from None
    return path


def _is_loopback(host: str) -> bool:
    if host.rstrip(".") == "localhost":  # "localhost." is the same name, fully qualified
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
