"""`budgettui`: the dashboard by default, headless commands for scripts and cron.

Exit codes: 0 success, 1 an error talking to the proxy or finding a tenant (one line on stderr,
never a traceback, never the key), 2 bad usage, 3 printed but partial (`tenants` could not list
every key, or `usage` could not read the whole month: the reason on stderr), 141 the reader of
stdout went away (`| head`: quietly, as a Unix tool killed by SIGPIPE). An error that is not a
`BudgettuiError` is a bug: its traceback goes to the log file (`services.logfile`) and stderr
gets one line naming it, exit 1. Textual is imported only when the dashboard runs, and each
command's code only when that command runs (the parser needs just their options, from the
`*_options` modules), so the headless commands start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import httpx

from budgettui.cli.check_options import add_check_command
from budgettui.cli.config_commands import add_config_commands, run_config
from budgettui.cli.edit_options import UsageError, add_edit_commands
from budgettui.cli.output import OutputFormat, render_tenants, render_usage
from budgettui.cli.serve_command import add_serve_command, run_serve
from budgettui.domain.usage import Month, MonthError, MonthUsage
from budgettui.errors import BudgettuiError
from budgettui.proxy.transport import ConnectionOptions
from budgettui.services.config import Flags, load_config, resolve_settings, with_preferences
from budgettui.services.connect import (
    DEMO_LITELLM_VERSIONS,
    DEMO_ROLES,
    demo_settings,
    make_client,
    serve_demo,
)
from budgettui.services.journal import Journal, default_journal_path
from budgettui.services.loading import load_month_usage
from budgettui.services.logfile import never_log, report_unexpected
from budgettui.services.lookup import TenantFinder
from budgettui.services.settings import (
    Settings,
    SettingsError,
    validate_port,
    validate_proxy_url,
    validate_refresh,
    validate_tenant_name,
    validate_timeout,
)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a writer SIGPIPE ended (`yes | head`)
# Each release `--demo-litellm` reproduces, by its full number or its major.minor.
DEMO_LITELLM_CHOICES = tuple(
    name for version in DEMO_LITELLM_VERSIONS for name in (version, version.rsplit(".", 1)[0])
)
Value = TypeVar("Value")


@dataclass(frozen=True)
class Printed:
    """A headless command's stdout, the notes for stderr (each after "budgettui: ") and its
    exit code."""

    text: str
    notes: tuple[str, ...] = ()
    code: int = EXIT_OK


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except MonthError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def argument(validate: Callable[[str], Value]) -> Callable[[str], Value]:
    """An argparse `type=` from a settings validator: its message becomes the usage error."""

    def convert(text: str) -> Value:
        try:
            return validate(text)
        except SettingsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = validate.__name__.removeprefix("validate_")
    return convert


def _add_connection_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    # Subcommands accept the same options; SUPPRESS keeps a subparser's defaults from
    # overwriting a value given before the subcommand.
    default = argparse.SUPPRESS if in_subcommand else None
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--context",
        default=default,
        metavar="NAME",
        help="the config file's context NAME (`budgettui config check` lists them)",
    )
    group.add_argument(
        "--proxy-url",
        type=argument(validate_proxy_url),
        default=default,
        help="the LiteLLM proxy (or LITELLM_PROXY_URL)",
    )
    group.add_argument(
        "--api-key",
        default=default,
        help="the API key; prefer LITELLM_PROXY_API_KEY: a command line is visible in `ps`",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if in_subcommand else False,
        help="use the built-in simulator instead of a proxy",
    )
    group.add_argument(
        "--demo-as",
        choices=DEMO_ROLES,
        default=default,
        metavar="ROLE",
        help=f"the demo as ROLE ({', '.join(DEMO_ROLES)}; default master); implies --demo",
    )
    group.add_argument(
        "--demo-litellm",
        choices=DEMO_LITELLM_CHOICES,
        default=default,
        metavar="VERSION",
        help=f"the demo as LiteLLM VERSION ({', '.join(DEMO_LITELLM_CHOICES)}; default the "
        "newest); implies --demo",
    )
    group.add_argument(
        "--timeout",
        type=argument(validate_timeout),
        default=default,
        help="read timeout (default 30 s)",
    )
    group.add_argument("--ca-bundle", default=default, help="CA bundle for a private CA")
    group.add_argument(
        "--insecure",
        action="store_true",
        default=argparse.SUPPRESS if in_subcommand else False,
        help="DO NOT verify TLS certificates (loud; never the default)",
    )


def _format_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", dest="fmt", action="store_const", const="json", default="table")
    group.add_argument("--csv", dest="fmt", action="store_const", const="csv")


def _version() -> str:
    """The installed distribution's version: one number, kept in pyproject.toml."""
    from importlib import metadata  # ~30 ms at start-up: read only for `--version`

    try:
        return metadata.version("budgettui")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


