"""Parity harness: the same scenario and the same budgettui client calls against two proxies,
every HTTP exchange recorded, and the two recordings compared.

Per step and per request template (method, normalised path, query parameter names) it compares
the status codes, the JSON fields budgettui's client reads (the fields declared on the pydantic
model it parses the body into, present in the body, recursively), the error envelope's shape,
the error message budgettui shows (ids, hashes and prefixes taken out), and what the call came
to in budgettui (returned, or which typed error).
"""

from __future__ import annotations

import re
import types
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import httpx
from pydantic import BaseModel

from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.errors import ProxyError, error_from_response
from budgettui.proxy.models import (
    Caller,
    DailyActivity,
    KeyActivityPage,
    KeyInfo,
    KeyListPage,
    ResetSpendResult,
    SpendLogPage,
    Team,
    TeamInfo,
    TeamListPage,
    UserInfo,
)
from budgettui.services.loading import load_month_usage, load_overview
from tests.live.live_scenario import Scenario
from tests.live.live_support import ROLES, traffic_months, visible_key_labels

# The model the client parses each path's body into; None: the client reads no field of it.
MODELS: dict[str, Any] = {
    "/management/v1/users/me": Caller,
    "/v2/team/list": TeamListPage,
    "/team/list": list[Team],
    "/key/list": KeyListPage,
    "/key/info": KeyInfo,
    "/team/info": TeamInfo,
    "/user/info": UserInfo,
    "/user/daily/activity/aggregated": DailyActivity,
    "/team/daily/activity/aggregated": DailyActivity,
    "/user/daily/activity": DailyActivity,
    "/team/daily/activity": DailyActivity,
    "/user/daily/activity/aggregated/keys": KeyActivityPage,
    "/team/daily/activity/aggregated/keys": KeyActivityPage,
    "/openapi.json": None,  # the simulator lists only the routes it serves
    "/spend/logs/v2": SpendLogPage,
    "/key/{hash}/reset_spend": ResetSpendResult,
    "/key/update": None,
    "/team/update": None,
}

NO_ANSWER = 0  # the request was abandoned (its step had already failed) before an answer came
_HASH = re.compile(r"^[0-9a-f]{64}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


_IDS = (
    (re.compile(r"[0-9a-f]{64}"), "{hash}"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "{id}"),
    (re.compile(r"\bbtlp?-\d+-\d+"), "{prefix}"),
    (re.compile(r"\w*\*{3,}\w*"), "{masked}"),
)


def normalise_message(message: str) -> str:
    """An error message with the run's own ids, hashes and prefix taken out."""
    for pattern, placeholder in _IDS:
        message = pattern.sub(placeholder, message)
    return message


def path_template(path: str) -> str:
    parts = [
        "{hash}" if _HASH.match(p) else "{id}" if _UUID.match(p) else p for p in path.split("/")
    ]
    return "/".join(parts)


# -- what the client reads ----------------------------------------------------------------------


def read_fields(model: Any, value: Any, path: str = "") -> set[str]:
    """The dotted names of the fields `model` declares that are present in `value`, recursing
    into nested models, lists (`[]`) and dicts (`{}`)."""
    origin, args = get_origin(model), get_args(model)
    if origin in (Union, types.UnionType):
        fields: set[str] = set()
        for arg in args:
            if arg is type(None):
                continue
            if isinstance(arg, type) and issubclass(arg, BaseModel) and not isinstance(value, dict):
                continue
            fields |= read_fields(arg, value, path)
        return fields
    if origin in (list, tuple) and isinstance(value, list):
        return set().union(*(read_fields(args[0], item, f"{path}[]") for item in value))
    if origin is dict and isinstance(value, dict):
        return set().union(*(read_fields(args[1], item, f"{path}{{}}") for item in value.values()))
    if isinstance(model, type) and issubclass(model, BaseModel) and isinstance(value, dict):
        fields = set()
        for name, info in model.model_fields.items():
            key = info.alias or name
            if key not in value:
                continue
            here = f"{path}.{key}" if path else key
            fields.add(here)
            fields |= read_fields(info.annotation, value[key], here)
        return fields
    return set()


def envelope(body: Any) -> str:
    """The shape of an error body: which of LiteLLM's envelopes, with its keys."""
    if not isinstance(body, dict):
        return "not JSON" if body is None else f"JSON {type(body).__name__}"
    if "error" in body:
        error = body["error"]
        inner = ",".join(sorted(error)) if isinstance(error, dict) else type(error).__name__
        return f"error{{{inner}}}"
    if "detail" in body:
        detail = body["detail"]
        if isinstance(detail, dict):
            return f"detail{{{','.join(sorted(detail))}}}"
        if isinstance(detail, list):
            keys = sorted({k for item in detail if isinstance(item, dict) for k in item})
            return f"detail[{{{','.join(keys)}}}]"
        return f"detail:{type(detail).__name__}"
    return "{" + ",".join(sorted(body)) + "}"


# -- recording ------------------------------------------------------------------------------------


@dataclass
class Exchange:
    step: str
    method: str
    template: str
    params: tuple[str, ...]
    status: int
    body: Any
    message: str | None = None  # what budgettui would show for an error

    @property
    def key(self) -> str:
        query = f" ?{','.join(self.params)}" if self.params else ""
        return f"{self.method} {self.template}{query}"


@dataclass
class Recording:
    exchanges: list[Exchange] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)  # step -> what budgettui got
    step: str = "(no step)"


