"""``/{user,team}/daily/activity[/aggregated[/keys]]`` (LiteLLM 1.108.7 daily-activity routes).

Errors are plain ``{"detail": {"error": ...}}``. Scope rules
(``resolve_user_daily_activity_entity_ids``, ``resolve_team_daily_activity_scope``): admins and
viewers see everything; other users see only their own user rows, and for teams only their own
teams, narrowed to their own keys unless they administer every requested team.
"""

from __future__ import annotations

from typing import Any

from budgettui.simulator.daily import (
    Scope,
    aggregate,
    collect,
    entity_key_counts,
    key_page,
    legacy_shape,
    totals_metadata,
)
from budgettui.simulator.errors import detail_error
from budgettui.simulator.params import Query
from budgettui.simulator.routing import Ctx, Spec
from budgettui.simulator.timefmt import parse_day

MAX_RANGE_DAYS = 400
Json = dict[str, Any]


def _dates(start_date: str | None, end_date: str | None, *, limit_range: bool) -> tuple[str, str]:
    if start_date is None or end_date is None:
        raise detail_error(400, {"error": "Please provide start_date and end_date"})
    start, end = parse_day(start_date), parse_day(end_date)
    if start is None or end is None:
        raise detail_error(400, {"error": "start_date and end_date must be valid YYYY-MM-DD dates"})
    if end < start:
        raise detail_error(400, {"error": "end_date must be on or after start_date"})
    if limit_range and (end - start).days > MAX_RANGE_DAYS:
        raise detail_error(400, {"error": f"Date range must be at most {MAX_RANGE_DAYS} days"})
    return start_date, end_date


def _user_scope(
    ctx: Ctx, start: str, end: str, q_user: str | None, api_key: str | None, model: str | None
) -> Scope:
    caller = ctx.caller
    if caller.admin_view:
        entity_ids = (q_user,) if q_user is not None else None
    else:
        if caller.user_id is None:
            raise detail_error(
                403,
                {
                    "error": "Service-account keys cannot query user analytics. "
                    "Use a user-bound key, or call as a proxy admin."
                },
            )
        if q_user is not None and q_user != caller.user_id:
            raise detail_error(
                403, {"error": "Non-admin users can only view their own spend data."}
            )
        entity_ids = (caller.user_id,)
    return Scope("user", start, end, entity_ids, (), (api_key,) if api_key else None, model)


def _team_scope(ctx: Ctx, start: str, end: str, q: Query) -> tuple[Scope, Json]:
    caller = ctx.caller
    store = ctx.store
    raw_ids, raw_excluded = q.text("team_ids"), q.text("exclude_team_ids")
    team_ids = raw_ids.split(",") if raw_ids else None
    excluded = tuple(raw_excluded.split(",")) if raw_excluded else ()
    api_key = q.text("api_key")
    api_keys: tuple[str, ...] | None = (api_key,) if api_key else None
    if not caller.admin_view:
        user = store.users.get(caller.user_id) if caller.user_id else None
        if user is None:
            raise detail_error(404, {"error": f"User= {caller.user_id} not found"})
        if team_ids is None:
            team_ids = list(user.teams)
        for team_id in team_ids:
            if team_id not in user.teams:
                raise detail_error(
                    404,
                    {
                        "error": f"User does not belong to Team= {team_id}. Call "
                        "`/user/info` to see user's teams"
                    },
                )
    teams = [t for t in store.teams.values() if not team_ids or t.team_id in team_ids]
    metadata = {t.team_id: {"team_alias": t.team_alias} for t in teams}
    if (
        not caller.admin_view
        and team_ids
        and teams
        and not all(t.is_admin(caller.user_id) for t in teams)
    ):
        own = tuple(key.token for key in store.user_keys(caller.user_id or ""))
        api_keys = (api_key,) if api_key and api_key in own else (() if api_key else own)
    scope = Scope(
        "team",
        start,
        end,
        tuple(team_ids) if team_ids is not None else None,
        excluded,
        api_keys,
        q.text("model"),
    )
    return scope, metadata


def _user_entity_metadata(ctx: Ctx, scope: Scope) -> Json:
    return {
        user.user_id: {"user_email": user.user_email, "user_alias": user.user_alias}
        for user in ctx.store.users.values()
    }


def _aggregated_response(ctx: Ctx, scope: Scope, limit: int, entity_metadata: Json) -> Json:
    entries = collect(ctx.store, scope)
    rich = ctx.version.rich_daily_activity  # 1.84.10 lists every key, with no limit
    results, totals = aggregate(
        ctx.store,
        scope,
        entries,
        key_limit=limit if rich else None,
        entity_metadata=entity_metadata,
    )
    distinct = {key.api_key for _, key, _ in entries}
    body = {
        "results": results,
        "metadata": {
            **totals_metadata(totals),
            "page": 1,
            "total_pages": 1,
            "has_more": False,
            "api_key_limit": limit,
            "total_api_keys": len(distinct),
            "entity_total_api_keys": entity_key_counts(scope, entries),
        },
    }
    return body if rich else legacy_shape(body)


