"""Tenants and orgs assembled from LiteLLM's teams and keys, as the caller may see them.

A tenant is a virtual key named by its `key_alias`; its org is the team that owns the key. A team
with no key yet is a tenant "still provisioning". A key with no team is a tenant with no org.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD, Alert, BindingCap, Cap
from budgettui.domain.caps import (
    CapReadings,
    CapScope,
    ScopedCap,
    StopState,
    binding_of,
    cap_alert,
    key_own_caps,
    member_cap,
    owner_cap,
    soft_budget,
    stop_state,
    team_window_caps,
)
from budgettui.proxy.models import Caller, Key, Team

ADMIN_ROLES = frozenset({"proxy_admin"})
VIEWER_ROLES = frozenset({"proxy_admin_viewer", "internal_user_viewer"})
# Roles that may read every team and key (LiteLLM's "admin view").
SEE_ALL_ROLES = frozenset({"proxy_admin", "proxy_admin_viewer"})


# A key's team that the caller may not list: its caps are there, but not for us to read.
TEAM_UNREADABLE = "LiteLLM does not list this team to this key"


def _own_cap(scope: CapScope, cap: Cap) -> tuple[ScopedCap, ...]:
    """The key's or the team's own cap among a tenant's caps; nothing when it has none."""
    if cap.max_budget is None:
        return ()
    return (ScopedCap(scope, cap.max_budget, cap.spend, cap.budget_duration, cap.budget_reset_at),)


@dataclass(frozen=True)
class Org:
    team_id: str
    name: str
    cap: Cap
    rpm_limit: int | None = None
    tpm_limit: int | None = None
    can_edit: bool = False
    blocked: bool = False
    readable: bool = True  # False: a key's team the caller may not list
    windows: tuple[ScopedCap, ...] = ()  # the team's `budget_limits`

    @property
    def caps(self) -> tuple[ScopedCap, ...]:
        if not self.readable:
            return (ScopedCap.unreadable(CapScope.TEAM, TEAM_UNREADABLE),)
        own = _own_cap(CapScope.TEAM, self.cap)
        return (*own, *self.windows)


@dataclass(frozen=True)
class Tenant:
    name: str
    key_hash: str | None  # None while provisioning
    key_name: str | None
    org: Org | None
    cap: Cap
    user_id: str | None = None
    rpm_limit: int | None = None
    tpm_limit: int | None = None
    can_edit: bool = False  # the key's budget and duration
    can_reset: bool = False  # the key's spend
    usage_visible: bool = True  # whether LiteLLM shows this caller the key's usage
    provisioning: bool = False
    threshold: Decimal = DEFAULT_WARNING_THRESHOLD
    # Caps beyond the key's and the team's: the owner's, the member's, windows, models.
    other_caps: tuple[ScopedCap, ...] = ()
    soft_budget: Decimal | None = None  # an alert threshold in LiteLLM, never a refusal
    state: StopState | None = None  # blocked or expired: refused whatever the budgets say
    created_at: datetime | None = None
    expires: datetime | None = None

    # Cached: a frozen tenant's caps never change, and the table reads these for every row on
    # every sort and filter (at 20,000 tenants recomputing them was most of a keystroke).
    @cached_property
    def caps(self) -> tuple[ScopedCap, ...]:
        """Every cap on the key's requests, the key's first (it wins a tie)."""
        own = _own_cap(CapScope.KEY, self.cap)
        return (*own, *(self.org.caps if self.org else ()), *self.other_caps)

    @cached_property
    def binding_scoped_cap(self) -> ScopedCap | None:
        """The cap LiteLLM will hit first, of those whose spend can be read."""
        return binding_of(self.caps)

    @cached_property
    def unmeasured_caps(self) -> tuple[ScopedCap, ...]:
        """Caps that may refuse this tenant but cannot be compared: unreadable to this key, or
        with a spend LiteLLM does not tell."""
        return tuple(c for c in self.caps if not c.measurable)

    @cached_property
    def binding(self) -> BindingCap:
        scoped = self.binding_scoped_cap
        return scoped.binding_label if scoped else BindingCap.NONE

    @cached_property
    def binding_cap_value(self) -> Cap | None:
        scoped = self.binding_scoped_cap
        return scoped.as_cap if scoped else None

    @cached_property
    def fraction_used(self) -> Decimal | None:
        scoped = self.binding_scoped_cap
        return scoped.fraction_used if scoped else None

    @cached_property
    def alert(self) -> Alert:
        """How close the money is to a refusal; `state` says when the key is refused anyway."""
        return cap_alert(self.binding_scoped_cap, self.threshold)

    @property
    def org_name(self) -> str | None:
        return self.org.name if self.org else None