class RecordingTransport(httpx.AsyncHTTPTransport):
    """The real network transport, remembering every exchange under the current step."""

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # The step is the one the request was sent in: a request still in flight when its step
        # failed (the other half of an `asyncio.gather`) may be answered after the next began.
        step = self.recording.step
        template = path_template(request.url.path)
        params = tuple(sorted(request.url.params.keys()))
        try:
            response = await super().handle_async_request(request)
            content = await response.aread()
        except BaseException:
            self.recording.exchanges.append(
                Exchange(step, request.method, template, params, NO_ANSWER, None)
            )
            raise
        try:
            body = httpx.Response(200, content=content).json() if content else None
        except ValueError:
            body = None
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        replay = httpx.Response(
            response.status_code, headers=headers, content=content, request=request
        )
        message = None
        if response.status_code >= 400:
            message = error_from_response(replay).message
        self.recording.exchanges.append(
            Exchange(step, request.method, template, params, response.status_code, body, message)
        )
        return replay


# -- the sequence of client calls -----------------------------------------------------------------

Step = Callable[[LiteLLMClient], Awaitable[Any]]


class Session:
    """Runs named steps through budgettui's client (or its error mapping) and records them."""

    def __init__(self, scenario: Scenario, recording: Recording) -> None:
        self.scenario = scenario
        self.recording = recording

    @contextmanager
    def _step(self, name: str) -> Iterator[None]:
        self.recording.step = name
        try:
            yield
        finally:
            self.recording.step = "(no step)"

    async def run(self, name: str, role: str, call: Step, *, api_key: str | None = None) -> Any:
        key = api_key if api_key is not None else self.scenario.raw_key(role)
        transport = RecordingTransport(self.recording)
        with self._step(name):
            async with LiteLLMClient(self.scenario.base_url, key, transport=transport) as c:
                try:
                    result = await call(c)
                except ProxyError as exc:
                    self.recording.outcomes[name] = f"{type(exc).__name__} (HTTP {exc.status})"
                    return None
        self.recording.outcomes[name] = "ok"
        return result

    async def raw_post(self, name: str, path: str, body: dict[str, Any]) -> None:
        """A body the client cannot send, through the same transport and error mapping."""
        transport = RecordingTransport(self.recording)
        with self._step(name):
            async with httpx.AsyncClient(
                base_url=self.scenario.base_url, transport=transport
            ) as raw:
                answer = await raw.post(
                    path, json=body, headers={"Authorization": f"Bearer {self.scenario.master_key}"}
                )
        if answer.is_error:
            error = error_from_response(answer)
            self.recording.outcomes[name] = f"{type(error).__name__} (HTTP {error.status})"
        else:
            self.recording.outcomes[name] = "ok"


