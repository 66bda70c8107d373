"""`LiteLLMClient`: the LiteLLM admin API calls budgettui makes, and nothing else.

The client knows LiteLLM's paths, parameters, page limits and fallbacks for older proxies; it
knows nothing of tenants or budgets (that is `budgettui.domain`) and nothing of Textual.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from budgettui.proxy.capabilities import Capabilities
from budgettui.proxy.errors import (
    BadResponse,
    EndpointMissing,
    NotFound,
    NotSupported,
    ProxyError,
    RouteRefused,
    Unavailable,
    UnknownOutcome,
)
from budgettui.proxy.models import (
    ActivityDay,
    Caller,
    DailyActivity,
    Key,
    KeyActivityPage,
    KeyActivityTotal,
    KeyInfo,
    KeyListPage,
    ResetSpendResult,
    SpendLogPage,
    Team,
    TeamInfo,
    TeamListPage,
    UserBudget,
    UserInfo,
    UserInfoBudget,
    UserListPage,
)
from budgettui.proxy.transport import ConnectionOptions, Model, Params, Sleep, Transport

Item = TypeVar("Item")

# LiteLLM's caps: /key/list size ≤ 100, /v2/team/list page_size ≤ 100, /spend/logs/v2 ≤ 1000
# (≤ 100 before PR #33994; `spend_log_page_size` lets a caller of an older proxy go lower).
KEY_PAGE_SIZE = 100
TEAM_PAGE_SIZE = 100
SPEND_LOG_PAGE_SIZE = 1000
KEY_ACTIVITY_PAGE_SIZE = 100  # `*/daily/activity/aggregated/keys` limit ≤ 100
DAILY_ROWS_PAGE_SIZE = 1000  # `/user/daily/activity` page_size ≤ 1000
# `/user/list` page_size ≤ 100. As many ids a request: the answer then fits one page, and the
# query string stays near 4 KB for UUIDs.
USER_PAGE_SIZE = 100
# A bound on any listing, so a proxy whose `total_pages` lies (or never sends a short page)
# cannot keep us paging forever; 500 pages of 100 is 50,000 keys.
MAX_PAGES = 500

ActivityScope = Literal["user", "team"]
# The master key has no row in the key table; LiteLLM names it by this alias.
MASTER_KEY_ROLE = "proxy_admin"
# Roles LiteLLM lets list every team and key.
ADMIN_VIEW_ROLES = frozenset({"proxy_admin", "proxy_admin_viewer"})
USERS_ME = "/management/v1/users/me"
USER_INFO_V2 = "/v2/user/info"
RESET_SPEND = "/key/{key}/reset_spend"


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a listing, with the proxy's hints of how many there are (never trusted to
    end the listing: see `_collect`)."""

    items: list[Item]
    total_pages: int | None = None
    total_items: int | None = None


# Told of each page's new items as it lands, with the proxy's count of all items when it gives
# one: the dashboard draws rows before the last page ("loading keys 3,400 / 20,005").
PageSeen = Callable[[list[Item], int | None], None]


@dataclass(frozen=True)
class Listing(Generic[Item]):
    """Every item of a paged listing; `partial` is true when paging stopped at `MAX_PAGES`."""

    items: list[Item]
    partial: bool = False


