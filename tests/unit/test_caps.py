"""Every cap on a key's requests: which binds first, blocked and expired keys before any money,
and caps this credential cannot read reported as such, never as "no cap"."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

from budgettui.cli.output import render_tenants
from budgettui.domain.budget import Alert, BindingCap
from budgettui.domain.caps import CapReadings, CapScope, ScopedCap, StopState, binding_of
from budgettui.domain.listing import projection_for
from budgettui.domain.tenants import Tenant, assemble_tenants, with_key_details
from budgettui.proxy.models import Caller, Key, Team, TeamInfo, UserBudget

ADMIN = Caller(user_id="default_user_id", user_role="proxy_admin")
NOW = datetime(2026, 5, 14, 12, 0, tzinfo=UTC)


def _team(**fields: Any) -> Team:
    return Team.model_validate({"team_id": "t1", "team_alias": "Acme", "keys_count": 1, **fields})


def _key(**fields: Any) -> Key:
    return Key.model_validate({"token": "h1", "key_alias": "alice-laptop", **fields})


def _user(user_id: str, spend: str, max_budget: str | None) -> UserBudget:
    return UserBudget(
        user_id=user_id, spend=D(spend), max_budget=D(max_budget) if max_budget else None
    )


def _one(key: Key, teams: list[Team] | None = None, readings: CapReadings | None = None) -> Tenant:
    (tenant,) = [
        t
        for t in assemble_tenants(teams or [], [key], ADMIN, readings=readings, now=NOW)
        if not t.provisioning
    ]
    return tenant


def _json(tenant: Tenant) -> dict[str, Any]:
    (record,) = json.loads(render_tenants([tenant], "json"))
    return dict(record)


def _capped(scope: CapScope, spend: str, max_budget: str) -> ScopedCap:
    return ScopedCap(scope, D(max_budget), D(spend))


# -- which cap binds -----------------------------------------------------------------------------


def test_the_cap_with_least_room_binds_across_every_scope() -> None:
    key = _capped(CapScope.KEY, "40", "50")  # 10 left
    team = _capped(CapScope.TEAM, "995", "1000")  # 5 left
    user = _capped(CapScope.USER, "0.03", "0.06")  # 0.03 left
    assert binding_of([key, team]) is team
    assert binding_of([key, team, user]) is user
    assert binding_of([key]) is key
    assert binding_of([]) is None


def test_a_cap_without_readable_spend_never_binds() -> None:
    window = ScopedCap(CapScope.WINDOW, D("0.01"), None, name="1h")
    unreadable = ScopedCap.unreadable(CapScope.USER, "not for this key")
    key = _capped(CapScope.KEY, "1", "100")
    assert binding_of([window, unreadable, key]) is key
    assert binding_of([window, unreadable]) is None


def test_at_equal_room_the_team_refuses_last() -> None:
    """LiteLLM refuses a key at spend >= its cap but a team only at spend > its cap."""
    team = _capped(CapScope.TEAM, "5", "5")
    member = _capped(CapScope.TEAM_MEMBER, "2", "2")
    assert binding_of([team, member]) is member
    assert not team.refuses
    assert member.refuses


def test_a_team_exactly_at_its_cap_is_critical_not_exceeded() -> None:
    tenant = _one(_key(team_id="t1", spend=1), [_team(spend=5, max_budget=5)])
    assert tenant.binding is BindingCap.ORG
    assert tenant.alert is Alert.CRITICAL
    past = _one(_key(team_id="t1", spend=1), [_team(spend="5.01", max_budget=5)])
    assert past.alert is Alert.EXCEEDED


def test_a_personal_key_under_its_owners_spent_budget_is_exceeded() -> None:
    """The reported case: no key cap, no team, the owner's $0.06 used up (LiteLLM 422s)."""
    key = _key(user_id="alice", spend="0.10")
    tenant = _one(key, readings=CapReadings(users={"alice": _user("alice", "0.10", "0.06")}))
    assert tenant.binding is BindingCap.USER
    assert tenant.alert is Alert.EXCEEDED
    record = _json(tenant)
    assert record["max_budget"] is None  # still the key's own
    assert record["binding_cap"] == "user"
    assert record["alert"] == "exceeded"
    assert record["status"] == "exceeded"
    assert record["caps"] == [
        {
            "scope": "user",
            "max_budget": 0.06,
            "spend": 0.1,
            "duration": None,
            "reset_at": None,
            "readable": True,
        }
    ]


