"""In-memory state of the simulated proxy: users, teams, memberships, keys, spend logs.

Everything is deterministic: time comes from the injected ``clock`` and every id or raw key from
``random.Random(seed)``.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from budgettui.simulator.durations import next_reset
from budgettui.simulator.ledger import Ledger
from budgettui.simulator.models import (
    MASTER_KEY_ALIAS,
    MASTER_USER_ID,
    PRICES,
    Budget,
    DeletedKey,
    Key,
    LogRow,
    Member,
    Membership,
    RecordedRequest,
    Team,
    User,
    request_cost,
)
from budgettui.simulator.timefmt import epoch, to_utc

DEFAULT_MASTER_KEY = "sk-demo-master"
_URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def hash_token(raw: str) -> str:
    """LiteLLM's ``hash_token``: sha256 hex of the raw ``sk-`` key."""
    return hashlib.sha256(raw.encode()).hexdigest()


def hash_if_needed(value: str) -> str:
    """LiteLLM's ``hash_token_if_needed``: hash values that start with ``sk-``."""
    return hash_token(value) if value.startswith("sk-") else value


def masked_name(raw: str) -> str:
    """The ``key_name`` LiteLLM stores: ``sk-...`` and the raw key's last four characters."""
    return f"sk-...{raw[-4:]}"


