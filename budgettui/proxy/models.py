"""Pydantic models of the LiteLLM payloads budgettui reads.

Only the fields we use are declared; every model ignores unknown fields and treats every field
LiteLLM may omit as optional, because LiteLLM adds and moves fields from release to release.
Money is parsed straight into `Decimal` (pydantic goes through the float's shortest repr, so the
wire's 0.105 stays 0.105).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


def _zero_if_none(value: object) -> object:
    return 0 if value is None else value


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
    members_with_roles: list[TeamMember] = Field(default_factory=list)
    # `/v2/team/list` counts the team's keys, including ones the caller may not see: it is how a
    # team with no key yet ("provisioning") is told from a team whose keys are hidden from us.
    keys_count: int | None = None
    caller_edit_access: TeamEditAccess | None = None  # only `/team/info` sends it

    _spend_zero = field_validator("spend", mode="before")(_zero_if_none)


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

    _spend_zero = field_validator("spend", mode="before")(_zero_if_none)


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


class TeamInfo(Wire):
    team_id: str
    team_info: Team
    keys: list[Key] = Field(default_factory=list)


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
