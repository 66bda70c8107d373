"""`budgettui serve`: the dashboard in a browser, for admins who cannot use a terminal.

textual-serve (the `serve` extra) answers HTTP and, for each browser that connects, runs a
command in a fresh process and relays its screen over a websocket. That command is this
budgettui (the same interpreter) with the connection options `serve` was given, so the browser
shows the dashboard `budgettui` would show in the terminal.

The served dashboard acts with the API key's full rights (budgets, spend resets), and
textual-serve asks nobody for a password: whoever can open the page is the admin. So it listens
on 127.0.0.1 unless told otherwise, and an address other machines can reach needs `--public`
as well (a typo in `--host` must not publish the key's rights). Reaching a served dashboard
from elsewhere is best done through SSH (`ssh -L 8000:127.0.0.1:8000 host`).
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from budgettui.services.settings import ENV_KEY, Settings
from budgettui.services.settings import _is_loopback as is_loopback

DEFAULT_PORT: Final = 8000
DEFAULT_HOST: Final = "127.0.0.1"
EXIT_OK, EXIT_USAGE = 0, 2  # as `budgettui.cli.main` exits
WILDCARDS: Final = frozenset({"0.0.0.0", "::"})  # noqa: S104 (recognised, never bound)
INSTALL_HINT: Final = "budgettui serve needs the serve extra: pip install 'budgettui[serve]'"


@dataclass(frozen=True)
class ForwardedOption:
    """A connection option `serve` passes on to the dashboard it runs."""

    flag: str
    dest: str
    takes_value: bool


def add_serve_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    connection_options: Callable[[argparse.ArgumentParser], None],
    port_type: Callable[[str], int],
) -> None:
    serve = commands.add_parser(
        "serve", help="the dashboard in a browser (textual-serve), on 127.0.0.1"
    )
    already = len(serve._actions)
    connection_options(serve)
    # Every connection option, whichever exist now or are added later, reaches the dashboard;
    # the API key never does on a command line (see `dashboard_environment`).
    forwarded = tuple(
        ForwardedOption(action.option_strings[-1], action.dest, action.nargs != 0)
        for action in serve._actions[already:]
        if action.dest != "api_key"
    )
    serve.set_defaults(forwarded_options=forwarded)
    serve.add_argument(
        "--port", type=port_type, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}); another than loopback needs --public",
    )
    serve.add_argument(
        "--public",
        action="store_true",
        help="allow --host to be an address other machines reach: whoever opens the page acts "
        "with the API key's rights, without a password",
    )


def run_serve(args: argparse.Namespace, settings: Settings, *, demo: bool) -> int:
    """Serve until interrupted. `settings` are the resolved ones: resolving them first means a
    missing key or an unknown context is told here, not in each browser."""
    problem = host_problem(args.host, public=args.public)
    if problem:
        print(f"budgettui: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from textual_serve.server import Server
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != "textual_serve":
            raise
        print(INSTALL_HINT, file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "api_key", None) and getattr(args, "context", None):
        # With --context the dashboard takes the context's key over the environment's, so the
        # flag's key could not reach it without a command line.
        print(
            "budgettui: error: serve takes --api-key or --context, not both: give the context "
            "its key in the config file (api_key_env or api_key_cmd)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not is_loopback(args.host):
        print(
            f"budgettui: warning: serving on {args.host}: anyone who reaches port {args.port} "
            "uses the dashboard with this API key's rights, without a password",
            file=sys.stderr,
        )
    os.environ.update(dashboard_environment(args, settings, demo=demo))
    server = Server(
        shlex.join(dashboard_command(args)),
        host=args.host,
        port=args.port,
        title="budgettui",
        public_url=public_url(args.host, args.port),
    )
    server.serve()
    return EXIT_OK


def dashboard_command(args: argparse.Namespace) -> list[str]:
    """The dashboard, as this interpreter runs it, with the options `serve` was given."""
    command = [sys.executable, "-m", "budgettui"]
    for option in args.forwarded_options:
        value = getattr(args, option.dest, None)
        if option.takes_value and value is not None:
            command += [option.flag, str(value)]
        elif not option.takes_value and value:
            command.append(option.flag)
    if args.refresh is not None:
        command += ["--refresh", str(args.refresh)]
    return command


def dashboard_environment(
    args: argparse.Namespace, settings: Settings, *, demo: bool
) -> dict[str, str]:
    """What the dashboard's process needs besides its command line (each inherits `serve`'s
    environment): the key given as --api-key, which a command line would show to `ps`."""
    if demo or not getattr(args, "api_key", None):
        return {}  # the environment, the context or the demo gives it, as it did here
    return {ENV_KEY: settings.api_key.reveal()}


def host_problem(host: str, *, public: bool) -> str | None:
    if is_loopback(host) or public:
        return None
    return (
        f"--host {host} lets other machines open the dashboard, which acts with the API key's "
        "rights and asks for no password: add --public if that is meant, or keep the default "
        f"and reach it through SSH (ssh -L {DEFAULT_PORT}:127.0.0.1:{DEFAULT_PORT} …)"
    )


def public_url(host: str, port: int) -> str:
    """The address the page tells the browser to open its websocket on: the host served, or
    this machine's name for a wildcard (a browser cannot connect to 0.0.0.0)."""
    name = socket.getfqdn() if host in WILDCARDS else host.strip("[]")
    if ":" in name:  # an IPv6 address
        name = f"[{name}]"
    return f"http://{name}:{port}"
