"""What the live tests share: clients per role, what each role may see and change in LiteLLM,
expected usage from the traffic the scenario sent, and the headless CLI as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from budgettui.domain.budget import BindingCap
from budgettui.domain.tenants import Tenant
from budgettui.domain.usage import Month
from budgettui.proxy.capabilities import Capabilities
from budgettui.proxy.client import LiteLLMClient
from tests.live.live_scenario import Key, Scenario

REPO = Path(__file__).resolve().parents[2]
ROLES = ("master", "viewer", "member", "iuviewer", "tadmin")
# What `/management/v1/users/me` says each role is (a team admin is a team role, not a proxy one).
PROXY_ROLE = {
    "master": "proxy_admin",
    "viewer": "proxy_admin_viewer",
    "member": "internal_user",
    "iuviewer": "internal_user_viewer",
    "tadmin": "internal_user",
}
# Keys the write tests change; value checks against the scenario leave them out.
WRITTEN = frozenset({"edit", "reset", "acme_reset"})
CENT_FRACTION = Decimal("1e-9")


def older_litellm(litellm: Capabilities) -> bool:
    """Whether the proxy behaves as LiteLLM 1.84 where 1.84.10 and 1.108.7 differ (the two
    releases verified; /work/shared/real-litellm/README.md lists the differences)."""
    return litellm.release is not None and litellm.release < (1, 108, 0)


@dataclass(frozen=True)
class LiveTarget:
    """Where the live suite runs: a proxy, its master key, and optionally its database."""

    url: str
    master_key: str
    database_url: str | None


def client(
    scenario: Scenario, role: str, transport: httpx.AsyncBaseTransport | None = None
) -> LiteLLMClient:
    return LiteLLMClient(scenario.base_url, scenario.raw_key(role), transport=transport)


def ours(scenario: Scenario, tenants: Iterable[Tenant]) -> dict[str, Tenant]:
    """This scenario's tenants (others may share the proxy), by name."""
    return {
        t.name: t
        for t in tenants
        if scenario.owns(t.name) or (t.org is not None and scenario.owns(t.org.name))
    }


def same_money(a: Decimal | float | None, b: Decimal | float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(str(a)) - Decimal(str(b))) <= CENT_FRACTION


# -- what LiteLLM lets each role see and change (1.108.7, observed) ---------------------------


def is_team_admin_of(scenario: Scenario, role: str, team_label: str | None) -> bool:
    user = scenario.users.get(role)
    return (
        user is not None
        and team_label is not None
        and user.spec.team == team_label
        and user.spec.team_role == "admin"
        and scenario.team_admin_promoted
    )


def visible_team_labels(scenario: Scenario, role: str) -> set[str]:
    """Proxy admins and viewers list every team; everyone else the teams they are members of."""
    if role in ("master", "viewer"):
        return set(scenario.teams)
    team = scenario.users[role].spec.team
    return {team} if team else set()


def visible_key_labels(scenario: Scenario, role: str) -> set[str]:
    """`/key/list?include_team_keys=true`: admins and viewers see every key; a user sees their
    own keys, every key of a team they administer, and the team's service-account keys (no
    user) of the teams they are a member of; never another member's key."""
    if role in ("master", "viewer"):
        return set(scenario.keys)
    teams = visible_team_labels(scenario, role)
    visible = set()
    for label, key in scenario.keys.items():
        if key.spec.user == role or (
            key.spec.team in teams
            and (key.spec.user is None or is_team_admin_of(scenario, role, key.spec.team))
        ):
            visible.add(label)
    return visible


def visible_tenant_names(scenario: Scenario, role: str) -> set[str]:
    names = {scenario.keys[label].alias for label in visible_key_labels(scenario, role)}
    for label in visible_team_labels(scenario, role):
        if not scenario.team_keys(label):
            names.add(scenario.teams[label].alias)  # provisioning
    return names


def may_edit_key(scenario: Scenario, role: str, key: Key) -> bool:
    """Who LiteLLM lets change a key's budget: proxy admins; team admins on the team's
    service-account keys and their own, but not another member's key ("Team admins on this
    proxy cannot update budgets on other members' keys", 403, unless the proxy enables
    `member_key_budgets`); a member may not even change their own key's budget by default."""
    if role == "master":
        return True
    return is_team_admin_of(scenario, role, key.spec.team) and key.spec.user in (None, role)


def expected_binding(scenario: Scenario, key: Key) -> BindingCap:
    """The cap with the least room left, from what the scenario created and spent."""
    key_room = (
        None if key.spec.max_budget is None else Decimal(str(key.spec.max_budget)) - key.spend
    )
    org_room = None
    if key.spec.team is not None:
        team = scenario.teams[key.spec.team]
        if team.spec.max_budget is not None:
            budget = Decimal(str(team.spec.max_budget))
            org_room = budget - scenario.team_spend(key.spec.team)
    if key_room is None and org_room is None:
        return BindingCap.NONE
    if org_room is None:
        return BindingCap.KEY
    if key_room is None or org_room < key_room:
        return BindingCap.ORG
    return BindingCap.KEY


# -- expected usage -----------------------------------------------------------------------------


@dataclass
class Expected:
    spend: Decimal
    requests: int
    input_tokens: int
    output_tokens: int
    by_day: dict[date, tuple[Decimal, int]]
    by_model: dict[str, tuple[Decimal, int]]


def expected_usage(key: Key, month: Month) -> Expected:
    calls = [c for c in key.calls if month.contains(c.sent_at)]
    by_day: dict[date, list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    by_model: dict[str, list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    for call in calls:
        for bucket in (by_day[call.sent_at.date()], by_model[call.model]):
            bucket[0] += call.cost
            bucket[1] += 1
    return Expected(
        spend=sum((c.cost for c in calls), Decimal(0)),
        requests=len(calls),
        input_tokens=sum(c.prompt_tokens for c in calls),
        output_tokens=sum(c.completion_tokens for c in calls),
        by_day={d: (s, n) for d, (s, n) in by_day.items()},
        by_model={m: (s, n) for m, (s, n) in by_model.items()},
    )


def traffic_months(scenario: Scenario) -> list[Month]:
    """The months the scenario's traffic fell in (two only when run across a month's end)."""
    return sorted({Month.of(c.sent_at.date()) for k in scenario.keys.values() for c in k.calls})


# -- the headless CLI ---------------------------------------------------------------------------


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(scenario: Scenario, role: str, *args: str, api_key: str | None = None) -> CliResult:
    """`python -m budgettui ARGS` with the connection in LiteLLM's own env variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LITELLM_PROXY_")}
    env["LITELLM_PROXY_URL"] = scenario.base_url
    env["LITELLM_PROXY_API_KEY"] = api_key if api_key is not None else scenario.raw_key(role)
    done = subprocess.run(
        [sys.executable, "-m", "budgettui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)
