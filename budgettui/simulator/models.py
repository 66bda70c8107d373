"""The simulator's rows: users, teams, memberships, virtual keys, spend-log rows, recorded requests.

They mirror LiteLLM's DB tables (``LiteLLM_UserTable``, ``LiteLLM_TeamTable``,
``LiteLLM_TeamMembership``, ``LiteLLM_VerificationToken``, ``LiteLLM_SpendLogs``) closely enough to
render the same JSON; only the columns a budget dashboard can observe are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

MASTER_USER_ID = "default_user_id"
MASTER_KEY_ALIAS = "litellm_proxy_master_key"


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the simulator answered (faulted ones included), with its final status."""

    method: str
    path: str
    query: str
    status: int
    caller: str | None


@dataclass(slots=True)
class User:
    user_id: str
    user_email: str | None
    user_role: str
    created_at: datetime
    updated_at: datetime
    user_alias: str | None = None
    teams: list[str] = field(default_factory=list)
    max_budget: float | None = None
    spend: float = 0.0
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None
    models: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    tpm_limit: int | None = None
    rpm_limit: int | None = None


@dataclass(slots=True)
class Budget:
    """A ``LiteLLM_BudgetTable`` row: a key's soft budget, a member's or a team's member budget."""

    budget_id: str
    created_at: datetime
    max_budget: float | None = None
    soft_budget: float | None = None
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None
    created_by: str | None = MASTER_USER_ID


@dataclass(slots=True)
class BudgetWindow:
    """One of a key's ``budget_limits``: a cap per ``budget_duration``, with its own spend."""

    budget_duration: str
    max_budget: float
    reset_at: datetime | None
    spend: float = 0.0


@dataclass(slots=True)
class Member:
    user_id: str | None
    user_email: str | None
    role: str


@dataclass(slots=True)
class Team:
    team_id: str
    team_alias: str | None
    created_at: datetime
    updated_at: datetime
    organization_id: str | None = None
    admins: list[str] = field(default_factory=list)
    members_with_roles: list[Member] = field(default_factory=list)
    team_member_permissions: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    max_budget: float | None = None
    soft_budget: float | None = None
    spend: float = 0.0
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None
    models: list[str] = field(default_factory=list)
    blocked: bool = False
    # The default member budget (``team_member_budget``; ``metadata.team_member_budget_id``).
    member_budget: Budget | None = None

    def role_of(self, user_id: str | None) -> str | None:
        """The member's team role ("admin"/"user"), or None if not a member."""
        if user_id is None:
            return None
        for member in self.members_with_roles:
            if member.user_id == user_id:
                return member.role
        return None

    def is_admin(self, user_id: str | None) -> bool:
        return self.role_of(user_id) == "admin"


@dataclass(slots=True)
class Membership:
    user_id: str
    team_id: str
    spend: float = 0.0
    total_spend: float = 0.0
    budget: Budget | None = None  # the member's budget row (own, or the team default's)


@dataclass(slots=True)
class Key:
    token: str
    key_name: str
    key_alias: str | None
    created_at: datetime
    updated_at: datetime
    created_by: str | None = MASTER_USER_ID
    updated_by: str | None = MASTER_USER_ID
    spend: float = 0.0
    total_spend: float = 0.0
    max_budget: float | None = None
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    max_parallel_requests: int | None = None
    models: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    blocked: bool | None = None
    user_id: str | None = None
    team_id: str | None = None
    organization_id: str | None = None
    expires: datetime | None = None
    settings_updated_at: datetime | None = None
    last_active: datetime | None = None
    budget: Budget | None = None  # the linked budget row, where the soft budget lives
    budget_limits: list[BudgetWindow] | None = None

    @property
    def soft_budget(self) -> float | None:
        return self.budget.soft_budget if self.budget is not None else None


@dataclass(slots=True)
class DeletedKey:
    """An archived key (``LiteLLM_DeletedVerificationToken``): the row plus who deleted it."""

    key: Key
    deleted_at: datetime
    deleted_by: str | None
    deleted_by_api_key: str
    archive_id: str


class LogRow(NamedTuple):
    """One ``LiteLLM_SpendLogs`` row, compact: JSON is rendered only for the rows a page shows."""

    seq: int
    ts: float
    duration_ms: int
    api_key: str
    key_alias: str | None
    team_id: str
    team_alias: str | None
    user: str
    model: str
    model_group: str
    provider: str
    spend: float
    prompt_tokens: int
    completion_tokens: int
    status: str


@dataclass(frozen=True, slots=True)
class Price:
    """A model the simulator can bill: LiteLLM ``model`` name, provider and USD per token."""

    model: str
    provider: str
    input_cost: float
    output_cost: float


PRICES: dict[str, Price] = {
    "fake-gpt": Price("openai/fake-gpt", "openai", 0.001, 0.002),
    "fake-gpt-mini": Price("openai/fake-gpt-mini", "openai", 0.0001, 0.0002),
    "gpt-4o": Price("openai/gpt-4o", "openai", 2.5e-6, 1.0e-5),
    "gpt-4o-mini": Price("openai/gpt-4o-mini", "openai", 1.5e-7, 6.0e-7),
    "claude-3-5-sonnet": Price("anthropic/claude-3-5-sonnet-20241022", "anthropic", 3.0e-6, 1.5e-5),
}


def request_cost(price: Price, prompt_tokens: int, completion_tokens: int) -> float:
    """Cost the way LiteLLM prices a call: prompt and completion costs, then their sum."""
    return prompt_tokens * price.input_cost + completion_tokens * price.output_cost
