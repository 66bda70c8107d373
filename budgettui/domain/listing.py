"""The tenants table as data: filtered, grouped under orgs, sorted. Pure, so the screen only
draws what this returns and tests can check order without a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from budgettui.domain.budget import Projection, pace_basis, project
from budgettui.domain.tenants import Org, Tenant
from budgettui.domain.usage import Month


class SortKey(StrEnum):
    TENANT = "tenant"
    SPEND = "spend"
    USED = "used"
    RUNWAY = "runway"

    def next(self) -> SortKey:
        order = list(SortKey)
        return order[(order.index(self) + 1) % len(order)]


# Spend and used % read best most-first; names and runway (soonest first) ascending.
DESCENDING_BY_DEFAULT = frozenset({SortKey.SPEND, SortKey.USED})


@dataclass(frozen=True)
class Row:
    tenant: Tenant
    projection: Projection | None  # None when month-to-date spend is unknown


@dataclass(frozen=True)
class Group:
    org: Org | None
    rows: list[Row]


def matches(tenant: Tenant, query: str) -> bool:
    """Case-insensitive substring of the tenant's or the org's name."""
    needle = query.strip().casefold()
    if not needle:
        return True
    return needle in tenant.name.casefold() or needle in (tenant.org_name or "").casefold()


def projection_for(
    tenant: Tenant,
    month_to_date: Mapping[str, Decimal] | None,
    today: date,
    now: datetime | None = None,
) -> Projection | None:
    """The pace of the tenant's month against the cap that binds first, counted from the key's
    creation when that is later than the month's first day (a key made yesterday is not spread
    over the month); with `now`, a key under a day old gets no runway."""
    if month_to_date is None or tenant.key_hash is None:
        return None
    cap = tenant.binding_cap_value
    spend = month_to_date.get(tenant.key_hash, Decimal(0))
    month = Month.of(today)
    reset_on = cap.budget_reset_at.date() if cap and cap.budget_reset_at else None
    spent, since = pace_basis(cap, spend, month.start, tenant.created_at)
    return project(
        spent, today, month.last_day, cap.remaining if cap else None, reset_on, since=since, now=now
    )


def _runway_rank(row: Row) -> tuple[int, date]:
    """Dated runways first, soonest first; then caps this pace never reaches, then caps that
    reset before it would, then tenants with nothing to run out of (no cap, no figures)."""
    projection = row.projection
    if projection is None or row.tenant.binding_cap_value is None:
        return (3, date.max)
    if projection.runway_date is not None:
        return (0, projection.runway_date)
    return (2, date.max) if projection.resets_first else (1, date.max)


def _sort_value(sort: SortKey) -> Callable[[Row], tuple[object, ...]]:
    def value(row: Row) -> tuple[object, ...]:
        tenant = row.tenant
        name = tenant.name.casefold()
        match sort:
            case SortKey.TENANT:
                return (name,)
            case SortKey.SPEND:
                return (tenant.cap.spend, name)
            case SortKey.USED:
                fraction = tenant.fraction_used
                return (fraction is not None, fraction or Decimal(0), name)
            case SortKey.RUNWAY:
                return (*_runway_rank(row), name)

    return value


def build_groups(
    tenants: Iterable[Tenant],
    *,
    query: str = "",
    sort: SortKey = SortKey.TENANT,
    reverse: bool = False,
    month_to_date: Mapping[str, Decimal] | None = None,
    today: date,
    now: datetime | None = None,
) -> list[Group]:
    """Tenants sorted within their org; orgs ordered by their first tenant under the same sort,
    so sorting by used % brings the org with the hottest tenant to the top."""
    descending = (sort in DESCENDING_BY_DEFAULT) != reverse
    by_org: dict[str | None, list[Row]] = {}
    orgs: dict[str | None, Org | None] = {}
    for tenant in tenants:
        if not matches(tenant, query):
            continue
        org_id = tenant.org.team_id if tenant.org else None
        orgs.setdefault(org_id, tenant.org)
        by_org.setdefault(org_id, []).append(
            Row(tenant, projection_for(tenant, month_to_date, today, now))
        )
    key = _sort_value(sort)
    groups = [
        Group(orgs[org_id], sorted(rows, key=key, reverse=descending))
        for org_id, rows in by_org.items()
    ]
    if sort is SortKey.TENANT:
        # Alphabetical by org, with keys that have no org last, as `tenants` prints them.
        groups.sort(
            key=lambda g: (g.org is None, (g.org.name if g.org else "").casefold()),
            reverse=reverse,
        )
    else:
        groups.sort(key=lambda g: key(g.rows[0]), reverse=descending)
    return groups
