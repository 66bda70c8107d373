"""Bulk edits (services.bulk) against the in-process simulator: what the preview skips and why,
the single editors' rules, one write at a time that stops at the first failure unless told to go
on, and a journal that tells the same story as the result."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from budgettui.domain.budget import Cap
from budgettui.domain.tenants import Tenant
from budgettui.domain.validation import ValidationError
from budgettui.proxy.client import LiteLLMClient
from budgettui.services.bulk import (
    BulkResult,
    NewBudget,
    Outcome,
    Plan,
    apply,
    parse_new_budget,
    parse_reset_to,
    plan_budget,
    plan_reset,
)
from budgettui.services.connect import DEMO_URL
from budgettui.services.edits import Editor
from budgettui.services.journal import Journal, read_entries
from budgettui.services.loading import Overview, load_overview
from budgettui.simulator import DEMO_KEYS, Faults, Store, create_app, demo_store
from tests.uihelpers import NOW

FOUR = ("acme-api", "acme-batch", "acme-web", "acme-web-eu")  # each has a key the master may edit


@dataclass
class Proxy:
    store: Store
    faults: Faults
    overview: Overview
    editor: Editor
    journal_path: Path

    def tenants(self, *names: str) -> list[Tenant]:
        by_name = {tenant.name: tenant for tenant in self.overview.tenants}
        return [by_name[name] for name in names]

    def posts(self) -> list[str]:
        return [f"{r.path}" for r in self.store.requests if r.method == "POST"]

    def journal_outcomes(self) -> dict[str, str]:
        """Each tenant's journaled outcome (the line after its `attempted` one)."""
        entries = read_entries(self.journal_path)
        attempts = [e for e in entries if e.result.status == "attempted"]
        ended = {e.write_id: e for e in entries if e.result.status != "attempted"}
        assert len(ended) == len(attempts)  # no write cut short
        return {str(a.tenant): ended[a.write_id].result.status for a in attempts}


async def _proxy(tmp_path: Path, role: str = "master", version: str = "1.108.7") -> Proxy:
    store, faults = demo_store(NOW), Faults()
    app = create_app(store, faults, litellm_version=version)
    client = LiteLLMClient(DEMO_URL, DEMO_KEYS[role], transport=httpx.ASGITransport(app=app))
    overview = await load_overview(client, NOW)
    journal_path = tmp_path / "audit.jsonl"
    editor = Editor(client, overview.caller, Journal(journal_path), DEMO_KEYS[role])
    return Proxy(store, faults, overview, editor, journal_path)


@pytest.fixture
async def proxy(tmp_path: Path) -> AsyncIterator[Proxy]:
    made = await _proxy(tmp_path)
    yield made
    await made.editor.client.aclose()


def _skips(plan: Plan) -> dict[str, str | None]:
    return {step.tenant.name: step.skip for step in plan.steps}


def _statuses(result: BulkResult) -> list[str]:
    return [outcome.status for outcome in result.outcomes]


def _key_budget(store: Store, alias: str) -> float | None:
    return next(k.max_budget for k in store.keys.values() if k.key_alias == alias)


# -- the preview --------------------------------------------------------------------------------


async def test_the_preview_says_why_each_tenant_is_skipped(proxy: Proxy) -> None:
    api, batch, web, hooli = proxy.tenants("acme-api", "acme-batch", "acme-web", "hooli")
    locked = replace(batch, can_edit=False)  # a key this caller may not edit
    same = NewBudget(web.cap.max_budget, keep_period=True)  # acme-web already has it
    plan = plan_budget([api, locked, web, hooli], same.draft_for, proxy.overview.caller)
    assert _skips(plan) == {
        "acme-api": None,
        "acme-batch": "not allowed for proxy_admin",
        "acme-web": "no change",
        "hooli": "no key yet (provisioning)",
    }
    assert plan.steps[0].change.startswith("budget no cap → $")
    assert plan.to_send == 1


async def test_an_empty_period_keeps_each_tenants_own(proxy: Proxy) -> None:
    web, eu, batch = proxy.tenants("acme-web", "acme-web-eu", "acme-batch")
    new = parse_new_budget("5", "")
    plan = plan_budget([web, eu, batch], new.draft_for, proxy.overview.caller)
    assert [step.change for step in plan.steps] == [
        f"budget ${web.cap.max_budget:.2f} → $5.00",
        f"budget ${eu.cap.max_budget:.2f} → $5.00",
        f"budget ${batch.cap.max_budget:.3f} → $5.00",
    ]
    assert [step.draft.budget_duration for step in plan.steps if step.draft] == ["30d", "1mo", "7d"]
    cleared = plan_budget([web], parse_new_budget("5", "none").draft_for, proxy.overview.caller)
    assert cleared.steps[0].change.endswith("duration 30d → none")