class _VersionAction(argparse._VersionAction):
    """`--version`, the version looked up when the option is given, not on every start."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        self.version = f"%(prog)s {_version()}"
        super().__call__(parser, *args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budgettui", description="LiteLLM tenants' spend and budgets, in the terminal."
    )
    parser.add_argument("--version", action=_VersionAction)
    _add_connection_options(parser, in_subcommand=False)
    parser.add_argument(
        "--refresh",
        type=argument(validate_refresh),
        default=None,
        help="seconds from one auto-refresh to the next (0 = off); a refresh never overlaps the "
        "last, and a proxy slower than this gets a quarter of it between two",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    tenants = commands.add_parser("tenants", help="list the tenants the key may see")
    _add_connection_options(tenants, in_subcommand=True)
    _format_options(tenants)
    usage = commands.add_parser("usage", help="one tenant's (or org's) usage for a month, by day")
    _add_connection_options(usage, in_subcommand=True)
    whose = usage.add_mutually_exclusive_group(required=True)
    whose.add_argument(
        "tenant", nargs="?", type=argument(validate_tenant_name), help="the tenant (key alias)"
    )
    whose.add_argument(
        "--org",
        type=argument(validate_tenant_name),
        metavar="NAME",
        help="an org (team alias or id) instead: its month, and its tenants ranked by spend",
    )
    usage.add_argument("--month", type=_month, default=None, help="YYYY-MM (default: this month)")
    _format_options(usage)
    add_edit_commands(
        commands,
        partial(_add_connection_options, in_subcommand=True),
        argument(validate_tenant_name),
    )
    add_check_command(commands, partial(_add_connection_options, in_subcommand=True))
    add_config_commands(commands)
    add_serve_command(
        commands, partial(_add_connection_options, in_subcommand=True), argument(validate_port)
    )
    server = commands.add_parser("demo-server", help="serve the simulator on 127.0.0.1")
    server.add_argument(
        "--port", type=argument(validate_port), default=4000, help="port (default 4000)"
    )
    return parser


def main(argv: Sequence[str] | None = None, *, now: datetime | None = None) -> int:
    try:
        return _main(argv, now or datetime.now(UTC))
    except BrokenPipeError:  # `budgettui … | head`: the reader has what it wanted
        _drop_stdout()
        return EXIT_BROKEN_PIPE


def _main(argv: Sequence[str] | None, now: datetime) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo-server":
        return _demo_server(args.port, now)
    if args.command == "config":
        return run_config(args)
    if args.command == "check":  # a Nagios plugin's exit codes, usage errors included (3)
        from budgettui.cli.check_command import run_check

        return run_check(args, partial(_settings, args, now, demo=_wants_demo(args)), now)
    demo = _wants_demo(args)
    try:
        settings, transport = _settings(args, now, demo=demo)
    except SettingsError as exc:
        parser.print_usage(sys.stderr)
        print(f"budgettui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    never_log(settings.api_key.reveal())
    for note in [] if demo else settings.warnings():  # the demo never leaves the process
        print(note, file=sys.stderr)
    if args.command == "serve":
        return run_serve(args, settings, demo=demo)
    journal = Journal(default_journal_path(demo=demo))
    if args.command is None:
        return _run_dashboard(settings, transport, journal)
    try:
        printed = asyncio.run(_headless(args, settings, transport, now, journal))
    except UsageError as exc:
        print(f"budgettui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BudgettuiError as exc:
        # Including a write that was applied but not journaled (`AppliedNotJournaled`): exit 1,
        # not 0, because a script that keeps the journal as its audit trail must notice the
        # missing entry, and the line says "applied" so nobody sends it again.
        print(f"budgettui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug: the traceback goes to the log file, not the terminal
        print(f"budgettui: {report_unexpected(exc)}", file=sys.stderr)
        return EXIT_ERROR
    print(printed.text)
    sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught above
    for note in printed.notes:
        print(f"budgettui: {note}", file=sys.stderr)
    return printed.code


def _drop_stdout() -> None:
    """Point stdout at /dev/null: Python flushes it again at exit, and would report the broken
    pipe a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (an embedding host): nothing to flush later
        pass
    finally:
        os.close(devnull)