def is_read_only(caller: Caller) -> bool:
    """A viewer, or a caller LiteLLM gave no role, may look but never write."""
    return caller.user_role is None or caller.user_role in VIEWER_ROLES


def is_team_admin(caller: Caller, team: Team) -> bool:
    return any(
        member.user_id == caller.user_id and member.role == "admin"
        for member in team.members_with_roles
    )


def may_reset_key(caller: Caller, team: Team | None) -> bool:
    """Spend resets: proxy admins, and team admins on any key of their team."""
    if caller.user_role in ADMIN_ROLES:
        return True
    if is_read_only(caller) or team is None:
        return False
    return is_team_admin(caller, team)


def may_edit_key(caller: Caller, team: Team | None, key: Key) -> bool:
    """Budget edits: proxy admins; team admins on the team's service-account keys and their
    own, not on other members' keys (LiteLLM 1.108.7 answers 403 unless the proxy enables
    `member_key_budgets`). A plain member's own key is not editable either: LiteLLM refuses
    budget changes by key owners unless a self-serve policy says otherwise, which a client
    cannot read."""
    if not may_reset_key(caller, team):
        return False
    if caller.user_role in ADMIN_ROLES:
        return True
    return key.user_id is None or key.user_id == caller.user_id


def may_see_usage(caller: Caller, team: Team | None, key: Key) -> bool:
    """LiteLLM lists a team's service-account keys to its members, but answers their usage
    queries with nothing: only admin views, the team's admins and the key's owner see it."""
    if caller.user_role in SEE_ALL_ROLES:
        return True
    if key.user_id is not None and key.user_id == caller.user_id:
        return True
    return team is not None and is_team_admin(caller, team)


def may_edit_org(caller: Caller, team: Team) -> bool:
    """Team budgets: LiteLLM lets team admins change no team field unless the proxy lists it in
    `team_admin_editable_team_fields` (empty by default), so only proxy admins are offered it,
    unless the proxy said otherwise in `caller_edit_access` (from `/team/info`)."""
    if caller.user_role in ADMIN_ROLES:
        return True
    access = team.caller_edit_access
    if access is None or is_read_only(caller):
        return False
    return access.kind == "unrestricted" or (
        access.kind == "team_admin" and "max_budget" in access.editable_fields
    )


def printable(name: str) -> str:
    """Control characters in a name would move a terminal's cursor or recolour it (ESC
    sequences); they are shown as U+FFFD instead."""
    return "".join(
        "\N{REPLACEMENT CHARACTER}" if unicodedata.category(ch) == "Cc" else ch for ch in name
    )


def org_display_name(team: Team) -> str:
    return printable(team.team_alias or team.team_id)


def key_display_name(key: Key) -> str:
    """The alias; else the masked `sk-...abcd`; never the hash, which means nothing to a human."""
    return printable(key.key_alias or key.key_name or "(unnamed key)")


def build_org(team: Team, caller: Caller) -> Org:
    return Org(
        team_id=team.team_id,
        name=org_display_name(team),
        cap=Cap(team.spend, team.max_budget, team.budget_duration, team.budget_reset_at),
        rpm_limit=team.rpm_limit,
        tpm_limit=team.tpm_limit,
        can_edit=may_edit_org(caller, team),
        blocked=bool(team.blocked),
        windows=tuple(team_window_caps(team)),
    )


def key_caps(key: Key, readings: CapReadings) -> tuple[ScopedCap, ...]:
    """The caps of a key beyond its own `max_budget` and its team's."""
    owner = (owner_cap(key, readings), member_cap(key, readings))
    return (*(cap for cap in owner if cap is not None), *key_own_caps(key))


def with_key_details(tenant: Tenant, key: Key) -> Tenant:
    """The tenant with what only the key's own `/key/info` tells: the spend of its windows and
    per-model budgets (LiteLLM 1.108), its soft budget (1.84 lists it nowhere else)."""
    owner = (CapScope.USER, CapScope.TEAM_MEMBER)
    kept = tuple(cap for cap in tenant.other_caps if cap.scope in owner)
    return replace(
        tenant,
        other_caps=(*kept, *key_own_caps(key)),
        soft_budget=soft_budget(key) if soft_budget(key) is not None else tenant.soft_budget,
    )


