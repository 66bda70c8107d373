"""The editors' command lines: `budget set` (one tenant, or `--match REGEX`), `budget set-org`,
`spend reset`. Kept apart from the edits themselves (`edit_commands`, `bulk_commands`), so that
building the parser for another command loads neither the writes nor the journal."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from budgettui.errors import BudgettuiError


class UsageError(BudgettuiError, ValueError):
    """Bad arguments: exit 2, with the rule in the message."""

    default_title = "Invalid arguments"


def _pattern(text: str) -> re.Pattern[str]:
    """An argparse `type=`: a pattern Python's `re` cannot read is a usage error (exit 2)."""
    try:
        return re.compile(text)
    except re.error as error:
        raise argparse.ArgumentTypeError(f"not a regular expression: {error}") from None


def add_tenant_or_match(parser: argparse.ArgumentParser, name_type: Callable[[str], str]) -> None:
    """`budget set`'s target: one tenant by name, or every tenant whose alias matches."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("tenant", nargs="?", type=name_type, help="the tenant's name")
    target.add_argument(
        "--match",
        type=_pattern,
        metavar="REGEX",
        help="every tenant whose alias matches (Python re.search), one by one",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="with --match: print each change, send nothing"
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="with --match: go on after a write that fails (default: stop there)",
    )


def add_edit_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    name_type: Callable[[str], str],
) -> None:
    budget = commands.add_parser("budget", help="change a tenant's or an org's budget")
    budget_commands = budget.add_subparsers(dest="budget_command", metavar="ACTION", required=True)
    for name, target, helptext in (
        ("set", "tenant", "set a tenant's (key's) budget"),
        ("set-org", "org", "set an org's (team's) budget"),
    ):
        parser = budget_commands.add_parser(name, help=helptext)
        common(parser)
        if name == "set":  # one tenant, or every tenant whose alias matches --match
            add_tenant_or_match(parser, name_type)
        else:
            parser.add_argument(target, type=name_type, help=f"the {target}'s name")
        amount = parser.add_mutually_exclusive_group(required=True)
        amount.add_argument(
            "--max-budget", "--budget", metavar="USD", help="the cap, > 0 and ≤ 1,000,000"
        )
        amount.add_argument(
            "--no-cap", action="store_true", help="remove the cap (clears the duration too)"
        )
        duration = parser.add_mutually_exclusive_group()
        duration.add_argument("--duration", metavar="D", help="1d, 7d, 30d, 1mo, 1y, <n>s|m|h|d|w")
        duration.add_argument("--no-duration", action="store_true", help="no reset period")
    spend = commands.add_parser("spend", help="reset a tenant's spend")
    spend_commands = spend.add_subparsers(dest="spend_command", metavar="ACTION", required=True)
    reset = spend_commands.add_parser("reset", help="reset a tenant's spend")
    common(reset)
    reset.add_argument("tenant", type=name_type, help="the tenant's name")
    reset.add_argument("--to", default="0", metavar="USD", help="the new spend (default 0)")
    reset.add_argument("--yes", action="store_true", help="required: confirms the reset")
