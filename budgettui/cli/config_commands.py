"""`budgettui config init|check|path`: write a starter config file, validate one, say where
it is. `check` never prints a key, and never runs a context's `api_key_cmd`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from budgettui.services.config import (
    Config,
    ConfigError,
    Problem,
    config_path,
    did_you_mean,
    load_config,
)

# The exit codes of `budgettui.cli.main`: 0 fine, 1 could not do it, 2 the file is invalid.
FINE, FAILED, INVALID = 0, 1, 2

STARTER = """\
# budgettui's config file. Every field is explained in docs/config.md:
# https://github.com/budgettui/budgettui/blob/main/docs/config.md
# Check it with `budgettui config check`. Flags override environment variables
# (LITELLM_PROXY_URL, LITELLM_PROXY_API_KEY), which override this file.

# The context used when no --context is given and LITELLM_PROXY_URL is not set.
# default_context = "local"

# Alert when a budget is this percent spent (1-100).
threshold = 80

# Seconds between refreshes of the dashboard (0 = off; at least 1 otherwise).
refresh = 60

# The time zone for reset times and "refreshed at" (IANA name); default: the machine's.
# timezone = "Europe/Berlin"

# A Textual theme (the command palette, ctrl+p, lists them), e.g. "nord", "textual-light".
# theme = "textual-dark"

# One table per proxy: `budgettui --context NAME`. Each needs a url and exactly one of
# api_key_env (an environment variable), api_key_cmd (a command that prints the key, run
# without a shell) or api_key (the key itself: only in a file that is chmod 600).
[contexts.local]
url = "http://localhost:4000"
api_key_env = "LITELLM_MASTER_KEY"

# [contexts.prod]
# url = "https://litellm.example.com"
# api_key_cmd = "pass show litellm/prod"
# ca_bundle = "~/certs/internal-ca.pem"
# read_only = true    # budgettui sends no write to this proxy

# Rebind keys: "binding id" = "key" (the ids are listed in docs/config.md).
[keys]
# "tenants.filter" = "f"
# "edit.budget" = "B"
"""


def add_config_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = commands.add_parser("config", help="the config file: init, check, path")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write a commented starter file (mode 0600)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    actions.add_parser("check", help="validate the file: path:line: message per error")
    actions.add_parser("path", help="print where the file is ($BUDGETTUI_CONFIG or the default)")


def run_config(args: argparse.Namespace) -> int:
    path = config_path()
    if args.config_command == "init":
        return _init(path, force=args.force)
    if args.config_command == "check":
        return _check(path)
    print(path)
    return FINE


def _init(path: Path, *, force: bool) -> int:
    if path.exists() and not force:
        print(
            f"budgettui: {path} exists; `budgettui config init --force` overwrites it",
            file=sys.stderr,
        )
        return FAILED
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created 0600, and made 0600 when overwritten: a key may be written into it later.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            path.chmod(0o600)
            file.write(STARTER)
    except OSError as error:
        print(f"budgettui: cannot write {path}: {error.strerror}", file=sys.stderr)
        return FAILED
    print(path)
    return FINE


def _check(path: Path) -> int:
    try:
        config = load_config(path, also=_dashboard_problems)
    except ConfigError as error:
        print("\n".join(error.lines()))
        return INVALID
    if config is None:
        print(f"{path}: no such file (`budgettui config init` writes one)")
        return INVALID
    print(f"{path}: OK")
    print("\n".join(_context_lines(config)))
    return FINE


def _dashboard_problems(config: Config) -> list[Problem]:
    """What only the dashboard knows: its binding ids and themes (Textual is imported here)."""
    from budgettui.ui.app import binding_ids, theme_names

    known = binding_ids()
    problems = [
        Problem(config.line_of("keys", binding), f"keys: no binding has the id {binding!r}{hint}")
        for binding in config.keys
        if binding not in known
        for hint in [did_you_mean(binding, known)]
    ]
    if config.theme and config.theme not in theme_names():
        themes = ", ".join(sorted(theme_names()))
        problems.append(
            Problem(config.line_of("theme"), f"theme {config.theme!r} is not one of: {themes}")
        )
    return problems


def _context_lines(config: Config) -> list[str]:
    if not config.contexts:
        return ["no contexts"]
    lines = [f"{len(config.contexts)} context(s):"]
    for context in config.contexts.values():
        notes = [context.key.describe(os.environ)]
        if context.read_only:
            notes.append("read-only")
        if context.name == config.default_context:
            notes.append("default")
        lines.append(f"  {context.name}: {context.url} ({', '.join(notes)})")
    return lines
