"""A deterministic demo proxy: orgs (teams), tenants (keys), users per role, two months of traffic.

Tenant cases (the first twelve; more are generated for bigger ``Scale``\\s): no budget at all, key
budget only, org budget only, both, ~83 % (alert zone), ~93 %, over budget, an alias that prefixes
another (``acme-web`` / ``acme-web-eu``), a non-ASCII alias, keys without a team, durations 30d /
1mo / 7d / none, rpm/tpm limits. An extra org (``hooli``) has no key yet (provisioning).

Every key's ``spend`` is the sum of its logged cost inside its current budget window (lifetime
when it has no ``budget_duration``); team and user spend are the sums of their keys' spend.
The store's clock is frozen at ``now``; assign ``store.clock`` for a live one.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from budgettui.simulator.durations import next_reset, window_start
from budgettui.simulator.models import PRICES, Key, LogRow, Team, request_cost
from budgettui.simulator.store import Store
from budgettui.simulator.timefmt import add_months, epoch, month_start, to_utc

DEMO_KEYS: dict[str, str] = {
    "master": "sk-demo-master",
    "proxy_admin_viewer": "sk-demo-viewer-7Qp2",
    "team_admin": "sk-demo-team-admin-4Kx9",
    "internal_user": "sk-demo-internal-user-8Vb3",
    "internal_user_viewer": "sk-demo-internal-viewer-2Hd6",
}

_ORG_NAMES = ["acme", "globex", "initech"]
_PROVISIONING_ORG = "hooli"
_MODELS = [("gpt-4o", 0.45), ("gpt-4o-mini", 0.35), ("claude-3-5-sonnet", 0.20)]
_HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 7, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1]
_HOUR_CUM = list(itertools.accumulate(_HOURS))


@dataclass(frozen=True)
class Scale:
    """How big the demo is."""

    orgs: int = 3
    tenants: int = 12
    requests_per_tenant_per_month: int = 200
    months: int = 2
    seed: int = 20261125


@dataclass(frozen=True)
class _Tenant:
    alias: str
    org: int | None
    duration: str | None
    target: float | None
    rpm: int | None = None
    tpm: int | None = None
    activity: float = 1.0


_CASES = [
    _Tenant("acme-web", 0, "30d", 0.45, activity=1.2),
    _Tenant("acme-web-eu", 0, "1mo", 0.83, activity=0.8),
    _Tenant("acme-api", 0, None, None, activity=1.5),
    _Tenant("acme-batch", 0, "7d", 0.93, rpm=60, tpm=100_000),
    _Tenant("globex-portal", 1, None, None, activity=0.7),
    _Tenant("globex-search", 1, "30d", 0.35, rpm=120, tpm=200_000),
    _Tenant("globex-ml", 1, "1mo", 1.12, activity=1.4),
    _Tenant("initech-tps", 2, "30d", 0.6, tpm=150_000),
    _Tenant("initech-reports", 2, None, None, rpm=30),
    _Tenant("zürich-Ω", 2, "30d", 0.25, activity=0.6),
    _Tenant("solo-labs", None, "1mo", 0.5),
    _Tenant("solo-hobby", None, None, 0.7, activity=0.4),
]


def _nice(value: float) -> float:
    """Round to three significant digits (at least one cent)."""
    if value <= 0.01:
        return 0.01
    return max(0.01, float(f"{value:.3g}"))


def _generated_tenant(index: int, orgs: int, rng_value: float) -> _Tenant:
    durations: list[str | None] = ["30d", "1mo", "7d", None]
    duration = durations[index % 4]
    target = None if index % 5 == 0 else round(0.2 + 0.9 * rng_value, 2)
    return _Tenant(f"tenant-{index:04d}", index % orgs, duration, target, activity=0.5 + rng_value)


class _Builder:
    def __init__(self, now: datetime, scale: Scale) -> None:
        self.now = to_utc(now)
        self.scale = scale
        self.store = Store(lambda: self.now, seed=scale.seed)
        self.rng = self.store.rng
        self.start = add_months(month_start(self.now), -(max(scale.months, 1) - 1))
        self.rows: list[LogRow] = []
        self.seq = 0

    def org_names(self) -> list[str]:
        count = max(self.scale.orgs, 1)
        names = _ORG_NAMES[:count]
        names += [f"org-{i:03d}" for i in range(len(names), count)]
        return names

    def traffic(self, key: Key, team: Team | None, activity: float) -> None:
        rng = self.rng
        per_day = self.scale.requests_per_tenant_per_month / 30.0 * activity
        trend = rng.uniform(-0.3, 0.6)
        span = max((self.now - self.start).total_seconds(), 1.0)
        now_ts = epoch(self.now)
        day = self.start
        while day < self.now:
            factor = 0.45 if day.weekday() >= 5 else 1.0
            progress = (day - self.start).total_seconds() / span
            spike = 2.5 if rng.random() < 0.04 else 1.0
            expected = (
                per_day * factor * (1 + trend * progress) * math.exp(0.35 * rng.gauss()) * spike
            )
            count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            day_ts = epoch(day)
            for _ in range(count):
                hour = bisect.bisect_right(_HOUR_CUM, rng.random() * _HOUR_CUM[-1])
                ts = day_ts + min(hour, 23) * 3600 + rng.random() * 3600
                if ts < now_ts:
                    self.log(key, team, ts)
            day += timedelta(days=1)

    def log(self, key: Key, team: Team | None, ts: float) -> None:
        rng = self.rng
        roll = rng.random()
        model = (
            _MODELS[0][0]
            if roll < _MODELS[0][1]
            else _MODELS[1][0]
            if roll < 0.8
            else _MODELS[2][0]
        )
        prompt = min(12_000, max(20, int(math.exp(8.1 + 0.6 * rng.gauss()))))
        completion = min(4_000, max(5, int(math.exp(6.2 + 0.7 * rng.gauss()))))
        failed = rng.random() < 0.01
        price = PRICES[model]
        self.seq += 1
        self.rows.append(
            LogRow(
                seq=self.seq,
                ts=ts,
                duration_ms=int(400 + completion * rng.uniform(8, 20)),
                api_key=key.token,
                key_alias=key.key_alias,
                team_id=team.team_id if team else "",
                team_alias=team.team_alias if team else None,
                user=key.user_id or "",
                model=price.model,
                model_group=model,
                provider=price.provider,
                spend=0.0 if failed else request_cost(price, prompt, completion),
                prompt_tokens=prompt,
                completion_tokens=0 if failed else completion,
                status="failure" if failed else "success",
            )
        )

    def ensure_window_traffic(self, key: Key, team: Team | None, since: datetime) -> None:
        begin = max(epoch(since), epoch(self.now) - 6 * 3600)
        end = epoch(self.now)
        if end <= begin:
            return
        for step in range(3):
            self.log(key, team, begin + (end - begin) * (step + 0.5) / 3)


def demo_store(now: datetime, scale: Scale | None = None, *, caps_showcase: bool = False) -> Store:
    """The demo proxy state at ``now`` (deterministic for a given ``now`` and ``scale``).

    ``caps_showcase`` adds tenants in the states LiteLLM's other caps produce (see
    ``_add_caps_showcase``); every other tenant keeps its figures, their orgs gain the new
    keys' spend."""
    scale = scale or Scale()
    b = _Builder(now, scale)
    store = b.store
    created = b.start - timedelta(days=20)
    teams = [
        store.add_team(name, created_at=created + timedelta(hours=i))
        for i, name in enumerate(b.org_names())
    ]
    store.add_team(
        _PROVISIONING_ORG,
        created_at=b.now - timedelta(days=1),
        max_budget=100.0,
        budget_duration="30d",
    )
    _add_role_users(b, teams)
    tenants = list(_CASES[: scale.tenants])
    tenants += [
        _generated_tenant(i, len(teams), b.rng.random()) for i in range(len(tenants), scale.tenants)
    ]
    targets: list[tuple[Key, float]] = []
    for index, tenant in enumerate(tenants):
        team = teams[tenant.org % len(teams)] if tenant.org is not None and teams else None
        key = store.add_key(
            store.new_raw_key(),
            key_alias=tenant.alias,
            team_id=team.team_id if team else None,
            budget_duration=tenant.duration if tenant.target is not None else None,
            created_at=created + timedelta(days=1, minutes=index),
            rpm_limit=tenant.rpm,
            tpm_limit=tenant.tpm,
        )
        b.traffic(key, team, tenant.activity)
        if tenant.target is not None:
            since = (
                window_start(key.budget_duration, key.budget_reset_at)
                if key.budget_duration and key.budget_reset_at
                else b.start
            )
            b.ensure_window_traffic(key, team, since)
            targets.append((key, tenant.target))
    store.ledger.extend(b.rows)
    _settle_spend(b)
    for key, target in targets:
        key.max_budget = _nice(key.spend / target)
    _team_budgets(b, teams)
    if caps_showcase:
        _add_caps_showcase(b, teams)
    return store


