"""``/team/list``, ``/v2/team/list``, ``/team/info`` (LiteLLM 1.108.7 ``team_endpoints.py``).

Non-admins must ask for their own teams explicitly (``?user_id=<self>``): without it both list
endpoints answer 401 "Only admin users can query all teams/other teams"
(``allowed_route_check_inside_route`` is False for a non-admin when no user_id is passed). Team
writes live in ``routes_team_writes``.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.errors import detail_error, proxy_error
from budgettui.simulator.models import Budget, Team
from budgettui.simulator.routing import Ctx, Spec
from budgettui.simulator.serialize import (
    budget_json,
    key_with_token,
    membership_row_json,
    team_list_object,
    team_row,
)

_NOT_ADMIN = "Only admin users can query all teams/other teams. Your user role={role}"


def _require_own_query(ctx: Ctx, user_id: str | None) -> None:
    caller = ctx.caller
    if caller.admin_view:
        return
    if user_id is None or caller.user_id is None or user_id != caller.user_id:
        raise detail_error(401, {"error": _NOT_ADMIN.format(role=caller.user_role)})


async def team_list(ctx: Ctx) -> Any:
    user_id = ctx.query.text("user_id")
    organization_id = ctx.query.text("organization_id")
    ctx.query.done()
    _require_own_query(ctx, user_id)
    teams = list(ctx.store.teams.values())
    if user_id:
        teams = [team for team in teams if team.role_of(user_id) is not None]
    out = [team_list_object(ctx.store, team, user_id) for team in teams]
    out.sort(key=lambda row: row["team_alias"] or "")
    if organization_id is not None:
        wanted = None if organization_id == "default_organization" else organization_id
        out = [row for row in out if row["organization_id"] == wanted]
    return out


async def team_list_v2(ctx: Ctx) -> Any:
    q = ctx.query
    user_id, team_id = q.text("user_id"), q.text("team_id")
    team_alias, organization_id, search = (
        q.text("team_alias"),
        q.text("organization_id"),
        q.text("search"),
    )
    page = q.integer("page", 1, ge=1)
    page_size = q.integer("page_size", 10, ge=1, le=100)
    sort_by, sort_order = q.text("sort_by"), (q.text("sort_order") or "asc").lower()
    status = q.text("status")
    q.done()
    _require_own_query(ctx, user_id)
    if status is not None and status != "deleted":
        raise detail_error(
            400, {"error": "Invalid status value. Currently only 'deleted' is supported."}
        )
    store = ctx.store
    teams = list(store.teams.values()) if status is None else []
    if team_id:
        teams = [t for t in teams if t.team_id == team_id]
    if team_alias:
        teams = [t for t in teams if team_alias.lower() in (t.team_alias or "").lower()]
    if search:
        teams = [
            t
            for t in teams
            if t.team_id == search or search.lower() in (t.team_alias or "").lower()
        ]
    if organization_id:
        teams = [t for t in teams if t.organization_id == organization_id]
    if user_id:
        user = store.users.get(user_id)
        if user is None:
            raise detail_error(404, {"error": f"User not found, passed user_id={user_id}"})
        if not user.teams:
            return {"teams": [], "total": 0, "page": page, "page_size": page_size, "total_pages": 0}
        if team_id is not None and team_id not in user.teams:
            raise detail_error(404, {"error": f"User is not a member of team_id={team_id}"})
        teams = [t for t in teams if t.team_id in user.teams]
    teams = _sort_teams(teams, sort_by, sort_order)
    total = len(teams)
    chunk = teams[(page - 1) * page_size : page * page_size]
    return {
        "teams": [_list_item(ctx, team) for team in chunk],
        "total": total,
        "page": page,
        "page_size": page_size,
        "total_pages": -(-total // page_size),
    }


def _sort_teams(teams: list[Team], sort_by: str | None, sort_order: str) -> list[Team]:
    if sort_by in ("team_id", "team_alias", "created_at"):
        descending = sort_order == "desc"
        present = [t for t in teams if getattr(t, sort_by) is not None]
        missing = [t for t in teams if getattr(t, sort_by) is None]
        present.sort(key=lambda t: getattr(t, sort_by), reverse=descending)
        return missing + present if descending else present + missing
    return sorted(teams, key=lambda t: t.created_at, reverse=True)


def _list_item(ctx: Ctx, team: Team) -> dict[str, Any]:
    row = team_row(team)
    row["members_count"] = len(team.members_with_roles)
    if ctx.version.team_list_counts_keys:
        row["keys_count"] = len(ctx.store.team_keys(team.team_id))
    for name in ("access_group_models", "access_group_mcp_server_ids", "access_group_agent_ids"):
        row[name] = None
    if ctx.version.team_list_counts_keys:  # 1.84.10 ``TeamListItem`` has neither field
        row["access_group_skill_names"] = None
    return row


def _edit_access(ctx: Ctx, team: Team) -> dict[str, Any]:
    if ctx.caller.is_proxy_admin:
        return {"kind": "unrestricted"}
    if team.is_admin(ctx.caller.user_id):
        return {"kind": "team_admin_disabled"}
    return {"kind": "none"}


def _validate_membership(ctx: Ctx, team: Team) -> None:
    """``validate_membership``: admins, the team's own keys, members, team admins."""
    caller = ctx.caller
    if caller.admin_view or caller.team_id == team.team_id:
        return
    if caller.user_id is None:
        if caller.team_id is not None:
            message = (
                f"Team key for team={caller.team_id} not authorized to access this "
                f"team={team.team_id}"
            )
        else:
            message = (
                f"API key not authorized to access this team={team.team_id}. "
                "No user_id or team_id associated with this key."
            )
        raise proxy_error(403, {"error": message}, "auth_error")
    if team.role_of(caller.user_id) is not None:
        return
    message = f"User={caller.user_id} not authorized to access this team={team.team_id}"
    raise proxy_error(403, {"error": message}, "auth_error")


