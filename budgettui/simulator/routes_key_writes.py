"""``/key/update``, ``/key/generate``, ``/key/delete``.

``/key/update`` follows LiteLLM 1.108.7 ``update_key_fn``/``_validate_update_key_data`` in order
(1.84.10 differences are ``LiteLLMVersion`` flags):
budget values (400), key lookup (404), spend/duration validation (400), team-admin edits of other
members' keys (403, ``member_key_budgets`` is off by default), key ownership (403), team-member
permissions on team keys (401), then the admin check for budget changes (403). Its errors are
``ProxyException``s of type ``auth_error`` with the ``HTTPException`` detail stringified.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from budgettui.simulator.auth import Caller
from budgettui.simulator.bodies import DeleteKeysBody, GenerateKeyBody, UpdateKeyBody
from budgettui.simulator.durations import (
    duration_error,
    duration_seconds,
    keeps_due_reset,
    next_reset,
)
from budgettui.simulator.errors import ApiError, proxy_error
from budgettui.simulator.models import MASTER_USER_ID, BudgetWindow, Key, Team
from budgettui.simulator.params import parse_body
from budgettui.simulator.responses import generate_response
from budgettui.simulator.routing import Ctx, Spec
from budgettui.simulator.serialize import key_row
from budgettui.simulator.store import Store, hash_if_needed, hash_token

_SETTINGS = "Settings > UI > Team admin editable fields"
_ROUTE_ENUM = {
    "/key/update": "KeyManagementRoutes.KEY_UPDATE",
    "/key/generate": "KeyManagementRoutes.KEY_GENERATE",
    "/key/delete": "KeyManagementRoutes.KEY_DELETE",
}


def _fail(status: int, detail: object) -> ApiError:
    """``update_key_fn`` wraps an HTTPException: type auth_error, param "None"."""
    return proxy_error(status, detail, "auth_error", "None")


def _check_budget_values(ctx: Ctx, names: tuple[str, ...], body: Any) -> None:
    for name in names:
        error = ctx.version.budget_value_error(name, getattr(body, name))
        if error is not None:
            raise _fail(400, {"error": error})


def _find_existing(store: Store, body: UpdateKeyBody) -> Key:
    if body.key is not None:
        key = store.keys.get(hash_if_needed(body.key))
        if key is None:
            raise proxy_error(404, "Key not found.", "not_found_error", "key")
        return key
    alias = body.key_alias
    rows = [key for key in store.keys.values() if key.key_alias == alias][:2]
    if not rows:
        raise proxy_error(
            404, f"Key not found. No key with key_alias='{alias}'.", "not_found_error", "key_alias"
        )
    if len(rows) > 1:
        message = f"Multiple keys share key_alias='{alias}', so it cannot be used as an identifier."
        raise proxy_error(400, message, "bad_request_error", "key_alias")
    return rows[0]


def team_member_permission_check(caller: Caller, team: Team | None, route: str) -> None:
    """``can_team_member_execute_key_management_endpoint`` for a team key."""
    if caller.is_proxy_admin or team is None:
        return
    role = team.role_of(caller.user_id)
    if role is None:
        raise proxy_error(
            401,
            f"User {caller.user_id} does not belong to team {team.team_id}. "
            "Team-scoped key management endpoints can only be used for keys in your own team.",
            "team_member_permission_error",
            route,
        )
    if role == "admin":
        return
    allowed = sorted({*team.team_member_permissions, "/key/info", "/key/health"})
    if route not in allowed:
        raise proxy_error(
            401,
            f"Team member does not have permissions for endpoint: {_ROUTE_ENUM[route]}. "
            f"You only have access to the following endpoints: {allowed} "
            f"for team {team.team_id}. To create keys for this team, please ask your proxy admin "
            "to check the team member permission settings and update the settings to allow team "
            "member users to create keys.",
            "team_member_permission_error",
            route,
        )


def _is_budget_change(ctx: Ctx, body: UpdateKeyBody, key: Key) -> bool:
    """``_is_budget_change``: the edits that need a proxy or team admin even on one's own key."""
    max_budget_changed = body.max_budget is not None and body.max_budget != key.max_budget
    if ctx.version.soft_budget_is_budget_change:
        return (
            max_budget_changed or body.spend is not None or "soft_budget" in body.model_fields_set
        )
    # 1.84.10: re-sending the stored spend is not a change.
    return max_budget_changed or (body.spend is not None and body.spend != key.spend)


