"""Answers of the creation endpoints and archived keys, field for field as LiteLLM 1.108.7.

Observed on the real proxy: ``/key/generate`` and ``/user/new`` return a ``GenerateKeyResponse``
(``/user/new`` adds the user fields, and ``"key": ""`` when no key was created); a deleted key is
still served by ``/key/info`` from the archive with ``"status": "deleted"``.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.models import DeletedKey, Key, Membership, User
from budgettui.simulator.serialize import key_full_object, membership_row_json, user_row
from budgettui.simulator.timefmt import DateStyle, iso_plus, iso_z

Json = dict[str, Any]

ROUTER_SETTINGS: Json = {
    **dict.fromkeys(
        [
            "routing_strategy_args",
            "routing_strategy",
            "routing_groups",
            "retry_policy",
            "model_group_retry_policy",
            "model_group_affinity_config",
            "allowed_fails",
            "cooldown_time",
            "num_retries",
            "timeout",
            "max_retries",
            "retry_after",
            "fallbacks",
            "context_window_fallbacks",
        ]
    ),
    "model_group_alias": {},
    **dict.fromkeys(
        [
            "enable_tag_filtering",
            "weights",
            "tag_routing_prefix",
            "optional_pre_call_checks",
            "fallback_on_unsupported_params",
        ]
    ),
}
_REQUEST_NULLS = [
    "model_rpm_limit",
    "model_tpm_limit",
    "mcp_rpm_limit",
    "tag_rpm_limit",
    "guardrails",
    "policies",
    "prompts",
]
_TAIL_NULLS = [
    "default_estimated_output_tokens",
    "default_estimated_output_tokens_per_model",
    "budget_id",
    "end_user_budget_id",
    "tags",
    "disable_global_guardrails",
    "enable_prompt_caching",
    "throttle_on_budget_exceeded",
    "enforced_params",
]
_LIMIT_NULLS = [
    "allowed_passthrough_routes",
    "denied_passthrough_routes",
    "allowed_vector_store_indexes",
    "rpm_limit_type",
    "tpm_limit_type",
]


def _generated_windows(key: Key | None) -> list[Json] | None:
    """``budget_limits`` as ``/key/generate`` echoes them (request order, pydantic dates)."""
    if key is None or key.budget_limits is None:
        return None
    return [
        {
            "budget_duration": w.budget_duration,
            "max_budget": w.max_budget,
            "reset_at": iso_z(w.reset_at),
        }
        for w in key.budget_limits
    ]


def generate_response(key: Key | None, raw: str, *, for_user: User | None = None) -> Json:
    """``GenerateKeyResponse`` (``/key/generate``) or ``NewUserResponse`` (``for_user``)."""
    user_key = for_user is not None
    out: Json = {
        "key_alias": key.key_alias if key else None,
        "duration": None,
        "models": list(key.models) if key else [],
        "spend": 0.0,
        "max_budget": key.max_budget if key else (for_user.max_budget if for_user else None),
        "user_id": key.user_id if key else (for_user.user_id if for_user else None),
        "team_id": key.team_id if key else None,
        "agent_id": None,
        "max_parallel_requests": None,
        "metadata": dict(key.metadata) if key else {},
        "tpm_limit": key.tpm_limit if key else None,
        "rpm_limit": key.rpm_limit if key else None,
        "budget_duration": key.budget_duration if key else None,
        "budget_limits": _generated_windows(key),
        "allowed_cache_controls": [],
        "config": {},
        "permissions": {},
        "model_max_budget": {} if key else None,
        "budget_fallbacks": {} if key else None,
        **dict.fromkeys(_REQUEST_NULLS),
        "blocked": key.blocked if key else None,
        "aliases": {},
        "object_permission": None,
        "key": raw,
        "tpd_limit": None,
        **dict.fromkeys(_TAIL_NULLS),
        "allowed_routes": [],
        **dict.fromkeys(_LIMIT_NULLS),
        "router_settings": dict(ROUTER_SETTINGS) if key else None,
        "access_group_ids": [] if key else None,
        "key_name": key.key_name if key else None,
        "key_type": "default" if key and not user_key else None,
        "expires": iso_z(key.expires) if key else None,
        "token_id": key.token if key and not user_key else None,
        "organization_id": key.organization_id if key else None,
        "project_id": None,
        "litellm_budget_table": None,
        "token": key.token if key and not user_key else None,
        "created_by": key.created_by if key and not user_key else None,
        "updated_by": key.updated_by if key and not user_key else None,
        "created_at": iso_z(key.created_at) if key else None,
        "updated_at": iso_z(key.updated_at) if key else None,
    }
    if key is not None and key.budget is not None:
        out["budget_id"] = key.budget.budget_id
    if for_user is not None:
        out["user_email"] = for_user.user_email
        out["user_role"] = for_user.user_role
        out["teams"] = list(for_user.teams) or None
        out["user_alias"] = for_user.user_alias
    return out


def deleted_key_json(archived: DeletedKey, style: DateStyle, *, with_token: bool) -> Json:
    """An archived key row (``LiteLLM_DeletedVerificationToken``)."""
    full = key_full_object(archived.key, style)
    out: Json = {}
    for name, value in full.items():
        if name == "token" and not with_token:
            continue
        out[name] = value
        if name == "budget_limits":
            break
    stamp = iso_plus if style == "plus" else iso_z
    out.update(
        {
            "id": archived.archive_id,
            "organization_id": archived.key.organization_id,
            "deleted_at": stamp(archived.deleted_at),
            "deleted_by": archived.deleted_by,
            "deleted_by_api_key": archived.deleted_by_api_key,
            "litellm_changed_by": None,
        }
    )
    return out


def updated_user_json(user: User, teams_before: list[str]) -> Json:
    """A user row as ``/team/member_add`` lists it under ``updated_users``: the ``/user/info``
    row without the relations Prisma did not include, with the teams from before the add and
    the spend as stored (not rounded like a database float)."""
    row = user_row(user)
    for absent in (
        "verified_subjects",
        "litellm_organization_table",
        "invitations_created",
        "invitations_updated",
        "invitations_user",
        "model_max_budget_usage",
    ):
        del row[absent]
    row.update(teams=teams_before, spend=user.spend, organization_memberships=None)
    return row


def membership_row(row: Membership, *, rich: bool = True) -> Json:
    """A membership as ``/team/member_add`` returns it (spend as stored, not rounded)."""
    return membership_row_json(row, rich=rich, rounded=False)
