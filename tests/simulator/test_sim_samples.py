"""The simulator answers like the real LiteLLM 1.108.7 did for every saved sample.

``replay`` re-runs the scenario and calls that produced ``real-litellm/samples``; each answer must
have the sample's status and the same fields at every level, with equal values except for
timestamps, generated ids and measured durations.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest

from tests.simulator.conftest import SAMPLES
from tests.simulator.replay import Replay, load_sample, replay

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="real-litellm samples are not available"
)

SAMPLE_NAMES = (
    sorted(p.stem for p in SAMPLES.glob("*.json") if p.stem != "seed_summary")
    if SAMPLES.is_dir()
    else []
)
VOLATILE = {
    "created_at",
    "updated_at",
    "last_active",
    "settings_updated_at",
    "startTime",
    "endTime",
    "completionStartTime",
    "request_id",
    "litellm_call_id",
    "session_id",
    "model_id",
    "key_name",
    "request_tags",
    "total_response_time_ms",
    "request_duration_ms",
}
LOG_METADATA = (
    "status",
    "usage_object",
    "user_api_key",
    "user_api_key_alias",
    "user_api_key_team_id",
    "user_api_key_user_id",
    "user_api_key_team_alias",
)


def differences(real: Any, sim: Any, path: str = "$") -> list[str]:
    """Where ``sim`` differs from ``real`` (fields at every level; values except volatile ones)."""
    if isinstance(real, dict):
        if not isinstance(sim, dict):
            return [f"{path}: expected an object, got {type(sim).__name__}"]
        out = []
        if real.keys() - sim.keys():
            out.append(f"{path}: missing {sorted(real.keys() - sim.keys())}")
        if sim.keys() - real.keys() and not path.endswith("].metadata"):
            out.append(f"{path}: extra {sorted(sim.keys() - real.keys())}")
        if path.endswith("].metadata") and "user_api_key" in real:
            missing = [name for name in LOG_METADATA if name not in sim]
            return (
                [f"{path}: missing {missing}"]
                if missing
                else differences(
                    {k: real[k] for k in LOG_METADATA},
                    {k: sim[k] for k in LOG_METADATA},
                    path + "*",
                )
            )
        for name in sorted(real.keys() & sim.keys()):
            if name not in VOLATILE and name != "total_response_time_ms":
                out += differences(real[name], sim[name], f"{path}.{name}")
        return out
    if isinstance(real, list):
        if not isinstance(sim, list) or len(real) != len(sim):
            return [f"{path}: expected a list of {len(real)}, got {sim!r:.200}"]
        return [
            d
            for i, (a, b) in enumerate(zip(real, sim, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if isinstance(real, float) and isinstance(sim, (int, float)) and not isinstance(sim, bool):
        return (
            []
            if math.isclose(real, sim, rel_tol=1e-9, abs_tol=1e-12)
            else [f"{path}: {real!r} != {sim!r}"]
        )
    return [] if real == sim else [f"{path}: {real!r} != {sim!r}"]


@pytest.fixture(scope="module")
def replayed() -> Replay:
    summary = json.loads((SAMPLES / "seed_summary.json").read_text())
    return asyncio.run(replay(summary))


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_answer_matches_the_real_sample(replayed: Replay, name: str) -> None:
    sample = load_sample(SAMPLES, name)
    status, body = replayed.real_json(name)
    assert status == sample["status"]
    assert differences(sample["body"], body) == []


def test_team_admin_member_add_is_refused_like_unlicensed_litellm(replayed: Replay) -> None:
    summary = json.loads((SAMPLES / "seed_summary.json").read_text())
    expected = summary["team_admin_member_add_response"]
    status, body = replayed.real_json("team_admin_member_add_response")
    assert (status, body) == (expected["status"], expected["body"])


def test_replayed_spend_matches_the_real_run(replayed: Replay) -> None:
    summary = json.loads((SAMPLES / "seed_summary.json").read_text())
    store = replayed.store
    assert store is not None
    by_alias = {k.key_alias: k for k in store.keys.values()}
    for key in summary["keys"]:
        if key["key_alias"].endswith(("team-1-key-2", "team-2-key-1")):
            continue  # reset to 0 by the verify sequence
        assert math.isclose(
            by_alias[key["key_alias"]].total_spend, key["expected_spend"], abs_tol=1e-12
        )