def _authorize_update(ctx: Ctx, body: UpdateKeyBody, key: Key) -> None:
    caller = ctx.caller
    store = ctx.store
    if body.spend is not None and not math.isfinite(body.spend):
        raise _fail(400, {"error": f"spend must be a finite number. Received: {body.spend}"})
    error = duration_error(
        body.budget_duration, store.now(), strict=ctx.version.validates_budget_duration
    )
    if error is not None:
        raise _fail(400, {"error": error})
    if caller.is_proxy_admin:
        return
    team = store.teams.get(key.team_id) if key.team_id else None
    if (
        ctx.version.member_key_budget_gate
        and team is not None
        and key.user_id is not None
        and key.user_id != caller.user_id
        and team.is_admin(caller.user_id)
    ):
        raise _fail(
            403,
            "Team admins on this proxy cannot update budgets on other members' keys. "
            f"Ask a proxy admin to enable 'member_key_budgets' under {_SETTINGS}.",
        )
    owner = key.user_id or body.user_id
    if owner is not None and owner != caller.user_id:
        raise _fail(
            403,
            f"User can only create keys for themselves. Got user_id={owner}, Your "
            f"ID={caller.user_id}",
        )
    team_member_permission_check(caller, team, "/key/update")
    budget_change = _is_budget_change(ctx, body, key)
    creator = caller.user_id is not None and key.created_by == caller.user_id == key.user_id
    if (creator or key.team_id is not None) and not budget_change:
        return
    if team is not None and team.is_admin(caller.user_id):
        return
    route = "/key/update (max_budget/spend)" if budget_change else "/key/update"
    raise _fail(
        403,
        {
            "error": f"Only proxy admins, team admins, or org admins can call {route}. "
            f"user_role={caller.user_role}, user_id={caller.user_id}"
        },
    )


def _apply_update(ctx: Ctx, key: Key, body: UpdateKeyBody) -> None:
    values = body.model_dump(exclude_unset=True)
    values.pop("key", None)
    store, version = ctx.store, ctx.version
    now = store.now()
    if "soft_budget" in values:
        set_soft_budget(ctx, key, values.pop("soft_budget"))
    if "duration" in values:
        duration = values.pop("duration")
        key.expires = (
            None
            if duration in (None, "-1")
            else now + timedelta(seconds=duration_seconds(duration, now))
        )
    if "budget_duration" in values:
        duration = values.pop("budget_duration")
        if duration is None:
            # 1.84.10 ``prepare_key_update_data`` pops a null duration and writes nothing.
            if version.key_null_duration_clears:
                key.budget_duration, key.budget_reset_at = None, None
        elif duration:
            if not (
                version.keeps_due_reset
                and keeps_due_reset(duration, key.budget_duration, key.budget_reset_at, now)
            ):
                key.budget_reset_at = next_reset(duration, now)
            key.budget_duration = duration
    for name in (
        "key_alias",
        "max_budget",
        "spend",
        "tpm_limit",
        "rpm_limit",
        "max_parallel_requests",
        "blocked",
        "user_id",
        "team_id",
    ):
        if name in values:
            setattr(key, name, values[name])
    if "models" in values:
        key.models = list(values["models"] or [])
    if "metadata" in values:
        key.metadata = dict(values["metadata"] or {})
    key.updated_at = key.settings_updated_at = now
    key.updated_by = ctx.caller.user_id or MASTER_USER_ID


async def key_update(ctx: Ctx) -> Any:
    body = parse_body(UpdateKeyBody, ctx.body)
    # 1.84.10 ``update_key_fn`` checks only ``max_budget`` here.
    checked = ("max_budget", "soft_budget") if ctx.version.rejects_non_finite_budgets else ()
    _check_budget_values(ctx, checked or ("max_budget",), body)
    store = ctx.store
    key = _find_existing(store, body)
    _authorize_update(ctx, body, key)
    if body.team_id is not None and body.team_id != key.team_id and body.team_id not in store.teams:
        if not ctx.caller.is_proxy_admin:
            raise _fail(
                400,
                f"Team not found for team_id={body.team_id}. Non-admin users cannot set "
                "keys to non-existent teams.",
            )
        raise _fail(500, {"error": "Team object not found for team change validation"})
    new_alias = body.key_alias if "key_alias" in body.model_fields_set else None
    if new_alias is not None and any(
        k.key_alias == new_alias and k is not key for k in store.keys.values()
    ):
        message = (
            f"Key with alias '{new_alias}' already exists. Unique key aliases across "
            "all keys are required."
        )
        raise proxy_error(400, message, "bad_request_error", "key_alias")
    _apply_update(ctx, key, body)
    return {
        "key": body.key if body.key is not None else key.token,
        "token": key.token,
        **key_row(key, "plus"),
    }


