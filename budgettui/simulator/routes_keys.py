"""``/key/info``, ``/key/list``, ``/key/{key}/reset_spend`` (reads and the spend reset).

Visibility and error envelopes follow LiteLLM 1.108.7 ``key_management_endpoints.py``
(``info_key_fn``, ``list_keys``/``validate_key_list_check``/``_build_key_filter_conditions``,
``reset_key_spend_fn``). The write endpoints live in ``routes_key_writes``.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.bodies import ResetSpendBody
from budgettui.simulator.errors import ApiError, detail_error, proxy_error, validation_error
from budgettui.simulator.models import Key
from budgettui.simulator.params import parse_body
from budgettui.simulator.responses import deleted_key_json
from budgettui.simulator.routing import Ctx, Spec
from budgettui.simulator.serialize import (
    db_float,
    key_full_object,
    key_row,
    key_status,
    windows_usage,
)
from budgettui.simulator.store import hash_if_needed, hash_token
from budgettui.simulator.timefmt import iso_z

_SORT_COLUMNS = ["spend", "max_budget", "created_at", "updated_at", "token", "key_alias"]


def can_query_key(ctx: Ctx, passed: str | None, key: Key) -> bool:
    """``_can_user_query_key_info``."""
    caller = ctx.caller
    if caller.admin_view or caller.api_key == passed or key.user_id == caller.user_id:
        return True
    if key.team_id is None:
        return False
    team = ctx.store.teams.get(key.team_id)
    return team is not None and team.role_of(caller.user_id) is not None


async def key_info(ctx: Ctx) -> Any:
    passed = ctx.query.text("key") or ctx.caller.api_key
    ctx.query.done()
    key = ctx.store.keys.get(hash_if_needed(passed))
    if key is None:
        archived = ctx.store.deleted_keys.get(hash_if_needed(passed))
        if archived is None:
            raise proxy_error(404, "Key not found in database", "not_found_error", "key")
        if not can_query_key(ctx, passed, archived.key):
            message = (
                f"You are not allowed to access this key's info. Your role={ctx.caller.user_role}"
            )
            raise proxy_error(403, message, "internal_server_error", None)
        info = deleted_key_json(archived, "plus", with_token=False)
        if ctx.version.reports_usage:
            info["status"] = "deleted"
        return {"key": passed, "info": info}
    if not can_query_key(ctx, passed, key):
        message = f"You are not allowed to access this key's info. Your role={ctx.caller.user_role}"
        raise proxy_error(403, message, "internal_server_error", None)
    info = key_row(key, "plus", rich=ctx.version.reports_usage)
    if ctx.version.reports_usage:
        info["status"] = key_status(key, ctx.store)
        if key.budget_limits:
            info["budget_limits_usage"] = windows_usage(key.budget_limits)
    return {"key": passed, "info": info}


def _list_error(status: int, detail: Any) -> ApiError:
    """``list_keys`` re-raises an HTTPException as a ProxyException (internal_server_error)."""
    return proxy_error(status, detail, "internal_server_error", "None")


def _validate_list_access(
    ctx: Ctx, user_id: str | None, team_id: str | None, key_hash: str | None
) -> list[str]:
    """``validate_key_list_check``; returns the caller's team ids (empty for admins)."""
    caller = ctx.caller
    if caller.admin_view:
        return []
    no_user = (
        "You are not authorized to access this endpoint. No 'user_id' is associated "
        "with your API key."
    )
    user = ctx.store.users.get(caller.user_id) if caller.user_id else None
    if user is None:
        raise proxy_error(403, no_user, "bad_request_error", "user_id")
    if user_id and user_id != user.user_id:
        raise proxy_error(
            403,
            "You are not authorized to check another user's keys",
            "bad_request_error",
            "user_id",
        )
    if team_id and team_id not in user.teams:
        raise proxy_error(
            403, "You are not authorized to check this team's keys", "bad_request_error", "team_id"
        )
    if key_hash:
        target = ctx.store.keys.get(key_hash)
        if target is None:
            raise proxy_error(403, "Key Hash not found.", "bad_request_error", "key_hash")
        if not can_query_key(ctx, key_hash, target):
            raise _list_error(
                403, f"You are not allowed to access this key's info. Your role={caller.user_role}"
            )
    return list(user.teams)


