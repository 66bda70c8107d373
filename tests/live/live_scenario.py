"""A test scenario built through LiteLLM's own HTTP API, against any proxy that speaks it.

`ScenarioBuilder(base_url, master_key, prefix, promote=...)` creates teams, users of every role,
keys and mock traffic under a unique prefix, waits until the proxy has flushed the spend, and
deletes everything it created on `cleanup()`, also after a failure half-way through. It knows
nothing of budgettui: the tests read the proxy back through budgettui's client and compare with
what the builder caused. The only per-target hook is the team-admin promotion (LiteLLM refuses
`/team/member_add` with role admin without an Enterprise licence): through the database on a real
proxy (`promote_via_database`), through `/__sim/promote_team_admin` on the simulator.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

MODELS = ("fake-gpt", "fake-gpt-mini")
FLUSH_TIMEOUT = 60.0


@dataclass(frozen=True)
class TeamSpec:
    label: str
    suffix: str
    max_budget: float | None = None
    budget_duration: str | None = None


@dataclass(frozen=True)
class UserSpec:
    label: str
    user_role: str
    team: str | None = None  # team label the user joins
    team_role: str | None = None  # "user" or "admin"


@dataclass(frozen=True)
class KeySpec:
    label: str
    suffix: str
    team: str | None = None
    user: str | None = None
    max_budget: float | None = None
    budget_duration: str | None = None
    requests: int = 0


# The one scenario every target gets. Team `acme` has a team budget; `initech` has no key (a
# tenant still provisioning); `<p>-web` is a prefix of `<p>-web-eu`; `solo` has no team. The
# write tests change only `edit`, `reset` and `acme_reset` (and restore any team they change).
TEAMS = (
    TeamSpec("acme", "acme", max_budget=5.0, budget_duration="30d"),
    TeamSpec("globex", "globex"),
    TeamSpec("initech", "initech", max_budget=20.0, budget_duration="30d"),
)
USERS = (
    UserSpec("viewer", "proxy_admin_viewer"),
    UserSpec("member", "internal_user", team="acme", team_role="user"),
    UserSpec("iuviewer", "internal_user_viewer", team="globex", team_role="user"),
    UserSpec("tadmin", "internal_user", team="acme", team_role="admin"),
)
KEYS = (
    KeySpec("web", "web", team="acme", max_budget=2.0, budget_duration="30d", requests=3),
    KeySpec("web_eu", "web-eu", team="acme", max_budget=50.0, requests=2),
    KeySpec("batch", "batch", team="acme", requests=1),
    KeySpec("acme_reset", "acme-reset", team="acme", max_budget=3.0, requests=2),
    KeySpec(
        "globex_api", "globex-api", team="globex", max_budget=1.0, budget_duration="1d", requests=2
    ),
    KeySpec("globex_free", "globex-free", team="globex", requests=2),
    KeySpec("edit", "edit", team="globex", max_budget=3.0, budget_duration="30d", requests=2),
    KeySpec("reset", "reset", team="globex", max_budget=3.0, requests=2),
    KeySpec("solo", "solo", requests=1),
    KeySpec("viewer_key", "viewer-key", user="viewer"),
    KeySpec("member_key", "member-key", team="acme", user="member", requests=2),
    KeySpec("iuviewer_key", "iuviewer-key", user="iuviewer"),
    KeySpec("tadmin_key", "tadmin-key", team="acme", user="tadmin", requests=2),
)


@dataclass
class Call:
    """One mock completion the builder sent, and what LiteLLM said it cost."""

    model: str
    cost: Decimal
    prompt_tokens: int
    completion_tokens: int
    sent_at: datetime


@dataclass
class Team:
    spec: TeamSpec
    team_id: str
    alias: str


@dataclass
class User:
    spec: UserSpec
    user_id: str


@dataclass
class Key:
    spec: KeySpec
    alias: str
    raw: str
    hash: str
    team_id: str | None
    user_id: str | None
    calls: list[Call] = field(default_factory=list)

    @property
    def spend(self) -> Decimal:
        return sum((c.cost for c in self.calls), Decimal(0))

    @property
    def requests_by_model(self) -> Counter[str]:
        return Counter(c.model for c in self.calls)

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)


@dataclass
class Scenario:
    base_url: str
    master_key: str
    prefix: str
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    keys: dict[str, Key] = field(default_factory=dict)
    team_admin_promoted: bool = False
    # What LiteLLM answered to `/team/member_add` with role admin (400 without a licence).
    member_add_admin: tuple[int, Any] | None = None
    flush_seconds: float = 0.0

    def key_of_user(self, user_label: str) -> Key:
        return next(k for k in self.keys.values() if k.spec.user == user_label)

    def raw_key(self, role: str) -> str:
        """The API key a role calls with: the master key, or that user's own key."""
        return self.master_key if role == "master" else self.key_of_user(role).raw

    def team_keys(self, team_label: str) -> list[Key]:
        return [k for k in self.keys.values() if k.spec.team == team_label]

    def team_spend(self, team_label: str) -> Decimal:
        return sum((k.spend for k in self.team_keys(team_label)), Decimal(0))

    def owns(self, alias: str | None) -> bool:
        return bool(alias) and str(alias).startswith(self.prefix + "-")