async def key_generate(ctx: Ctx) -> Any:
    body = parse_body(GenerateKeyBody, ctx.body)
    store = ctx.store
    caller = ctx.caller

    def fail(status: int, detail: object) -> ApiError:
        return proxy_error(status, detail, "internal_server_error", None)

    for name in ("max_budget", "soft_budget"):
        error = ctx.version.budget_value_error(name, getattr(body, name))
        if error is not None:
            raise fail(400, {"error": error})
    user_id = body.user_id if caller.is_proxy_admin or body.user_id is not None else caller.user_id
    team = store.teams.get(body.team_id) if body.team_id else None
    if body.team_id and team is None and not caller.is_proxy_admin:
        raise fail(
            400,
            f"Team not found for team_id={body.team_id}. Non-admin users cannot create "
            "keys for non-existent teams.",
        )
    if not caller.is_proxy_admin:
        if user_id is not None and user_id != caller.user_id:
            raise fail(
                403,
                f"User can only create keys for themselves. Got user_id={user_id}, Your "
                f"ID={caller.user_id}",
            )
        team_member_permission_check(caller, team, "/key/generate")
    error = duration_error(
        body.budget_duration, store.now(), strict=ctx.version.validates_budget_duration
    )
    if error is not None:
        raise fail(400, {"error": error})
    if body.key_alias is not None and any(
        k.key_alias == body.key_alias for k in store.keys.values()
    ):
        message = (
            f"Key with alias '{body.key_alias}' already exists. Unique key aliases "
            "across all keys are required."
        )
        raise proxy_error(400, message, "bad_request_error", "key_alias")
    raw = body.key or store.new_raw_key()
    if hash_token(raw) in store.keys:
        raise fail(400, {"error": "Key already exists"})
    key = store.add_key(
        raw,
        key_alias=body.key_alias,
        team_id=body.team_id,
        user_id=user_id,
        max_budget=body.max_budget,
        budget_duration=body.budget_duration,
        created_by=caller.user_id or MASTER_USER_ID,
        tpm_limit=body.tpm_limit,
        rpm_limit=body.rpm_limit,
        metadata=body.metadata,
        models=body.models,
    )
    if body.duration not in (None, "-1"):
        key.expires = store.now() + timedelta(
            seconds=duration_seconds(str(body.duration), store.now())
        )
    key.blocked = body.blocked
    set_soft_budget(ctx, key, body.soft_budget)
    if body.budget_limits is not None:
        key.budget_limits = [
            BudgetWindow(
                w.budget_duration, w.max_budget, next_reset(w.budget_duration, store.now())
            )
            for w in body.budget_limits
        ]
    return generate_response(key, raw)


def set_soft_budget(ctx: Ctx, key: Key, soft_budget: float | None) -> None:
    """The soft budget lives in the key's linked budget row, created on first use."""
    if key.budget is not None:
        key.budget.soft_budget = soft_budget
    elif soft_budget is not None:
        created_by = ctx.caller.user_id or MASTER_USER_ID
        key.budget = ctx.store.new_budget(soft_budget=soft_budget, created_by=created_by)


def _may_delete(ctx: Ctx, key: Key) -> bool:
    caller = ctx.caller
    if caller.is_proxy_admin or (caller.user_id is not None and key.user_id == caller.user_id):
        return True
    team = ctx.store.teams.get(key.team_id) if key.team_id else None
    return team is not None and team.is_admin(caller.user_id)


async def key_delete(ctx: Ctx) -> Any:
    body = parse_body(DeleteKeysBody, ctx.body)
    store = ctx.store
    if body.keys:
        passed = body.keys
        found = [store.keys.get(hash_if_needed(value)) for value in passed]
    else:
        passed = body.key_aliases or []
        found = [
            next((k for k in store.keys.values() if k.key_alias == alias), None) for alias in passed
        ]
    deletable = [key for key in found if key is not None and _may_delete(ctx, key)]
    if len(deletable) != len(passed):
        raise proxy_error(
            400,
            {
                "error": "Not all keys passed in were deleted. This probably means you don't "
                "have access to delete all the keys passed in. "
                f"Keys passed in={len(passed)}, Deleted keys ={len(deletable)}"
            },
            "internal_server_error",
            None,
        )
    for key in deletable:
        store.delete_key(key.token, ctx.caller.user_id, ctx.caller.api_key)
    return {"deleted_keys": passed}


ROUTES = [
    Spec("POST", "/key/update", "/key/update", key_update),
    Spec("POST", "/key/generate", "/key/generate", key_generate),
    Spec("POST", "/key/delete", "/key/delete", key_delete),
]