async def client_sequence(scenario: Scenario, recording: Recording) -> None:
    """Every read and write budgettui makes, as every role, plus each failure it must show."""
    s = Session(scenario, recording)
    keys, teams = scenario.keys, scenario.teams
    month = traffic_months(scenario)[-1]
    unknown = "0" * 64
    roles = [r for r in ROLES if r != "tadmin" or scenario.team_admin_promoted]

    async def usage_of(c: LiteLLMClient, alias: str) -> Any:
        overview = await load_overview(c, datetime.now(UTC))
        tenant = next(t for t in overview.tenants if t.name == alias)
        return await load_month_usage(c, overview.caller, tenant, month)

    for role in roles:
        await s.run(f"{role}: overview", role, lambda c: load_overview(c, datetime.now(UTC)))
        for label in sorted(visible_key_labels(scenario, role)):
            if keys[label].calls:
                alias = keys[label].alias
                await s.run(f"{role}: usage of {label}", role, lambda c, a=alias: usage_of(c, a))
        own = keys["web"] if role == "master" else scenario.key_of_user(role)
        await s.run(f"{role}: own key info", role, lambda c, h=own.hash: c.key_info(h))
        for label, team in teams.items():
            await s.run(
                f"{role}: team info {label}", role, lambda c, t=team.team_id: c.team_info(t)
            )
        await s.run(
            f"{role}: spend logs of web",
            role,
            lambda c: c.spend_log_page(keys["web"].hash, month.start, month.end, 1, 100),
        )

    # Failures.
    await s.run("bad key: whoami", "", lambda c: c.whoami(), api_key="sk-btl-not-a-key")
    await s.run(
        "bad key: overview",
        "",
        lambda c: load_overview(c, datetime.now(UTC)),
        api_key="sk-btl-not-a-key",
    )
    await s.run("master: unknown key info", "master", lambda c: c.key_info(unknown))
    await s.run(
        "master: unknown team info", "master", lambda c: c.team_info(f"{scenario.prefix}-x")
    )
    await s.run(
        "master: unknown key update", "master", lambda c: c.update_key(unknown, {"max_budget": 1})
    )
    await s.run(
        "master: unknown team update",
        "master",
        lambda c: c.update_team(f"{scenario.prefix}-x", {"max_budget": 1}),
    )
    edit, reset = keys["edit"].hash, keys["reset"].hash
    for role in ("viewer", "iuviewer", "member"):
        await s.run(
            f"{role}: key budget update", role, lambda c: c.update_key(edit, {"max_budget": 4})
        )
        await s.run(
            f"{role}: team budget update",
            role,
            lambda c: c.update_team(teams["globex"].team_id, {"max_budget": 4}),
        )
        await s.run(
            f"{role}: reset_spend", role, lambda c: c.reset_key_spend(keys["web"].hash, Decimal(0))
        )
    await s.run(
        "master: negative key budget", "master", lambda c: c.update_key(edit, {"max_budget": -1})
    )
    await s.run(
        "master: bad budget_duration",
        "master",
        lambda c: c.update_key(edit, {"budget_duration": "30"}),
    )
    await s.run(
        "master: negative team budget",
        "master",
        lambda c: c.update_team(teams["globex"].team_id, {"max_budget": -1}),
    )
    await s.run("master: reset below 0", "master", lambda c: c.reset_key_spend(reset, Decimal(-1)))
    await s.run(
        "master: reset above spend", "master", lambda c: c.reset_key_spend(reset, Decimal(1000))
    )
    await s.run(
        "master: reset unknown key", "master", lambda c: c.reset_key_spend(unknown, Decimal(0))
    )
    for name, body in (
        ("missing", {}),
        ("string", {"reset_to": "lots"}),
        ("bool", {"reset_to": True}),
    ):
        await s.raw_post(f"master: reset_to {name}", f"/key/{reset}/reset_spend", body)

    # Writes.
    await s.run(
        "master: set key budget",
        "master",
        lambda c: c.update_key(edit, {"max_budget": 7.5, "budget_duration": "7d"}),
    )
    await s.run("master: key info after set", "master", lambda c: c.key_info(edit))
    await s.run(
        "master: clear key budget",
        "master",
        lambda c: c.update_key(edit, {"max_budget": None, "budget_duration": None}),
    )
    await s.run("master: key info after clear", "master", lambda c: c.key_info(edit))
    globex = teams["globex"].team_id
    await s.run(
        "master: set team budget",
        "master",
        lambda c: c.update_team(globex, {"max_budget": 0.5, "budget_duration": "30d"}),
    )
    await s.run(
        "master: clear team budget",
        "master",
        lambda c: c.update_team(globex, {"max_budget": None, "budget_duration": None}),
    )
    await s.run(
        "master: low key budget", "master", lambda c: c.update_key(reset, {"max_budget": 0.01})
    )
    await s.run(
        "master: reset above budget", "master", lambda c: c.reset_key_spend(reset, Decimal("0.02"))
    )
    await s.run("master: reset to 0", "master", lambda c: c.reset_key_spend(reset, Decimal(0)))
    if scenario.team_admin_promoted:
        acme_reset, member_key = keys["acme_reset"].hash, keys["member_key"].hash
        await s.run(
            "tadmin: reset team key",
            "tadmin",
            lambda c: c.reset_key_spend(acme_reset, Decimal("0.01")),
        )
        await s.run(
            "tadmin: reset member key",
            "tadmin",
            lambda c: c.reset_key_spend(member_key, Decimal(0)),
        )
        await s.run(
            "tadmin: team key budget",
            "tadmin",
            lambda c: c.update_key(acme_reset, {"max_budget": 2.5}),
        )
        await s.run(
            "tadmin: member key budget",
            "tadmin",
            lambda c: c.update_key(member_key, {"max_budget": 2.5}),
        )
        await s.run(
            "tadmin: team budget",
            "tadmin",
            lambda c: c.update_team(teams["acme"].team_id, {"max_budget": 6}),
        )


