"""``GET /spend/logs/v2`` (LiteLLM 1.108.7 ``spend_management_endpoints.ui_view_spend_logs``).

Quirks kept on purpose: ``start_date``/``end_date`` are required; ``YYYY-MM-DD`` means 00:00:00 of
that day; ``key_alias`` is a SQL ``LIKE '%alias%'`` (a case-sensitive *substring*, where ``_`` and
``%`` are wildcards); rows are ordered by ``startTime`` only, so equal times have no defined order;
``total`` is capped at 10,000 with ``total_is_capped``. Non-admins see their own rows plus the rows
of teams they administer.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from budgettui.simulator.auth import INTERNAL_USER, INTERNAL_USER_VIEWER
from budgettui.simulator.errors import ApiError, proxy_error
from budgettui.simulator.logrows import log_json, request_id
from budgettui.simulator.models import LogRow
from budgettui.simulator.routing import Ctx, Spec

COUNT_CAP = 10_000
_SORT_FIELDS = (
    "endTime",
    "model",
    "request_duration_ms",
    "spend",
    "startTime",
    "total_tokens",
    "ttft_ms",
)


def like_pattern(fragment: str) -> re.Pattern[str]:
    """PostgreSQL ``LIKE '%fragment%'`` (backslash escapes) as a regex."""
    parts: list[str] = []
    chars = iter(fragment)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile(".*" + "".join(parts) + ".*", re.DOTALL)


def _parse_date(text: str) -> datetime:
    value = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    message = f"Invalid date format: {value}. Expected: 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'"
    raise proxy_error(400, message, "internal_server_error", None)


def _bad_request(message: str, param: str) -> ApiError:
    return proxy_error(400, message, "bad_request", param)


def _sort_value(row: LogRow, field: str) -> float | str:
    if field == "spend":
        return row.spend
    if field == "total_tokens":
        return row.prompt_tokens + row.completion_tokens
    if field == "endTime":
        return row.ts + row.duration_ms / 1000
    if field in ("request_duration_ms", "ttft_ms"):
        return row.duration_ms
    if field == "model":
        return row.model
    return row.ts


def _read_scope(ctx: Ctx, team_id: str | None) -> tuple[str | None, frozenset[str]] | None:
    """None for "all rows", else (own user id, readable team ids)."""
    caller = ctx.caller
    if caller.admin_view:
        return None
    store = ctx.store
    if team_id is not None:
        team = store.teams.get(team_id)
        allowed = team is not None and (
            team.is_admin(caller.user_id) or "/spend/logs" in team.team_member_permissions
        )
        if not allowed:
            detail = {"error": f"Not authorized to view team spend for team_id={team_id}"}
            raise proxy_error(403, detail, "internal_server_error", None)
        return None
    if caller.user_role not in (INTERNAL_USER, INTERNAL_USER_VIEWER) or caller.user_id is None:
        return None
    readable = frozenset(
        team.team_id
        for team in store.teams.values()
        if team.is_admin(caller.user_id)
        or (team.role_of(caller.user_id) and "/spend/logs" in team.team_member_permissions)
    )
    return caller.user_id, readable


async def spend_logs_v2(ctx: Ctx) -> Any:
    q = ctx.query
    api_key, user_id, req_id, team_id = (
        q.text("api_key"),
        q.text("user_id"),
        q.text("request_id"),
        q.text("team_id"),
    )
    min_spend, max_spend = q.optional_float("min_spend"), q.optional_float("max_spend")
    start_date, end_date = q.text("start_date"), q.text("end_date")
    page = q.integer("page", 1, ge=1)
    page_size = q.integer("page_size", 50, ge=1, le=1000)
    status_filter, model, model_group = (
        q.text("status_filter"),
        q.text("model"),
        q.text("model_group"),
    )
    key_alias, end_user = q.text("key_alias"), q.text("end_user")
    sort_by, sort_order = q.text("sort_by") or "startTime", q.text("sort_order") or "desc"
    q.done()
    if sort_by not in _SORT_FIELDS:
        raise _bad_request(
            f"Invalid sort_by: {sort_by}. Must be one of: {', '.join(_SORT_FIELDS)}", "sort_by"
        )
    if sort_order.lower() not in ("asc", "desc"):
        raise _bad_request(
            f"Invalid sort_order: {sort_order}. Must be one of: asc, desc", "sort_order"
        )
    if start_date is None or end_date is None:
        raise _bad_request("Start date and end date are required", "None")
    start, end = _parse_date(start_date), _parse_date(end_date)
    scope = _read_scope(ctx, team_id)
    alias_re = like_pattern(key_alias) if key_alias is not None else None
    matches: list[LogRow] = []
    for row in ctx.store.ledger.between(start.timestamp(), end.timestamp()):
        if (team_id is not None and row.team_id != team_id) or (
            user_id is not None and row.user != user_id
        ):
            continue
        if (api_key is not None and row.api_key != api_key) or (
            model is not None and row.model != model
        ):
            continue
        if model_group is not None and row.model_group != model_group:
            continue
        if (end_user is not None and end_user != "") or (
            req_id is not None and request_id(row) != req_id
        ):
            continue
        if status_filter is not None and row.status != status_filter:
            continue
        if (min_spend is not None and not row.spend >= min_spend) or (
            max_spend is not None and not row.spend <= max_spend
        ):
            continue
        if alias_re is not None and (
            row.key_alias is None or alias_re.fullmatch(row.key_alias) is None
        ):
            continue
        if scope is not None and not (row.user == scope[0] or row.team_id in scope[1]):
            continue
        matches.append(row)
    descending = sort_order.lower() == "desc"
    if sort_by == "startTime":
        ordered = matches[::-1] if descending else matches
    else:
        ordered = sorted(matches, key=lambda row: _sort_value(row, sort_by), reverse=descending)
    capped = len(ordered) > COUNT_CAP
    total = COUNT_CAP if capped else len(ordered)
    chunk = ordered[(page - 1) * page_size : page * page_size]
    return {
        "data": [log_json(row) for row in chunk],
        "total": total,
        "page": page,
        "page_size": page_size,
        "total_pages": math.ceil(total / page_size),
        "total_is_capped": capped,
    }


ROUTES = [Spec("GET", "/spend/logs/v2", "/spend/logs/v2", spend_logs_v2)]