def _add_caps_showcase(b: _Builder, teams: list[Team]) -> None:
    """Tenants refused by a cap other than their own budget, or not at all:

    * ``solo-capped-user``: a personal key without a cap whose owner (``solo-capped``) is over
      the user budget, so LiteLLM refuses it;
    * ``acme-blocked``: a blocked key with a $5 cap (refused: key blocked);
    * ``globex-expired``: a key that expired yesterday (refused: expired key);
    * ``acme-intern``: a team key whose owner is over the member budget in ``acme``;
    * ``initech-soft``: a key past its soft budget (an alert only, never refused).
    """
    store = b.store
    created = b.start - timedelta(days=5)
    acme, globex, initech = teams[0], teams[1 % len(teams)], teams[2 % len(teams)]
    b.rows = []
    capped = store.add_user(
        "solo-capped", "solo-capped@demo.example", "internal_user", created_at=created
    )
    solo = store.add_key(
        store.new_raw_key(),
        key_alias="solo-capped-user",
        user_id=capped.user_id,
        created_at=created,
    )
    blocked = store.add_key(
        store.new_raw_key(),
        key_alias="acme-blocked",
        team_id=acme.team_id,
        max_budget=5.0,
        created_at=created,
    )
    blocked.blocked = True
    expired = store.add_key(
        store.new_raw_key(), key_alias="globex-expired", team_id=globex.team_id, created_at=created
    )
    expired.expires = b.now - timedelta(days=1)
    intern = store.add_user(
        "acme-intern", "acme-intern@demo.example", "internal_user", created_at=created
    )
    store.add_member(acme.team_id, intern.user_id, "user")
    intern_key = store.add_key(
        store.new_raw_key(),
        key_alias="acme-intern",
        team_id=acme.team_id,
        user_id=intern.user_id,
        created_at=created,
    )
    soft = store.add_key(
        store.new_raw_key(), key_alias="initech-soft", team_id=initech.team_id, created_at=created
    )
    for key, team, activity in (
        (solo, None, 0.6),
        (blocked, acme, 0.5),
        (expired, globex, 0.4),
        (intern_key, acme, 0.5),
        (soft, initech, 0.5),
    ):
        b.traffic(key, team, activity)
    b.rows.sort(key=lambda row: row.ts)
    store.ledger.extend(b.rows)
    for row in b.rows:
        when = datetime.fromtimestamp(row.ts, b.now.tzinfo)
        store.apply_spend(store.keys[row.api_key], row.spend, when)
    capped.max_budget = _nice(capped.spend * 0.8)
    member_cap = store.new_budget(max_budget=_nice(intern_key.spend * 0.9))
    store.give_member_budget(acme.team_id, intern.user_id, member_cap)
    soft.budget = store.new_budget(soft_budget=_nice(soft.spend * 0.5))


