"""``/team/update``, ``/team/new``, ``/team/member_add``, ``/team/delete``.

``/team/update`` and ``/team/new`` re-raise every error through ``handle_exception_on_proxy``:
``{"error": {"message": str(detail), "type": "internal_server_error", "param": null, ...}}``.
Team admins are refused by default (no ``team_admin_editable_team_fields`` configured), and
``/team/member_add`` with role "admin" answers LiteLLM's unlicensed 400.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.bodies import (
    DeleteTeamsBody,
    MemberAddBody,
    MemberBody,
    NewTeamBody,
    UpdateTeamBody,
)
from budgettui.simulator.durations import duration_error, keeps_due_reset, next_reset
from budgettui.simulator.errors import NOT_PREMIUM, ApiError, detail_error, proxy_error
from budgettui.simulator.models import Member, Team
from budgettui.simulator.params import parse_body
from budgettui.simulator.responses import membership_row, updated_user_json
from budgettui.simulator.routing import Ctx, Spec
from budgettui.simulator.serialize import team_row

_SETTINGS = "Settings > UI > Team admin editable fields"


def _fail(status: int, detail: object) -> ApiError:
    return proxy_error(status, detail, "internal_server_error", None)


def _check_budgets(ctx: Ctx, body: NewTeamBody | UpdateTeamBody) -> None:
    for name in ("max_budget", "team_member_budget", "soft_budget"):
        error = ctx.version.budget_value_error(name, getattr(body, name))
        if error is not None:
            raise _fail(400, {"error": error})
    now, strict = ctx.store.now(), ctx.version.validates_budget_duration
    error = duration_error(body.budget_duration, now, strict=strict)
    if error is not None:
        raise _fail(400, {"error": error})


def _update_data(team: Team) -> dict[str, Any]:
    """The ``data`` object of a ``/team/update`` answer (the updated team row)."""
    row = team_row(team)
    members = [
        {"role": m.role, "user_id": m.user_id, "user_email": m.user_email}
        for m in team.members_with_roles
    ]
    return {
        "team_id": row["team_id"],
        "team_alias": row["team_alias"],
        "organization_id": row["organization_id"],
        "object_permission_id": None,
        "admins": row["admins"],
        "members": [],
        "members_with_roles": members,
        "metadata": row["metadata"],
        "max_budget": row["max_budget"],
        "soft_budget": row["soft_budget"],
        "spend": row["spend"],
        "models": row["models"],
        "max_parallel_requests": None,
        "tpm_limit": row["tpm_limit"],
        "rpm_limit": row["rpm_limit"],
        "tpd_limit": None,
        "budget_duration": row["budget_duration"],
        "budget_reset_at": row["budget_reset_at"],
        "blocked": row["blocked"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "model_spend": {},
        "model_max_budget": {},
        "router_settings": {},
        "team_member_permissions": row["team_member_permissions"],
        "access_group_ids": [],
        "policies": [],
        "default_team_member_models": [],
        "budget_limits": None,
        "model_id": None,
        "allow_team_guardrail_config": False,
        "litellm_organization_table": None,
        "litellm_model_table": None,
        "object_permission": None,
        "projects": None,
    }


async def team_update(ctx: Ctx) -> Any:
    body = parse_body(UpdateTeamBody, ctx.body)
    _check_budgets(ctx, body)
    store = ctx.store
    caller = ctx.caller
    team = store.teams.get(body.team_id)
    if team is None:
        if not caller.is_proxy_admin:
            raise _fail(403, "You do not have access to this team")
        raise _fail(404, {"error": f"Team not found, passed team_id={body.team_id}"})
    if not caller.is_proxy_admin:
        if not team.is_admin(caller.user_id):
            raise _fail(403, "You do not have access to this team")
        raise _fail(
            403,
            "Team admins on this proxy cannot edit team settings. Ask a proxy admin to "
            f"enable fields under {_SETTINGS}.",
        )
    if body.soft_budget is not None:
        cap = body.max_budget if body.max_budget is not None else team.max_budget
        if cap is not None and body.soft_budget >= cap:
            raise _fail(
                400,
                {
                    "error": f"soft_budget ({body.soft_budget}) must be strictly lower "
                    f"than max_budget ({cap})"
                },
            )
    if body.max_budget is not None:
        soft = body.soft_budget if body.soft_budget is not None else team.soft_budget
        if soft is not None and body.max_budget <= soft:
            raise _fail(
                400,
                {
                    "error": f"max_budget ({body.max_budget}) must be strictly greater "
                    f"than soft_budget ({soft})"
                },
            )
    _apply_team_update(ctx, team, body)
    return {"team_id": team.team_id, "data": _update_data(team)}


def _apply_team_update(ctx: Ctx, team: Team, body: UpdateTeamBody) -> None:
    values = body.model_dump(exclude_unset=True)
    now = ctx.store.now()
    version = ctx.version
    duration = values.get("budget_duration")
    if duration is not None:
        if not (
            version.keeps_due_reset
            and keeps_due_reset(duration, team.budget_duration, team.budget_reset_at, now)
        ):
            team.budget_reset_at = next_reset(duration, now)
    elif "budget_duration" in values and version.team_null_duration_clears_reset:
        # 1.84.10 ``_set_budget_reset_at`` ignores a null duration: the period is cleared by
        # the plain column update below, but the reset date stays.
        team.budget_reset_at = None
    for name in (
        "team_alias",
        "max_budget",
        "soft_budget",
        "budget_duration",
        "tpm_limit",
        "rpm_limit",
        "blocked",
    ):
        if name in values:
            setattr(team, name, values[name])
    if "organization_id" in values:
        team.organization_id = values["organization_id"] or None
    if "models" in values:
        team.models = list(values["models"] or [])
    if "metadata" in values:
        team.metadata = dict(values["metadata"] or {})
    if "team_member_permissions" in values:
        team.team_member_permissions = list(values["team_member_permissions"] or [])
    team.updated_at = now


async def team_new(ctx: Ctx) -> Any:
    body = parse_body(NewTeamBody, ctx.body)
    _check_budgets(ctx, body)
    store = ctx.store
    if (
        body.soft_budget is not None
        and body.max_budget is not None
        and body.soft_budget >= body.max_budget
    ):
        raise _fail(
            400,
            {
                "error": f"soft_budget ({body.soft_budget}) must be strictly lower than "
                f"max_budget ({body.max_budget})"
            },
        )
    if any(member.role == "admin" for member in body.members_with_roles):
        raise _fail(400, {"error": f"Assigning team admins is a premium feature. {NOT_PREMIUM}"})
    if body.team_id is not None and body.team_id in store.teams:
        raise _fail(
            400,
            {"error": f"Team id = {body.team_id} already exists. Please use a different team id."},
        )
    team = store.add_team(
        body.team_alias,
        team_id=body.team_id,
        creator=None,
        max_budget=body.max_budget,
        budget_duration=body.budget_duration,
        models=body.models,
        metadata=body.metadata,
        tpm_limit=body.tpm_limit,
        rpm_limit=body.rpm_limit,
        soft_budget=body.soft_budget,
    )
    team.organization_id = body.organization_id
    for member in body.members_with_roles:
        if member.user_id is not None:
            store.add_member(team.team_id, member.user_id, member.role)
    if ctx.caller.user_id is not None and team.role_of(ctx.caller.user_id) is None:
        store.add_member(team.team_id, ctx.caller.user_id, "admin")
    if body.team_member_budget is not None:
        store.set_team_member_budget(team, body.team_member_budget)
        copy = ctx.version.copies_member_budgets
        for user_id in [m.user_id for m in team.members_with_roles if m.user_id is not None]:
            store.give_member_budget(team.team_id, user_id, copy=copy)
    return team_row(team)


async def team_member_add(ctx: Ctx) -> Any:
    body = parse_body(MemberAddBody, ctx.body)
    store = ctx.store
    members = body.member if isinstance(body.member, list) else [body.member]
    if any(member.role == "admin" for member in members):
        if isinstance(body.member, list):
            admin = next(m for m in members if m.role == "admin")
            text = (
                "Assigning team admins is a premium feature. "
                f"Got={_member_repr(admin)}. {NOT_PREMIUM}. "
            )
        else:
            text = f"Assigning team admins is a premium feature. {NOT_PREMIUM}"
        raise detail_error(400, {"error": text})
    team = store.teams.get(body.team_id)
    if team is None:
        raise detail_error(404, {"error": f"Team not found for team_id={body.team_id}"})
    for member in members:
        if member.user_id is not None and team.role_of(member.user_id) is not None:
            raise proxy_error(
                400,
                f"User already in team. Member: user_id={member.user_id}, "
                f"user_email={member.user_email}. "
                f"Existing members=[{', '.join(map(_member_model, team.members_with_roles))}]",
                "team_member_already_in_team",
                "member",
            )
    caller = ctx.caller
    if not caller.is_proxy_admin and not team.is_admin(caller.user_id):
        message = (
            "Call not allowed. User not proxy admin OR team admin. "
            f"route=/team/member_add, team_id={team.team_id}"
        )
        raise detail_error(403, {"error": message})
    updated_users: list[dict[str, Any]] = []
    for member in members:
        user_id = member.user_id or _user_for_email(ctx, member)
        if user_id not in store.users:
            store.add_user(user_id, member.user_email, "internal_user")
        teams_before = list(store.users[user_id].teams)
        store.add_member(team.team_id, user_id, member.role)
        _budget_new_member(ctx, team, user_id, body.max_budget_in_team)
        updated_users.append(updated_user_json(store.users[user_id], teams_before))
    memberships = [
        membership_row(row, rich=ctx.version.reports_usage)
        for member in members
        for row in store.team_memberships(team.team_id, member.user_id)
    ]
    return {
        **team_row(team),
        "updated_users": updated_users,
        "updated_team_memberships": memberships,
    }


def _budget_new_member(ctx: Ctx, team: Team, user_id: str, max_budget: float | None) -> None:
    """``max_budget_in_team`` gives the member a budget row of its own; without it the member
    gets the team's default member budget, if any."""
    store = ctx.store
    if max_budget is not None:
        own = store.new_budget(max_budget=max_budget)
        store.give_member_budget(team.team_id, user_id, own)
    elif team.member_budget is not None:
        copy = ctx.version.copies_member_budgets
        store.give_member_budget(team.team_id, user_id, copy=copy)


