"""The scriptable twin of the dashboard: tenants and month usage as JSON, CSV or a plain table.

The JSON field names are a contract with users' scripts (snake_case, money as numbers): change
them only by adding fields.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from budgettui.domain.budget import Cap
from budgettui.domain.caps import ScopedCap
from budgettui.domain.display import status_word
from budgettui.domain.money import format_money, money_number
from budgettui.domain.tenants import Tenant, printable
from budgettui.domain.usage import MonthUsage

OutputFormat = Literal["table", "json", "csv"]

TENANT_FIELDS = (
    "tenant",
    "org",
    "team_id",
    "key_name",
    "spend",
    "max_budget",
    "budget_duration",
    "budget_reset_at",
    "org_spend",
    "org_max_budget",
    "org_budget_duration",
    "percent_used",
    "alert",
    "binding_cap",
    "status",
    "can_edit",
    "provisioning",
    "state",
    "soft_budget",
)
# JSON adds every cap on the key's requests, which a CSV row has no room for.
TENANT_JSON_FIELDS = (*TENANT_FIELDS, "caps")
DAILY_FIELDS = ("date", "spend", "input_tokens", "output_tokens", "requests")
# A CSV has no place for a note, so every daily row says whether the month is partial: a
# script reading any row cannot mistake missing figures for a quiet day.
DAILY_CSV_FIELDS = (*DAILY_FIELDS, "partial")
_C1 = re.compile(r"[\x7f-\x9f]")


def percent(fraction: Decimal | None) -> float | None:
    return None if fraction is None else round(float(fraction * 100), 1)


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def tenant_status(tenant: Tenant) -> str:
    return status_word(
        tenant.alert,
        provisioning=tenant.provisioning,
        state=tenant.state,
        unmeasured=bool(tenant.unmeasured_caps),
    )


def cap_record(cap: ScopedCap) -> dict[str, Any]:
    """`name` is the model or the window's period; `spend` null where LiteLLM does not tell;
    `readable` false for a cap this key may not read (its amounts are then null)."""
    record: dict[str, Any] = {"scope": cap.scope.value}
    if cap.name is not None:
        record["name"] = cap.name
    record.update(
        {
            "max_budget": money_number(cap.max_budget),
            "spend": money_number(cap.spend),
            "duration": cap.duration,
            "reset_at": _instant(cap.reset_at),
            "readable": cap.readable,
        }
    )
    if not cap.readable:
        record["unreadable_reason"] = cap.unreadable_reason
    return record


def tenant_record(tenant: Tenant) -> dict[str, Any]:
    org_cap = tenant.org.cap if tenant.org else None
    return {
        "tenant": tenant.name,
        "org": tenant.org_name,
        "team_id": tenant.org.team_id if tenant.org else None,
        "key_name": tenant.key_name,
        "spend": money_number(tenant.cap.spend),
        "max_budget": money_number(tenant.cap.max_budget),
        "budget_duration": tenant.cap.budget_duration,
        "budget_reset_at": _instant(tenant.cap.budget_reset_at),
        "org_spend": money_number(org_cap.spend) if org_cap else None,
        "org_max_budget": money_number(org_cap.max_budget) if org_cap else None,
        "org_budget_duration": org_cap.budget_duration if org_cap else None,
        "percent_used": percent(tenant.fraction_used),
        "alert": tenant.alert.value,
        "binding_cap": tenant.binding.value,
        "status": tenant_status(tenant),
        "can_edit": tenant.can_edit,
        "provisioning": tenant.provisioning,
        "state": tenant.state.value if tenant.state else None,
        "soft_budget": money_number(tenant.soft_budget),
        "caps": [cap_record(cap) for cap in tenant.caps],
    }


def _budget_record(cap: Cap) -> dict[str, Any]:
    return {
        "max_budget": money_number(cap.max_budget),
        "spend": money_number(cap.spend),
        "remaining": money_number(cap.remaining),
        "budget_duration": cap.budget_duration,
        "budget_reset_at": _instant(cap.budget_reset_at),
    }


def usage_record(
    tenant: Tenant, usage: MonthUsage, litellm_version: str | None = None
) -> dict[str, Any]:
    """`litellm_version` is the release the figures came from (the proxy's `/openapi.json`):
    what a month holds, and for whom, differs between releases."""
    return {
        "litellm_version": litellm_version,
        "tenant": tenant.name,
        "org": tenant.org_name,
        "month": str(usage.month),
        "total_spend": money_number(usage.total_spend),
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "request_count": usage.request_count,
        "partial": usage.partial,
        "partial_reason": usage.partial_reason,
        "daily": [
            {
                "date": day.day.isoformat(),
                "spend": money_number(day.spend),
                "input_tokens": day.input_tokens,
                "output_tokens": day.output_tokens,
                "requests": day.requests,
            }
            for day in usage.daily
        ],
        "models": [
            {"model": m.model, "spend": money_number(m.spend), "requests": m.requests}
            for m in usage.models
        ],
        "budget": _budget_record(tenant.cap),
        "org_budget": _budget_record(tenant.org.cap) if tenant.org else None,
        "rate_limits": {"rpm": tenant.rpm_limit, "tpm": tenant.tpm_limit},
    }


def _json(value: Any) -> str:
    """Readable JSON (non-ASCII kept) in which no control character appears raw: `json` escapes
    C0 controls itself but leaves DEL and the C1 range (U+0080-U+009F, e.g. U+009B, a CSI on
    some terminals) as they are. Escaped, the output still decodes to the exact alias."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _C1.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def render_tenants(tenants: Sequence[Tenant], fmt: OutputFormat) -> str:
    records = [tenant_record(t) for t in tenants]
    if fmt == "json":
        return _json(records)
    if fmt == "csv":
        return _csv(TENANT_FIELDS, records)
    rows = [
        (
            t.name,
            t.org_name or "—",
            format_money(t.cap.spend),
            format_money(t.cap.max_budget),
            _used(t),
            t.binding.value,
            t.cap.budget_duration or "—",
            tenant_status(t),
        )
        for t in tenants
    ]
    header = ("TENANT", "ORG", "SPEND", "BUDGET", "USED", "BINDS", "DURATION", "STATUS")
    return _table(header, rows, right_aligned={2, 3, 4})


def render_usage(
    tenant: Tenant, usage: MonthUsage, fmt: OutputFormat, litellm_version: str | None = None
) -> str:
    record = usage_record(tenant, usage, litellm_version)
    if fmt == "json":
        return _json(record)
    if fmt == "csv":
        days = [{**day, "partial": usage.partial} for day in record["daily"]]
        return _csv(DAILY_CSV_FIELDS, days)
    title = f"{tenant.name} ({tenant.org_name or 'no org'}) — {usage.month}"
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
    table = _table(("DATE", "SPEND", "TOKENS IN", "TOKENS OUT", "REQUESTS"), rows, {1, 2, 3, 4})
    notes = [f"PARTIAL: {usage.partial_reason}"] if usage.partial else []
    return "\n".join([safe_text(title), "", table, *map(safe_text, notes)])


def _used(tenant: Tenant) -> str:
    value = percent(tenant.fraction_used)
    return "—" if value is None else f"{value:.1f}%"


def _csv(fields: Sequence[str], records: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_cell(record.get(k)) for k in fields})
    return buffer.getvalue().rstrip("\n")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON writes them, not Python's True/False
    if not isinstance(value, str):
        return value
    # CSV has no escapes, and it is printed to a terminal as often as it is saved: an alias's
    # control characters (an ESC sequence) would act on the terminal. They are replaced, as in
    # the table.
    value = printable(value)
    # A cell starting with = + - @ runs as a formula in a spreadsheet; aliases are user input.
    if value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


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