# -- comparing two recordings ---------------------------------------------------------------------


@dataclass
class Summary:
    statuses: set[int] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    envelopes: set[str] = field(default_factory=set)
    messages: set[str] = field(default_factory=set)


def summarise(recording: Recording, ignored: set[str]) -> dict[str, dict[str, Summary]]:
    steps: dict[str, dict[str, Summary]] = {}
    for ex in recording.exchanges:
        summary = steps.setdefault(ex.step, {}).setdefault(ex.key, Summary())
        if ex.status == NO_ANSWER:
            continue
        summary.statuses.add(ex.status)
        if ex.status >= 400:
            summary.envelopes.add(envelope(ex.body))
            if ex.message:
                summary.messages.add(normalise_message(ex.message))
        else:
            model = MODELS.get(ex.template)
            if model is not None:
                summary.fields |= read_fields(model, ex.body) - ignored
    return steps


@dataclass(frozen=True)
class KnownGaps:
    """Where the simulator is known to answer unlike one LiteLLM release: steps and read fields
    left out of the comparison, each with the reason, listed in the failure report."""

    steps: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


def compare(real: Recording, sim: Recording, gaps: KnownGaps | None = None) -> list[str]:
    """Readable differences, one block per step; empty when the two agree."""
    gaps = gaps or KnownGaps()
    a, b = summarise(real, set(gaps.fields)), summarise(sim, set(gaps.fields))
    out: list[str] = []
    for step in list(dict.fromkeys([*real.outcomes, *a, *sim.outcomes, *b])):
        if step in gaps.steps:
            continue
        lines: list[str] = []
        got_real, got_sim = real.outcomes.get(step), sim.outcomes.get(step)
        if got_real != got_sim:
            lines.append(f"  budgettui got: real {got_real}, simulator {got_sim}")
        ra, sb = a.get(step, {}), b.get(step, {})
        for key in list(dict.fromkeys([*ra, *sb])):
            x, y = ra.get(key), sb.get(key)
            if x is None or y is None:
                lines.append(f"  {key}: sent only to {'real' if y is None else 'simulator'}")
                continue
            if not x.statuses or not y.statuses:
                continue  # abandoned unanswered on one side: nothing to compare
            sub: list[str] = []
            if x.statuses != y.statuses:
                sub.append(f"status: real {sorted(x.statuses)}, simulator {sorted(y.statuses)}")
            if x.fields != y.fields:
                if only := sorted(x.fields - y.fields):
                    sub.append(f"fields only in real: {', '.join(only)}")
                if only := sorted(y.fields - x.fields):
                    sub.append(f"fields only in simulator: {', '.join(only)}")
            if x.envelopes != y.envelopes:
                sub.append(
                    f"error envelope: real {sorted(x.envelopes)}, simulator {sorted(y.envelopes)}"
                )
            if x.messages != y.messages or (sub and x.messages):
                sub.append(f"message: real {sorted(x.messages)}, simulator {sorted(y.messages)}")
            lines += [f"  {key}"] + [f"    {line}" for line in sub] if sub else []
        if lines:
            out.append(f"step {step!r}:\n" + "\n".join(lines))
    return out