def _member_model(member: Member) -> str:
    """pydantic's repr of LiteLLM's ``Member`` (used verbatim in its error messages)."""
    fields = f"user_id={member.user_id!r}, user_email={member.user_email!r}, role={member.role!r}"
    return f"Member({fields})"


def _member_repr(member: MemberBody) -> str:
    return f"user_id='{member.user_id}' user_email={member.user_email!r} role='{member.role}'"


def _user_for_email(ctx: Ctx, member: MemberBody) -> str:
    for user in ctx.store.users.values():
        if member.user_email is not None and user.user_email == member.user_email:
            return user.user_id
    return ctx.store.new_uuid()


async def team_delete(ctx: Ctx) -> Any:
    body = parse_body(DeleteTeamsBody, ctx.body)
    store = ctx.store
    for team_id in body.team_ids:
        if team_id not in store.teams:
            raise _fail(404, {"error": f"Team not found, passed team_id={team_id}"})
        if not ctx.caller.is_proxy_admin and not store.teams[team_id].is_admin(ctx.caller.user_id):
            raise _fail(403, {"error": f"User not allowed to delete team={team_id}"})
    for team_id in body.team_ids:
        store.delete_team(team_id)
    return {"deleted_teams": list(body.team_ids)}


ROUTES = [
    Spec("POST", "/team/update", "/team/update", team_update),
    Spec("POST", "/team/new", "/team/new", team_new),
    Spec("POST", "/team/member_add", "/team/member_add", team_member_add),
    Spec("POST", "/team/delete", "/team/delete", team_delete),
]