def test_the_owners_budget_does_not_bind_a_team_key() -> None:
    key = _key(user_id="alice", team_id="t1", spend="0.10")
    readings = CapReadings(
        users={"alice": _user("alice", "5", "0.06")},
        teams={"t1": TeamInfo(team_id="t1", team_info=_team())},
    )
    tenant = _one(key, [_team()], readings)
    assert tenant.caps == ()
    assert tenant.binding is BindingCap.NONE


def test_a_member_budget_binds_its_key_in_the_team() -> None:
    info = TeamInfo.model_validate(
        {
            "team_id": "t1",
            "team_info": {"team_id": "t1", "max_budget": 100, "spend": 1},
            "team_memberships": [
                {"user_id": "bob", "spend": 0.02, "litellm_budget_table": None},
                {
                    "user_id": "alice",
                    "spend": 0.07,
                    "litellm_budget_table": {"max_budget": 0.06, "budget_duration": "30d"},
                },
            ],
        }
    )
    readings = CapReadings(teams={"t1": info})
    alice = _one(
        _key(user_id="alice", team_id="t1", spend="0.07"), [_team(max_budget=100)], readings
    )
    assert alice.binding is BindingCap.TEAM_MEMBER
    assert alice.alert is Alert.EXCEEDED
    member = next(c for c in alice.caps if c.scope is CapScope.TEAM_MEMBER)
    assert (member.max_budget, member.spend, member.duration) == (D("0.06"), D("0.07"), "30d")
    bob = _one(_key(user_id="bob", team_id="t1", spend="0.02"), [_team(max_budget=100)], readings)
    assert bob.binding is BindingCap.ORG  # no budget row, no team default


def test_the_teams_default_member_budget_applies_to_members_without_their_own() -> None:
    info = TeamInfo.model_validate(
        {
            "team_id": "t1",
            "team_info": {"team_id": "t1", "team_member_budget_table": {"max_budget": 0.5}},
            "team_memberships": [{"user_id": "bob", "spend": 0.45}],
        }
    )
    bob = _one(_key(user_id="bob", team_id="t1"), [_team()], CapReadings(teams={"t1": info}))
    assert bob.binding is BindingCap.TEAM_MEMBER
    assert bob.alert is Alert.CRITICAL


def test_a_window_with_its_spend_binds_by_its_period() -> None:
    key = _key(
        max_budget=10,
        spend=1,
        budget_limits=[{"budget_duration": "1h", "max_budget": 0.06, "reset_at": None}],
        budget_limits_usage={"1h": {"current_spend": 0.096}},
    )
    tenant = _one(key)
    assert tenant.binding is BindingCap.WINDOW
    assert tenant.binding_scoped_cap is not None
    assert tenant.binding_scoped_cap.name == "1h"
    assert tenant.alert is Alert.EXCEEDED


def test_per_model_budgets_are_named_by_model() -> None:
    key = _key(model_max_budget={"fake-gpt": {"budget_limit": 0.5, "time_period": "1d"}})
    (cap,) = _one(key).caps
    assert (cap.scope, cap.name, cap.max_budget, cap.duration) == (
        CapScope.MODEL,
        "fake-gpt",
        D("0.5"),
        "1d",
    )
    assert cap.spend is None  # a listing (and 1.84) does not tell per-model spend


def test_a_soft_budget_is_a_marker_not_a_cap() -> None:
    key = _key(spend="0.10", litellm_budget_table={"soft_budget": 0.01})
    tenant = _one(key)
    assert tenant.soft_budget == D("0.01")
    assert tenant.caps == ()
    assert _json(tenant)["soft_budget"] == 0.01
    assert _json(tenant)["status"] == "no cap"


# -- caps this credential cannot read -------------------------------------------------------------


def test_an_owner_budget_this_key_cannot_read_is_unreadable_not_no_cap() -> None:
    key = _key(user_id="alice", spend="0.10")
    readings = CapReadings(users_unreadable="LiteLLM shows other users' budgets only to admins")
    tenant = _one(key, readings=readings)
    (cap,) = tenant.caps
    assert (cap.scope, cap.readable) == (CapScope.USER, False)
    assert tenant.binding is BindingCap.NONE
    record = _json(tenant)
    assert record["status"] == "cap unknown"
    assert record["caps"][0]["readable"] is False
    assert record["caps"][0]["unreadable_reason"].startswith("LiteLLM shows")


