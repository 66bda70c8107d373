"""The tenants table as data: filtered, grouped under orgs, sorted. Pure, so the screen only
draws what this returns and tests can check order without a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from budgettui.domain.budget import Projection, pace_basis, project
from budgettui.domain.display import status_word
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


def _sort_value(sort: SortKey) -> Callable[[Row, str], tuple[object, ...]]:
    """A row's sort key, given its name already casefolded."""

    def value(row: Row, name: str) -> tuple[object, ...]:
        tenant = row.tenant
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


class TenantRows:
    """Every tenant's row, built once per change of the data; filtering and sorting then work on
    plain lists (a keystroke at 20,000 tenants is a pass over precomputed text, never a rebuild of
    projections or names). Rows can be added as pages land and month-to-date spend filled in as
    it comes: the table streams in."""

    def __init__(
        self,
        tenants: Iterable[Tenant] = (),
        *,
        month_to_date: Mapping[str, Decimal] | None = None,
        today: date,
        now: datetime | None = None,
    ) -> None:
        self.today, self.now = today, now
        self.month_to_date: Mapping[str, Decimal] | None = month_to_date
        self.rows: list[Row] = []
        self._haystacks: list[str] = []
        self._names: list[str] = []
        self._orders: dict[tuple[SortKey, bool], list[int]] = {}
        self.add(tenants)

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, tenants: Iterable[Tenant]) -> None:
        for tenant in tenants:
            self.rows.append(
                Row(tenant, projection_for(tenant, self.month_to_date, self.today, self.now))
            )
            self._names.append(tenant.name.casefold())
            self._haystacks.append(search_text(tenant))
        self._orders.clear()

    def set_month_to_date(
        self, month_to_date: Mapping[str, Decimal] | None, keys: Iterable[str] | None = None
    ) -> None:
        """New month-to-date figures: the runway of the rows of `keys` (all rows when None)."""
        self.month_to_date = month_to_date
        wanted = None if keys is None else set(keys)
        for index, row in enumerate(self.rows):
            tenant = row.tenant
            if wanted is None or tenant.key_hash in wanted:
                projection = projection_for(tenant, month_to_date, self.today, self.now)
                self.rows[index] = Row(tenant, projection)
        self._orders.clear()

    def _order(self, sort: SortKey, reverse: bool) -> list[int]:
        """Row indexes in display order, kept until the data changes. Orgs follow their first
        row in this order (so sorting by used % brings the org with the hottest tenant first);
        by name, orgs go alphabetically with keys that have no org last."""
        cached = self._orders.get((sort, reverse))
        if cached is not None:
            return cached
        descending = (sort in DESCENDING_BY_DEFAULT) != reverse
        value = _sort_value(sort)
        names, rows = self._names, self.rows
        if sort is SortKey.TENANT:
            keys = [(*_org_order(row.tenant.org), names[i]) for i, row in enumerate(rows)]
        else:
            keys = [value(row, names[i]) for i, row in enumerate(rows)]
        order = sorted(range(len(rows)), key=keys.__getitem__, reverse=descending)
        self._orders[(sort, reverse)] = order
        return order

    def groups(
        self, query: str = "", sort: SortKey = SortKey.TENANT, reverse: bool = False
    ) -> list[Group]:
        needle = query.strip().casefold()
        haystacks, rows = self._haystacks, self.rows
        by_org: dict[str | None, Group] = {}
        for index in self._order(sort, reverse):
            if needle and needle not in haystacks[index]:
                continue
            row = rows[index]
            org = row.tenant.org
            org_id = org.team_id if org else None
            group = by_org.get(org_id)
            if group is None:
                group = by_org[org_id] = Group(org, [])
            group.rows.append(row)
        return list(by_org.values())


def _org_order(org: Org | None) -> tuple[object, ...]:
    return (org is None, org.name.casefold() if org else "", org.team_id if org else "")


def search_text(tenant: Tenant) -> str:
    """What the filter looks in: the tenant's and the org's names and the status word, so that
    `exceeded` or `warning` lists those tenants."""
    status = status_word(
        tenant.alert,
        provisioning=tenant.provisioning,
        state=tenant.state,
        unmeasured=bool(tenant.unmeasured_caps),
    )
    return "\n".join((tenant.name, tenant.org_name or "", status)).casefold()


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
    """Tenants sorted within their org; orgs ordered by their first tenant under the same sort."""
    rows = TenantRows(tenants, month_to_date=month_to_date, today=today, now=now)
    return rows.groups(query, sort, reverse)
