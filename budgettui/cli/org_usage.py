"""`budgettui usage --org NAME`: one org's month, shaped like `usage NAME`."""

from __future__ import annotations

from decimal import Decimal

from budgettui.cli.output import OutputFormat, render_org_usage
from budgettui.domain.usage import Month, MonthUsage
from budgettui.proxy.client import LiteLLMClient
from budgettui.services.loading import Overview
from budgettui.services.org_loading import load_org_month, org_tenants, resolve_org


async def org_usage(
    client: LiteLLMClient,
    overview: Overview,
    name: str,
    month: Month,
    fmt: OutputFormat,
    threshold: Decimal,
) -> tuple[str, MonthUsage]:
    """The text to print and the month it tells (for the exit code and the notes). An org needs
    the whole listing: its tenants are every key of the team the caller may see."""
    org = resolve_org(overview, name)
    loaded = await load_org_month(client, overview.caller, org, org_tenants(overview, org), month)
    version = (await client.capabilities()).version
    return render_org_usage(loaded, fmt, threshold, version), loaded.usage
