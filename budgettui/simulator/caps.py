"""Every cap LiteLLM checks on an LLM request, in its order, with each version's refusal.

LiteLLM's ``user_api_key_auth`` first runs the key "builder" (key blocked → team-member budget
→ expired key → key ``max_budget``; the soft budget only alerts), then ``common_checks`` (team
blocked → team ``max_budget`` → key ``budget_limits`` windows → the owner's user budget, for
personal keys only → team-member budget), and on 1.84.10 the ``_PROXY_MaxBudgetLimiter``
pre-call hook. A blocked key is refused by ``auth.authenticate`` already (on every route).

Comparisons as LiteLLM makes them: key, window, user and member caps refuse at
``spend >= cap``; the team cap only at ``spend > cap``; 1.84's builder member check at ``>``.
A budget refusal is ``type: budget_exceeded``, HTTP 422 on 1.108.7 and 400 on 1.84.10. The
team-block cache (LiteLLM takes about a minute to notice ``/team/block``) is not simulated.
"""

from __future__ import annotations

import math
import re

from budgettui.simulator.auth import PROXY_ADMIN, check_expiry
from budgettui.simulator.errors import ApiError, proxy_error
from budgettui.simulator.models import Key, Team
from budgettui.simulator.store import Store
from budgettui.simulator.versions import LiteLLMVersion

_MASKED = re.compile(r"sk-\.\.\.(?:[^\s\x00-\x1f\x7f-\x9f]{4})?")


def _refusal(version: LiteLLMVersion, message: str) -> ApiError:
    return proxy_error(version.budget_refusal_status, message, "budget_exceeded", None)


def _exceeded(version: LiteLLMVersion, spend: float, cap: float, who: str = "") -> ApiError:
    """``BudgetExceededError``'s message, naming ``who`` (e.g. "Key=… ") when given."""
    return _refusal(
        version, f"Budget has been exceeded! {who}Current cost: {spend}, Max budget: {cap}"
    )


def member_cap(store: Store, key: Key, *, own_row_only: bool = False) -> float | None:
    """The team-member budget of the key's owner in the key's team: the member's own budget
    row, else (unless ``own_row_only``) the team's default member budget if above zero."""
    if key.team_id is None or key.user_id is None:
        return None
    membership = store.memberships.get((key.team_id, key.user_id))
    own = membership.budget if membership is not None else None
    if own is not None and own.max_budget is not None:
        return own.max_budget
    team = store.teams.get(key.team_id)
    if own_row_only or team is None or team.member_budget is None:
        return None
    default = team.member_budget.max_budget
    return default if default is not None and default > 0 else None


def member_spend(store: Store, key: Key) -> float:
    membership = store.memberships.get((key.team_id or "", key.user_id or ""))
    return membership.spend if membership is not None else 0.0


def check_llm_request(store: Store, version: LiteLLMVersion, key: Key | None, raw: str) -> None:
    """Raise LiteLLM's refusal for the first cap ``key``'s request hits (the master key has
    none)."""
    if key is None:
        return
    team = store.teams.get(key.team_id) if key.team_id else None
    _builder_checks(store, version, key, raw)
    if team is not None:
        _team_checks(version, team)
    _window_checks(version, key)
    _owner_checks(store, version, key, team)
    cap = member_cap(store, key)
    spend = member_spend(store, key)
    if cap is not None and spend >= cap:
        who = f"User={key.user_id} in Team={key.team_id} "
        raise _exceeded(version, spend, cap, who)
    _admin_owner_hook(store, version, key, team)


def _builder_checks(store: Store, version: LiteLLMVersion, key: Key, raw: str) -> None:
    spend = member_spend(store, key)
    if version.names_team_member_in_refusal:
        cap = member_cap(store, key)
        if cap is not None and spend >= cap:
            raise _exceeded(version, spend, cap, f"TeamMember={key.user_id}:{key.team_id} ")
    else:
        own = member_cap(store, key, own_row_only=True)
        if own is not None and own > 0 and spend > own:
            raise _exceeded(version, spend, own)
    check_expiry(store, key, raw, version)
    budget = key.max_budget
    if budget is not None and math.isfinite(budget) and key.spend >= budget:
        label = key.key_alias or "key"
        described = f"{label} ({key.key_name})" if _MASKED.fullmatch(key.key_name) else label
        raise _exceeded(version, key.spend, budget, f"Key={described} ")


def _team_checks(version: LiteLLMVersion, team: Team) -> None:
    if team.blocked:
        raise proxy_error(
            401,
            f"Authentication Error, Team={team.team_id} is blocked. Update via `/team/unblock` "
            "if you're an admin.",
            "auth_error",
        )
    if team.max_budget is not None and team.spend > team.max_budget:
        raise _exceeded(version, team.spend, team.max_budget, f"Team={team.team_id} ")


def _window_checks(version: LiteLLMVersion, key: Key) -> None:
    for window in key.budget_limits or []:
        if math.isfinite(window.max_budget) and window.spend >= window.max_budget:
            raise _refusal(
                version,
                f"ExceededBudget: Key over {window.budget_duration} budget. "
                f"Spend=${window.spend:.4f}, Limit=${window.max_budget:.2f}",
            )


def _owner_checks(store: Store, version: LiteLLMVersion, key: Key, team: Team | None) -> None:
    """The owner's user budget binds personal keys only, against the user's whole spend
    (team-key spend included). 1.84 leaves proxy-admin owners to the pre-call hook."""
    owner = store.users.get(key.user_id) if key.user_id else None
    if team is not None or owner is None or owner.max_budget is None:
        return
    if version.admin_owner_budget_via_hook and owner.user_role == PROXY_ADMIN:
        return
    if owner.spend >= owner.max_budget:
        raise _refusal(
            version,
            f"ExceededBudget: User={owner.user_id} over budget. Spend={owner.spend}, "
            f"Budget={owner.max_budget}",
        )


def _admin_owner_hook(store: Store, version: LiteLLMVersion, key: Key, team: Team | None) -> None:
    """1.84 ``_PROXY_MaxBudgetLimiter``: an HTTPException(429) that LiteLLM wraps untyped."""
    owner = store.users.get(key.user_id) if key.user_id else None
    if not version.admin_owner_budget_via_hook or team is not None or owner is None:
        return
    cap = owner.max_budget if owner.user_role == PROXY_ADMIN else None
    if cap is not None and owner.spend >= cap:
        raise proxy_error(429, "Max budget limit reached.", "None")
