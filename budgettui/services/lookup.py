"""One tenant by name in a few filtered requests, for `usage NAME`, `budget set NAME` and
`spend reset NAME`: listing every key and team to find one took 16 s at 20,000 tenants.

The name matches as `domain.tenants.find_tenant` matches it in the full listing (exact, else a
unique case-insensitive match), and a name hidden from the credential fails with the same
`TenantNotFound` as one that does not exist. LiteLLM's filters only narrow what comes back;
every answer is compared here, so a proxy that ignores them is slower, never wrong.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD
from budgettui.domain.tenants import (
    SEE_ALL_ROLES,
    Tenant,
    find_tenant,
    key_display_name,
    org_display_name,
    provisioning_tenants,
    tenants_of_keys,
)
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import Forbidden, Unauthorized
from budgettui.proxy.models import Caller, Key, Team
from budgettui.services.cap_loading import read_caps
from budgettui.services.loading import Overview, TenantNotFound, load_overview, resolve_tenant

# What a key without an alias is called (`key_display_name`): its masked key (LiteLLM's
# `key_name`, "sk-...abcd"), or nothing at all; and a name whose control characters are shown
# as U+FFFD. No alias filter finds these: only the full listing does.
_MASKED_KEY_PREFIX = "sk-..."
_UNNAMED_KEY = "(unnamed key)"
_SHOWN_CONTROL = "\N{REPLACEMENT CHARACTER}"


class TenantFinder:
    """A headless command's view of the tenants: one by name (`tenant`, a few requests) or all
    of them (`overview`, every key and team) when the command needs them all. The caller's
    identity and the overview are each read once."""

    def __init__(
        self,
        client: LiteLLMClient,
        now: datetime,
        threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
    ) -> None:
        self.client, self.now, self.threshold = client, now, threshold
        self._caller: Caller | None = None
        self._overview: Overview | None = None
        # True once a listing read for this command stopped before its end (`Listing.partial`).
        self.partial = False

    async def caller(self) -> Caller:
        if self._caller is None:
            self._caller = await self.client.whoami()
        return self._caller

    async def overview(self) -> Overview:
        if self._overview is None:
            caller = await self.caller()
            self._overview = await load_overview(
                self.client, self.now, self.threshold, caller=caller
            )
            self.partial |= self._overview.partial
        return self._overview

    async def tenant(self, name: str) -> Tenant:
        """The tenant called `name`. Its keys by alias first (one request where the alias is
        taken exactly once, the usual case); then, for an admin view, the keys matching in any
        case and the teams so named (a team with no key is a tenant still provisioning); for
        anyone else, who sees few keys, and for a name no alias can carry, the full listing."""
        caller = await self.caller()
        keys = await self.client.keys_by_alias(name)
        self.partial |= keys.partial
        exact = [key for key in keys.items if key_display_name(key) == name]
        if len(exact) == 1:
            return await self._key_tenant(caller, exact[0])
        if len(exact) > 1:  # ambiguous in any case: `find_tenant` would refuse it too
            raise TenantNotFound(name)
        if caller.user_role not in SEE_ALL_ROLES or not _alias_findable(name):
            return resolve_tenant(await self.overview(), name)
        found = await self._by_name_in_any_case(caller, name)
        if found is None:
            raise TenantNotFound(name)
        return found

    async def _by_name_in_any_case(self, caller: Caller, name: str) -> Tenant | None:
        """An admin view's candidates: keys and teams whose names match `name` in any case,
        compared by `find_tenant` as the full listing would be (an exact name wins)."""
        folded = name.casefold()
        keys, by_alias, by_id = await asyncio.gather(
            self.client.keys_by_alias(name, any_case=True),
            self.client.find_teams(caller, team_alias=name),
            self.client.find_teams(caller, team_id=name),
        )
        self.partial |= keys.partial or by_alias.partial or by_id.partial
        named_keys = [key for key in keys.items if key_display_name(key).casefold() == folded]
        teams = {
            team.team_id: team
            for team in (*by_alias.items, *by_id.items)
            if org_display_name(team).casefold() == folded
        }
        keyed = await self._teams_with_keys(list(teams.values()))
        if keyed is None:  # cannot tell which teams are still provisioning: ask the listing
            return find_tenant((await self.overview()).tenants, name)
        candidates = [
            *tenants_of_keys([], named_keys, caller, self.threshold, now=self.now),
            *provisioning_tenants(teams.values(), keyed, caller, self.threshold),
        ]
        tenant = find_tenant(candidates, name)
        if tenant is None or tenant.key_hash is None:
            return tenant
        key = next(key for key in named_keys if key.token == tenant.key_hash)
        return await self._key_tenant(caller, key)

    async def _teams_with_keys(self, teams: list[Team]) -> set[str] | None:
        """Which of these teams have a key the caller can list, where LiteLLM does not count
        them (1.84 has no `keys_count`): one request each, for the few teams a name matches.
        None when the proxy will not say (LiteLLM 1.84 refuses a viewer another team's keys)."""
        uncounted = [team.team_id for team in teams if team.keys_count is None]
        try:
            answers = await asyncio.gather(*map(self.client.team_has_keys, uncounted))
        except (Forbidden, Unauthorized):
            return None
        return {team_id for team_id, has in zip(uncounted, answers, strict=True) if has}

    async def _key_tenant(self, caller: Caller, key: Key) -> Tenant:
        """The key's tenant as the full listing builds it: with its team as far as the caller
        may list it, and its owner's and member budgets (`read_caps` for this one key)."""
        teams, readings = await asyncio.gather(
            self._team_of(caller, key), read_caps(self.client, caller, [key])
        )
        (tenant,) = tenants_of_keys(
            teams, [key], caller, self.threshold, readings=readings, now=self.now
        )
        return tenant

    async def _team_of(self, caller: Caller, key: Key) -> list[Team]:
        """The key's team, or nothing where the caller may not list it (its caps are then
        unreadable, as in the full listing)."""
        if key.team_id is None:
            return []
        listing = await self.client.find_teams(caller, team_id=key.team_id)
        return [team for team in listing.items if team.team_id == key.team_id]


def _alias_findable(name: str) -> bool:
    return not (
        name.startswith(_MASKED_KEY_PREFIX) or name == _UNNAMED_KEY or _SHOWN_CONTROL in name
    )
