"""Pydantic models of the LiteLLM payloads budgettui reads.

Only the fields we use are declared; every model ignores unknown fields and treats every field
LiteLLM may omit as optional, because LiteLLM adds and moves fields from release to release.
Money is parsed straight into `Decimal` (pydantic goes through the float's shortest repr, so the
wire's 0.105 stays 0.105).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator


class Wire(BaseModel):
    # `defer_build`: a model's validator is built when it first validates, not at import, so
    # a command pays only for the models it reads (and `--version` for none).
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True, defer_build=True)


def _zero_if_none(value: object) -> object:
    return 0 if value is None else value


def _utc_if_naive(value: datetime | None) -> datetime | None:
    """LiteLLM writes some instants without an offset; they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _empty_if_none(value: object) -> object:
    return [] if value is None else value


def _no_mapping_if_none(value: object) -> object:
    return {} if value is None else value


class BudgetWindow(Wire):
    """One of `budget_limits`: a cap per rolling window ("1h", "1d"), beside `max_budget`."""

    budget_duration: str | None = None
    max_budget: Decimal | None = None
    reset_at: datetime | None = None


class BudgetRow(Wire):
    """`LiteLLM_BudgetTable`: a budget row linked to a key (`litellm_budget_table`, where the
    key's soft budget lives) or to a team membership (the member's budget)."""

    budget_id: str | None = None
    max_budget: Decimal | None = None
    soft_budget: Decimal | None = None
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None


class ModelBudget(Wire):
    """A `model_max_budget` entry: LiteLLM accepts `budget_limit`/`time_period` as well as
    `max_budget`/`budget_duration` (its `BudgetConfig` maps the former onto the latter)."""

    max_budget: Decimal | None = Field(
        default=None, validation_alias=AliasChoices("max_budget", "budget_limit")
    )
    budget_duration: str | None = Field(
        default=None, validation_alias=AliasChoices("budget_duration", "time_period")
    )


class WindowUsage(Wire):
    """`/key/info` `budget_limits_usage[<duration>]` (LiteLLM 1.108; none before)."""

    current_spend: Decimal | None = None


class ModelBudgetUsage(Wire):
    """`/key/info` `model_max_budget_usage[<model>]` (LiteLLM 1.108; none before)."""

    current_spend: Decimal | None = None
    budget_reset_at: datetime | None = None


class Caller(Wire):
    """Who the API key belongs to, from `/management/v1/users/me` (or its fallbacks)."""

    user_id: str | None = None
    user_role: str | None = None
    user_email: str | None = None


class TeamMember(Wire):
    user_id: str | None = None
    user_email: str | None = None
    role: str = "user"


class TeamEditAccess(Wire):
    """`/team/info`'s `caller_edit_access`: what the caller may change on the team itself.
    `kind` is unrestricted, team_admin (with `editable_fields`), team_admin_disabled or none."""

    kind: str = "none"
    editable_fields: list[str] = Field(default_factory=list)
    may_raise_max_budget: bool = False


class Team(Wire):
    """A LiteLLM team: an org in budgettui's words."""

    team_id: str
    team_alias: str | None = None
    organization_id: str | None = None
    spend: Decimal = Decimal(0)
    max_budget: Decimal | None = None
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    blocked: bool | None = None
    budget_limits: list[BudgetWindow] = Field(default_factory=list)
    members_with_roles: list[TeamMember] = Field(default_factory=list)
    # `/v2/team/list` counts the team's keys, including ones the caller may not see: it is how a
    # team with no key yet ("provisioning") is told from a team whose keys are hidden from us.
    keys_count: int | None = None
    caller_edit_access: TeamEditAccess | None = None  # only `/team/info` sends it
    # The default member budget (1.108 `/team/info`: `metadata.team_member_budget_id`'s row).
    team_member_budget_table: BudgetRow | None = None

    _spend_zero = field_validator("spend", mode="before")(_zero_if_none)
    _no_windows = field_validator("budget_limits", mode="before")(_empty_if_none)


class Key(Wire):
    """A LiteLLM virtual key: a tenant in budgettui's words. `token` is the sha256 hash."""

    token: str | None = None
    key_name: str | None = None
    key_alias: str | None = None
    team_id: str | None = None
    user_id: str | None = None
    spend: Decimal = Decimal(0)
    max_budget: Decimal | None = None
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    blocked: bool | None = None
    created_at: datetime | None = None
    expires: datetime | None = None
    budget_limits: list[BudgetWindow] = Field(default_factory=list)
    model_max_budget: dict[str, ModelBudget] = Field(default_factory=dict)
    # The soft budget: `/key/list` rows carry it here on 1.108, nowhere on 1.84 (only /key/info).
    litellm_budget_table: BudgetRow | None = None
    # Current window and per-model spend: only `/key/info` on LiteLLM 1.108 sends these.
    budget_limits_usage: dict[str, WindowUsage] | None = None
    model_max_budget_usage: dict[str, ModelBudgetUsage] | None = None

    _spend_zero = field_validator("spend", mode="before")(_zero_if_none)
    _no_windows = field_validator("budget_limits", mode="before")(_empty_if_none)
    _no_model_budgets = field_validator("model_max_budget", mode="before")(_no_mapping_if_none)
    _utc_instants = field_validator("created_at", "expires", mode="after")(_utc_if_naive)


