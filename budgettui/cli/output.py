"""The scriptable twin of the dashboard: tenants and month usage as JSON, CSV or a plain table.

The records, their CSV and JSON are `services.export`'s, which the dashboard's export writes
too; the plain table is this module's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from budgettui.domain.display import tenant_status_word
from budgettui.domain.money import format_money, money_number
from budgettui.domain.tenants import Org, Tenant
from budgettui.domain.usage import MonthUsage
from budgettui.services.export import (
    TENANT_JSON_FIELDS as TENANT_JSON_FIELDS,  # re-exported: the JSON contract, by its old name
)
from budgettui.services.export import (
    json_text,
    percent,
    tenants_text,
    usage_record,
    usage_text,
)

if TYPE_CHECKING:  # the org loading is imported by `usage --org` alone (`_org_status`)
    from budgettui.services.org_loading import OrgMonth

OutputFormat = Literal["table", "json", "csv"]


def render_tenants(tenants: Sequence[Tenant], fmt: OutputFormat) -> str:
    if fmt != "table":
        return tenants_text(tenants, fmt)
    rows = [
        (
            t.name,
            t.org_name or "—",
            format_money(t.cap.spend),
            format_money(t.cap.max_budget),
            _used(t),
            t.binding.value,
            t.cap.budget_duration or "—",
            tenant_status_word(t),
        )
        for t in tenants
    ]
    header = ("TENANT", "ORG", "SPEND", "BUDGET", "USED", "BINDS", "DURATION", "STATUS")
    return _table(header, rows, right_aligned={2, 3, 4})


def render_usage(
    tenant: Tenant, usage: MonthUsage, fmt: OutputFormat, litellm_version: str | None = None
) -> str:
    if fmt != "table":
        return usage_text(tenant, usage, fmt, litellm_version)
    title = f"{tenant.name} ({tenant.org_name or 'no org'}) — {usage.month}"
    notes = [f"PARTIAL: {usage.partial_reason}"] if usage.partial else []
    return "\n".join([safe_text(title), "", _daily_table(usage), *map(safe_text, notes)])


def _used(tenant: Tenant) -> str:
    value = percent(tenant.fraction_used)
    return "—" if value is None else f"{value:.1f}%"


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def safe_text(text: str) -> str:
    """Control characters in an alias would move the cursor or recolour a terminal."""
    return "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_aligned: set[int]) -> str:
    cells = [[safe_text(c) for c in header], *[[safe_text(c) for c in row] for row in rows]]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        padded = []
        for i, cell in enumerate(row):
            gap = " " * (widths[i] - display_width(cell))
            padded.append(gap + cell if i in right_aligned else cell + gap)
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


# -- an org's month (`usage --org NAME`) ----------------------------------------------------


def org_usage_record(
    org_month: OrgMonth, threshold: Decimal, litellm_version: str | None = None
) -> dict[str, Any]:
    """`usage NAME`'s record with the org where the tenant was: `budget` is the org's own cap
    (there is no `tenant` and no `org_budget`); then where the figures come from, the org's
    status and its tenants ranked by the month's spend (`month_spend` null where LiteLLM did
    not tell, never 0)."""
    org = org_month.org
    record = usage_record(_as_tenant(org), org_month.usage, litellm_version)
    del record["tenant"], record["org_budget"]
    return {
        **record,
        "team_id": org.team_id,
        "source": org_month.source,
        "status": _org_status(org, threshold),
        "tenants": [
            {
                "tenant": share.tenant.name,
                "key_name": share.tenant.key_name,
                "month_spend": money_number(share.spend),
                "status": tenant_status_word(share.tenant),
            }
            for share in org_month.tenants
        ],
    }


def render_org_usage(
    org_month: OrgMonth,
    fmt: OutputFormat,
    threshold: Decimal,
    litellm_version: str | None = None,
) -> str:
    """JSON: `org_usage_record`. CSV: the days, as `usage NAME --csv`. Table: the days, then the
    tenants ranked by the month's spend."""
    if fmt == "json":
        return json_text(org_usage_record(org_month, threshold, litellm_version))
    usage = org_month.usage
    if fmt == "csv":
        return usage_text(_as_tenant(org_month.org), usage, "csv")
    org = org_month.org
    status = _org_status(org, threshold)
    title = f"{org.name} (org, {status}) — {usage.month}, from {org_month.source}"
    tenants = _table(
        ("TENANT", "MONTH SPEND", "STATUS"),
        [
            (s.tenant.name, format_money(s.spend, none="n/a"), tenant_status_word(s.tenant))
            for s in org_month.tenants
        ],
        right_aligned={1},
    )
    notes = [f"PARTIAL: {usage.partial_reason}"] if usage.partial else []
    return "\n".join(
        [safe_text(title), "", _daily_table(usage), "", tenants, *map(safe_text, notes)]
    )


def _org_status(org: Org, threshold: Decimal) -> str:
    from budgettui.services.org_loading import OrgStatus

    return OrgStatus.of(org, threshold).word()


def _as_tenant(org: Org) -> Tenant:
    """The org in a tenant's place, for the records and CSV `usage NAME` prints: its name, its
    cap as the budget, its limits."""
    return Tenant(
        name=org.name,
        key_hash=None,
        key_name=None,
        org=org,
        cap=org.cap,
        rpm_limit=org.rpm_limit,
        tpm_limit=org.tpm_limit,
    )


def _daily_table(usage: MonthUsage) -> str:
    """A month's days and its total (`render_usage`, `render_org_usage`)."""
    rows = [
        (
            day.day.isoformat(),
            format_money(day.spend),
            f"{day.input_tokens:,}",
            f"{day.output_tokens:,}",
            f"{day.requests:,}",
        )
        for day in usage.daily
    ]
    rows.append(
        (
            "TOTAL",
            format_money(usage.total_spend),
            f"{usage.input_tokens:,}",
            f"{usage.output_tokens:,}",
            f"{usage.request_count:,}",
        )
    )
    return _table(("DATE", "SPEND", "TOKENS IN", "TOKENS OUT", "REQUESTS"), rows, {1, 2, 3, 4})
