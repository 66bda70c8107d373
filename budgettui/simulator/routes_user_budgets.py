"""``/v2/user/info`` and ``/user/list``: where a user's own budget can be read.

LiteLLM ``internal_user_endpoints.py`` (1.108.7 and 1.84.10): ``/v2/user/info`` answers admins
and proxy-admin viewers for anyone, anyone for themselves and a team admin for users of the
teams it administers; everyone else, and an unknown user, gets 404 "User not found: <id>"
(never 403). ``/user/list`` is for admins and viewers only (403 otherwise), paged
``page_size`` ≤ 100; one ``user_ids`` value is a case-insensitive substring match, several an
exact list.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.errors import detail_error, proxy_error
from budgettui.simulator.models import User
from budgettui.simulator.routing import Ctx, Spec
from budgettui.simulator.serialize import Json, db_float
from budgettui.simulator.timefmt import iso_z

_LIST_REFUSAL = "Only proxy admins and organization admins can list users."


def _may_read(ctx: Ctx, user: User) -> bool:
    caller = ctx.caller
    if caller.admin_view or user.user_id == caller.user_id:
        return True
    return any(
        team.is_admin(caller.user_id) and team.role_of(user.user_id) is not None
        for team in ctx.store.teams.values()
    )


def _light_user(ctx: Ctx, user: User) -> Json:
    rich = ctx.version.reports_usage
    out: Json = {
        "user_id": user.user_id,
        "user_email": user.user_email,
        "user_alias": user.user_alias,
        "user_role": user.user_role,
        "spend": db_float(user.spend),
        "max_budget": user.max_budget,
    }
    if rich:
        out.update(tpm_limit=user.tpm_limit, rpm_limit=user.rpm_limit)
    out.update(
        {
            "models": list(user.models),
            "budget_duration": user.budget_duration,
            "budget_reset_at": iso_z(user.budget_reset_at),
            "metadata": dict(user.metadata),
            "created_at": iso_z(user.created_at),
            "updated_at": iso_z(user.updated_at),
            "sso_user_id": None,
            "teams": list(user.teams),
        }
    )
    if rich:
        out.update(object_permission=None, model_max_budget={}, model_max_budget_usage={})
    return out


async def user_info_v2(ctx: Ctx) -> Any:
    user_id = ctx.query.text("user_id") or ctx.caller.user_id
    ctx.query.done()
    user = ctx.store.users.get(user_id) if user_id else None
    if user is None or not _may_read(ctx, user):
        raise proxy_error(
            404, f"User not found: {user_id}", "internal_server_error", ctx.version.user_error_param
        )
    return _light_user(ctx, user)


def _list_row(ctx: Ctx, user: User) -> Json:
    """A ``/user/list`` row: the user table row plus its key count."""
    common: Json = {
        "user_id": user.user_id,
        "max_budget": user.max_budget,
        "spend": db_float(user.spend),
        "model_max_budget": {},
        "model_spend": {},
        "user_email": user.user_email,
        "user_alias": user.user_alias,
        "models": list(user.models),
        "tpm_limit": user.tpm_limit,
        "rpm_limit": user.rpm_limit,
        "user_role": user.user_role,
        "organization_memberships": None,
        "teams": list(user.teams),
        "sso_user_id": None,
        "budget_duration": user.budget_duration,
        "budget_reset_at": iso_z(user.budget_reset_at),
        "metadata": dict(user.metadata),
        "created_at": iso_z(user.created_at),
        "updated_at": iso_z(user.updated_at),
        "object_permission": None,
    }
    if ctx.version.reports_usage:
        common.update(
            team_id=None,
            organization_id=None,
            object_permission_id=None,
            password_reset_required=None,
            last_breach_check_at=None,
            max_parallel_requests=None,
            allowed_cache_controls=[],
            policies=[],
        )
    return {**common, "key_count": len(ctx.store.user_keys(user.user_id))}


def _matches(user: User, ids: list[str] | None, team: str | None, role: str | None) -> bool:
    if ids is not None:
        if len(ids) == 1:
            if ids[0].lower() not in user.user_id.lower():
                return False
        elif user.user_id not in ids:
            return False
    if team is not None and team not in user.teams:
        return False
    return role is None or user.user_role == role


async def user_list(ctx: Ctx) -> Any:
    q = ctx.query
    page = q.integer("page", 1, ge=1)
    page_size = q.integer("page_size", 25, ge=1, le=100)
    raw_ids, team, role = q.text("user_ids"), q.text("team"), q.text("role")
    sort_by, order = q.text("sort_by"), (q.text("sort_order") or "asc").lower()
    q.done()
    if not ctx.caller.admin_view:
        raise detail_error(403, {"error": _LIST_REFUSAL})
    ids = [part.strip() for part in raw_ids.split(",") if part.strip()] if raw_ids else None
    users = [u for u in ctx.store.users.values() if _matches(u, ids, team, role)]
    users.sort(key=lambda u: (u.created_at, u.user_id))
    if sort_by in ("user_id", "user_email", "spend", "max_budget", "created_at"):
        present = [u for u in users if getattr(u, sort_by) is not None]
        missing = [u for u in users if getattr(u, sort_by) is None]
        present.sort(key=lambda u: getattr(u, sort_by), reverse=order == "desc")
        users = present + missing
    total = len(users)
    chunk = users[(page - 1) * page_size : page * page_size]
    return {
        "users": [_list_row(ctx, user) for user in chunk],
        "total": total,
        "page": page,
        "page_size": page_size,
        "total_pages": -(-total // page_size),
    }


ROUTES = [
    Spec("GET", "/v2/user/info", "/v2/user/info", user_info_v2),
    Spec("GET", "/user/list", "/user/list", user_list),
]