class Store:
    """The whole simulated proxy state; endpoints read and write it directly."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        master_key: str = DEFAULT_MASTER_KEY,
        seed: int = 0,
    ) -> None:
        self.clock = clock
        self.master_key = master_key
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.keys: dict[str, Key] = {}
        self.deleted_keys: dict[str, DeletedKey] = {}
        self.memberships: dict[tuple[str, str], Membership] = {}
        self.ledger = Ledger()
        self.requests: list[RecordedRequest] = []
        self.rng = random.Random(seed)  # noqa: S311 - deterministic ids and demo traffic, not secrets
        self._seq = 0

    # ----------------------------------------------------------------- ids and time
    def now(self) -> datetime:
        return to_utc(self.clock())

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_raw_key(self) -> str:
        return "sk-" + "".join(self.rng.choice(_URLSAFE) for _ in range(22))

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # ----------------------------------------------------------------- creation
    def add_user(
        self,
        user_id: str,
        user_email: str | None,
        user_role: str,
        *,
        created_at: datetime | None = None,
        max_budget: float | None = None,
        user_alias: str | None = None,
    ) -> User:
        moment = created_at or self.now()
        user = User(
            user_id=user_id,
            user_email=user_email,
            user_role=user_role,
            created_at=moment,
            updated_at=moment,
            max_budget=max_budget,
            user_alias=user_alias,
        )
        self.users[user_id] = user
        return user

    def add_team(
        self,
        team_alias: str | None,
        *,
        team_id: str | None = None,
        creator: str | None = MASTER_USER_ID,
        created_at: datetime | None = None,
        max_budget: float | None = None,
        budget_duration: str | None = None,
        models: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        tpm_limit: int | None = None,
        rpm_limit: int | None = None,
        soft_budget: float | None = None,
    ) -> Team:
        moment = created_at or self.now()
        team = Team(
            team_id=team_id or self.new_uuid(),
            team_alias=team_alias,
            created_at=moment,
            updated_at=moment,
            max_budget=max_budget,
            soft_budget=soft_budget,
            budget_duration=budget_duration,
            budget_reset_at=next_reset(budget_duration, self.now()) if budget_duration else None,
            models=list(models or []),
            metadata=dict(metadata or {}),
            tpm_limit=tpm_limit,
            rpm_limit=rpm_limit,
        )
        self.teams[team.team_id] = team
        if creator is not None:
            self.add_member(team.team_id, creator, "admin")
        return team

    def add_member(self, team_id: str, user_id: str, role: str) -> None:
        team = self.teams[team_id]
        user = self.users.get(user_id)
        team.members_with_roles.append(
            Member(user_id=user_id, user_email=user.user_email if user else None, role=role)
        )
        self.memberships.setdefault((team_id, user_id), Membership(user_id, team_id))
        if user is not None and team_id not in user.teams:
            user.teams.append(team_id)
        team.updated_at = self.now()

    def promote_team_admin(self, team_id: str, user_id: str) -> None:
        """What ``seed-traffic`` does in the DB: member role "admin" and an ``admins[]`` entry."""
        team = self.teams[team_id]
        for member in team.members_with_roles:
            if member.user_id == user_id:
                member.role = "admin"
        if user_id not in team.admins:
            team.admins.append(user_id)
        team.updated_at = self.now()

    def add_key(
        self,
        raw: str,
        *,
        key_alias: str | None,
        team_id: str | None = None,
        user_id: str | None = None,
        max_budget: float | None = None,
        budget_duration: str | None = None,
        created_at: datetime | None = None,
        created_by: str | None = MASTER_USER_ID,
        tpm_limit: int | None = None,
        rpm_limit: int | None = None,
        metadata: dict[str, Any] | None = None,
        models: list[str] | None = None,
    ) -> Key:
        moment = created_at or self.now()
        key = Key(
            token=hash_token(raw),
            key_name=masked_name(raw),
            key_alias=key_alias,
            created_at=moment,
            updated_at=moment,
            created_by=created_by,
            updated_by=created_by,
            max_budget=max_budget,
            budget_duration=budget_duration,
            budget_reset_at=next_reset(budget_duration, self.now()) if budget_duration else None,
            tpm_limit=tpm_limit,
            rpm_limit=rpm_limit,
            metadata=dict(metadata or {}),
            models=list(models or []),
            user_id=user_id,
            team_id=team_id,
        )
        self.keys[key.token] = key
        return key

    def new_budget(
        self,
        *,
        budget_id: str | None = None,
        max_budget: float | None = None,
        soft_budget: float | None = None,
        budget_duration: str | None = None,
        created_by: str | None = MASTER_USER_ID,
    ) -> Budget:
        """A ``LiteLLM_BudgetTable`` row (its reset date follows ``budget_duration``)."""
        now = self.now()
        return Budget(
            budget_id=budget_id or self.new_uuid(),
            created_at=now,
            max_budget=max_budget,
            soft_budget=soft_budget,
            budget_duration=budget_duration,
            budget_reset_at=next_reset(budget_duration, now) if budget_duration else None,
            created_by=created_by,
        )

    def set_team_member_budget(self, team: Team, max_budget: float) -> Budget:
        """``/team/new team_member_budget``: the team's default member budget row."""
        suffix = self.new_uuid().replace("-", "")
        budget = self.new_budget(
            budget_id=f"team-{team.team_alias or team.team_id}-budget-{suffix}",
            max_budget=max_budget,
        )
        team.member_budget = budget
        team.metadata["team_member_budget_id"] = budget.budget_id
        return budget

    def give_member_budget(
        self, team_id: str, user_id: str, budget: Budget | None = None, *, copy: bool = False
    ) -> None:
        """Link a membership to ``budget`` (default: the team's member budget), or to a copy
        of it with its own id (LiteLLM 1.84.10 copies the default row per member)."""
        membership = self.memberships.get((team_id, user_id))
        chosen = budget or self.teams[team_id].member_budget
        if membership is None or chosen is None:
            return
        if copy:
            chosen = self.new_budget(
                max_budget=chosen.max_budget,
                soft_budget=chosen.soft_budget,
                budget_duration=chosen.budget_duration,
            )
        membership.budget = chosen

    # ----------------------------------------------------------------- lookups
    def find_key(self, value: str | None) -> Key | None:
        if value is None:
            return None
        return self.keys.get(hash_if_needed(value))

    def team_keys(self, team_id: str) -> list[Key]:
        return [key for key in self.keys.values() if key.team_id == team_id]

    def user_keys(self, user_id: str) -> list[Key]:
        return [key for key in self.keys.values() if key.user_id == user_id]

    def team_memberships(self, team_id: str, user_id: str | None = None) -> list[Membership]:
        return [
            row
            for (tid, uid), row in self.memberships.items()
            if tid == team_id and (user_id is None or uid == user_id)
        ]

    # ----------------------------------------------------------------- deletion
    def delete_key(
        self,
        token: str,
        deleted_by: str | None = MASTER_USER_ID,
        by_api_key: str = MASTER_KEY_ALIAS,
    ) -> None:
        key = self.keys.pop(token, None)
        if key is not None:
            self.deleted_keys[token] = DeletedKey(
                key, self.now(), deleted_by, by_api_key, self.new_uuid()
            )

    def delete_team(self, team_id: str) -> None:
        self.teams.pop(team_id, None)
        for key in self.team_keys(team_id):
            self.delete_key(key.token)
        for pair in [pair for pair in self.memberships if pair[0] == team_id]:
            del self.memberships[pair]
        for user in self.users.values():
            if team_id in user.teams:
                user.teams.remove(team_id)

    def delete_user(self, user_id: str) -> None:
        self.users.pop(user_id, None)
        for key in self.user_keys(user_id):
            self.delete_key(key.token)
        for pair in [pair for pair in self.memberships if pair[1] == user_id]:
            del self.memberships[pair]
        for team in self.teams.values():
            team.members_with_roles = [m for m in team.members_with_roles if m.user_id != user_id]
            if user_id in team.admins:
                team.admins.remove(user_id)

    # ----------------------------------------------------------------- traffic
    def charge(
        self,
        key: Key | None,
        model_group: str,
        prompt_tokens: int,
        completion_tokens: int,
        *,
        at: datetime | None = None,
        status: str = "success",
        duration_ms: int = 3,
        apply_spend: bool = True,
    ) -> LogRow:
        """Log one call (``key=None`` is the master key) and add its cost to key, team, user."""
        price = PRICES[model_group]
        failed = status == "failure"
        cost = 0.0 if failed else request_cost(price, prompt_tokens, completion_tokens)
        team = self.teams.get(key.team_id) if key and key.team_id else None
        moment = at or self.now()
        row = LogRow(
            seq=self.next_seq(),
            ts=epoch(moment),
            duration_ms=duration_ms,
            api_key=key.token if key else MASTER_KEY_ALIAS,
            key_alias=key.key_alias if key else None,
            team_id=team.team_id if team else ((key.team_id or "") if key else ""),
            team_alias=team.team_alias if team else None,
            user=(key.user_id or "") if key else MASTER_USER_ID,
            model=price.model,
            model_group=model_group,
            provider=price.provider,
            spend=cost,
            prompt_tokens=prompt_tokens,
            completion_tokens=0 if failed else completion_tokens,
            status=status,
        )
        self.ledger.add(row)
        if apply_spend and key is not None:
            self.apply_spend(key, cost, moment + timedelta(milliseconds=duration_ms))
        return row

    def apply_spend(self, key: Key, cost: float, when: datetime) -> None:
        """Add ``cost`` to the key, its team, its owner and their team membership."""
        key.spend += cost
        key.total_spend += cost
        key.last_active = when
        for window in key.budget_limits or []:
            window.spend += cost
        if key.team_id and key.team_id in self.teams:
            self.teams[key.team_id].spend += cost
        if key.user_id and key.user_id in self.users:
            self.users[key.user_id].spend += cost
        if key.user_id and key.team_id:
            membership = self.memberships.get((key.team_id, key.user_id))
            if membership is not None:
                membership.spend += cost
                membership.total_spend += cost
