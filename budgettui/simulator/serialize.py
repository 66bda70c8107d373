"""JSON renderings of keys, teams, users and spend-log rows, field for field as LiteLLM 1.108.7.

Field order and constant columns follow ``real-litellm/samples``: the DB-row form of a key
(``/key/info``, ``/team/info``), the ``UserAPIKeyAuth`` form (``/key/list?return_full_object``),
the team table row (``/v2/team/list``, ``/team/list``, ``/team/info``) and the user row.
"""

from __future__ import annotations

import hashlib
from typing import Any

from budgettui.simulator.models import PRICES, Key, LogRow, Member, Team, User
from budgettui.simulator.store import Store
from budgettui.simulator.timefmt import DateStyle, iso_ms, iso_style, iso_z

Json = dict[str, Any]


def key_row(key: Key, style: DateStyle) -> Json:
    """The ``LiteLLM_VerificationToken`` row without ``token`` (``/key/info`` order)."""

    def when(name: str) -> str | None:
        return iso_style(getattr(key, name), style)

    return {
        "key_name": key.key_name,
        "key_alias": key.key_alias,
        "soft_budget_cooldown": False,
        "spend": key.spend,
        "total_spend": key.total_spend,
        "expires": when("expires"),
        "models": list(key.models),
        "aliases": {},
        "config": {},
        "router_settings": {},
        "user_id": key.user_id,
        "team_id": key.team_id,
        "agent_id": None,
        "project_id": None,
        "permissions": {},
        "max_parallel_requests": key.max_parallel_requests,
        "metadata": dict(key.metadata),
        "blocked": key.blocked,
        "tpm_limit": key.tpm_limit,
        "rpm_limit": key.rpm_limit,
        "tpd_limit": None,
        "max_budget": key.max_budget,
        "budget_duration": key.budget_duration,
        "budget_reset_at": when("budget_reset_at"),
        "allowed_cache_controls": [],
        "allowed_routes": [],
        "key_type": "default",
        "policies": [],
        "access_group_ids": [],
        "model_spend": {},
        "model_max_budget": {},
        "budget_fallbacks": {},
        "budget_id": None,
        "organization_id": key.organization_id,
        "object_permission_id": None,
        "created_at": when("created_at"),
        "created_by": key.created_by,
        "updated_at": when("updated_at"),
        "updated_by": key.updated_by,
        "settings_updated_at": when("settings_updated_at"),
        "last_active": when("last_active"),
        "rotation_count": 0,
        "auto_rotate": False,
        "rotation_interval": None,
        "last_rotation_at": None,
        "key_rotation_at": None,
        "budget_limits": None,
        "litellm_budget_table": None,
        "litellm_organization_table": None,
        "litellm_project_table": None,
        "object_permission": None,
        "jwt_key_mappings": None,
    }


def key_with_token(key: Key, style: DateStyle = "z") -> Json:
    """A key row with its hashed ``token`` first (team and user info, key/update)."""
    return {"token": key.token, **key_row(key, style)}


def key_status(key: Key, store: Store) -> str:
    """``_derive_key_status``: revoked (blocked), expired, or active."""
    if key.blocked is True:
        return "revoked"
    if key.expires is not None and key.expires < store.now():
        return "expired"
    return "active"


_AUTH_ONLY_NULLS = (
    "team_spend team_alias team_tpm_limit team_rpm_limit team_tpd_limit team_max_budget "
    "team_soft_budget team_model_max_budget"
).split()
_AUTH_TAIL_NULLS = (
    "team_model_aliases team_member team_metadata team_object_permission_id team_member_spend "
    "team_member_tpm_limit team_member_rpm_limit end_user_id end_user_tpm_limit end_user_rpm_limit "
    "end_user_tpd_limit end_user_max_budget end_user_model_max_budget organization_alias "
    "organization_max_budget organization_tpm_limit organization_rpm_limit organization_metadata "
    "project_alias project_metadata last_refreshed_at api_key user_role allowed_model_region "
    "parent_otel_span rpm_limit_per_model tpm_limit_per_model user_tpm_limit user_rpm_limit "
    "user_email user_spend user_max_budget user_model_max_budget request_route"
).split()