def _budget_source(budget_id: str | None, default: Budget | None) -> str:
    """1.108 ``_member_budget_source``: the member's own row, the team default, or none."""
    if budget_id is None:
        return "none"
    return "team_default" if default and budget_id == default.budget_id else "custom"


async def team_info(ctx: Ctx) -> Any:
    team_id = ctx.query.text("team_id")
    ctx.query.done()
    if team_id is None:
        raise proxy_error(
            422, {"message": "Malformed request. No team id passed in."}, "auth_error"
        )
    team = ctx.store.teams.get(team_id)
    if team is None:
        raise proxy_error(
            404, {"message": f"Team not found, passed team id: {team_id}."}, "auth_error"
        )
    _validate_membership(ctx, team)
    info = team_row(team, with_alias=True)
    # 1.84.10 ``TeamInfoResponseObjectTeamTable`` stops at the access-group model/MCP/agent ids.
    rich = ctx.version.reports_usage
    default = team.member_budget
    info.update(
        {
            "team_member_budget_table": (
                budget_json(default, "z", rich=rich, linked=False) if default else None
            ),
            "access_group_models": None,
            "access_group_mcp_server_ids": None,
            "access_group_agent_ids": None,
        }
    )
    rows = ctx.store.team_memberships(team_id)
    if ctx.version.copies_member_budgets:  # 1.84.10 creates membership rows only for budgets
        rows = [row for row in rows if row.budget is not None]
    memberships = [membership_row_json(row, rich=rich) for row in rows]
    if ctx.version.team_info_extras:
        info.update(
            {
                "access_group_skill_names": None,
                "unresolved_access_group_ids": None,
                "access_group_details": None,
                "organization_models": None,
                "model_max_budget_usage": {},
                "caller_edit_access": _edit_access(ctx, team),
            }
        )
        for row in memberships:
            row["budget_source"] = _budget_source(row["budget_id"], default)
    return {
        "team_id": team_id,
        "team_info": info,
        "keys": [key_with_token(key) for key in ctx.store.team_keys(team_id)],
        "team_memberships": memberships,
    }


ROUTES = [
    Spec("GET", "/team/list", "/team/list", team_list),
    Spec("GET", "/v2/team/list", "/v2/team/list", team_list_v2),
    Spec("GET", "/team/info", "/team/info", team_info),
]

__all__ = ["ROUTES", "team_list_object"]