def _wants_demo(args: argparse.Namespace) -> bool:
    """`--demo-as` and `--demo-litellm` mean nothing without the demo, so either implies it."""
    return bool(args.demo or args.demo_as or args.demo_litellm)


def _settings(
    args: argparse.Namespace, now: datetime, *, demo: bool
) -> tuple[Settings, httpx.AsyncBaseTransport | None]:
    verify: bool | str = True
    if args.insecure:
        verify = False
    elif args.ca_bundle:
        verify = args.ca_bundle
    options = ConnectionOptions(read_timeout=args.timeout or 30.0, verify=verify)
    flags = Flags(
        proxy_url=args.proxy_url,
        api_key=args.api_key,
        context=args.context,
        connection=options,
        refresh=args.refresh,
    )
    config = load_config()
    if not demo:
        return resolve_settings(flags, config), None
    if args.context:
        raise SettingsError("--demo and --context both choose the proxy: give one")
    settings, transport = demo_settings(
        now, args.demo_as or "master", litellm_version=args.demo_litellm
    )
    return with_preferences(settings, flags, config), transport


async def _headless(
    args: argparse.Namespace,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
    now: datetime,
    journal: Journal,
) -> Printed:
    fmt: OutputFormat = getattr(args, "fmt", "table")
    async with make_client(settings, transport) as client:
        # One tenant is looked up by name; only a command about them all lists them all.
        finder = TenantFinder(client, now, settings.threshold)
        try:
            if args.command == "tenants":
                overview = await finder.overview()
                code = EXIT_PARTIAL if overview.partial else EXIT_OK
                return Printed(render_tenants(overview.tenants, fmt), code=code)
            if args.command in ("budget", "spend"):
                from budgettui.cli.edit_commands import run_edit

                secret = settings.api_key.reveal()
                read_only = settings.context if settings.read_only else None
                return Printed(await run_edit(args, client, finder, secret, journal, read_only))
            month = args.month or Month.of(now.date())
            if getattr(args, "org", None) is not None:
                from budgettui.cli.org_usage import org_usage

                overview = await finder.overview()
                text, usage = await org_usage(
                    client, overview, args.org, month, fmt, settings.threshold
                )
                return _usage_printed(text, usage, now)
            tenant = await finder.tenant(args.tenant)
            usage = await load_month_usage(client, await finder.caller(), tenant, month)
            version = (await client.capabilities()).version
            return _usage_printed(render_usage(tenant, usage, fmt, version), usage, now)
        finally:
            if finder.partial:
                print(
                    "budgettui: warning: PARTIAL: the proxy listed more than budgettui pages "
                    "through; the output is incomplete",
                    file=sys.stderr,
                )


def _usage_printed(text: str, usage: MonthUsage, now: datetime) -> Printed:
    """A month that is partial says why and exits 3; one with nothing in it says why it is empty
    (exit 0), so that an empty table is not mistaken for a failed read."""
    if usage.partial:
        reason = usage.partial_reason or "the proxy did not give the whole month"
        return Printed(text, (f"partial: {reason}",), EXIT_PARTIAL)
    if usage.month.first_day > now.date():
        return Printed(text, (f"no data for {usage.month}: the month has not started",))
    if usage.request_count == 0 and usage.total_spend == 0:
        return Printed(text, (f"no data for {usage.month}: no activity recorded",))
    return Printed(text)


def _run_dashboard(
    settings: Settings, transport: httpx.AsyncBaseTransport | None, journal: Journal
) -> int:
    from budgettui.ui.app import make_app

    # --demo freezes the simulator's clock at launch; the app's own clock keeps running.
    make_app(settings, transport=transport, journal=journal).run()
    return EXIT_OK


def _demo_server(port: int, now: datetime) -> int:
    try:
        serve_demo(port, now)
    except ModuleNotFoundError as missing:
        if missing.name != "uvicorn":
            raise
        print(
            "budgettui demo-server needs the server extra: pip install 'budgettui[server]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_OK
