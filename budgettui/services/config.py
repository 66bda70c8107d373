"""The config file: named contexts (k9s-style: one per proxy) and the admin's preferences.

One TOML file, `config.toml` in the user's config directory (`BUDGETTUI_CONFIG` names another).
Every error carries the line it is about; an unknown key is an error too, so a typo never passes
silently. docs/config.md is the reference, field by field.

Where the proxy and its key come from, first match wins: `--proxy-url`/`--api-key`, then
`--context NAME`, then `LITELLM_PROXY_URL`/`LITELLM_PROXY_API_KEY`, then `default_context`.
A context's key is only ever sent to that context's url.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from budgettui.proxy.transport import ConnectionOptions
from budgettui.services.settings import (
    ENV_KEY,
    ENV_URL,
    Secret,
    Settings,
    SettingsError,
    check_refresh_seconds,
    validate_ca_bundle,
    validate_proxy_url,
)

CONFIG_ENV = "BUDGETTUI_CONFIG"
TOP_LEVEL = ("default_context", "threshold", "refresh", "timezone", "theme", "keys", "contexts")
CONTEXT_FIELDS = ("url", "api_key_env", "api_key_cmd", "api_key", "ca_bundle", "read_only")
KeyKind = Literal["api_key_env", "api_key_cmd", "api_key"]
KEY_SOURCES: tuple[KeyKind, ...] = ("api_key_env", "api_key_cmd", "api_key")
# The patterns are compiled (and cached by `re`) when first used: only a config file needs them,
# and every command imports this module.
# Typed after `--context` and `:ctx`: nothing that needs quoting in a shell.
_CONTEXT_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
_ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
KEY_COMMAND_TIMEOUT = 30.0  # seconds: long enough to unlock a password store
_TOML_POSITION = r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file is: `$BUDGETTUI_CONFIG`, else `config.toml` in the user's config
    directory (`~/.config/budgettui` on Linux). Resolved when called, so tests can move it."""
    env = os.environ if env is None else env
    named = env.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser()
    return Path(platformdirs.user_config_dir("budgettui")) / "config.toml"


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the file as a whole (it cannot be read)
    message: str


class ConfigError(SettingsError):
    """The config file cannot be used: one `path:line: message` line per problem."""

    default_title = "Config file"

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [
            f"{self.path}:{p.line}: {p.message}" if p.line else f"{self.path}: {p.message}"
            for p in self.problems
        ]


@dataclass(frozen=True)
class KeySource:
    """How a context's key is had: an environment variable, a command's output, or the file."""

    kind: KeyKind
    value: str = field(repr=False)  # a literal key is a secret: out of every repr

    def describe(self, env: Mapping[str, str]) -> str:
        """How the key is had, never the key: for `config check`."""
        if self.kind == "api_key_env":
            return f"key from ${self.value} ({'set' if env.get(self.value) else 'NOT set'})"
        if self.kind == "api_key_cmd":
            # The program only: arguments could carry anything, even a key (`echo sk-…`).
            return f"key from the command {shlex.split(self.value)[0]!r}"
        return "key in the file"


@dataclass(frozen=True)
class Context:
    name: str
    url: str
    key: KeySource
    ca_bundle: str | None = None
    read_only: bool = False


@dataclass(frozen=True)
class ContextSummary:
    """A context as the TUI lists it (`:ctx`, the palette)."""

    name: str
    url: str
    read_only: bool
    active: bool


@dataclass(frozen=True)
class Config:
    path: Path
    contexts: Mapping[str, Context] = field(default_factory=dict)
    default_context: str | None = None
    threshold: Decimal | None = None  # a fraction (the file says a percent)
    refresh: float | None = None
    timezone: ZoneInfo | None = None
    theme: str | None = None
    keys: Mapping[str, str] = field(default_factory=dict)
    text: str = field(default="", repr=False)

    def line_of(self, *path: str) -> int | None:
        return KeyLines(self.text).line_of(path)

    def context(self, name: str) -> Context:
        """The context called `name`; SettingsError naming the known ones otherwise."""
        found = self.contexts.get(name)
        if found is None:
            known = ", ".join(self.contexts) or "none"
            raise SettingsError(f"unknown context {name!r} (in {self.path}: {known})")
        return found


# -- reading the file ---------------------------------------------------------------------------