class LiteLLMClient:
    """An async client of one LiteLLM proxy for one API key. Use as `async with`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        options: ConnectionOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.options = options or ConnectionOptions()
        self.base_url = base_url.rstrip("/")
        self._http = Transport(
            self.base_url, api_key, self.options, transport=transport, sleep=sleep, rng=rng
        )
        self._capabilities: Capabilities | None = None
        self._capabilities_lock = asyncio.Lock()

    @property
    def host(self) -> str:
        """The proxy's host (and port), for headers and the journal: never the key."""
        return httpx.URL(self.base_url).netloc.decode()

    async def __aenter__(self) -> LiteLLMClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- what the proxy can do -----------------------------------------------------------------

    async def capabilities(self) -> Capabilities:
        """The proxy's release and routes, read once per client from `/openapi.json` (one
        request however many callers ask at once). A proxy that hides its schema gives
        `Capabilities()`: version unknown, every route tried. An unreachable proxy is not
        remembered, so the next call asks again."""
        async with self._capabilities_lock:
            if self._capabilities is None:
                try:
                    document = await self._http.get_json("/openapi.json")
                except Unavailable:
                    return Capabilities()
                except ProxyError:
                    document = None
                self._capabilities = Capabilities.from_openapi(document)
            return self._capabilities

    async def _get_route(
        self, route: str, model: type[Model], params: Params | None = None
    ) -> Model:
        """GET a route that not every supported release serves to every role. A route known to
        be missing or refused is not asked again; one that answers so is remembered."""
        capabilities = await self.capabilities()
        if not capabilities.has(route):
            raise EndpointMissing(f"{capabilities.label} has no {route}", status=404)
        if not capabilities.allows(route):
            raise RouteRefused(f"{capabilities.label} does not let this key call {route}")
        try:
            return await self._http.get(route, model, params)
        except EndpointMissing:
            self._capabilities = (self._capabilities or capabilities).without(route)
            raise
        except RouteRefused:
            self._capabilities = (self._capabilities or capabilities).refusing(route)
            raise

    # -- identity -----------------------------------------------------------------------------

    async def whoami(self) -> Caller:
        """The caller's user id and role. Older proxies lack `/management/v1/users/me`: there the
        calling key's own row names the user, and `/user/info` that user's role; a key with no row
        (404) is the master key, which LiteLLM treats as proxy_admin (docs/litellm.md, "Who is
        calling")."""
        try:
            return await self._get_route(USERS_ME, Caller)
        except NotFound:
            pass
        try:
            own_key = await self._http.get("/key/info", KeyInfo)
        except NotFound:
            return Caller(user_id="default_user_id", user_role=MASTER_KEY_ROLE)
        user_id = own_key.info.user_id
        if user_id is None:
            return Caller()  # a team service-account key: no user, no role
        user = await self._http.get("/user/info", UserInfo, {"user_id": user_id})
        row = user.user_info or UserInfo.Row()
        return Caller(user_id=user_id, user_role=row.user_role, user_email=row.user_email)

    # -- listings -----------------------------------------------------------------------------

    async def list_teams(self, caller: Caller) -> Listing[Team]:
        """Every team the caller may see. LiteLLM filters by role; `/v2/team/list` is paged,
        the older `/team/list` is not (and needs `user_id` for a non-admin)."""
        own = _own_teams(caller)
        try:
            return await self._collect(partial(self._team_page, own), TEAM_PAGE_SIZE, key=_team_id)
        except NotFound:
            raw = await self._http.get_json("/team/list", own)
            return Listing(_validate_list(raw, Team, "/team/list"))

    async def find_teams(
        self, caller: Caller, *, team_id: str | None = None, team_alias: str | None = None
    ) -> Listing[Team]:
        """The teams `list_teams` would give that `/v2/team/list` matches: `team_id` exactly,
        `team_alias` as a case-insensitive substring (LiteLLM 1.84.10 and 1.108.7 alike,
        `_build_team_list_where_conditions`). More than asked for where the proxy lacks the
        route (its whole listing): the caller compares what it needs. Nothing for a team the
        caller may not list (LiteLLM answers a member's `team_id` of another team 404)."""
        scope: Params = {
            **_own_teams(caller),
            **({"team_id": team_id} if team_id else {}),
            **({"team_alias": team_alias} if team_alias else {}),
        }
        try:
            return await self._collect(
                partial(self._team_page, scope), TEAM_PAGE_SIZE, key=_team_id
            )
        except EndpointMissing:
            return await self.list_teams(caller)
        except NotFound:
            return Listing([])

    async def _team_page(self, own: Mapping[str, str | int | bool], page: int) -> Page[Team]:
        params = {**own, "page": page, "page_size": TEAM_PAGE_SIZE}
        body = await self._get_route("/v2/team/list", TeamListPage, params)
        return Page(body.teams, body.total_pages, body.total)

    async def list_keys(self, on_page: PageSeen[Key] | None = None) -> Listing[Key]:
        """Every key the caller may see, as full objects. `include_team_keys` makes a team admin
        see the team's service-account keys too; LiteLLM still filters by role."""
        return await self._collect(self._key_page, KEY_PAGE_SIZE, key=_token, on_page=on_page)

    async def keys_by_alias(self, alias: str, *, any_case: bool = False) -> Listing[Key]:
        """The keys `list_keys` would give that LiteLLM's `key_alias` filter lets through: more
        than the alias asked for, never fewer, so the caller compares the aliases itself.

        LiteLLM 1.108.7 matches the alias exactly, or with `any_case` as a case-insensitive
        substring, for every role (`list_keys`, `_build_key_filter_conditions`). 1.84.10 has no
        `substring_matching` (it is ignored): proxy admins and viewers always get the
        case-insensitive substring match, anyone else the exact alias on their own keys only,
        their teams' keys unfiltered. Paged like `list_keys`, for a proxy that ignores it."""
        filters: Params = {
            "key_alias": alias,
            **({"substring_matching": "true"} if any_case else {}),
        }
        return await self._collect(
            partial(self._key_page, filters=filters), KEY_PAGE_SIZE, key=_token
        )

    async def team_has_keys(self, team_id: str) -> bool:
        """Whether the caller can list any key of the team (one request, one key asked for): a
        team with none is still provisioning, where LiteLLM does not count its keys."""
        params: Params = {"team_id": team_id, "size": 1, "include_team_keys": "true"}
        body = await self._http.get("/key/list", KeyListPage, params)
        return bool(body.keys) or bool(body.total_count)

    async def _key_page(self, page: int, filters: Params | None = None) -> Page[Key]:
        params: Params = {
            **(filters or {}),
            "page": page,
            "size": KEY_PAGE_SIZE,
            "return_full_object": "true",
            "include_team_keys": "true",
        }
        body = await self._http.get("/key/list", KeyListPage, params)
        keys = [key for key in body.keys if isinstance(key, Key)]
        if len(keys) != len(body.keys):
            raise BadResponse("/key/list returned hashes where full key objects were asked for")
        return Page(keys, body.total_pages, body.total_count)

    async def _collect(
        self,
        fetch: Callable[[int], Awaitable[Page[Item]]],
        page_size: int,
        *,
        key: Callable[[Item], str],
        on_page: PageSeen[Item] | None = None,
    ) -> Listing[Item]:
        """Page until a short page. `total_pages` only decides how many pages to ask for at once
        (at most `max_concurrency`): it is a hint, never trusted to end the listing. A full page
        with nothing new on it means the proxy ignores `page` (it would never end): stop there,
        partial, rather than ask `MAX_PAGES` times for the same rows."""
        seen: dict[str, Item] = {}

        def add(landed: Page[Item]) -> int:
            """Keep the page's items; how many were new. Pages are ordered by creation time: a
            key created while we page shifts rows onto the next page, so the same key can come
            twice; keep one."""
            new = [item for item in landed.items if key(item) not in seen]
            seen.update((key(item), item) for item in landed.items)
            if on_page is not None and new:
                on_page(new, landed.total_items)
            return len(new)

        first = await fetch(1)
        add(first)
        if len(first.items) < page_size:
            return Listing(list(seen.values()))
        hint = first.total_pages
        page = 2
        while page <= MAX_PAGES:
            remaining_hint = (hint or 0) - page + 1
            width = max(1, min(self.options.max_concurrency, remaining_hint, MAX_PAGES - page + 1))
            results = await asyncio.gather(*(fetch(p) for p in range(page, page + width)))
            for landed in results:
                if add(landed) == 0 and len(landed.items) == page_size:
                    return Listing(list(seen.values()), partial=True)
                if len(landed.items) < page_size:
                    return Listing(list(seen.values()))
            page += width
        return Listing(list(seen.values()), partial=True)

    # -- single objects -----------------------------------------------------------------------

    async def key_info(self, key_hash: str) -> Key:
        body = await self._http.get("/key/info", KeyInfo, {"key": key_hash})
        # `info` omits the token; put back the hash we asked for.
        return body.info.model_copy(update={"token": body.info.token or key_hash})

    async def team_info(self, team_id: str) -> TeamInfo:
        return await self._http.get("/team/info", TeamInfo, {"team_id": team_id})

    # -- users' own budgets -------------------------------------------------------------------

    async def user_budgets(self, user_ids: Iterable[str]) -> dict[str, UserBudget | None]:
        """The budgets of these users through `/user/list` (proxy admins and viewers; others
        403), 100 ids a request, `max_concurrency` requests at once: every id asked for, None
        where LiteLLM has no such user. An id with a comma cannot be asked for (the list is
        comma-separated) and is left out of the answer.

        LiteLLM matches a lone id as a case-insensitive substring and two or more exactly, so
        a lone id is sent twice; rows are kept only for ids asked for, compared exactly."""
        wanted = sorted({user_id for user_id in user_ids if "," not in user_id})
        batches = [wanted[i : i + USER_PAGE_SIZE] for i in range(0, len(wanted), USER_PAGE_SIZE)]
        found: dict[str, UserBudget | None] = dict.fromkeys(wanted)
        width = self.options.max_concurrency
        for start in range(0, len(batches), width):
            pages = await asyncio.gather(
                *(self._user_page(b) for b in batches[start : start + width])
            )
            for page in pages:
                found.update((user.user_id, user) for user in page.users if user.user_id in found)
        return found

    async def _user_page(self, user_ids: list[str]) -> UserListPage:
        asked = user_ids * 2 if len(user_ids) == 1 else user_ids
        params: Params = {"user_ids": ",".join(asked), "page": 1, "page_size": USER_PAGE_SIZE}
        return await self._http.get("/user/list", UserListPage, params)

    async def user_budget(self, user_id: str) -> UserBudget | None:
        """One user's budget: `/v2/user/info` (no keys or teams in the answer), else
        `/user/info` on a proxy without it. Every role may read its own; proxy admins and
        viewers anyone's; LiteLLM answers others 404 or 403."""
        try:
            return await self._get_route(USER_INFO_V2, UserBudget, {"user_id": user_id})
        except EndpointMissing:
            pass
        body = await self._http.get("/user/info", UserInfoBudget, {"user_id": user_id})
        return body.user_info

    # -- usage --------------------------------------------------------------------------------

    async def daily_activity(
        self,
        scope: ActivityScope,
        start: date,
        end: date,
        *,
        api_key: str | None = None,
        user_id: str | None = None,
        team_ids: list[str] | None = None,
    ) -> DailyActivity:
        """`/{user,team}/daily/activity/aggregated`: every day of the range in one answer (only
        days with traffic are listed). `EndpointMissing` on a proxy that predates the route,
        `RouteRefused` where the role may not call it (1.84: internal users)."""
        params = _activity_params(start, end, api_key, user_id, team_ids)
        return await self._get_route(f"/{scope}/daily/activity/aggregated", DailyActivity, params)

    async def paged_daily_activity(
        self,
        scope: ActivityScope,
        start: date,
        end: date,
        *,
        api_key: str | None = None,
        user_id: str | None = None,
        team_ids: list[str] | None = None,
    ) -> DailyActivity:
        """`/{user,team}/daily/activity`, every page, as one answer: the route every supported
        release has, and the one 1.84 opens to internal users for their own keys.

        LiteLLM pages its raw daily rows ordered by date alone, so the rows of a date that
        straddles two pages come back in any order: one can be read twice and another never. A
        date range whose rows fit one page is exact, so a range that does not fit is halved until
        each part fits (a month of one key is one request unless it has over 1,000 rows)."""
        route = f"/{scope}/daily/activity"

        async def page_of(first: date, last: date, page: int) -> DailyActivity:
            params = {
                **_activity_params(first, last, api_key, user_id, team_ids),
                "page": page,
                "page_size": DAILY_ROWS_PAGE_SIZE,
            }
            return await self._get_route(route, DailyActivity, params)

        async def days(first: date, last: date) -> list[ActivityDay]:
            body = await page_of(first, last, 1)
            if not body.metadata.has_more:
                return list(body.results)
            if first < last:
                middle = first + (last - first) // 2
                earlier, later = await asyncio.gather(
                    days(first, middle), days(middle + timedelta(days=1), last)
                )
                return earlier + later
            # One day with more rows than a page (a thousand models or providers on one key):
            # its pages are all that can be read.
            results = list(body.results)
            for page in range(2, MAX_PAGES + 1):
                body = await page_of(first, last, page)
                results += body.results
                if not body.metadata.has_more:
                    return results
            raise BadResponse(f"{route} kept saying has_more after {MAX_PAGES} pages")

        return DailyActivity(results=await days(start, end))

    async def key_activity_totals(
        self,
        scope: ActivityScope,
        start: date,
        end: date,
        *,
        team_ids: list[str] | None = None,
        on_page: PageSeen[KeyActivityTotal] | None = None,
    ) -> Listing[KeyActivityTotal]:
        """Per-key totals for a date range, for every key in scope, in pages of 100 (LiteLLM's
        cap): one request per hundred keys instead of one per tenant. The first page's
        `total_api_keys` lets the next ones be asked for `max_concurrency` at a time: over a
        100 ms link, 2,000 keys take 6 round trips instead of 21."""

        async def fetch(page: int) -> Page[KeyActivityTotal]:
            params: dict[str, str | int | bool] = {
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "offset": (page - 1) * KEY_ACTIVITY_PAGE_SIZE,
                "limit": KEY_ACTIVITY_PAGE_SIZE,
            }
            if team_ids:
                params["team_ids"] = ",".join(team_ids)
            body = await self._get_route(
                f"/{scope}/daily/activity/aggregated/keys", KeyActivityPage, params
            )
            pages = (
                -(-body.total_api_keys // KEY_ACTIVITY_PAGE_SIZE) if body.total_api_keys else None
            )
            return Page(body.api_keys, pages, body.total_api_keys)

        return await self._collect(fetch, KEY_ACTIVITY_PAGE_SIZE, key=_api_key, on_page=on_page)

    async def spend_log_page(
        self,
        api_key: str,
        start: datetime,
        end: datetime,
        page: int,
        page_size: int = SPEND_LOG_PAGE_SIZE,
    ) -> SpendLogPage:
        """One page of `/spend/logs/v2` for one key (by hash: `key_alias` is a substring match),
        between two UTC instants, both inclusive, newest first."""
        params: Params = {
            "api_key": api_key,
            "start_date": start.strftime("%Y-%m-%d %H:%M:%S"),
            "end_date": end.strftime("%Y-%m-%d %H:%M:%S"),
            "page": page,
            "page_size": page_size,
        }
        return await self._http.get("/spend/logs/v2", SpendLogPage, params)

    # -- writes (sent once, never retried) ----------------------------------------------------

    async def update_key(self, key_hash: str, changes: Mapping[str, Any]) -> Any:
        """`POST /key/update`: a merge patch; an explicit None clears the field."""
        return await self._http.post("/key/update", {"key": key_hash, **changes})

    async def update_team(self, team_id: str, changes: Mapping[str, Any]) -> Any:
        return await self._http.post("/team/update", {"team_id": team_id, **changes})

    async def reset_key_spend(self, key_hash: str, reset_to: Decimal) -> ResetSpendResult:
        """`POST /key/{hash}/reset_spend`: the hash in the path keeps the raw key out of logs.
        `NotSupported`, without sending anything, where the proxy predates the route."""
        capabilities = await self.capabilities()
        if not capabilities.has(RESET_SPEND):
            raise _no_reset_spend(capabilities)
        path = f"/key/{quote(key_hash, safe='')}/reset_spend"
        try:
            body = await self._http.post(path, {"reset_to": float(reset_to)})
        except EndpointMissing:
            self._capabilities = (self._capabilities or capabilities).without(RESET_SPEND)
            raise _no_reset_spend(capabilities) from None
        try:
            return ResetSpendResult.model_validate(body)
        except ValidationError:  # accepted (2xx), but we cannot read what it did
            raise UnknownOutcome(
                f"{path} answered with a shape budgettui does not know; the reset may or may "
                "not have been applied: re-read before trying again"
            ) from None


def _no_reset_spend(capabilities: Capabilities) -> NotSupported:
    return NotSupported(
        f"{capabilities.label} has no spend reset (POST {RESET_SPEND}); it came in LiteLLM 1.82"
    )


def _activity_params(
    start: date,
    end: date,
    api_key: str | None,
    user_id: str | None,
    team_ids: list[str] | None,
) -> dict[str, str | int | bool]:
    params: dict[str, str | int | bool] = {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
    }
    if api_key:
        params["api_key"] = api_key
    if user_id:
        params["user_id"] = user_id
    if team_ids:
        params["team_ids"] = ",".join(team_ids)
    return params


def _own_teams(caller: Caller) -> dict[str, str | int | bool]:
    """LiteLLM answers a non-admin's listing of all teams with 401; with `user_id` set to the
    caller it lists their teams. An admin viewer must not send it (it gets [])."""
    if caller.user_role not in ADMIN_VIEW_ROLES and caller.user_id:
        return {"user_id": caller.user_id}
    return {}


def _token(key: Key) -> str:
    return key.token or key.key_name or ""


def _api_key(total: KeyActivityTotal) -> str:
    return total.api_key


def _team_id(team: Team) -> str:
    return team.team_id


def _validate_list(raw: Any, model: type[BaseModel], where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise BadResponse(f"{where} answered with a {type(raw).__name__}, not a list")
    try:
        return [model.model_validate(item) for item in raw]
    except ValueError:
        raise BadResponse(f"{where} answered with items budgettui does not know") from None