def _add_role_users(b: _Builder, teams: list[Team]) -> None:
    store = b.store
    created = b.start - timedelta(days=10)
    viewer = store.add_user(
        "ops-viewer", "ops-viewer@demo.example", "proxy_admin_viewer", created_at=created
    )
    store.add_key(
        DEMO_KEYS["proxy_admin_viewer"],
        key_alias="ops-viewer-key",
        user_id=viewer.user_id,
        created_at=created,
    )
    first = teams[0]
    second = teams[1 % len(teams)]
    third = teams[2 % len(teams)]
    admin = store.add_user(
        "acme-admin", "acme-admin@demo.example", "internal_user", created_at=created
    )
    store.add_member(first.team_id, admin.user_id, "user")
    store.promote_team_admin(first.team_id, admin.user_id)
    admin_key = store.add_key(
        DEMO_KEYS["team_admin"],
        key_alias=f"{first.team_alias}-admin-key",
        team_id=first.team_id,
        user_id=admin.user_id,
        created_at=created,
    )
    member = store.add_user(
        "globex-dev", "globex-dev@demo.example", "internal_user", created_at=created
    )
    store.add_member(second.team_id, member.user_id, "user")
    member_key = store.add_key(
        DEMO_KEYS["internal_user"],
        key_alias=f"{second.team_alias}-dev-key",
        team_id=second.team_id,
        user_id=member.user_id,
        created_at=created,
    )
    auditor = store.add_user(
        "initech-auditor",
        "initech-auditor@demo.example",
        "internal_user_viewer",
        created_at=created,
    )
    store.add_member(third.team_id, auditor.user_id, "user")
    store.add_key(
        DEMO_KEYS["internal_user_viewer"],
        key_alias="initech-auditor-key",
        user_id=auditor.user_id,
        created_at=created,
    )
    b.traffic(admin_key, first, 0.15)
    b.traffic(member_key, second, 0.2)