async def user_aggregated(ctx: Ctx) -> Any:
    q = ctx.query
    start_date, end_date, model, api_key = (
        q.text("start_date"),
        q.text("end_date"),
        q.text("model"),
        q.text("api_key"),
    )
    user_id = q.text("user_id")
    q.optional_int("timezone")
    q.flag("include_current_utc_day")
    limit = q.integer("api_key_limit", 100, ge=1, le=1000)
    q.done()
    start, end = _dates(start_date, end_date, limit_range=False)
    scope = _user_scope(ctx, start, end, user_id, api_key, model)
    return _aggregated_response(ctx, scope, limit, _user_entity_metadata(ctx, scope))


async def team_aggregated(ctx: Ctx) -> Any:
    q = ctx.query
    q.optional_int("timezone")
    limit = q.integer("api_key_limit", 100, ge=1, le=1000)
    q.done()
    start, end = _dates(q.text("start_date"), q.text("end_date"), limit_range=True)
    scope, metadata = _team_scope(ctx, start, end, q)
    return _aggregated_response(ctx, scope, limit, metadata)


def _key_page_params(q: Query) -> tuple[int, int]:
    q.optional_int("timezone")
    offset = q.integer("offset", 0, ge=0)
    limit = q.integer("limit", 50, ge=1, le=100)
    q.done()
    return offset, limit


async def user_keys(ctx: Ctx) -> Any:
    q = ctx.query
    offset, limit = _key_page_params(q)
    start, end = _dates(q.text("start_date"), q.text("end_date"), limit_range=True)
    scope = _user_scope(ctx, start, end, q.text("user_id"), q.text("api_key"), q.text("model"))
    return key_page(ctx.store, scope, offset, limit)


async def team_keys(ctx: Ctx) -> Any:
    q = ctx.query
    offset, limit = _key_page_params(q)
    start, end = _dates(q.text("start_date"), q.text("end_date"), limit_range=True)
    scope, _ = _team_scope(ctx, start, end, q)
    return key_page(ctx.store, scope, offset, limit)


def _paged_response(ctx: Ctx, scope: Scope, page: int, page_size: int, metadata: Json) -> Json:
    if page < 1 or page_size < 1:
        raise detail_error(
            400, f"page and page_size must be >= 1, got page={page}, page_size={page_size}"
        )
    entries = collect(ctx.store, scope)
    entries.sort(key=lambda entry: entry[0], reverse=True)
    chunk = entries[(page - 1) * page_size : page * page_size]
    results, totals = aggregate(ctx.store, scope, chunk, key_limit=None, entity_metadata=metadata)
    body = {
        "results": results,
        "metadata": {
            **totals_metadata(totals),
            "page": page,
            "total_pages": -(-len(entries) // page_size),
            "has_more": page * page_size < len(entries),
            "api_key_limit": None,
            "total_api_keys": None,
            "entity_total_api_keys": None,
        },
    }
    return body if ctx.version.rich_daily_activity else legacy_shape(body)


async def user_paged(ctx: Ctx) -> Any:
    q = ctx.query
    page = q.integer("page", 1, ge=1)
    page_size = q.integer("page_size", 50, ge=1, le=1000)
    q.optional_int("timezone")
    q.done()
    if q.text("start_date") is None or q.text("end_date") is None:
        raise detail_error(400, {"error": "Please provide start_date and end_date"})
    scope = _user_scope(ctx, "", "", q.text("user_id"), q.text("api_key"), q.text("model"))
    start, end = _dates(q.text("start_date"), q.text("end_date"), limit_range=False)
    scope = Scope("user", start, end, scope.entity_ids, (), scope.api_keys, scope.model)
    return _paged_response(ctx, scope, page, page_size, _user_entity_metadata(ctx, scope))


async def team_paged(ctx: Ctx) -> Any:
    q = ctx.query
    page = q.integer("page", 1)
    page_size = q.integer("page_size", 10)
    q.done()
    scope, metadata = _team_scope(ctx, "", "", q)
    start, end = _dates(q.text("start_date"), q.text("end_date"), limit_range=False)
    scope = Scope(
        "team", start, end, scope.entity_ids, scope.exclude_entity_ids, scope.api_keys, scope.model
    )
    return _paged_response(ctx, scope, page, page_size, metadata)


ROUTES = [
    Spec(
        "GET", "/user/daily/activity/aggregated", "/user/daily/activity/aggregated", user_aggregated
    ),
    Spec(
        "GET", "/team/daily/activity/aggregated", "/team/daily/activity/aggregated", team_aggregated
    ),
    Spec(
        "GET",
        "/user/daily/activity/aggregated/keys",
        "/user/daily/activity/aggregated/keys",
        user_keys,
    ),
    Spec(
        "GET",
        "/team/daily/activity/aggregated/keys",
        "/team/daily/activity/aggregated/keys",
        team_keys,
    ),
    Spec("GET", "/user/daily/activity", "/user/daily/activity", user_paged),
    Spec("GET", "/team/daily/activity", "/team/daily/activity", team_paged),
]