def key_full_object(key: Key) -> Json:
    """A ``UserAPIKeyAuth`` object as ``/key/list?return_full_object=true`` returns it."""
    row = key_row(key, "z")
    out: Json = {"token": key.token}
    for name in (
        "key_name key_alias spend total_spend max_budget expires models aliases config user_id "
        "team_id agent_id project_id max_parallel_requests metadata tpm_limit rpm_limit tpd_limit "
        "budget_duration budget_reset_at allowed_cache_controls allowed_routes key_type permissions "
        "model_spend model_max_budget budget_fallbacks soft_budget_cooldown blocked "
        "litellm_budget_table budget_id"
    ).split():
        out[name] = row[name]
    out["org_id"] = key.organization_id
    for name in (
        "created_at created_by updated_at updated_by settings_updated_at last_active "
        "object_permission_id object_permission access_group_ids rotation_count auto_rotate "
        "rotation_interval last_rotation_at key_rotation_at router_settings budget_limits"
    ).split():
        out[name] = row[name]
    out.update(dict.fromkeys(_AUTH_ONLY_NULLS))
    out["team_models"] = []
    out["team_blocked"] = False
    out["soft_budget"] = None
    out.update(dict.fromkeys(_AUTH_TAIL_NULLS))
    out["is_session_token"] = False
    out.update({"user": None, "created_by_user": None, "end_user_object_permission": None})
    out.update({"team_object_permission": None, "jwt_claims": None})
    return out


def member_json(member: Member, *, with_alias: bool = False) -> Json:
    out: Json = {"user_id": member.user_id, "user_email": member.user_email, "role": member.role}
    if with_alias:
        out["user_alias"] = None
    return out


def team_row(team: Team, *, with_alias: bool = False) -> Json:
    """The ``LiteLLM_TeamTable`` row (``/v2/team/list`` order)."""
    return {
        "team_alias": team.team_alias,
        "team_id": team.team_id,
        "organization_id": team.organization_id,
        "admins": list(team.admins),
        "members": [],
        "members_with_roles": [member_json(m, with_alias=with_alias) for m in team.members_with_roles],
        "team_member_permissions": list(team.team_member_permissions),
        "metadata": dict(team.metadata),
        "tpm_limit": team.tpm_limit,
        "rpm_limit": team.rpm_limit,
        "tpd_limit": None,
        "max_budget": team.max_budget,
        "soft_budget": team.soft_budget,
        "budget_duration": team.budget_duration,
        "budget_limits": None,
        "models": list(team.models),
        "blocked": team.blocked,
        "router_settings": {},
        "access_group_ids": [],
        "default_team_member_models": [],
        "spend": team.spend,
        "max_parallel_requests": None,
        "budget_reset_at": iso_z(team.budget_reset_at),
        "model_id": None,
        "model_spend": {},
        "model_max_budget": {},
        "policies": [],
        "allow_team_guardrail_config": False,
        "litellm_model_table": None,
        "object_permission": None,
        "object_permission_id": None,
        "updated_at": iso_z(team.updated_at),
        "created_at": iso_z(team.created_at),
    }


def membership_json(store: Store, team_id: str, user_id: str | None = None) -> list[Json]:
    return [
        {
            "user_id": row.user_id,
            "team_id": row.team_id,
            "budget_id": None,
            "spend": row.spend,
            "total_spend": row.total_spend,
            "litellm_budget_table": None,
        }
        for row in store.team_memberships(team_id, user_id)
    ]


def team_list_object(store: Store, team: Team, user_id: str | None = None) -> Json:
    """A ``TeamListResponseObject``: the row plus memberships and the team's full key rows."""
    return {
        **team_row(team),
        "team_memberships": membership_json(store, team.team_id, user_id),
        "keys": [key_with_token(key) for key in store.team_keys(team.team_id)],
    }