class KeyListPage(Wire):
    keys: list[Key | str]
    total_count: int | None = None
    current_page: int | None = None
    total_pages: int | None = None


class NumberedPage(Wire):
    """The paging fields `/v2/team/list` and `/spend/logs/v2` share. `total_pages` is a hint:
    `/spend/logs/v2` caps `total` at 10,000, and a proxy may simply be wrong."""

    total: int | None = None
    page: int | None = None
    page_size: int | None = None
    total_pages: int | None = None


class TeamListPage(NumberedPage):
    teams: list[Team]


class KeyInfo(Wire):
    key: str | None = None
    info: Key


class TeamMembership(Wire):
    """`/team/info` `team_memberships[]`: a member's spend in the team and its budget row.
    LiteLLM 1.84 lists only members that have a budget; 1.108 every member, with
    `budget_source` ("custom", "team_default" or "none")."""

    user_id: str
    team_id: str | None = None
    spend: Decimal = Decimal(0)
    litellm_budget_table: BudgetRow | None = None

    _spend_zero = field_validator("spend", mode="before")(_zero_if_none)


class TeamInfo(Wire):
    team_id: str
    team_info: Team
    keys: list[Key] = Field(default_factory=list)
    team_memberships: list[TeamMembership] = Field(default_factory=list)

    _no_memberships = field_validator("team_memberships", mode="before")(_empty_if_none)


class UserBudget(Wire):
    """A user's own budget: a `/user/list` row, `/v2/user/info`, or `/user/info` `user_info`."""

    user_id: str
    spend: Decimal = Decimal(0)
    max_budget: Decimal | None = None
    budget_duration: str | None = None
    budget_reset_at: datetime | None = None

    _spend_zero = field_validator("spend", mode="before")(_zero_if_none)


class UserListPage(NumberedPage):
    users: list[UserBudget]


class UserInfoBudget(Wire):
    """`/user/info?user_id=`: the budget sits in `user_info` (None for an unknown user)."""

    user_id: str | None = None
    user_info: UserBudget | None = None


class UserInfo(Wire):
    """`/user/info` for the caller itself (the fallback identity source on older proxies)."""

    class Row(Wire):
        user_id: str | None = None
        user_role: str | None = None
        user_email: str | None = None

    user_id: str | None = None
    user_info: Row | None = None


class ActivityMetrics(Wire):
    spend: Decimal = Decimal(0)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    api_requests: int = 0

    _none_is_zero = field_validator(
        "spend", "prompt_tokens", "completion_tokens", "api_requests", mode="before"
    )(_zero_if_none)


class ActivityEntry(Wire):
    metrics: ActivityMetrics = Field(default_factory=ActivityMetrics)


class ActivityBreakdown(Wire):
    models: dict[str, ActivityEntry] = Field(default_factory=dict)
    # The public model names (`fake-gpt`) rather than the deployment's (`openai/fake-gpt`).
    model_groups: dict[str, ActivityEntry] = Field(default_factory=dict)
    api_keys: dict[str, ActivityEntry] = Field(default_factory=dict)


class ActivityDay(Wire):
    date: str
    metrics: ActivityMetrics = Field(default_factory=ActivityMetrics)
    breakdown: ActivityBreakdown = Field(default_factory=ActivityBreakdown)


class ActivityMetadata(Wire):
    """What budgettui reads of `DailySpendMetadata`: the paging of `*/daily/activity` and, where
    a proxy caps the per-key breakdown (1.108 `api_key_limit`), how many keys there were."""

    has_more: bool = False
    total_api_keys: int | None = None


class DailyActivity(Wire):
    """`*/daily/activity/aggregated`: one entry per UTC day that had traffic (others omitted).
    The paged `*/daily/activity` answers the same shape over one page of LiteLLM's raw daily
    rows (one per day, key, model, provider, …), ordered by date alone."""

    results: list[ActivityDay]
    metadata: ActivityMetadata = Field(default_factory=ActivityMetadata)


class KeyActivityTotal(Wire):
    api_key: str
    metrics: ActivityMetrics = Field(default_factory=ActivityMetrics)


class KeyActivityPage(Wire):
    """`*/daily/activity/aggregated/keys`: per-key totals over a date range, paged by offset."""

    api_keys: list[KeyActivityTotal]
    total_api_keys: int | None = None
    offset: int | None = None
    limit: int | None = None


class SpendLog(Wire):
    request_id: str
    api_key: str | None = None
    spend: Decimal = Decimal(0)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    start_time: datetime = Field(alias="startTime")
    model: str | None = None
    model_group: str | None = None

    _none_is_zero = field_validator("spend", "prompt_tokens", "completion_tokens", mode="before")(
        _zero_if_none
    )


class SpendLogPage(NumberedPage):
    data: list[SpendLog]


class ResetSpendResult(Wire):
    key_hash: str | None = None
    spend: Decimal = Decimal(0)
    previous_spend: Decimal | None = None