async def key_list(ctx: Ctx) -> Any:
    q = ctx.query
    page = q.integer("page", 1, ge=1)
    size = q.integer("size", 10, ge=1, le=100)
    user_id, team_id, key_hash = q.text("user_id"), q.text("team_id"), q.text("key_hash")
    key_alias, search = q.text("key_alias"), q.text("search")
    full = q.flag("return_full_object")
    include_team_keys = q.flag("include_team_keys")
    include_created_by = q.flag("include_created_by_keys")
    substring = q.flag("substring_matching")
    sort_by, sort_order = q.text("sort_by"), q.text("sort_order") or "desc"
    status = q.text("status")
    q.done()
    if status is not None and status not in ("active", "expired", "revoked", "deleted"):
        msg = "Invalid status value. Supported: 'active', 'expired', 'revoked', 'deleted'."
        raise _list_error(400, {"error": msg})
    caller = ctx.caller
    store = ctx.store
    user_teams = _validate_list_access(ctx, user_id, team_id, key_hash)
    member_teams: list[str] = []
    admin_teams: list[str] = []
    if include_team_keys or include_created_by:
        member_teams = [
            t for t in user_teams if t in store.teams and store.teams[t].role_of(caller.user_id)
        ]
    if include_team_keys:
        admin_teams = [t for t in member_teams if store.teams[t].is_admin(caller.user_id)]
        admin_teams += [
            t
            for t in member_teams
            if t not in admin_teams and "/key/list" in store.teams[t].team_member_permissions
        ]
    if not user_id and not caller.admin_view:
        user_id = caller.user_id
    version = ctx.version
    admin_substring = caller.admin_view and (substring or not version.key_list_substring_opt_in)
    alias_substring = substring if version.key_list_substring_opt_in else admin_substring
    # 1.84: the alias is part of the caller's own-keys condition, not of every grant.
    own_alias = key_alias if not version.key_alias_filters_team_keys else None

    def alias_matches(key: Key, wanted: str | None) -> bool:
        if not wanted:
            return True
        alias = key.key_alias or ""
        return wanted.lower() in alias.lower() if alias_substring else alias == wanted

    def visible(key: Key) -> bool:
        grants = []
        if user_id or own_alias:
            own = not user_id or (
                user_id.lower() in (key.user_id or "").lower()
                if admin_substring
                else key.user_id == user_id
            )
            grants.append(own and alias_matches(key, own_alias))
        if include_created_by and user_id:
            grants.append(
                key.created_by == user_id and (key.team_id is None or key.team_id in member_teams)
            )
        if admin_teams:
            grants.append(key.team_id in admin_teams)
        member_only = [t for t in member_teams if t not in admin_teams]
        if member_only:
            grants.append(key.team_id in member_only and key.user_id is None)
        return any(grants) if grants else True

    def matches(key: Key) -> bool:
        if version.key_alias_filters_team_keys and not alias_matches(key, key_alias):
            return False
        if key_hash and key.token != key_hash:
            return False
        if search and not (key.token == search or search.lower() in (key.key_alias or "").lower()):
            return False
        if team_id and key.team_id != team_id:
            return False
        return status in (None, "deleted") or key_status(key, store) == status

    if status == "deleted":
        archive = {d.key.token: d for d in store.deleted_keys.values()}
        rows = [d.key for d in archive.values() if visible(d.key) and matches(d.key)]
    else:
        rows = [key for key in store.keys.values() if visible(key) and matches(key)]
    rows = _sorted_keys(rows, sort_by, sort_order)
    total = len(rows)
    chunk = rows[(page - 1) * size : page * size]

    def render(key: Key) -> Any:
        if not full:
            return key.token
        if status == "deleted":
            return deleted_key_json(store.deleted_keys[key.token], "z", with_token=True)
        return key_full_object(key, with_budget_table=ctx.version.reports_usage)

    return {
        "keys": [render(key) for key in chunk],
        "total_count": total,
        "current_page": page,
        "total_pages": -(-total // size),
    }


def _sorted_keys(rows: list[Key], sort_by: str | None, sort_order: str) -> list[Key]:
    if sort_by is None:
        ordered = sorted(rows, key=lambda key: key.token, reverse=True)
        return sorted(ordered, key=lambda key: key.created_at, reverse=True)
    if sort_by not in _SORT_COLUMNS:
        raise _list_error(
            400, {"error": f"Invalid sort column. Must be one of: {', '.join(_SORT_COLUMNS)}"}
        )
    if sort_order.lower() not in ("asc", "desc"):
        raise _list_error(400, {"error": "Invalid sort order. Must be 'asc' or 'desc'"})
    descending = sort_order.lower() == "desc"
    present = [key for key in rows if getattr(key, sort_by) is not None]
    missing = [key for key in rows if getattr(key, sort_by) is None]
    present.sort(key=lambda key: getattr(key, sort_by), reverse=descending)
    # PostgreSQL puts NULLs last ascending and first descending.
    return missing + present if descending else present + missing


async def reset_spend(ctx: Ctx) -> Any:
    body = parse_body(ResetSpendBody, ctx.body)
    if ctx.version.rejects_bool_reset_to and isinstance(ctx.body.get("reset_to"), bool):
        raise validation_error(
            [
                {
                    "type": "value_error",
                    "loc": ["body", "reset_to"],
                    "msg": "Value error, reset_to must be a number, not a boolean",
                }
            ]
        )
    passed = str(ctx.path_params["key"])
    hashed = hash_token(passed) if "sk" in passed else passed
    key = ctx.store.keys.get(hashed)
    if key is None:
        raise detail_error(404, {"error": f"Key {passed} not found."})
    reset_to = body.reset_to
    current = db_float(key.spend or 0.0)
    if not reset_to >= 0:
        raise detail_error(400, {"error": "reset_to must be >= 0"})
    if reset_to > current:
        raise detail_error(
            400, {"error": f"reset_to ({reset_to}) must be <= current spend ({current})"}
        )
    if key.max_budget is not None and reset_to > key.max_budget:
        raise detail_error(
            400, {"error": f"reset_to ({reset_to}) must be <= budget ({key.max_budget})"}
        )
    caller = ctx.caller
    team = ctx.store.teams.get(key.team_id) if key.team_id else None
    if not caller.is_proxy_admin and not (team is not None and team.is_admin(caller.user_id)):
        raise detail_error(
            403, {"error": "You must be a proxy admin or team admin to reset key spend"}
        )
    key.spend = reset_to
    key.updated_at = ctx.store.now()
    return {
        "key_hash": hashed,
        "spend": reset_to,
        "previous_spend": current,
        "max_budget": key.max_budget,
        "budget_reset_at": iso_z(key.budget_reset_at),
    }


ROUTES = [
    Spec("GET", "/key/info", "/key/info", key_info),
    Spec("GET", "/key/list", "/key/list", key_list),
    Spec("POST", "/key/{key:path}/reset_spend", "/key/{key}/reset_spend", reset_spend),
]