def _settle_spend(b: _Builder) -> None:
    """Key spend from its logs (current window or lifetime); team/user/membership from keys."""
    store = b.store
    since: dict[str, float] = {}
    for key in store.keys.values():
        if key.budget_duration and key.budget_reset_at:
            since[key.token] = epoch(window_start(key.budget_duration, key.budget_reset_at))
        else:
            since[key.token] = float("-inf")
    last: dict[str, float] = {}
    for row in store.ledger.rows:
        owner = store.keys.get(row.api_key)
        if owner is None:
            continue
        owner.total_spend += row.spend
        if row.ts >= since[owner.token]:
            owner.spend += row.spend
        last[owner.token] = row.ts
    for key in store.keys.values():
        if key.token in last:
            key.last_active = datetime.fromtimestamp(last[key.token], b.now.tzinfo)
        if key.team_id:
            store.teams[key.team_id].spend += key.spend
        if key.user_id and key.user_id in store.users:
            store.users[key.user_id].spend += key.spend
            membership = store.memberships.get((key.team_id or "", key.user_id))
            if membership is not None:
                membership.spend += key.spend
                membership.total_spend += key.total_spend


def _team_budgets(b: _Builder, teams: list[Team]) -> None:
    store = b.store
    plan: list[tuple[str | None, float]] = [("1mo", 0.62), (None, 0.0), ("30d", 0.71)]
    for index, team in enumerate(teams):
        duration, target = (
            plan[index] if index < len(plan) else (("30d", 0.5) if index % 2 else (None, 0.0))
        )
        if duration is None or target <= 0:
            continue
        team.max_budget = _nice(team.spend / target) if team.spend > 0 else 50.0
        team.budget_duration = duration
        team.budget_reset_at = next_reset(duration, store.now())
