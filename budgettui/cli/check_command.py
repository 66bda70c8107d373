"""`budgettui check`: the tenants and orgs at risk, for cron and Nagios-style monitoring.

One line per tenant or org at risk (worst first, so a monitor that shows only the first line
shows the worst), then a summary line; `--json` prints one object instead. The exit code is a
Nagios plugin's: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. UNKNOWN covers a proxy that could not be
read (refused, 401, timeout: the line says why, never the key), a check that could not see
everything and found nothing (a listing cut short, runways asked for but not told), and a wrong
command line: argparse's usual exit 2 would read as CRITICAL to a monitor and page someone for a
typo, so every usage error of this command exits 3, as the Nagios plugin guidelines ask.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from budgettui.cli.check_options import Status
from budgettui.cli.output import safe_text
from budgettui.domain.money import money_number
from budgettui.domain.risk import AtRisk, RiskError, RiskLevel, Thresholds, at_risk, percent_text
from budgettui.domain.usage import Month
from budgettui.errors import BudgettuiError
from budgettui.services.connect import make_client
from budgettui.services.export import json_text, percent
from budgettui.services.loading import Overview, load_overview, load_runway_spend
from budgettui.services.logfile import never_log, report_unexpected
from budgettui.services.settings import Settings, SettingsError

Connect = Callable[[], tuple[Settings, httpx.AsyncBaseTransport | None]]


@dataclass(frozen=True)
class CheckReport:
    status: Status
    summary: str
    checked_at: datetime
    thresholds: Thresholds | None = None
    litellm_version: str | None = None
    items: Sequence[AtRisk] = ()
    notes: Sequence[str] = ()  # what could not be checked, or why nothing could
    tenants_checked: int = 0
    orgs_checked: int = 0
    complete: bool = False  # every tenant and org was looked at, runways too when asked


def run_check(args: argparse.Namespace, connect: Connect, now: datetime) -> int:
    """Print the report and return its exit code. `connect` builds the settings and the
    transport (the demo's, or None) as every other command does."""
    try:
        settings, transport = connect()
        warning = settings.threshold if args.warn is None else args.warn / 100
        thresholds = Thresholds(warning, args.crit / 100, args.runway_days)
    except (RiskError, SettingsError) as exc:
        reason = f"budgettui check: {exc}"
        report = CheckReport(Status.UNKNOWN, f"UNKNOWN: {reason}", now, notes=(reason,))
        return _print(report, args.fmt)
    never_log(settings.api_key.reveal())
    for note in settings.warnings() if transport is None else []:  # the demo stays in-process
        print(f"budgettui: {note}", file=sys.stderr)
    try:
        report = asyncio.run(_check(settings, transport, thresholds, now))
    except BudgettuiError as exc:
        reason = f"could not read the proxy: {exc}"
        report = CheckReport(Status.UNKNOWN, f"UNKNOWN: {reason}", now, thresholds, notes=(reason,))
    except Exception as exc:  # a bug: its traceback goes to the log file
        reason = report_unexpected(exc)
        report = CheckReport(Status.UNKNOWN, f"UNKNOWN: {reason}", now, thresholds, notes=(reason,))
    return _print(report, args.fmt)


async def _check(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
    thresholds: Thresholds,
    now: datetime,
) -> CheckReport:
    today = now.date()
    notes: list[str] = []
    month_to_date = None
    async with make_client(settings, transport) as client:
        overview = await load_overview(client, now, thresholds.warning)
        if overview.partial:
            notes.append("the proxy listed more than budgettui pages through: not all checked")
        if thresholds.runway_days is not None:
            runway = await load_runway_spend(client, overview, Month.of(today))
            month_to_date = runway.spend
            if runway.unavailable:
                notes.append(f"runways not checked: {runway.unavailable}")
    items = at_risk(overview.tenants, thresholds, today=today, month_to_date=month_to_date, now=now)
    return _report(overview, thresholds, items, notes)


def _report(
    overview: Overview, thresholds: Thresholds, items: list[AtRisk], notes: list[str]
) -> CheckReport:
    critical = sum(1 for item in items if item.level is RiskLevel.CRITICAL)
    if critical:
        status = Status.CRITICAL
    elif items:
        status = Status.WARNING
    else:  # nothing found is OK only if everything was looked at
        status = Status.UNKNOWN if notes else Status.OK
    tenants = sum(1 for t in overview.tenants if not t.provisioning)
    orgs = len({t.org.team_id for t in overview.tenants if t.org and t.org.readable})
    checked = f"{_count(tenants, 'tenant')} and {_count(orgs, 'org')}"
    if items:
        levels = f"{critical} critical, {len(items) - critical} warning"
        found = f"{len(items)} at risk ({levels}) of {checked}"
    else:
        found = f"none of {checked} at {percent_text(thresholds.warning)} or over"
        if thresholds.runway_days is not None:
            found += f", or running out within {_count(thresholds.runway_days, 'day')}"
    summary = "; ".join([f"{status.name}: {found}", *notes])
    return CheckReport(
        status,
        summary,
        overview.fetched_at,
        thresholds,
        overview.capabilities.version,
        items,
        notes,
        tenants,
        orgs,
        complete=not notes,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _print(report: CheckReport, fmt: str) -> int:
    if fmt == "json":
        print(json_text(report_record(report)))
    else:
        for item in report.items:
            print(safe_text(f"{item.level.name} {item.kind.value} {item.name}: {item.reason}"))
        print(safe_text(report.summary))
    sys.stdout.flush()  # here, so that a closed pipe is caught by `main` (exit 141)
    return int(report.status)


def report_record(report: CheckReport) -> dict[str, Any]:
    """The `--json` object: a contract with users' scripts (add fields, never rename them)."""
    thresholds = report.thresholds
    return {
        "status": report.status.name,
        "exit_code": int(report.status),
        "checked_at": report.checked_at.isoformat(),
        "litellm_version": report.litellm_version,
        "summary": report.summary,
        "warning_percent": percent(thresholds.warning) if thresholds else None,
        "critical_percent": percent(thresholds.critical) if thresholds else None,
        "runway_days": thresholds.runway_days if thresholds else None,
        "tenants_checked": report.tenants_checked,
        "orgs_checked": report.orgs_checked,
        "complete": report.complete,
        "notes": list(report.notes),
        "items": [item_record(item) for item in report.items],
    }


def item_record(item: AtRisk) -> dict[str, Any]:
    cap = item.cap
    return {
        "kind": item.kind.value,
        "name": item.name,
        "org": item.org.name if item.org else None,
        "team_id": item.org.team_id if item.org else None,
        "key_name": item.tenant.key_name if item.tenant else None,
        "level": item.level.value,
        "status": item.status.value,
        "reason": item.reason,
        "binding_cap": item.binding.value,
        "percent_used": percent(item.fraction_used),
        "spend": money_number(cap.spend) if cap else None,
        "max_budget": money_number(cap.max_budget) if cap else None,
        "runway_date": item.runway_date.isoformat() if item.runway_date else None,
    }