@pytest.mark.parametrize(
    ("amount", "period", "rules"),
    [
        ("1e3", "", ["number.exponent"]),
        ("0", "30d", ["amount.positive"]),
        ("5", "12mo", ["duration.months"]),
        ("-1", "1x", ["amount.positive", "duration.format"]),
    ],
)
def test_a_budget_the_single_editor_refuses_is_refused_whole(
    amount: str, period: str, rules: list[str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_new_budget(amount, period)
    assert [problem.rule for problem in refused.value.problems] == rules


def test_no_cap_clears_every_period_as_the_single_editor_does() -> None:
    new = parse_new_budget("", "")
    assert new.draft_for(Cap(Decimal(1), Decimal(5), "30d")).budget_duration is None


async def test_a_reset_above_a_keys_spend_or_cap_skips_that_key_alone(proxy: Proxy) -> None:
    tenants = proxy.tenants("acme-api", "acme-batch", "globex-ml", "ops-viewer-key")
    plan = plan_reset(tenants, Decimal("2.5"), proxy.overview.caller)
    assert plan.steps[0].change == "spend $5.08 → $2.50"
    assert _skips(plan) == {
        "acme-api": None,
        "acme-batch": "above its spend ($0.52)",  # and its cap: the first rule is enough
        "globex-ml": "above its cap ($2.32)",
        "ops-viewer-key": "above its spend ($0.00)",
    }
    to_zero = plan_reset(tenants, Decimal(0), proxy.overview.caller)
    assert _skips(to_zero)["ops-viewer-key"] == "no change"


@pytest.mark.parametrize(("text", "rule"), [("-1", "reset.negative"), ("1,5", "number.separator")])
def test_a_reset_value_no_key_could_take_is_refused_whole(text: str, rule: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_reset_to(text)
    assert [problem.rule for problem in refused.value.problems] == [rule]


# -- applying ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keep_going", "statuses"),
    [
        (False, ["applied", "failed", "not_attempted", "not_attempted"]),
        (True, ["applied", "failed", "applied", "applied"]),
    ],
)
async def test_a_failure_stops_the_run_unless_told_to_go_on(
    proxy: Proxy, keep_going: bool, statuses: list[str]
) -> None:
    plan = plan_budget(proxy.tenants(*FOUR), NewBudget(Decimal(7)).draft_for, proxy.overview.caller)
    heard: list[Outcome] = []

    def progress(outcome: Outcome) -> None:
        heard.append(outcome)
        if len(heard) == 1:  # the proxy refuses the next write, once
            proxy.faults.status_by_path["/key/update"] = 500
            proxy.faults.fail_times = 1

    result = await apply(plan, proxy.editor, progress, keep_going=keep_going)
    assert _statuses(result) == statuses
    attempted = [o for o in result.outcomes if o.status != "not_attempted"]
    assert heard == attempted  # told of each write as it ended, in order
    assert len(proxy.posts()) == len(attempted)  # one request per attempted write, no retry
    assert "HTTP 500" in result.outcomes[1].message
    for outcome in result.outcomes:
        now = _key_budget(proxy.store, outcome.tenant.name)
        assert (now == 7.0) == (outcome.status == "applied")
    assert result.troubled


async def test_an_unknown_outcome_stops_the_run_too(proxy: Proxy) -> None:
    proxy.faults.status_by_path["/key/update"] = 504  # a gateway gave up: maybe applied
    plan = plan_budget(proxy.tenants(*FOUR), NewBudget(Decimal(7)).draft_for, proxy.overview.caller)
    result = await apply(plan, proxy.editor)
    assert _statuses(result) == ["unknown", "not_attempted", "not_attempted", "not_attempted"]
    assert "may or may not have been applied" in result.outcomes[0].message
    assert proxy.journal_outcomes() == {"acme-api": "unknown"}


@pytest.mark.parametrize("keep_going", [False, True])
async def test_the_journal_tells_what_the_result_tells(tmp_path: Path, keep_going: bool) -> None:
    """LiteLLM 1.84.10 takes `budget_duration: null` with a 200 and keeps the period: not
    applied. A key deleted since the preview: refused (404). Neither, nor a skip, is applied."""
    proxy = await _proxy(tmp_path, version="1.84.10")
    names = ("acme-api", "acme-web", "hooli", "acme-web-eu", "solo-hobby")
    plan = plan_budget(
        proxy.tenants(*names), NewBudget(Decimal(9), None).draft_for, proxy.overview.caller
    )
    gone = next(t for t in proxy.store.keys.values() if t.key_alias == "acme-web-eu")
    del proxy.store.keys[gone.token]
    result = await apply(plan, proxy.editor, keep_going=keep_going)
    await proxy.editor.client.aclose()

    if keep_going:
        assert _statuses(result) == ["applied", "not_applied", "skipped", "failed", "applied"]
    else:
        assert _statuses(result) == [
            "applied",
            "not_applied",
            "skipped",
            "not_attempted",
            "not_attempted",
        ]
    assert "LiteLLM did not apply: duration (still 30d)" in result.outcomes[1].message
    sent = {
        o.tenant.name: o.status
        for o in result.outcomes
        if o.status in {"applied", "not_applied", "failed"}
    }
    assert proxy.journal_outcomes() == sent  # nothing journaled that was not sent, and vice versa
    assert result.summary().startswith("2 applied, 1 not applied" if keep_going else "1 applied")


async def test_a_viewer_sends_nothing(tmp_path: Path) -> None:
    proxy = await _proxy(tmp_path, role="proxy_admin_viewer")
    plan = plan_budget(proxy.tenants(*FOUR), NewBudget(Decimal(7)).draft_for, proxy.overview.caller)
    result = await apply(plan, proxy.editor)
    await proxy.editor.client.aclose()
    assert {o.message for o in result.outcomes} == {"not allowed for proxy_admin_viewer"}
    assert _statuses(result) == ["skipped"] * 4
    assert proxy.posts() == []
    assert not proxy.journal_path.exists()


async def test_a_reset_whose_spend_moved_since_the_preview_is_not_sent(proxy: Proxy) -> None:
    tenants = proxy.tenants("acme-api", "acme-web")
    plan = plan_reset(tenants, Decimal(0), proxy.overview.caller)
    moved = next(k for k in proxy.store.keys.values() if k.key_alias == "acme-api")
    moved.spend += 0.25  # traffic since the preview
    result = await apply(plan, proxy.editor, keep_going=True)
    assert _statuses(result) == ["failed", "applied"]
    assert "spend changed" in result.outcomes[0].message
    assert proxy.posts() == [f"/key/{tenants[1].key_hash}/reset_spend"]
