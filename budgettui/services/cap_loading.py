"""Reading the caps that live outside the key and team rows: the key owners' own budgets and
their budgets inside a team. Bounded in requests whatever the deployment's size: never one per
key, and one per team only for a few teams."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from budgettui.domain.caps import CapReadings
from budgettui.domain.tenants import SEE_ALL_ROLES
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import Forbidden, NotFound, Rejected, Unauthorized
from budgettui.proxy.models import Caller, Key, TeamInfo, UserBudget

# Member budgets are in `/team/info`, one request per team. Past this many teams with members'
# keys they are left unread, and said so, rather than adding a request per team (a 20,000-key
# proxy can have thousands of teams).
MEMBER_BUDGET_TEAM_LIMIT = 25
OTHER_USERS = "LiteLLM shows other users' budgets only to proxy admins and viewers"
# What answering "no" looks like for a read this role may not make (1.84 answers some with 401).
_REFUSED = (Forbidden, Unauthorized, NotFound, Rejected)


async def read_caps(client: LiteLLMClient, caller: Caller, keys: Sequence[Key]) -> CapReadings:
    (users, users_reason), (teams, members_reason) = await asyncio.gather(
        _owner_budgets(client, caller, keys), _member_budgets(client, caller, keys)
    )
    return CapReadings(users, users_reason, teams, members_reason)


async def _owner_budgets(
    client: LiteLLMClient, caller: Caller, keys: Iterable[Key]
) -> tuple[dict[str, UserBudget | None], str]:
    """Owners of personal keys only: LiteLLM checks the owner's budget on no other key. Proxy
    admins and viewers read them in bulk (`/user/list`, 100 a request); anyone else can read
    only their own (one request), and other owners stay unreadable."""
    owners = {key.user_id for key in keys if key.user_id and key.team_id is None}
    if not owners:
        return {}, OTHER_USERS
    role = caller.user_role or "this key"
    if caller.user_role in SEE_ALL_ROLES:
        try:
            return await client.user_budgets(owners), OTHER_USERS
        except _REFUSED:
            return {}, f"LiteLLM does not let {role} list users"
    if caller.user_id not in owners:
        return {}, OTHER_USERS
    try:
        return {caller.user_id: await client.user_budget(caller.user_id)}, OTHER_USERS
    except (Forbidden, Unauthorized, Rejected):
        return {}, f"LiteLLM does not show {role} its own budget"
    except NotFound:  # no user row: no budget to apply
        return {caller.user_id: None}, OTHER_USERS


async def _member_budgets(
    client: LiteLLMClient, caller: Caller, keys: Iterable[Key]
) -> tuple[dict[str, TeamInfo], dict[str, str]]:
    """`/team/info` of each team that has a key with an owner (the only keys a member budget
    applies to), a few at a time; past `MEMBER_BUDGET_TEAM_LIMIT` teams none is read."""
    team_ids = sorted({key.team_id for key in keys if key.team_id and key.user_id})
    if len(team_ids) > MEMBER_BUDGET_TEAM_LIMIT:
        reason = (
            f"not read: {len(team_ids)} teams have members' keys, a request each "
            f"(budgettui reads up to {MEMBER_BUDGET_TEAM_LIMIT})"
        )
        return {}, dict.fromkeys(team_ids, reason)
    width = client.options.max_concurrency
    infos: dict[str, TeamInfo] = {}
    refused: dict[str, str] = {}
    for start in range(0, len(team_ids), width):
        batch = team_ids[start : start + width]
        answers = await asyncio.gather(
            *(client.team_info(team_id) for team_id in batch), return_exceptions=True
        )
        for team_id, answer in zip(batch, answers, strict=True):
            if isinstance(answer, TeamInfo):
                infos[team_id] = answer
            elif isinstance(answer, _REFUSED):
                refused[team_id] = (
                    f"LiteLLM does not show {caller.user_role or 'this key'} this team's members"
                )
            elif isinstance(answer, BaseException):
                raise answer
    return infos, refused