class ScenarioError(RuntimeError):
    pass


# Makes a team member its admin; False when this target offers no way to.
Promote = Callable[["ScenarioBuilder", Team, User], bool]


class ScenarioBuilder:
    def __init__(
        self,
        base_url: str,
        master_key: str,
        prefix: str,
        *,
        promote: Promote | None,
        on_request: Callable[[httpx.Request, httpx.Response], None] | None = None,
    ) -> None:
        self.scenario = Scenario(base_url.rstrip("/"), master_key, prefix)
        self._promote = promote
        self._on_request = on_request
        self._http = httpx.Client(base_url=self.scenario.base_url, timeout=60.0)
        self._created_keys: list[str] = []
        self._created_users: list[str] = []
        self._created_teams: list[str] = []

    # -- plumbing -----------------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, key: str | None = None, check: bool = True, **kw: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.scenario.master_key}"}
        response = self._http.request(method, path, headers=headers, **kw)
        if self._on_request is not None:
            self._on_request(response.request, response)
        if check and response.status_code >= 400:
            raise ScenarioError(
                f"{method} {path} -> HTTP {response.status_code}: {response.text[:500]}"
            )
        return response

    def name(self, suffix: str) -> str:
        return f"{self.scenario.prefix}-{suffix}"

    # -- build --------------------------------------------------------------------------------

    def build(self) -> Scenario:
        for spec in TEAMS:
            self._team(spec)
        for spec in USERS:
            self._user(spec)
        for spec in KEYS:
            self._key(spec)
        self._traffic()
        started = time.monotonic()
        self.wait_for_flush()
        self.scenario.flush_seconds = time.monotonic() - started
        return self.scenario

    def _team(self, spec: TeamSpec) -> None:
        body: dict[str, Any] = {"team_alias": self.name(spec.suffix), "models": list(MODELS)}
        if spec.max_budget is not None:
            body["max_budget"] = spec.max_budget
        if spec.budget_duration is not None:
            body["budget_duration"] = spec.budget_duration
        team_id = self.request("POST", "/team/new", json=body).json()["team_id"]
        self._created_teams.append(team_id)
        self.scenario.teams[spec.label] = Team(spec, team_id, body["team_alias"])

    def _user(self, spec: UserSpec) -> None:
        user_id = self.name(spec.label)
        self.request(
            "POST",
            "/user/new",
            json={
                "user_id": user_id,
                "user_email": f"{user_id}@example.com",
                "user_role": spec.user_role,
                "auto_create_key": False,
            },
        )
        self._created_users.append(user_id)
        user = User(spec, user_id)
        self.scenario.users[spec.label] = user
        if spec.team is None:
            return
        team = self.scenario.teams[spec.team]
        if spec.team_role == "admin":
            answer = self._member_add(team, user_id, "admin", check=False)
            self.scenario.member_add_admin = (answer.status_code, answer.json())
            if answer.status_code < 400:
                self.scenario.team_admin_promoted = True
                return
            if answer.status_code != 400 or "premium" not in answer.text:
                raise ScenarioError(
                    f"/team/member_add role admin -> HTTP {answer.status_code}: {answer.text}"
                )
        self._member_add(team, user_id, "user")
        if spec.team_role == "admin" and self._promote is not None:
            self.scenario.team_admin_promoted = self._promote(self, team, user)

    def _member_add(self, team: Team, user_id: str, role: str, *, check: bool = True) -> Any:
        body = {"team_id": team.team_id, "member": {"user_id": user_id, "role": role}}
        return self.request("POST", "/team/member_add", json=body, check=check)

    def _key(self, spec: KeySpec) -> None:
        team_id = self.scenario.teams[spec.team].team_id if spec.team else None
        user_id = self.scenario.users[spec.user].user_id if spec.user else None
        body: dict[str, Any] = {"key_alias": self.name(spec.suffix)}
        if team_id:
            body["team_id"] = team_id
        if user_id:
            body["user_id"] = user_id
        if spec.max_budget is not None:
            body["max_budget"] = spec.max_budget
        if spec.budget_duration is not None:
            body["budget_duration"] = spec.budget_duration
        raw = self.request("POST", "/key/generate", json=body).json()["key"]
        # LiteLLM stores sha256(raw) as the token; every admin endpoint takes the hash.
        key_hash = hashlib.sha256(raw.encode()).hexdigest()
        self._created_keys.append(key_hash)
        self.scenario.keys[spec.label] = Key(
            spec, body["key_alias"], raw, key_hash, team_id, user_id
        )

    def _traffic(self) -> None:
        for key in self.scenario.keys.values():
            for n in range(key.spec.requests):
                model = MODELS[n % 2]
                sent_at = datetime.now(UTC)
                response = self.request(
                    "POST",
                    "/chat/completions",
                    key=key.raw,
                    json={"model": model, "messages": [{"role": "user", "content": f"hi {n}"}]},
                )
                cost = response.headers.get("x-litellm-response-cost")
                if cost is None:
                    raise ScenarioError("/chat/completions sent no x-litellm-response-cost header")
                usage = response.json().get("usage") or {}
                key.calls.append(
                    Call(
                        model,
                        Decimal(cost),
                        int(usage.get("prompt_tokens") or 0),
                        int(usage.get("completion_tokens") or 0),
                        sent_at,
                    )
                )

    # -- waiting for LiteLLM's batch writer -----------------------------------------------------

    def wait_for_flush(self, timeout: float = FLUSH_TIMEOUT) -> None:
        """Until every key's spend, spend-log rows and daily-activity rows, and every team's
        spend, match the traffic sent (LiteLLM writes them in batches, ~1 s apart)."""
        deadline = time.monotonic() + timeout
        while True:
            pending = self._unflushed()
            if not pending:
                return
            if time.monotonic() > deadline:
                raise ScenarioError(f"spend not flushed after {timeout:.0f} s: {pending}")
            time.sleep(0.5)

    def _unflushed(self) -> list[str]:
        pending: list[str] = []
        calls = [c for k in self.scenario.keys.values() for c in k.calls]
        if not calls:
            return pending
        start = min(c.sent_at for c in calls) - timedelta(days=1)
        end = max(c.sent_at for c in calls) + timedelta(days=1)
        for key in self.scenario.keys.values():
            if not key.calls:
                continue
            info = self.request("GET", "/key/info", params={"key": key.hash}).json()["info"]
            if abs(Decimal(str(info.get("spend") or 0)) - key.spend) > Decimal("1e-9"):
                pending.append(f"{key.alias}: key spend {info.get('spend')} != {key.spend}")
                continue
            logs = self.request(
                "GET",
                "/spend/logs/v2",
                params={
                    "api_key": key.hash,
                    "start_date": start.strftime("%Y-%m-%d %H:%M:%S"),
                    "end_date": end.strftime("%Y-%m-%d %H:%M:%S"),
                    "page": 1,
                    "page_size": 100,
                },
            ).json()
            if len(logs["data"]) != len(key.calls):
                pending.append(f"{key.alias}: {len(logs['data'])} spend-log rows")
                continue
            activity = self.request(
                "GET",
                "/user/daily/activity/aggregated",
                params={
                    "api_key": key.hash,
                    "start_date": start.date().isoformat(),
                    "end_date": end.date().isoformat(),
                },
            ).json()
            requests = sum(d["metrics"]["api_requests"] for d in activity["results"])
            if requests != len(key.calls):
                pending.append(f"{key.alias}: {requests} requests in daily activity")
        for label, team in self.scenario.teams.items():
            info = self.request("GET", "/team/info", params={"team_id": team.team_id}).json()
            spend = Decimal(str(info["team_info"].get("spend") or 0))
            if abs(spend - self.scenario.team_spend(label)) > Decimal("1e-9"):
                pending.append(f"{team.alias}: team spend {spend}")
        return pending

    # -- cleanup ------------------------------------------------------------------------------

    def cleanup(self) -> list[str]:
        """Delete what was created (keys, then users, then teams); returns what failed."""
        problems: list[str] = []
        steps = (
            ("/key/delete", "keys", self._created_keys),
            ("/user/delete", "user_ids", self._created_users),
            ("/team/delete", "team_ids", self._created_teams),
        )
        for path, field_name, ids in steps:
            if not ids:
                continue
            try:
                answer = self.request("POST", path, json={field_name: ids}, check=False)
            except httpx.HTTPError as exc:
                problems.append(f"{path}: {exc}")
                continue
            if answer.status_code >= 400:
                problems.append(f"{path} -> {answer.status_code}: {answer.text[:200]}")
            else:
                ids.clear()
        self._http.close()
        return problems


