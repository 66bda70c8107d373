"""JSON renderings of keys, teams and users, field for field as LiteLLM 1.108.7.

Field order and constant columns follow ``real-litellm/samples``: the DB-row form of a key
(``/key/info``, ``/team/info``), the ``UserAPIKeyAuth`` form (``/key/list?return_full_object``),
the team table row (``/v2/team/list``, ``/team/list``, ``/team/info``) and the user row.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.models import Budget, BudgetWindow, Key, Member, Membership, Team, User
from budgettui.simulator.store import Store
from budgettui.simulator.timefmt import DateStyle, iso_plus, iso_style, iso_z

Json = dict[str, Any]


def db_float(value: float) -> float:
    """A float read back through LiteLLM's ORM path: 15 significant digits.

    The real proxy answers ``0.105`` for a key whose three calls cost 0.05 + 0.005 + 0.05 (a sum
    that is ``0.10500000000000001`` in binary), while raw-SQL endpoints (daily activity) keep every
    digit; the samples show both.
    """
    return float(f"{value:.15g}")


_BUDGET_RELATIONS = [
    "organization",
    "projects",
    "keys",
    "end_users",
    "tags",
    "model_access_groups",
    "team_membership",
    "organization_membership",
]


def budget_json(budget: Budget, style: DateStyle, *, rich: bool, linked: bool) -> Json:
    """A ``LiteLLM_BudgetTable`` row. ``linked``: as a key's ``litellm_budget_table`` (with the
    audit columns and the empty relations); else as a membership's or a team default's.
    ``rich``: 1.108's ``tpd_limit`` and ``temp_budget_*`` columns."""
    out: Json = {
        "budget_id": budget.budget_id,
        "max_budget": budget.max_budget,
        "soft_budget": budget.soft_budget,
        "max_parallel_requests": None,
        "tpm_limit": None,
        "rpm_limit": None,
    }
    if rich:
        out["tpd_limit"] = None
    out["model_max_budget"] = {} if linked else None
    out["budget_duration"] = budget.budget_duration
    out["budget_reset_at"] = iso_style(budget.budget_reset_at, style)
    out["allowed_models"] = []
    if rich:
        out.update(temp_budget_increase=None, temp_budget_expiry=None)
    out["created_at"] = iso_style(budget.created_at, style)
    if linked:
        out.update(
            created_by=budget.created_by,
            updated_at=iso_style(budget.created_at, style),
            updated_by=budget.created_by,
        )
        relations = _BUDGET_RELATIONS if rich else _BUDGET_RELATIONS[:5] + _BUDGET_RELATIONS[6:]
        out.update(dict.fromkeys(relations))
    return out


def windows_json(windows: list[BudgetWindow] | None) -> list[Json] | None:
    """A key's ``budget_limits`` as stored (JSON column: ``reset_at`` in ``isoformat``)."""
    if windows is None:
        return None
    return [
        {
            "reset_at": iso_plus(window.reset_at),
            "max_budget": window.max_budget,
            "budget_duration": window.budget_duration,
        }
        for window in windows
    ]


def windows_usage(windows: list[BudgetWindow]) -> Json:
    """1.108 ``/key/info`` ``budget_limits_usage``: each window's current spend."""
    return {w.budget_duration: {"current_spend": db_float(w.spend)} for w in windows}


