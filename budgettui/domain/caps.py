"""Every cap LiteLLM checks on a key's request, and the states that stop a key whatever its money.

LiteLLM refuses a key's request when any one of several budgets is used up: the key's own, its
team's, its owner's (personal keys only), the owner's budget inside the team (team keys with an
owner), a rolling window of `budget_limits` (key's or team's), a per-model budget. The one with
the least room is the one that refuses first; a cap this credential may not read is listed as
unreadable, never taken for "no cap". A blocked key or team, and an expired key, are refused
before any budget is looked at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from budgettui.domain.budget import (
    DEFAULT_WARNING_THRESHOLD,
    Alert,
    BindingCap,
    Cap,
    alert_level,
)
from budgettui.proxy.models import Key, Team, TeamInfo, UserBudget


class CapScope(StrEnum):
    KEY = "key"
    TEAM = "team"
    USER = "user"  # the key owner's own budget (personal keys)
    TEAM_MEMBER = "team_member"  # the key owner's budget inside the key's team
    WINDOW = "window"  # one of `budget_limits`, named by its period
    MODEL = "model"  # one of `model_max_budget`, named by its model


# `binding_cap` in the JSON and the table says "org" for a team, as it always has.
_BINDING_OF_SCOPE: dict[CapScope, BindingCap] = {
    CapScope.KEY: BindingCap.KEY,
    CapScope.TEAM: BindingCap.ORG,
    CapScope.USER: BindingCap.USER,
    CapScope.TEAM_MEMBER: BindingCap.TEAM_MEMBER,
    CapScope.WINDOW: BindingCap.WINDOW,
    CapScope.MODEL: BindingCap.MODEL,
}


class StopState(StrEnum):
    """What stops a key whatever its money (LiteLLM answers 401, or 400 for an expired key on
    1.84)."""

    BLOCKED = "blocked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ScopedCap:
    """One cap on a key's requests. `spend` None: LiteLLM does not tell this credential (or this
    release) the spend it counts against the cap. `readable` False: the cap itself may exist but
    this credential cannot read it; `max_budget` is then None and `unreadable_reason` says why."""

    scope: CapScope
    max_budget: Decimal | None
    spend: Decimal | None
    duration: str | None = None
    reset_at: datetime | None = None
    name: str | None = None  # the model, or the window's period
    readable: bool = True
    unreadable_reason: str | None = None

    @classmethod
    def unreadable(cls, scope: CapScope, reason: str) -> ScopedCap:
        return cls(scope, None, None, readable=False, unreadable_reason=reason)

    @property
    def measurable(self) -> bool:
        """Both the cap and its spend are known: it can be compared with the others."""
        return self.readable and self.max_budget is not None and self.spend is not None

    @cached_property  # frozen: read for every row on every sort, filter and draw
    def as_cap(self) -> Cap | None:
        """The cap as a budget bar draws it; None while its spend is unknown."""
        if not self.measurable or self.spend is None:
            return None
        return Cap(self.spend, self.max_budget, self.duration, self.reset_at)

    @cached_property
    def remaining(self) -> Decimal | None:
        cap = self.as_cap
        return cap.remaining if cap else None

    @cached_property
    def fraction_used(self) -> Decimal | None:
        cap = self.as_cap
        return cap.fraction_used if cap else None

    @property
    def refuses(self) -> bool:
        """Whether LiteLLM refuses the next request for this cap. Every check compares
        `spend >= max_budget`, except the team's: `spend > max_budget`."""
        if not self.measurable or self.spend is None or self.max_budget is None:
            return False
        if self.scope is CapScope.TEAM:
            return self.spend > self.max_budget
        return self.spend >= self.max_budget

    @property
    def binding_label(self) -> BindingCap:
        return _BINDING_OF_SCOPE[self.scope]


def binding_of(caps: Iterable[ScopedCap]) -> ScopedCap | None:
    """The measurable cap with the least room: LiteLLM hits it first. At equal room a team's
    cap comes after the others (it refuses only once spend is past it), and otherwise the
    earlier cap in `caps` wins: the key's comes first, the one the tenant's own editor
    changes."""
    measured = [c for c in caps if c.measurable]
    if not measured:
        return None
    return min(measured, key=lambda c: (c.remaining, c.scope is CapScope.TEAM))


def cap_alert(cap: ScopedCap | None, threshold: Decimal = DEFAULT_WARNING_THRESHOLD) -> Alert:
    """The alert for the binding cap: exceeded only where LiteLLM refuses (a team exactly at its
    cap still lets the next request through, so it is critical)."""
    if cap is None:
        return Alert.NONE
    level = alert_level(cap.fraction_used, threshold)
    if level is Alert.EXCEEDED and not cap.refuses:
        return Alert.CRITICAL
    return level


