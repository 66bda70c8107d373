"""`budgettui check`'s command line: its options, its exit codes (a Nagios plugin's) and a
parser whose usage errors exit 3. Kept apart from the check itself (`check_command`), so that
building the parser for another command loads none of the risk rules or the loading."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from enum import IntEnum
from typing import Any, NoReturn

from budgettui.cli.output import safe_text
from budgettui.domain.display import RUNWAY_HORIZON_DAYS


class Status(IntEnum):
    """A Nagios plugin's states; the value is the exit code."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


EPILOG = """\
exit codes, as a Nagios plugin's:
  0 OK        nothing at risk
  1 WARNING   something at or over --warn (or running out within --runway-days)
  2 CRITICAL  something at or over --crit, over its cap, blocked or expired
  3 UNKNOWN   the proxy could not be read (the line says why), the check could not see
              everything and found nothing, or the command line is wrong: Nagios plugins
              exit 3 on a usage error, so that a typo is not paged as CRITICAL
Days are UTC. Give connection options after `check`."""

# A percentage as people type one: 80, 92.5. No sign, exponent or non-ASCII digit.
_PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?", re.ASCII)
_WHOLE = re.compile(r"[0-9]{1,4}", re.ASCII)


class NagiosArgumentParser(argparse.ArgumentParser):
    """A parser whose usage errors exit 3 (UNKNOWN) with the reason on stdout, where a monitor
    reads a plugin's status line; the usage goes to stderr as usual."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(safe_text(f"UNKNOWN: {self.prog}: {message}"))
        self.exit(Status.UNKNOWN)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
        # As a subcommand, arguments it does not know would go back to the main parser, whose
        # error exits 2: refused here, they exit 3 like every other usage error.
        namespace, extras = super().parse_known_args(*args, **kwargs)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def _percentage(text: str) -> Decimal:
    body = text.strip(" ")
    if not _PERCENT.fullmatch(body) or not 1 <= Decimal(body) <= 100:
        raise argparse.ArgumentTypeError(f"must be a percentage from 1 to 100, not {text[:20]!r}")
    return Decimal(body)


def _runway_days(text: str) -> int:
    body = text.strip(" ")
    if not _WHOLE.fullmatch(body) or not 1 <= int(body) <= RUNWAY_HORIZON_DAYS:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of days from 1 to {RUNWAY_HORIZON_DAYS}, not {text[:20]!r}"
        )
    return int(body)


def add_check_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """`common` adds the connection options every command takes."""
    # argparse makes every subcommand's parser of the one class the subparsers action holds;
    # `check` alone needs its own (exit 3 on a usage error), so the class is swapped for it.
    default_class = commands._parser_class
    commands._parser_class = NagiosArgumentParser
    try:
        check = commands.add_parser(
            "check",
            help="the tenants and orgs at risk, with a Nagios plugin's exit code",
            description="One line per tenant or org at risk, worst first, then a summary.",
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    finally:
        commands._parser_class = default_class
    common(check)
    check.add_argument(
        "--warn",
        type=_percentage,
        default=None,
        metavar="PERCENT",
        help="WARNING at this %% of the cap that binds first (default: the alert threshold "
        "of the settings, 80)",
    )
    check.add_argument(
        "--crit",
        type=_percentage,
        default=Decimal(90),
        metavar="PERCENT",
        help="CRITICAL at this %% (default 90; above --warn)",
    )
    check.add_argument(
        "--runway-days",
        type=_runway_days,
        default=None,
        metavar="N",
        help="also WARNING when this month's pace uses a cap up within N days",
    )
    check.add_argument(
        "--json",
        dest="fmt",
        action="store_const",
        const="json",
        default="text",
        help="one JSON object: status, exit_code, checked_at, litellm_version, items, ...",
    )
