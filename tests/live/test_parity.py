"""Parity: the simulator must answer budgettui's client the way real LiteLLM does.

The same scenario (built through the HTTP API by `ScenarioBuilder`) and the same sequence of
client calls run against the live proxy and against the simulator, served on loopback from an
empty store. Every request the client makes is recorded and compared: status codes, the JSON
fields the client reads, the error envelope's shape, and what budgettui made of it. The
builder's own requests (creation, traffic, deletion) are compared by status too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest

from budgettui.proxy.capabilities import Capabilities
from tests.live.live_parity import KnownGaps, Recording, client_sequence, compare, path_template
from tests.live.live_scenario import (
    Promote,
    ScenarioBuilder,
    promote_via_database,
    promote_via_simulator,
    unique_prefix,
)
from tests.live.live_support import LiveTarget

pytestmark = pytest.mark.live

# Builder requests whose answers the scenario depends on; polling (flush waits) is left out,
# since how often it polls depends on how fast each proxy flushes.
BUILDER_PATHS = frozenset(
    {
        "/team/new",
        "/user/new",
        "/team/member_add",
        "/key/generate",
        "/chat/completions",
        "/key/delete",
        "/user/delete",
        "/team/delete",
    }
)


# Where the simulator still answers differently from a real release (seen in a live run): each
# is a simulator fix to make, then its entry goes. None are known now.
KNOWN_GAPS: dict[str, KnownGaps] = {}


@dataclass
class Side:
    name: str
    recording: Recording = field(default_factory=Recording)
    builder_statuses: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    costs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cleanup_problems: list[str] = field(default_factory=list)

    def on_request(self, request: httpx.Request, response: httpx.Response) -> None:
        template = path_template(request.url.path)
        if template not in BUILDER_PATHS:
            return
        self.builder_statuses[f"{request.method} {template}"].add(response.status_code)
        if template == "/chat/completions" and response.status_code == 200:
            model = response.json().get("model", "?")
            self.costs[str(model)].add(response.headers.get("x-litellm-response-cost", "-"))


async def run_side(side: Side, url: str, master_key: str, promote: Promote | None) -> None:
    builder = ScenarioBuilder(
        url, master_key, unique_prefix("btlp"), promote=promote, on_request=side.on_request
    )
    try:
        scenario = await asyncio.to_thread(builder.build)
        await client_sequence(scenario, side.recording)
    finally:
        side.cleanup_problems = await asyncio.to_thread(builder.cleanup)


@contextmanager
def simulator(litellm_version: str) -> Iterator[tuple[str, str]]:
    """The simulator reproducing `litellm_version` on a loopback socket, from an empty store,
    with the real clock."""
    from budgettui.simulator import Store, create_app
    from budgettui.simulator.server import serve_in_thread

    store = Store(clock=lambda: datetime.now(UTC))
    with serve_in_thread(create_app(store, litellm_version=litellm_version)) as base_url:
        yield base_url, store.master_key


def compare_builders(real: Side, sim: Side) -> list[str]:
    lines = []
    for key in sorted(set(real.builder_statuses) | set(sim.builder_statuses)):
        a, b = real.builder_statuses.get(key, set()), sim.builder_statuses.get(key, set())
        if a != b:
            lines.append(f"  {key}: real {sorted(a)}, simulator {sorted(b)}")
    return ["scenario builder:\n" + "\n".join(lines)] if lines else []


async def test_simulator_answers_the_client_like_real_litellm(
    live_target: LiveTarget, litellm: Capabilities
) -> None:
    """Against the simulator reproducing the live proxy's own release."""
    from budgettui.simulator import SUPPORTED_VERSIONS

    if litellm.version not in SUPPORTED_VERSIONS:
        pytest.skip(f"the simulator reproduces {SUPPORTED_VERSIONS}, not {litellm.label}")
    real, sim = Side("real"), Side("simulator")
    db = live_target.database_url
    await run_side(
        real, live_target.url, live_target.master_key, promote_via_database(db) if db else None
    )
    with simulator(litellm.version) as (url, master_key):
        # Promote on both sides or on neither, so the two scenarios are the same.
        await run_side(sim, url, master_key, promote_via_simulator if db else None)
    assert real.recording.exchanges
    assert sim.recording.exchanges
    assert not real.cleanup_problems, real.cleanup_problems
    assert not sim.cleanup_problems, sim.cleanup_problems
    gaps = KNOWN_GAPS.get(litellm.version, KnownGaps())
    differences = compare(real.recording, sim.recording, gaps) + compare_builders(real, sim)
    notes = [
        f"  mock cost of {model}: real {sorted(real.costs[model])}, "
        f"simulator {sorted(sim.costs.get(model, set()))}"
        for model in sorted(real.costs)
        if real.costs[model] != sim.costs.get(model)
    ]
    report = "\n\n".join(differences)
    if notes:
        report += "\n\nnot compared (budgettui does not call it), for information:\n" + "\n".join(
            notes
        )
    known = [f"  {what}: {why}" for what, why in {**gaps.steps, **gaps.fields}.items()]
    if known:
        report += f"\n\nnot compared, known simulator gaps at {litellm.label}:\n" + "\n".join(known)
    assert not differences, f"{len(differences)} step(s) differ:\n\n{report}"
