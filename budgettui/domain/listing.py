"""The tenants table as data: filtered, grouped under orgs, sorted. Pure, so the screen only
draws what this returns and tests can check order without a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from budgettui.domain.budget import Projection, pace_basis, project
from budgettui.domain.display import tenant_status_word
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
        self._by_key: dict[str, list[int]] = {}
        # Each sort's key of every row, built the first time that sort is asked for.
        self._sort_keys: dict[SortKey, list[tuple[object, ...]]] = {}
        self._orders: dict[tuple[SortKey, bool], list[int]] = {}
        # The last filter's matches: typing on narrows them rather than all rows again.
        self._last: tuple[str, SortKey, bool, list[int]] | None = None
        self.add(tenants)

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, tenants: Iterable[Tenant]) -> list[Row]:
        """The rows of these tenants, added; returns them (the table measures only those)."""
        added = []
        for tenant in tenants:
            row = Row(tenant, projection_for(tenant, self.month_to_date, self.today, self.now))
            index = len(self.rows)
            self.rows.append(row)
            self._names.append(tenant.name.casefold())
            self._haystacks.append(search_text(tenant))
            if tenant.key_hash is not None:
                self._by_key.setdefault(tenant.key_hash, []).append(index)
            for sort, keys in self._sort_keys.items():
                keys.append(self._sort_key(sort, index))
            added.append(row)
        self._changed()
        return added

    def set_month_to_date(
        self, month_to_date: Mapping[str, Decimal] | None, keys: Iterable[str] | None = None
    ) -> list[Row]:
        """New month-to-date figures: the runway of the rows of `keys` (all rows when None).
        Returns the rows that changed."""
        self.month_to_date = month_to_date
        if keys is None:
            indexes: Iterable[int] = range(len(self.rows))
        else:
            indexes = [i for key in keys for i in self._by_key.get(key, ())]
        changed = []
        runway_keys = self._sort_keys.get(SortKey.RUNWAY)
        for index in indexes:
            tenant = self.rows[index].tenant
            row = Row(tenant, projection_for(tenant, month_to_date, self.today, self.now))
            self.rows[index] = row
            if runway_keys is not None:
                runway_keys[index] = self._sort_key(SortKey.RUNWAY, index)
            changed.append(row)
        self._changed()
        return changed

    def _changed(self) -> None:
        self._orders.clear()
        self._last = None

    def _sort_key(self, sort: SortKey, index: int) -> tuple[object, ...]:
        row = self.rows[index]
        if sort is SortKey.TENANT:
            return (*_org_order(row.tenant.org), self._names[index])
        return _sort_value(sort)(row, self._names[index])

    def _order(self, sort: SortKey, reverse: bool) -> list[int]:
        """Row indexes in display order, kept until the data changes. Orgs follow their first
        row in this order (so sorting by used % brings the org with the hottest tenant first);
        by name, orgs go alphabetically with keys that have no org last."""
        cached = self._orders.get((sort, reverse))
        if cached is not None:
            return cached
        keys = self._sort_keys.get(sort)
        if keys is None:
            keys = self._sort_keys[sort] = [self._sort_key(sort, i) for i in range(len(self.rows))]
        descending = (sort in DESCENDING_BY_DEFAULT) != reverse
        order = sorted(range(len(self.rows)), key=keys.__getitem__, reverse=descending)
        self._orders[(sort, reverse)] = order
        return order

    def groups(
        self, query: str = "", sort: SortKey = SortKey.TENANT, reverse: bool = False
    ) -> list[Group]:
        needle = query.strip().casefold()
        order = self._order(sort, reverse)
        matches = order
        if needle:
            candidates = order
            last = self._last
            if last is not None and last[1:3] == (sort, reverse) and needle.startswith(last[0]):
                candidates = last[3]  # typing on: only what the shorter filter matched
            haystacks = self._haystacks
            matches = [index for index in candidates if needle in haystacks[index]]
            self._last = (needle, sort, reverse, matches)
        rows = self.rows
        by_org: dict[str | None, Group] = {}
        for index in matches:
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
    status = tenant_status_word(tenant)
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
