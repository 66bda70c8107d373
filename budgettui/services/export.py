"""Tenants and a month's usage as records, CSV and JSON: one code for the headless
`tenants`/`usage --csv/--json` and for the dashboard's export (`e`) and copy (`y`).

The JSON field names are a contract with users' scripts (snake_case, money as numbers): change
them only by adding fields. An export file holds exactly what the headless command prints.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from budgettui.domain.budget import Cap
from budgettui.domain.caps import ScopedCap
from budgettui.domain.display import tenant_status_word
from budgettui.domain.listing import Group
from budgettui.domain.money import money_number
from budgettui.domain.tenants import Tenant, printable
from budgettui.domain.usage import MonthUsage
from budgettui.errors import BudgettuiError

ExportFormat = Literal["csv", "json"]

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
# Tenant names and spend are the organisation's business: an export is readable by its owner
# only, as the journal is; `chmod` shares it deliberately.
FILE_MODE: Final = 0o600
_C1 = re.compile(r"[\x7f-\x9f]")
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
NAME_PART_LENGTH: Final = 60  # a tenant or host part of a file name, at most


class ExportError(BudgettuiError):
    """The export file could not be written; the message says which file and why."""

    default_title = "Export"


# -- records --------------------------------------------------------------------------------


def percent(fraction: Decimal | None) -> float | None:
    return None if fraction is None else round(float(fraction * 100), 1)


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


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
        "status": tenant_status_word(tenant),
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


# -- text -----------------------------------------------------------------------------------


def tenants_text(tenants: Sequence[Tenant], fmt: ExportFormat) -> str:
    """What `budgettui tenants --csv/--json` prints (without the final newline)."""
    records = [tenant_record(t) for t in tenants]
    return json_text(records) if fmt == "json" else csv_text(TENANT_FIELDS, records)


def usage_text(
    tenant: Tenant, usage: MonthUsage, fmt: ExportFormat, litellm_version: str | None = None
) -> str:
    """What `budgettui usage --csv/--json` prints (without the final newline): the whole
    record in JSON, the days in CSV."""
    record = usage_record(tenant, usage, litellm_version)
    if fmt == "json":
        return json_text(record)
    days = [{**day, "partial": usage.partial} for day in record["daily"]]
    return csv_text(DAILY_CSV_FIELDS, days)


def json_text(value: Any) -> str:
    """Readable JSON (non-ASCII kept): an object one member a line, an array one element a line,
    each element whole on its line (a tenant, a day, a cap), so a list of 20,000 tenants is
    20,000 lines that `grep` can pick from. It is also fast: `json.dumps(..., indent=2)` drops
    CPython's C encoder for the pure-Python one (a quarter of `tenants --json` at 20,000
    tenants); here the C encoder writes every element and plain member.

    No control character appears raw: `json` escapes C0 controls itself but leaves DEL and the
    C1 range (U+0080-U+009F, e.g. U+009B, a CSI on some terminals) as they are. Escaped, the
    output still decodes to the exact alias."""
    return _C1.sub(lambda match: f"\\u{ord(match.group()):04x}", _spread(value, 0))


_JSON_INDENT: Final = "  "
_json_compact = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder: no `indent`


def _spread(value: Any, level: int) -> str:
    """`value` `level` containers deep: an object's members on lines of their own, an array's
    elements each whole on its line."""
    if isinstance(value, dict) and value:
        lines = [f"{_json_compact(key)}: {_spread(item, level + 1)}" for key, item in value.items()]
        opening, closing = "{", "}"
    elif isinstance(value, list | tuple) and value:
        lines = [_json_compact(item) for item in value]
        opening, closing = "[", "]"
    else:  # a plain value, `{}` or `[]`
        return _json_compact(value)
    inner = "\n" + _JSON_INDENT * (level + 1)
    return f"{opening}{inner}{(',' + inner).join(lines)}\n{_JSON_INDENT * level}{closing}"


def csv_text(fields: Sequence[str], records: Sequence[dict[str, Any]]) -> str:
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


def copy_text(tenant: Tenant) -> str:
    """What `y` puts on the clipboard: alias, key name, team id, tab-separated (a spreadsheet
    splits them into cells, `cut -f` into fields), a field left empty where there is none.
    `key_name` is the masked form LiteLLM gives (`sk-...abcd`), never the key itself."""
    fields = (tenant.name, tenant.key_name, tenant.org.team_id if tenant.org else None)
    return "\t".join(printable(field or "") for field in fields)


# -- files ----------------------------------------------------------------------------------


def export_tenants(
    groups: Sequence[Group],
    fmt: ExportFormat,
    *,
    host: str,
    now: datetime,
    directory: Path | None = None,
) -> Path:
    """The tenants as the table shows them (filtered, grouped, sorted: `groups` in order) to
    `budgettui-tenants-<host>-<YYYYmmdd-HHMMSS>.<fmt>` in `directory` (default the current
    one); `now` is the admin's local time. Returns the path written."""
    tenants = [row.tenant for group in groups for row in group.rows]
    stem = f"budgettui-tenants-{safe_name_part(host)}-{now:%Y%m%d-%H%M%S}"
    return write_new_file(directory or Path.cwd(), stem, fmt, tenants_text(tenants, fmt))


def export_usage(
    tenant: Tenant,
    usage: MonthUsage,
    fmt: ExportFormat,
    *,
    now: datetime,
    directory: Path | None = None,
    litellm_version: str | None = None,
) -> Path:
    """The month shown to `budgettui-usage-<tenant>-<YYYY-MM>-<YYYYmmdd-HHMMSS>.<fmt>`; as
    `export_tenants` otherwise."""
    stem = f"budgettui-usage-{safe_name_part(tenant.name)}-{usage.month}-{now:%Y%m%d-%H%M%S}"
    text = usage_text(tenant, usage, fmt, litellm_version)
    return write_new_file(directory or Path.cwd(), stem, fmt, text)


def safe_name_part(text: str) -> str:
    """A name (an alias, `host:port`) as part of a file name on any system: ASCII letters,
    digits, `.`, `_` and `-` kept, every other run of characters a `-` (so no `/`, no `..`
    path, no control character), at most NAME_PART_LENGTH long."""
    part = _UNSAFE_IN_FILE_NAME.sub("-", text).strip(".-")[:NAME_PART_LENGTH].strip(".-")
    return part or "unnamed"


def write_new_file(directory: Path, stem: str, suffix: str, text: str) -> Path:
    """`text` (and a final newline, as the command prints it) to `<stem>.<suffix>`, or
    `<stem>-2.<suffix>`, `-3`, … if that exists: never over a file. Created exclusively, so a
    file that appears meanwhile is not overwritten either."""
    data = (text + "\n").encode("utf-8")
    number = 0
    while True:
        number += 1
        path = directory / f"{stem}{'' if number == 1 else f'-{number}'}.{suffix}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            continue
        except OSError as error:
            raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
        except OSError as error:
            path.unlink(missing_ok=True)  # no half a file left behind to be mistaken for all
            raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
        return path