def stop_state(key: Key, team: Team | None, now: datetime | None) -> StopState | None:
    """Blocked (the key or its team) before expired: LiteLLM checks the block first."""
    if key.blocked or (team is not None and team.blocked):
        return StopState.BLOCKED
    if key.expires is not None and now is not None and key.expires < now:
        return StopState.EXPIRED
    return None


NOT_READ = "not read"


@dataclass(frozen=True)
class CapReadings:
    """What loading could read of the caps that live outside the key and team rows.

    `users`: owners asked for, by user id (None: LiteLLM has no such user, so no cap); an owner
    absent from it was not readable, for `users_unreadable`. `teams`: `/team/info` of teams
    whose member budgets were read; the member caps of other teams are unreadable, for the
    reason in `members_unreadable` (by team id) or `NOT_READ`."""

    users: Mapping[str, UserBudget | None] = field(default_factory=dict)
    users_unreadable: str = NOT_READ
    teams: Mapping[str, TeamInfo] = field(default_factory=dict)
    members_unreadable: Mapping[str, str] = field(default_factory=dict)


def key_own_caps(key: Key) -> list[ScopedCap]:
    """The key's rolling windows and per-model budgets. Their spend is only in `/key/info` on
    LiteLLM 1.108 (`budget_limits_usage`, `model_max_budget_usage`); from a listing, or on 1.84,
    it is unknown."""
    windows_used = key.budget_limits_usage or {}
    models_used = key.model_max_budget_usage or {}
    caps: list[ScopedCap] = []
    for window in key.budget_limits:
        if window.max_budget is None or window.budget_duration is None:
            continue
        used = windows_used.get(window.budget_duration)
        caps.append(
            ScopedCap(
                CapScope.WINDOW,
                window.max_budget,
                used.current_spend if used else None,
                window.budget_duration,
                window.reset_at,
                name=window.budget_duration,
            )
        )
    for model, budget in sorted(key.model_max_budget.items()):
        if budget.max_budget is None:
            continue
        model_used = models_used.get(model)
        caps.append(
            ScopedCap(
                CapScope.MODEL,
                budget.max_budget,
                model_used.current_spend if model_used else None,
                budget.budget_duration,
                model_used.budget_reset_at if model_used else None,
                name=model,
            )
        )
    return caps


def team_window_caps(team: Team) -> list[ScopedCap]:
    """A team's `budget_limits` bind every key of the team; no endpoint gives their spend."""
    return [
        ScopedCap(
            CapScope.WINDOW,
            window.max_budget,
            None,
            window.budget_duration,
            window.reset_at,
            name=f"team {window.budget_duration}",
        )
        for window in team.budget_limits
        if window.max_budget is not None and window.budget_duration is not None
    ]


def owner_cap(key: Key, readings: CapReadings) -> ScopedCap | None:
    """The owner's own budget binds only the owner's personal keys (no team): LiteLLM skips it
    for team keys unless the proxy sets `apply_user_budget_to_team_keys`, which a client cannot
    read. Its spend is the user's whole spend, team keys included."""
    if key.user_id is None or key.team_id is not None:
        return None
    if key.user_id not in readings.users:
        return ScopedCap.unreadable(CapScope.USER, readings.users_unreadable)
    user = readings.users[key.user_id]
    if user is None or user.max_budget is None:
        return None
    return ScopedCap(
        CapScope.USER, user.max_budget, user.spend, user.budget_duration, user.budget_reset_at
    )


def member_cap(key: Key, readings: CapReadings) -> ScopedCap | None:
    """The owner's budget inside the key's team: the membership's own budget row, else the
    team's default member budget when above zero (LiteLLM 1.108; 1.84 copies the default into
    each member's row). A member without a membership row has no member budget."""
    if key.user_id is None or key.team_id is None:
        return None
    info = readings.teams.get(key.team_id)
    if info is None:
        reason = readings.members_unreadable.get(key.team_id, NOT_READ)
        return ScopedCap.unreadable(CapScope.TEAM_MEMBER, reason)
    membership = next((m for m in info.team_memberships if m.user_id == key.user_id), None)
    if membership is None:
        return None
    row = membership.litellm_budget_table
    if row is None or row.max_budget is None:
        default = info.team_info.team_member_budget_table
        if default is None or default.max_budget is None or default.max_budget <= 0:
            return None
        row = default
    return ScopedCap(
        CapScope.TEAM_MEMBER,
        row.max_budget,
        membership.spend,
        row.budget_duration,
        row.budget_reset_at,
    )


def soft_budget(key: Key) -> Decimal | None:
    """An alert threshold, never a refusal; it lives in the key's linked budget row."""
    return key.litellm_budget_table.soft_budget if key.litellm_budget_table else None