def load_config(
    path: Path | None = None, also: Callable[[Config], list[Problem]] | None = None
) -> Config | None:
    """The config file at `path` (default `config_path()`), None when there is none.
    ConfigError lists every problem found, each with its line; `also` finds more (what only
    the dashboard knows: its binding ids and themes)."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(path, [Problem(None, f"cannot read: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
        table = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(path, [Problem(None, "is not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [_syntax_problem(error, text)]) from None
    reader = _Reader(path, text)
    config = reader.read(table)
    problems = reader.problems + (also(config) if also else [])
    if problems:
        raise ConfigError(path, problems)
    return config


def _syntax_problem(error: tomllib.TOMLDecodeError, text: str) -> Problem:
    """tomllib ends its message with "(at line N, column M)"; Python 3.11 has no attribute."""
    message = str(error)
    found = re.search(_TOML_POSITION, message)
    if found is None:
        return Problem(None, f"TOML syntax: {message}")
    line = int(found.group(1)) if found.group(1) else max(1, len(text.splitlines()))
    return Problem(line, f"TOML syntax: {message[: found.start()]}")


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Reader:
    """Checks the parsed table against the schema, collecting every problem with its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = KeyLines(text)
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str, ...], message: str) -> None:
        self.problems.append(Problem(self.lines.line_of(path), message))

    def unknown(
        self, table: Mapping[str, object], known: tuple[str, ...], where: tuple[str, ...]
    ) -> None:
        for name in table:
            if name not in known:
                hint = did_you_mean(name, known) or f" (known: {', '.join(known)})"
                self.problem((*where, name), f"unknown setting {_dotted((*where, name))!r}{hint}")

    def read(self, table: Mapping[str, object]) -> Config:
        self.unknown(table, TOP_LEVEL, ())
        named = table.get("contexts", {})
        contexts = self.contexts(named)
        default = table.get("default_context")
        if default is not None and not isinstance(default, str):
            self.problem(("default_context",), "default_context must be a context's name")
            default = None
        elif default is not None and default not in (named if isinstance(named, dict) else {}):
            known = ", ".join(contexts) or "none defined"
            self.problem(
                ("default_context",), f"default_context {default!r} names no context ({known})"
            )
        return Config(
            path=self.path,
            contexts=contexts,
            default_context=default,
            threshold=self.threshold(table.get("threshold")),
            refresh=self.refresh(table.get("refresh")),
            timezone=self.timezone(table.get("timezone")),
            theme=self.string(table, ("theme",)),
            keys=self.keys(table.get("keys", {})),
            text=self.text,
        )

    def string(self, table: Mapping[str, object], path: tuple[str, ...]) -> str | None:
        value = table.get(path[-1])
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"{_dotted(path)} must be a non-empty string")
            return None
        return value

    def threshold(self, value: object) -> Decimal | None:
        if value is None:
            return None
        if not _is_number(value) or not 1 <= value <= 100:
            self.problem(("threshold",), "threshold must be a percent from 1 to 100 (e.g. 80)")
            return None
        return Decimal(str(value)) / 100

    def refresh(self, value: object) -> float | None:
        if value is None:
            return None
        if not _is_number(value):
            self.problem(("refresh",), "refresh must be a number of seconds (0 = off)")
            return None
        try:
            return check_refresh_seconds(float(value))
        except SettingsError as error:
            self.problem(("refresh",), error.message)
            return None

    def timezone(self, value: object) -> ZoneInfo | None:
        if value is None:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(
                ("timezone",),
                "timezone must be an IANA time zone name (e.g. Europe/Berlin, America/New_York, "
                "UTC)",
            )
            return None

    def keys(self, value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            self.problem(("keys",), '[keys] must be a table of binding id = "key"')
            return {}
        keys: dict[str, str] = {}
        for binding, key in value.items():
            if not isinstance(key, str) or not key.strip() or any(ch.isspace() for ch in key):
                self.problem(
                    ("keys", binding),
                    f'keys.{binding}: must be a key such as "f", "ctrl+f" or "f,slash"',
                )
                continue
            keys[binding] = key
        return keys

    def contexts(self, value: object) -> dict[str, Context]:
        if not isinstance(value, dict):
            self.problem(("contexts",), "contexts must be tables: [contexts.NAME]")
            return {}
        contexts: dict[str, Context] = {}
        for name, body in value.items():
            where = ("contexts", name)
            if not re.fullmatch(_CONTEXT_NAME, name, re.ASCII):
                self.problem(
                    where,
                    f"context name {name!r}: letters, digits, '-', '_' and '.' only, "
                    "starting with a letter or digit",
                )
            elif not isinstance(body, dict):
                self.problem(where, f"contexts.{name} must be a table: [contexts.{name}]")
            else:
                context = self.context(name, body)
                if context is not None:
                    contexts[name] = context
        return contexts

    def context(self, name: str, body: Mapping[str, object]) -> Context | None:
        where = ("contexts", name)
        before = len(self.problems)
        self.unknown(body, CONTEXT_FIELDS, where)
        url = self.string(body, (*where, "url"))
        if url is None and "url" not in body:
            self.problem(where, f"context {name} has no url")
        elif url is not None:
            try:
                url = validate_proxy_url(url)
            except SettingsError as error:
                self.problem((*where, "url"), f"contexts.{name}.url: {error.message}")
        key = self.key_source(name, body)
        ca_bundle = self.string(body, (*where, "ca_bundle"))
        if ca_bundle is not None:
            try:
                # A relative path is from the file's folder, wherever budgettui is run.
                where_file = self.path.parent / Path(ca_bundle).expanduser()
                ca_bundle = validate_ca_bundle(str(where_file), f"contexts.{name}.ca_bundle")
            except SettingsError as error:
                self.problem((*where, "ca_bundle"), error.message)
        read_only = body.get("read_only", False)
        if not isinstance(read_only, bool):
            self.problem((*where, "read_only"), f"contexts.{name}.read_only must be true or false")
        if len(self.problems) > before or url is None or key is None:
            return None
        return Context(name, url, key, ca_bundle, read_only is True)

    def key_source(self, name: str, body: Mapping[str, object]) -> KeySource | None:
        where = ("contexts", name)
        given = [kind for kind in KEY_SOURCES if kind in body]
        if len(given) != 1:
            said = "has none" if not given else f"has {' and '.join(given)}"
            self.problem(
                (*where, given[-1]) if given else where,
                f"context {name} needs exactly one of api_key_env, api_key_cmd or api_key ({said})",
            )
            return None
        kind = given[0]
        value = self.string(body, (*where, kind))
        if value is None:
            return None
        if kind == "api_key_env" and not re.fullmatch(_ENV_NAME, value, re.ASCII):
            self.problem((*where, kind), f"contexts.{name}.api_key_env must name a variable")
            return None
        if kind == "api_key_cmd":
            try:
                shlex.split(value)
            except ValueError as error:
                self.problem((*where, kind), f"contexts.{name}.api_key_cmd: {error}")
                return None
        if kind == "api_key" and not self.private():
            self.problem(
                (*where, kind),
                f"contexts.{name}.api_key: a key written in the file needs a file only you can "
                f"read: run `chmod 600 {shlex.quote(str(self.path))}` (or use api_key_env or "
                "api_key_cmd)",
            )
            return None
        return KeySource(kind, value)

    def private(self) -> bool:
        """Whether no one but the owner may read or write the file (mode 0600 or 0400)."""
        return self.path.stat().st_mode & 0o077 == 0


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """The hint for a typo: (did you mean 'x'?) with the closest of `known`, or nothing."""
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


# -- finding a key's line -----------------------------------------------------------------------

_KEY_PART = r"""\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*"""
_DOTTED_KEY = rf"{_KEY_PART}(?:\.{_KEY_PART})*"


class KeyLines:
    """The line where each key path is first set, by a scan of the text: table headers and
    `key = value` lines. Enough for error messages; a value spanning lines may hide a key."""

    def __init__(self, text: str) -> None:
        self.found: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            header = re.match(rf"\[\[?({_DOTTED_KEY})\]\]?", line)
            if header:
                table = _key_path(header.group(1))
                self.found.setdefault(table, number)
                continue
            assignment = re.match(rf"({_DOTTED_KEY})=", line)
            if assignment:
                self.found.setdefault((*table, *_key_path(assignment.group(1))), number)

    def line_of(self, path: tuple[str, ...]) -> int | None:
        """The key's line; else that of the nearest table or key that holds it."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.found:
                return self.found[path[:end]]
        return None


def _key_path(text: str) -> tuple[str, ...]:
    return tuple(_unquote(part.group(0).strip()) for part in re.finditer(_KEY_PART, text))


def _unquote(part: str) -> str:
    if part.startswith('"'):
        try:
            return str(tomllib.loads(f"k = {part}")["k"])
        except tomllib.TOMLDecodeError:  # a line inside a multi-line string: not a key
            return part
    return part.strip("'")


# -- settings from flags, environment and file --------------------------------------------------


@dataclass(frozen=True)
class Flags:
    """What the command line said; None where it said nothing."""

    proxy_url: str | None = None
    api_key: str | None = None
    context: str | None = None
    # Timeouts, and `verify` from --insecure or --ca-bundle (True when neither was given).
    connection: ConnectionOptions = field(default_factory=ConnectionOptions)
    refresh: float | None = None


def resolve_settings(
    flags: Flags, config: Config | None, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings for a real proxy. SettingsError names what is missing or conflicting."""
    env = os.environ if env is None else env
    if flags.context and flags.proxy_url:
        raise SettingsError("--context and --proxy-url both choose the proxy: give one")
    url = flags.proxy_url or env.get(ENV_URL)
    name = flags.context or (None if url else _default(config))
    if name:
        context = _require_config(config, name).context(name)
        # An explicit --context is a flag: it beats the environment's key; the default does not.
        key = flags.api_key or (None if flags.context else env.get(ENV_KEY))
        secret = Secret(key) if key else context_key(context, env)
        settings = Settings(proxy_url=context.url, api_key=secret)
        return _in_context(with_preferences(settings, flags, config), context)
    key = flags.api_key or env.get(ENV_KEY)
    if not url:
        raise SettingsError(
            f"no proxy: pass --proxy-url or --context, set {ENV_URL}, or set default_context "
            f"in {config_path(env)} (or use --demo)"
        )
    if not key:
        raise SettingsError(f"no API key for {url}: set {ENV_KEY} (or pass --api-key)")
    settings = Settings(proxy_url=validate_proxy_url(url), api_key=Secret(key))
    return with_preferences(settings, flags, config)


def with_preferences(settings: Settings, flags: Flags, config: Config | None) -> Settings:
    """The connection options from the flags, and the preferences: flag, else file, else the
    default. Used as is for `--demo`, whose proxy is in the process."""
    refresh = next(
        seconds
        for seconds in (flags.refresh, config.refresh if config else None, settings.refresh_seconds)
        if seconds is not None
    )
    settings = replace(settings, connection=flags.connection, refresh_seconds=refresh)
    if config is None:
        return settings
    return replace(
        settings,
        threshold=config.threshold or settings.threshold,
        timezone=config.timezone,
        theme=config.theme,
        keymap=dict(config.keys),
    )


def settings_for_context(
    name: str, current: Settings, config: Config | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """`current` moved to the context `name` (the TUI's `:ctx`): its url, key, CA bundle and
    read-only flag; the preferences and timeouts stay. May run the context's `api_key_cmd`:
    call it off the UI thread. SettingsError when there is no such context."""
    env = os.environ if env is None else env
    config = config or load_config()
    context = _require_config(config, name).context(name)
    # A CA bundle or --insecure given for the proxy left behind says nothing about this one.
    connection = replace(current.connection, verify=True)
    moved = replace(current, api_key=context_key(context, env), connection=connection)
    return _in_context(moved, context)


def list_contexts(active: str | None, config: Config | None = None) -> list[ContextSummary]:
    """The config file's contexts in file order, `active` marked; empty without a file."""
    config = config or load_config()
    if config is None:
        return []
    return [
        ContextSummary(c.name, c.url, c.read_only, c.name == active)
        for c in config.contexts.values()
    ]


def context_key(context: Context, env: Mapping[str, str]) -> Secret:
    """The context's key from its source. SettingsError says why not, never with the key."""
    source = context.key
    if source.kind == "api_key":
        return Secret(source.value)
    if source.kind == "api_key_env":
        value = env.get(source.value, "").strip()
        if not value:
            raise SettingsError(f"context {context.name}: ${source.value} is not set")
        return Secret(value)
    return Secret(_run_key_command(context.name, source.value))


def _run_key_command(name: str, command: str) -> str:
    """The first line of the command's output, stripped (`pass` keeps the password there).
    Run without a shell, stdin closed so it cannot take the terminal's keystrokes."""
    argv = shlex.split(command)
    argv[0] = os.path.expanduser(argv[0])
    said = f"context {name}: api_key_cmd `{argv[0]}`"
    try:
        # The user's own command from the user's own file, run without a shell: no injection.
        done = subprocess.run(  # noqa: S603
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=KEY_COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise SettingsError(f"{said}: no such command") from None
    except PermissionError:
        raise SettingsError(f"{said}: not executable") from None
    except subprocess.TimeoutExpired:
        raise SettingsError(f"{said}: no answer in {KEY_COMMAND_TIMEOUT:.0f} s") from None
    key = next(iter(done.stdout.strip().splitlines()), "").strip()
    if done.returncode != 0:
        raise SettingsError(f"{said} failed (exit {done.returncode}){_why(done.stderr, key)}")
    if not key:
        raise SettingsError(f"{said} printed no key")
    return key


def _why(stderr: str, key: str) -> str:
    """The command's own first line of complaint, unless it repeats what it printed as the key."""
    first = next(iter(stderr.strip().splitlines()), "").strip()
    if not first or (key and key in first):
        return ""
    return f": {first[:200]}"


def _default(config: Config | None) -> str | None:
    return config.default_context if config else None


def _require_config(config: Config | None, name: str) -> Config:
    if config is None:
        raise SettingsError(
            f"unknown context {name!r}: there is no config file ({config_path()}; "
            "`budgettui config init` writes one)"
        )
    return config


def _in_context(settings: Settings, context: Context) -> Settings:
    verify = settings.connection.verify
    if verify is True and context.ca_bundle:
        verify = context.ca_bundle
    return replace(
        settings,
        proxy_url=context.url,
        connection=replace(settings.connection, verify=verify),
        context=context.name,
        read_only=context.read_only,
    )
