"""Request bodies, as pydantic models shaped like LiteLLM's (so 422 errors read the same).

Only the fields the simulator honours are declared; like LiteLLM, unknown fields are ignored.
``model_fields_set`` gives the merge-patch semantics of the update endpoints (omitted = unchanged,
explicit null = cleared).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ResetSpendBody(_Body):
    # pydantic's lax float reads ``true`` as 1.0 (LiteLLM 1.84.10); 1.108.7's own validator
    # refuses booleans, which the handler applies for that version.
    reset_to: float


def _blank_to_none(value: object) -> object:
    return None if value == "" else value


class _KeyFields(_Body):
    key_alias: str | None = None
    max_budget: float | None = None
    budget_duration: str | None = None
    soft_budget: float | None = None
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    max_parallel_requests: int | None = None
    models: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    blocked: bool | None = None
    user_id: str | None = None
    team_id: str | None = None
    duration: str | None = None

    @field_validator("max_budget", mode="before")
    @classmethod
    def blank_budget(cls, value: object) -> object:
        return _blank_to_none(value)


class UpdateKeyBody(_KeyFields):
    key: str | None = None
    spend: float | None = None

    @model_validator(mode="before")
    @classmethod
    def drop_blank_team_id(cls, values: object) -> object:
        if isinstance(values, dict) and values.get("team_id") == "":
            return {k: v for k, v in values.items() if k != "team_id"}
        return values

    @model_validator(mode="after")
    def key_or_alias(self) -> UpdateKeyBody:
        if self.key is None and self.key_alias is None:
            raise ValueError("either key or key_alias must be provided")
        return self


class BudgetWindowBody(_Body):
    budget_duration: str
    max_budget: float


class GenerateKeyBody(_KeyFields):
    key: str | None = None
    budget_limits: list[BudgetWindowBody] | None = None

    @field_validator("team_id", mode="before")
    @classmethod
    def blank_team(cls, value: object) -> object:
        return _blank_to_none(value)


class _TeamFields(_Body):
    team_alias: str | None = None
    max_budget: float | None = None
    team_member_budget: float | None = None
    soft_budget: float | None = None
    budget_duration: str | None = None
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    models: list[str] | None = None
    metadata: dict[str, Any] | None = None
    blocked: bool | None = None
    organization_id: str | None = None


class UpdateTeamBody(_TeamFields):
    team_id: str
    team_member_permissions: list[str] | None = None


class MemberBody(_Body):
    role: Literal["admin", "user"]
    user_id: str | None = None
    user_email: str | None = None


class NewTeamBody(_TeamFields):
    team_id: str | None = None
    members_with_roles: list[MemberBody] = []


class MemberAddBody(_Body):
    member: MemberBody | list[MemberBody]
    team_id: str
    max_budget_in_team: float | None = None


Role = Literal[
    "proxy_admin",
    "proxy_admin_viewer",
    "org_admin",
    "internal_user",
    "internal_user_viewer",
    "team",
    "customer",
]


class NewUserBody(_Body):
    user_id: str | None = None
    user_email: str | None = None
    user_alias: str | None = None
    user_role: Role | None = None
    teams: list[str] | None = None
    max_budget: float | None = None
    budget_duration: str | None = None
    auto_create_key: bool = True
    key_alias: str | None = None
    team_id: str | None = None
    metadata: dict[str, Any] | None = None
    models: list[Any] | None = None


class DeleteKeysBody(_Body):
    keys: list[str] | None = None
    key_aliases: list[str] | None = None

    @model_validator(mode="after")
    def one_of(self) -> DeleteKeysBody:
        if not self.keys and not self.key_aliases:
            raise ValueError("Must provide either keys or key_aliases")
        return self


class DeleteTeamsBody(_Body):
    team_ids: list[str]


class DeleteUsersBody(_Body):
    user_ids: list[str]


class ChatBody(_Body):
    model: str | None = None
    messages: list[Any] = []


class PromoteBody(_Body):
    team_id: str
    user_id: str