def test_member_budgets_of_unread_teams_are_unreadable_with_the_reason() -> None:
    key = _key(user_id="alice", team_id="t1", max_budget=10, spend=1)
    readings = CapReadings(members_unreadable={"t1": "not read: 400 teams"})
    tenant = _one(key, [_team()], readings)
    assert tenant.binding is BindingCap.KEY  # the key's cap is still measured
    (unread,) = tenant.unmeasured_caps
    assert (unread.scope, unread.unreadable_reason) == (CapScope.TEAM_MEMBER, "not read: 400 teams")
    assert _json(tenant)["status"] == "ok"


def test_a_keys_team_hidden_from_the_caller_has_an_unreadable_cap() -> None:
    tenant = _one(_key(team_id="hidden"))
    (cap,) = tenant.caps
    assert (cap.scope, cap.readable) == (CapScope.TEAM, False)
    assert _json(tenant)["status"] == "cap unknown"


# -- states that stop a key whatever its money -----------------------------------------------------


def test_a_blocked_key_is_blocked_whatever_its_money() -> None:
    tenant = _one(_key(blocked=True, max_budget=10, spend=1))
    assert tenant.state is StopState.BLOCKED
    assert tenant.alert is Alert.OK  # the money's own level, unchanged
    record = _json(tenant)
    assert (record["state"], record["status"], record["alert"]) == ("blocked", "blocked", "ok")


def test_a_blocked_team_blocks_its_keys() -> None:
    tenant = _one(_key(team_id="t1"), [_team(blocked=True)])
    assert tenant.state is StopState.BLOCKED


def test_a_key_expired_by_the_injected_clock_is_expired() -> None:
    expired = _one(_key(expires=(NOW - timedelta(seconds=1)).isoformat()))
    assert expired.state is StopState.EXPIRED
    assert _json(expired)["status"] == "expired"
    later = _one(_key(expires=(NOW + timedelta(days=1)).isoformat()))
    assert later.state is None


def test_an_offsetless_expiry_is_read_as_utc() -> None:
    tenant = _one(_key(expires="2026-05-14T11:59:00"))
    assert tenant.state is StopState.EXPIRED


def test_blocked_comes_before_expired_and_before_exceeded() -> None:
    tenant = _one(_key(blocked=True, expires="2020-01-01T00:00:00Z", max_budget=1, spend=2))
    assert tenant.state is StopState.BLOCKED
    assert tenant.alert is Alert.EXCEEDED
    assert _json(tenant)["status"] == "blocked"


def test_the_table_and_csv_say_the_state() -> None:
    tenant = _one(_key(blocked=True))
    assert render_tenants([tenant], "table").splitlines()[1].split()[-1] == "blocked"
    assert "blocked" in render_tenants([tenant], "csv").splitlines()[1]


# -- the runway counts from the key's creation ---------------------------------------------------


def test_the_pace_counts_from_the_keys_creation() -> None:
    created = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    tenant = _one(_key(max_budget=100, spend=10, created_at=created.isoformat()))
    today = date(2026, 5, 14)
    projection = projection_for(tenant, {"h1": D("10")}, today, NOW)
    assert projection is not None
    assert projection.daily_rate == D("2")  # $10 over 5 days, not 14
    fresh = _one(_key(max_budget=100, created_at=(NOW - timedelta(hours=2)).isoformat()))
    young = projection_for(fresh, {"h1": D("1")}, today, NOW)
    assert young is not None
    assert young.too_little_history


def test_the_keys_own_info_fills_window_spend_and_soft_budget() -> None:
    """The tenant screen re-reads one key: `/key/info` tells what a listing does not."""
    window = {"budget_duration": "1h", "max_budget": 0.06}
    listed = _one(
        _key(user_id="alice", budget_limits=[window]),
        readings=CapReadings(users={"alice": _user("alice", "0.01", "5")}),
    )
    assert listed.binding is BindingCap.USER  # the window's spend is unknown from a listing
    info = _key(
        user_id="alice",
        budget_limits=[window],
        budget_limits_usage={"1h": {"current_spend": 0.055}},
        litellm_budget_table={"soft_budget": 0.01},
    )
    detailed = with_key_details(listed, info)
    assert detailed.binding is BindingCap.WINDOW
    assert detailed.alert is Alert.CRITICAL
    assert detailed.soft_budget == D("0.01")
    assert [c.scope for c in detailed.caps] == [CapScope.USER, CapScope.WINDOW]