def user_row(user: User) -> Json:
    """The ``LiteLLM_UserTable`` row as ``/user/info`` returns it."""
    return {
        "verified_subjects": None,
        "user_id": user.user_id,
        "user_alias": user.user_alias,
        "team_id": None,
        "sso_user_id": None,
        "organization_id": None,
        "object_permission_id": None,
        "password_reset_required": None,
        "last_breach_check_at": None,
        "teams": list(user.teams),
        "user_role": user.user_role,
        "max_budget": user.max_budget,
        "spend": user.spend,
        "user_email": user.user_email,
        "models": list(user.models),
        "metadata": dict(user.metadata),
        "max_parallel_requests": None,
        "tpm_limit": user.tpm_limit,
        "rpm_limit": user.rpm_limit,
        "budget_duration": user.budget_duration,
        "budget_reset_at": iso_z(user.budget_reset_at),
        "allowed_cache_controls": [],
        "policies": [],
        "model_spend": {},
        "model_max_budget": {},
        "created_at": iso_z(user.created_at),
        "updated_at": iso_z(user.updated_at),
        "litellm_organization_table": None,
        "organization_memberships": [],
        "invitations_created": None,
        "invitations_updated": None,
        "invitations_user": None,
        "object_permission": None,
        "model_max_budget_usage": {},
    }


def _uuid_from(seq: int, salt: int) -> str:
    value = (seq * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9) % (1 << 128)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:]}"


def request_id(row: LogRow) -> str:
    return "chatcmpl-" + _uuid_from(row.seq, 1)


def log_json(row: LogRow) -> Json:
    """One ``/spend/logs/v2`` row (columns of ``_SPEND_LOG_LIST_COLUMNS``, metadata hydrated)."""
    call_id = _uuid_from(row.seq, 2)
    start = iso_ms(row.ts)
    end = iso_ms(row.ts + row.duration_ms / 1000)
    failed = row.status == "failure"
    input_cost = 0.0 if failed else row.spend - _output_share(row)
    usage = {
        "total_tokens": row.prompt_tokens + row.completion_tokens,
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
    }
    metadata: Json = {
        "status": "failure" if failed else None,
        "usage_object": usage,
        "user_api_key": row.api_key,
        "cost_breakdown": {
            "input_cost": input_cost,
            "output_cost": row.spend - input_cost,
            "total_cost": row.spend,
        },
        "litellm_call_id": call_id,
        "error_information": (
            {"error_code": "500", "error_class": "InternalServerError", "error_message": "upstream error"}
            if failed
            else None
        ),
        "user_api_key_alias": row.key_alias,
        "user_api_key_org_id": None,
        "requester_ip_address": "127.0.0.1",
        "user_api_key_team_id": row.team_id or None,
        "user_api_key_user_id": row.user or None,
        "user_api_key_team_alias": row.team_alias,
    }
    return {
        "request_id": request_id(row),
        "call_type": "acompletion",
        "api_key": row.api_key,
        "spend": row.spend,
        "total_tokens": usage["total_tokens"],
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
        "startTime": start,
        "endTime": end,
        "completionStartTime": end,
        "model": row.model,
        "model_id": hashlib.sha256(row.model.encode()).hexdigest(),
        "model_group": row.model_group,
        "custom_llm_provider": row.provider,
        "api_base": "",
        "user": row.user,
        "metadata": metadata,
        "cache_hit": "None",
        "cache_key": "Cache OFF",
        "request_tags": [],
        "team_id": row.team_id,
        "organization_id": "",
        "end_user": "",
        "requester_ip_address": "127.0.0.1",
        "session_id": _uuid_from(row.seq, 4),
        "status": row.status,
        "mcp_namespaced_tool_name": None,
        "agent_id": None,
        "litellm_call_id": call_id,
        "request_duration_ms": row.duration_ms,
    }


def _output_share(row: LogRow) -> float:
    price = PRICES.get(row.model_group)
    if price is None:
        return 0.0
    return row.completion_tokens * price.output_cost
