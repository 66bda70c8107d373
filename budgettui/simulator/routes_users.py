"""``/management/v1/users/me``, ``/user/info``, ``/user/new``, ``/user/delete``.

``/user/info`` follows LiteLLM 1.108.7 ``internal_user_endpoints.user_info``: an admin-view caller
without ``user_id`` gets the admin summary (every team and key); everyone else gets one user row,
their keys (with ``team_alias``; ``"None"`` for keys without a team, a LiteLLM quirk) and their
teams as ``/team/list?user_id=`` renders them.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.bodies import DeleteUsersBody, NewUserBody
from budgettui.simulator.durations import duration_error, next_reset
from budgettui.simulator.errors import ApiError, proxy_error
from budgettui.simulator.models import MASTER_USER_ID, Key
from budgettui.simulator.responses import generate_response
from budgettui.simulator.routing import Ctx, Spec
from budgettui.simulator.serialize import key_with_token, team_list_object, team_row, user_row
from budgettui.simulator.store import Store


async def users_me(ctx: Ctx) -> Any:
    caller = ctx.caller
    if caller.user_id is None:
        raise ApiError(
            404,
            {
                "type": "urn:litellm:error:user-not-found",
                "title": "User not found",
                "status": 404,
                "detail": "The key used for this request is not bound to a user.",
            },
            media_type="application/problem+json",
        )
    return {
        "user_id": caller.user_id,
        "user_role": caller.user_role,
        "user_email": caller.user_email,
    }


def _key_with_team_alias(store: Store, key: Key) -> dict[str, Any]:
    row = key_with_token(key)
    if key.team_id is None:
        row["team_alias"] = "None"
    else:
        team = store.teams.get(key.team_id)
        row["team_alias"] = team.team_alias if team else None
    return row


async def user_info(ctx: Ctx) -> Any:
    user_id = ctx.query.text("user_id")
    ctx.query.done()
    caller = ctx.caller
    store = ctx.store
    if user_id is not None and not caller.admin_view and user_id != caller.user_id:
        raise proxy_error(
            403,
            f"key not allowed to access this user's info. user_id={user_id}, key's "
            f"user_id={caller.user_id}",
            "internal_server_error",
            None,
        )
    if user_id is None and caller.admin_view:
        own = store.users.get(caller.user_id) if caller.user_id else None
        teams = sorted(store.teams.values(), key=lambda team: team.team_alias or "")
        return {
            "user_id": caller.user_id,
            "user_info": user_row(own) if own else None,
            "keys": [_key_with_team_alias(store, key) for key in store.keys.values()],
            "teams": [team_row(team) for team in teams],
        }
    target = user_id or caller.user_id
    user = store.users.get(target) if target else None
    if user is None:
        param = ctx.version.user_error_param
        raise proxy_error(404, f"User {target} not found", "internal_server_error", param)
    teams = [team for team in store.teams.values() if team.role_of(user.user_id) is not None]
    team_objects = [team_list_object(store, team, user.user_id) for team in teams]
    team_objects.sort(key=lambda row: row["team_alias"] or "")
    return {
        "user_id": user.user_id,
        "user_info": user_row(user),
        "keys": [_key_with_team_alias(store, key) for key in store.user_keys(user.user_id)],
        "teams": team_objects,
    }


async def user_new(ctx: Ctx) -> Any:
    from budgettui.simulator.params import parse_body

    body = parse_body(NewUserBody, ctx.body)
    store = ctx.store

    def fail(status: int, detail: object) -> ApiError:
        return proxy_error(status, detail, "internal_server_error", None)

    role = body.user_role or "internal_user"
    if role in ("proxy_admin", "proxy_admin_viewer") and not ctx.caller.is_proxy_admin:
        raise fail(
            403,
            "Only proxy admins can create administrative users (proxy_admin, proxy_admin_viewer). "
            f"Attempted to create user with role: {role}. Your role: {ctx.caller.user_role}",
        )
    error = duration_error(
        body.budget_duration, store.now(), strict=ctx.version.validates_budget_duration
    )
    if error is not None:
        raise fail(400, {"error": error})
    user_id = body.user_id or store.new_uuid()
    if user_id in store.users:
        raise fail(400, {"error": f"User with id {user_id} already exists"})
    if body.user_email is not None and any(
        u.user_email == body.user_email for u in store.users.values()
    ):
        raise fail(400, {"error": f"User with email {body.user_email} already exists"})
    user = store.add_user(
        user_id, body.user_email, role, max_budget=body.max_budget, user_alias=body.user_alias
    )
    if body.budget_duration:
        user.budget_duration = body.budget_duration
        user.budget_reset_at = next_reset(body.budget_duration, store.now())
    user.metadata = dict(body.metadata or {})
    for team_id in [body.team_id] if body.team_id else body.teams or []:
        if team_id in store.teams:
            store.add_member(team_id, user_id, "user")
    if body.auto_create_key:
        raw = store.new_raw_key()
        key = store.add_key(
            raw,
            key_alias=body.key_alias,
            user_id=user_id,
            team_id=body.team_id,
            created_by=ctx.caller.user_id or MASTER_USER_ID,
            models=body.models,
        )
        return generate_response(key, raw, for_user=user)
    return generate_response(None, "", for_user=user)


async def user_delete(ctx: Ctx) -> Any:
    from budgettui.simulator.params import parse_body

    body = parse_body(DeleteUsersBody, ctx.body)
    store = ctx.store
    if not ctx.caller.is_proxy_admin:
        raise proxy_error(
            403,
            {"error": "Only PROXY_ADMIN or ORG_ADMIN users may delete users."},
            "internal_server_error",
            None,
        )
    for user_id in body.user_ids:
        if user_id not in store.users:
            raise proxy_error(
                404,
                {"error": f"User not found, passed user_id={user_id}"},
                "internal_server_error",
                None,
            )
    for user_id in body.user_ids:
        store.delete_user(user_id)
    return len(body.user_ids)


ROUTES = [
    Spec("GET", "/management/v1/users/me", "/management/v1/users/me", users_me),
    Spec("GET", "/user/info", "/user/info", user_info),
    Spec("POST", "/user/new", "/user/new", user_new),
    Spec("POST", "/user/delete", "/user/delete", user_delete),
]