def assemble_tenants(
    teams: Iterable[Team],
    keys: Iterable[Key],
    caller: Caller,
    threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
    *,
    readings: CapReadings | None = None,
    now: datetime | None = None,
) -> list[Tenant]:
    """Every tenant the caller may see, sorted by org then tenant (case-insensitive; keys with
    no org last): the keys' tenants and the teams still provisioning."""
    teams = list(teams)
    keys = list(keys)
    tenants = tenants_of_keys(teams, keys, caller, threshold, readings=readings, now=now)
    keyed_teams = {key.team_id for key in keys if key.team_id}
    tenants.extend(provisioning_tenants(teams, keyed_teams, caller, threshold))
    return sorted(tenants, key=tenant_sort_key)


def tenants_of_keys(
    teams: Iterable[Team],
    keys: Iterable[Key],
    caller: Caller,
    threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
    *,
    readings: CapReadings | None = None,
    now: datetime | None = None,
) -> list[Tenant]:
    """The tenants of these keys, in their order (a page of keys as it lands). Only what
    LiteLLM returned is used: a key whose team the caller may not list keeps its team id as the
    org name rather than being looked up elsewhere, its team's caps unreadable. `readings`
    holds the owners' and members' budgets loading could read (without it they are all
    unreadable); `now` decides which keys have expired."""
    readings = readings or CapReadings()
    teams_by_id = {team.team_id: team for team in teams}
    orgs = {team_id: build_org(team, caller) for team_id, team in teams_by_id.items()}
    tenants: list[Tenant] = []
    for key in keys:
        team = teams_by_id.get(key.team_id) if key.team_id else None
        org = orgs.get(key.team_id) if key.team_id else None
        if key.team_id and org is None:
            org = Org(key.team_id, key.team_id, Cap(Decimal(0), None), readable=False)
        tenants.append(
            Tenant(
                name=key_display_name(key),
                key_hash=key.token,
                key_name=key.key_name,
                org=org,
                cap=Cap(key.spend, key.max_budget, key.budget_duration, key.budget_reset_at),
                user_id=key.user_id,
                rpm_limit=key.rpm_limit,
                tpm_limit=key.tpm_limit,
                can_edit=may_edit_key(caller, team, key),
                can_reset=may_reset_key(caller, team),
                usage_visible=may_see_usage(caller, team, key),
                threshold=threshold,
                other_caps=key_caps(key, readings),
                soft_budget=soft_budget(key),
                state=stop_state(key, team, now),
                created_at=key.created_at,
                expires=key.expires,
            )
        )
    return tenants


def provisioning_tenants(
    teams: Iterable[Team],
    keyed_teams: set[str],
    caller: Caller,
    threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
) -> list[Tenant]:
    """The teams with no key yet (none among `keyed_teams`, and none LiteLLM counts)."""
    tenants = []
    for team in {team.team_id: team for team in teams}.values():
        if team.team_id in keyed_teams or not _has_no_keys(team):
            continue
        org = build_org(team, caller)
        tenants.append(
            Tenant(
                name=org.name,
                key_hash=None,
                key_name=None,
                org=org,
                cap=Cap(Decimal(0), None),
                provisioning=True,
                threshold=threshold,
            )
        )
    return tenants


def _has_no_keys(team: Team) -> bool:
    """`keys_count` counts keys the caller may not see; without it (older proxies) a team with
    no visible key is taken as provisioning."""
    return team.keys_count is None or team.keys_count == 0


def tenant_sort_key(tenant: Tenant) -> tuple[int, str, str, str]:
    org = tenant.org_name
    return (org is None, (org or "").casefold(), tenant.name.casefold(), tenant.key_hash or "")


# The same words whether a name does not exist or is hidden from this credential: telling the
# two apart would reveal what the credential may not see.
NOT_FOUND = "not found or not accessible"


def find_tenant(tenants: Iterable[Tenant], name: str) -> Tenant | None:
    """Exact name first, then a unique case-insensitive match; never a substring, which would
    pick `acme-web-eu` for `acme-web`."""
    candidates = list(tenants)
    exact = [t for t in candidates if t.name == name]
    if len(exact) == 1:
        return exact[0]
    folded = [t for t in candidates if t.name.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None
