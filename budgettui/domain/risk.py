"""Which tenants and orgs are at risk, worst first: the data behind `budgettui check` and the
dashboard's "at risk" view. Pure: the caps, alerts and runways come from `domain.tenants`,
`domain.caps` and `domain.budget`; this module only picks, words and orders them.

A row is at risk when the cap that binds first is used to the warning threshold or beyond, when
LiteLLM refuses it whatever its money (blocked, expired), or, when asked, when its pace uses the
cap up within N days. A tenant still provisioning has no key to refuse: it is never at risk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from budgettui.domain.budget import (
    CRITICAL_THRESHOLD,
    DEFAULT_WARNING_THRESHOLD,
    Alert,
    BindingCap,
    Projection,
    pace_basis,
    project,
)
from budgettui.domain.caps import CapScope, ScopedCap, StopState, binding_of, cap_alert
from budgettui.domain.listing import projection_for
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Org, Tenant
from budgettui.domain.usage import Month


class RiskError(ValueError):
    """Thresholds that cannot be used; the message names the rule."""


class RiskLevel(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


class RiskKind(StrEnum):
    TENANT = "tenant"
    ORG = "org"


class RiskStatus(StrEnum):
    """Why a row is listed. The first three are refusals already happening."""

    EXCEEDED = "exceeded"
    BLOCKED = "blocked"
    EXPIRED = "expired"
    CRITICAL = "critical"
    WARNING = "warning"
    RUNWAY = "runway"  # under the warning threshold, but the pace runs the cap out soon


_LEVEL = {
    RiskStatus.EXCEEDED: RiskLevel.CRITICAL,
    RiskStatus.BLOCKED: RiskLevel.CRITICAL,
    RiskStatus.EXPIRED: RiskLevel.CRITICAL,
    RiskStatus.CRITICAL: RiskLevel.CRITICAL,
    RiskStatus.WARNING: RiskLevel.WARNING,
    RiskStatus.RUNWAY: RiskLevel.WARNING,
}
# Worst first: refused now, then critical, then warning (a runway warning with them).
_RANK = {
    RiskStatus.EXCEEDED: 0,
    RiskStatus.BLOCKED: 0,
    RiskStatus.EXPIRED: 0,
    RiskStatus.CRITICAL: 1,
    RiskStatus.WARNING: 2,
    RiskStatus.RUNWAY: 2,
}


def percent_text(fraction: Decimal) -> str:
    """A threshold as typed: 0.8 → "80 %", 0.925 → "92.5 %"."""
    return f"{float(fraction * 100):g} %"


@dataclass(frozen=True)
class Thresholds:
    """Fractions of the binding cap (0.8 = 80 %); `runway_days` None: runways are not checked."""

    warning: Decimal = DEFAULT_WARNING_THRESHOLD
    critical: Decimal = CRITICAL_THRESHOLD
    runway_days: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.warning < self.critical <= 1:
            raise RiskError(
                f"the warning threshold ({percent_text(self.warning)}) must be below the critical "
                f"one ({percent_text(self.critical)}), both from 1 to 100 %"
            )
        if self.runway_days is not None and self.runway_days < 0:
            raise RiskError("the runway must be 0 days or more")


@dataclass(frozen=True)
class AtRisk:
    """One row of the list. `org` is the org itself on an org row, the tenant's org on a tenant
    row. `cap` is the cap that binds first (None when only a refusal lists the row);
    `runway_date` the day the pace uses it up, when month-to-date spend was given."""

    kind: RiskKind
    name: str
    status: RiskStatus
    reason: str
    binding: BindingCap
    cap: ScopedCap | None
    runway_date: date | None
    tenant: Tenant | None = None
    org: Org | None = None

    @property
    def level(self) -> RiskLevel:
        return _LEVEL[self.status]

    @property
    def fraction_used(self) -> Decimal | None:
        return self.cap.fraction_used if self.cap else None


def at_risk(
    tenants: Iterable[Tenant],
    thresholds: Thresholds,
    *,
    today: date,
    month_to_date: Mapping[str, Decimal] | None = None,
    now: datetime | None = None,
) -> list[AtRisk]:
    """Every tenant and every org at risk, worst first: refusals (exceeded, blocked, expired),
    then critical, then warning; within each the most used first, then the soonest runway.
    `month_to_date` (spend by key hash, as `services.loading.load_runway_spend` reads it) is
    what runways are paced on; without it no runway is told."""
    tenants = list(tenants)
    rows: list[AtRisk] = []
    for tenant in tenants:
        if tenant.provisioning:
            continue
        projection = projection_for(tenant, month_to_date, today, now)
        row = _assess(
            RiskKind.TENANT,
            tenant.name,
            tenant.binding_scoped_cap,
            tenant.alert,
            _tenant_refusal(tenant),
            projection,
            thresholds,
            today,
        )
        if row is not None:
            rows.append(replace(row, tenant=tenant, org=tenant.org))
    for org, members in _orgs(tenants):
        scoped = binding_of(org.caps)
        row = _assess(
            RiskKind.ORG,
            org.name,
            scoped,
            cap_alert(scoped, thresholds.warning),
            (RiskStatus.BLOCKED, "org blocked") if org.blocked else None,
            _org_projection(scoped, members, month_to_date, today, now),
            thresholds,
            today,
        )
        if row is not None:
            rows.append(replace(row, org=org))
    return sorted(rows, key=_worst_first)


def _orgs(tenants: list[Tenant]) -> list[tuple[Org, list[Tenant]]]:
    """Each readable org once, with its tenants that have a key (whose spend paces it)."""
    orgs: dict[str, tuple[Org, list[Tenant]]] = {}
    for tenant in tenants:
        if tenant.org is None or not tenant.org.readable:
            continue
        _, members = orgs.setdefault(tenant.org.team_id, (tenant.org, []))
        if tenant.key_hash is not None:
            members.append(tenant)
    return list(orgs.values())


def _tenant_refusal(tenant: Tenant) -> tuple[RiskStatus, str] | None:
    """A key LiteLLM refuses whatever its budgets say, and in words whose doing it is."""
    if tenant.state is StopState.BLOCKED:
        whose = "org" if tenant.org is not None and tenant.org.blocked else "key"
        return RiskStatus.BLOCKED, f"{whose} blocked"
    if tenant.state is StopState.EXPIRED:
        when = f" {tenant.expires.date().isoformat()}" if tenant.expires else ""
        return RiskStatus.EXPIRED, f"key expired{when}"
    return None


def _org_projection(
    cap: ScopedCap | None,
    members: list[Tenant],
    month_to_date: Mapping[str, Decimal] | None,
    today: date,
    now: datetime | None,
) -> Projection | None:
    """The org's cap paced on the month-to-date spend of all its keys together: each key's own
    pace against the org's cap (the tenant's runway) would promise days the org does not have.
    Only keys this credential sees are summed; an admin sees them all."""
    budget = cap.as_cap if cap else None
    if month_to_date is None or budget is None:
        return None
    spend = sum(
        (month_to_date.get(t.key_hash, Decimal(0)) for t in members if t.key_hash), Decimal(0)
    )
    month = Month.of(today)
    spent, since = pace_basis(budget, spend, month.start, None)
    reset_on = budget.budget_reset_at.date() if budget.budget_reset_at else None
    return project(spent, today, month.last_day, budget.remaining, reset_on, since=since, now=now)


def _assess(
    kind: RiskKind,
    name: str,
    cap: ScopedCap | None,
    alert: Alert,
    refusal: tuple[RiskStatus, str] | None,
    projection: Projection | None,
    thresholds: Thresholds,
    today: date,
) -> AtRisk | None:
    runway = projection.runway_date if projection else None
    runs_out_soon = (
        runway is not None
        and thresholds.runway_days is not None
        and (runway - today).days <= thresholds.runway_days
    )
    reasons: list[str] = []
    status: RiskStatus | None = None
    if refusal is not None:
        status, words = refusal
        reasons.append(words)
    used = _used_status(cap, alert, thresholds)
    if used is not None and cap is not None:
        status = status or used
        reasons.append(_used_words(cap, used))
    # A row already refused has run out: its runway would only repeat it.
    refused = status is not None and _RANK[status] == 0
    if runs_out_soon and runway is not None and not refused:
        status = status or RiskStatus.RUNWAY
        reasons.append(f"runs out {'today' if runway <= today else runway.isoformat()}")
    if status is None:
        return None
    binding = cap.binding_label if cap else BindingCap.NONE
    return AtRisk(kind, name, status, ", ".join(reasons), binding, cap, runway)


def _used_status(cap: ScopedCap | None, alert: Alert, thresholds: Thresholds) -> RiskStatus | None:
    """Exceeded where the alert says LiteLLM refuses (a team exactly at its cap does not), else
    the fraction against these thresholds (the alert's own critical line is fixed at 90 %)."""
    fraction = cap.fraction_used if cap else None
    if fraction is None:
        return None
    if alert is Alert.EXCEEDED:
        return RiskStatus.EXCEEDED
    if fraction >= thresholds.critical:
        return RiskStatus.CRITICAL
    if fraction >= thresholds.warning:
        return RiskStatus.WARNING
    return None


def cap_words(cap: ScopedCap) -> str:
    """Whose budget a cap is, as a sentence names it: "key budget", "owner's user budget"."""
    match cap.scope:
        case CapScope.KEY:
            return "key budget"
        case CapScope.TEAM:
            return "org budget"
        case CapScope.USER:
            return "owner's user budget"
        case CapScope.TEAM_MEMBER:
            return "owner's member budget in the org"
        case CapScope.WINDOW:
            return f"{cap.name} window budget"
        case CapScope.MODEL:
            return f"{cap.name} model budget"


def _used_words(cap: ScopedCap, status: RiskStatus) -> str:
    """ "93 % of $1,000.00 key budget"; the percentage is cut, never rounded, so that 89.6 %
    under a 90 % critical line does not read "90 %"."""
    if status is RiskStatus.EXCEEDED:
        spent = f"{format_money(cap.spend)} of {format_money(cap.max_budget)}"
        return f"{cap_words(cap)} exceeded ({spent})"
    fraction = cap.fraction_used or Decimal(0)
    return f"{int(fraction * 100)} % of {format_money(cap.max_budget)} {cap_words(cap)}"


def _worst_first(row: AtRisk) -> tuple[object, ...]:
    fraction = row.fraction_used
    return (
        _RANK[row.status],
        fraction is None,
        -(fraction or Decimal(0)),
        row.runway_date is None,
        row.runway_date or date.max,
        row.kind is RiskKind.ORG,
        row.name.casefold(),
    )