# -- team-admin promotion hooks ---------------------------------------------------------------

_PROMOTE_SQL = """\
UPDATE "LiteLLM_TeamTable"
   SET members_with_roles = (
         SELECT jsonb_agg(CASE WHEN m->>'user_id' = :'uid'
                               THEN jsonb_set(m, '{role}', '"admin"') ELSE m END)
           FROM jsonb_array_elements(members_with_roles::jsonb) AS m),
       admins = CASE WHEN :'uid' = ANY(admins) THEN admins ELSE array_append(admins, :'uid') END,
       updated_at = now()
 WHERE team_id = :'tid';
"""


def promote_via_database(database_url: str) -> Promote:
    """What `real-litellm/seed-traffic` does: make the member an admin in the team row, then
    have the proxy re-read the team with a no-op `/team/update`."""

    def promote(builder: ScenarioBuilder, team: Team, user: User) -> None:
        psql = shutil.which("psql")
        if psql is None:
            raise ScenarioError("psql is needed to promote a team admin through the database")
        done = subprocess.run(
            [
                psql,
                database_url,
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                f"uid={user.user_id}",
                "-v",
                f"tid={team.team_id}",
                "-f",
                "-",
            ],
            input=_PROMOTE_SQL,
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
            check=False,
        )
        if done.returncode != 0 or "UPDATE 1" not in done.stdout:
            raise ScenarioError(f"promoting {user.user_id} failed: {done.stdout} {done.stderr}")
        builder.request("POST", "/team/update", json={"team_id": team.team_id, "metadata": {}})
        return True

    return promote


def promote_via_simulator(builder: ScenarioBuilder, team: Team, user: User) -> bool:
    """budgettui's simulator's test-only route; a real proxy answers 404 (no team admin)."""
    answer = builder.request(
        "POST",
        "/__sim/promote_team_admin",
        json={"team_id": team.team_id, "user_id": user.user_id},
        check=False,
    )
    if answer.status_code == 404:
        return False
    if answer.status_code >= 400:
        raise ScenarioError(f"/__sim/promote_team_admin -> {answer.status_code}: {answer.text}")
    return True


def unique_prefix(tag: str = "btl") -> str:
    return f"{tag}-{int(time.time())}-{os.getpid() % 10000}"