def key_row(key: Key, style: DateStyle, *, rich: bool = True) -> Json:
    """The ``LiteLLM_VerificationToken`` row without ``token`` (``/key/info`` order).

    ``rich`` is False for LiteLLM 1.84.10, whose budget rows lack 1.108's newer columns."""

    def when(name: str) -> str | None:
        return iso_style(getattr(key, name), style)

    return {
        "key_name": key.key_name,
        "key_alias": key.key_alias,
        "soft_budget_cooldown": False,
        "spend": db_float(key.spend),
        "total_spend": db_float(key.total_spend),
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
        "budget_id": key.budget.budget_id if key.budget else None,
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
        "budget_limits": windows_json(key.budget_limits),
        "litellm_budget_table": (
            budget_json(key.budget, "plus", rich=rich, linked=True) if key.budget else None
        ),
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


_AUTH_ONLY_NULLS = [
    "team_spend",
    "team_alias",
    "team_tpm_limit",
    "team_rpm_limit",
    "team_tpd_limit",
    "team_max_budget",
    "team_soft_budget",
    "team_model_max_budget",
]
_AUTH_TAIL_NULLS = [
    "team_model_aliases",
    "team_member",
    "team_metadata",
    "team_object_permission_id",
    "team_member_spend",
    "team_member_tpm_limit",
    "team_member_rpm_limit",
    "end_user_id",
    "end_user_tpm_limit",
    "end_user_rpm_limit",
    "end_user_tpd_limit",
    "end_user_max_budget",
    "end_user_model_max_budget",
    "organization_alias",
    "organization_max_budget",
    "organization_tpm_limit",
    "organization_rpm_limit",
    "organization_metadata",
    "project_alias",
    "project_metadata",
    "last_refreshed_at",
    "api_key",
    "user_role",
    "allowed_model_region",
    "parent_otel_span",
    "rpm_limit_per_model",
    "tpm_limit_per_model",
    "user_tpm_limit",
    "user_rpm_limit",
    "user_email",
    "user_spend",
    "user_max_budget",
    "user_model_max_budget",
    "request_route",
]


def key_full_object(key: Key, style: DateStyle = "z", *, with_budget_table: bool = True) -> Json:
    """A ``UserAPIKeyAuth`` object as ``/key/list?return_full_object=true`` returns it.

    ``with_budget_table``: 1.108 joins the linked budget row (``litellm_budget_table``, where
    the soft budget lives); 1.84 leaves it null and has no ``budget_id``."""
    row = key_row(key, style)
    if key.budget is not None:
        row["litellm_budget_table"] = budget_json(key.budget, style, rich=True, linked=True)
    out: Json = {"token": key.token}
    for name in [
        "key_name",
        "key_alias",
        "spend",
        "total_spend",
        "max_budget",
        "expires",
        "models",
        "aliases",
        "config",
        "user_id",
        "team_id",
        "agent_id",
        "project_id",
        "max_parallel_requests",
        "metadata",
        "tpm_limit",
        "rpm_limit",
        "tpd_limit",
        "budget_duration",
        "budget_reset_at",
        "allowed_cache_controls",
        "allowed_routes",
        "key_type",
        "permissions",
        "model_spend",
        "model_max_budget",
        "budget_fallbacks",
        "soft_budget_cooldown",
        "blocked",
        "litellm_budget_table",
        "budget_id",
    ]:
        out[name] = row[name]
    if not with_budget_table:
        out["litellm_budget_table"] = None
        del out["budget_id"]
    out["org_id"] = key.organization_id
    for name in [
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "settings_updated_at",
        "last_active",
        "object_permission_id",
        "object_permission",
        "access_group_ids",
        "rotation_count",
        "auto_rotate",
        "rotation_interval",
        "last_rotation_at",
        "key_rotation_at",
        "router_settings",
        "budget_limits",
    ]:
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
        "members_with_roles": [
            member_json(m, with_alias=with_alias) for m in team.members_with_roles
        ],
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
        "spend": db_float(team.spend),
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


def membership_row_json(row: Membership, *, rich: bool = True, rounded: bool = True) -> Json:
    """A ``LiteLLM_TeamMembership`` row with its budget row (``rounded``: read back from the
    DB, see ``db_float``)."""
    budget = row.budget
    return {
        "user_id": row.user_id,
        "team_id": row.team_id,
        "budget_id": budget.budget_id if budget else None,
        "spend": db_float(row.spend) if rounded else row.spend,
        "total_spend": db_float(row.total_spend) if rounded else row.total_spend,
        "litellm_budget_table": (
            budget_json(budget, "z", rich=rich, linked=False) if budget else None
        ),
    }


def membership_json(
    store: Store, team_id: str, user_id: str | None = None, *, rich: bool = True
) -> list[Json]:
    return [membership_row_json(row, rich=rich) for row in store.team_memberships(team_id, user_id)]


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
        "spend": db_float(user.spend),
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
