"""Tenants from teams and keys: orgs, provisioning, who may edit, order, lookup."""

from __future__ import annotations

from decimal import Decimal as D

from budgettui.domain.budget import Alert, BindingCap
from budgettui.domain.tenants import assemble_tenants, find_tenant
from budgettui.proxy.models import Caller, Key, Team

ADMIN = Caller(user_id="default_user_id", user_role="proxy_admin")
VIEWER = Caller(user_id="v", user_role="proxy_admin_viewer")
TEAM_ADMIN = Caller(user_id="ta", user_role="internal_user")
MEMBER = Caller(user_id="m", user_role="internal_user")


def _teams() -> list[Team]:
    return [
        Team.model_validate(
            {
                "team_id": "t-acme",
                "team_alias": "Acme",
                "spend": 90,
                "max_budget": 100,
                "keys_count": 2,
                "members_with_roles": [
                    {"user_id": "ta", "role": "admin"},
                    {"user_id": "m", "role": "user"},
                ],
            }
        ),
        Team.model_validate({"team_id": "t-new", "team_alias": "newco", "keys_count": 0}),
        Team.model_validate({"team_id": "t-hidden", "team_alias": "hidden", "keys_count": 3}),
    ]


def _keys() -> list[Key]:
    return [
        Key.model_validate(
            {
                "token": "h1",
                "key_alias": "acme-web-eu",
                "team_id": "t-acme",
                "spend": 10,
                "max_budget": 50,
            }
        ),
        Key.model_validate(
            {
                "token": "h2",
                "key_alias": "acme-web",
                "team_id": "t-acme",
                "spend": 45,
                "max_budget": 50,
            }
        ),
        Key.model_validate({"token": "h3", "key_name": "sk-...wxyz", "spend": 1}),
    ]


def test_tenants_are_grouped_by_org_and_sorted() -> None:
    tenants = assemble_tenants(_teams(), _keys(), ADMIN)
    assert [(t.org_name, t.name) for t in tenants] == [
        ("Acme", "acme-web"),
        ("Acme", "acme-web-eu"),
        ("newco", "newco"),
        (None, "sk-...wxyz"),
    ]


def test_a_team_without_keys_is_provisioning_but_a_team_with_hidden_keys_is_not_shown() -> None:
    tenants = assemble_tenants(_teams(), _keys(), ADMIN)
    provisioning = [t for t in tenants if t.provisioning]
    assert [t.name for t in provisioning] == ["newco"]
    assert provisioning[0].key_hash is None
    assert all(t.org_name != "hidden" for t in tenants)


def test_the_binding_cap_and_alert_are_measured_against_the_tighter_cap() -> None:
    by_name = {t.name: t for t in assemble_tenants(_teams(), _keys(), ADMIN)}
    # acme-web: key 45/50 (5 left) vs org 90/100 (10 left) → key binds at 90 % → critical.
    assert by_name["acme-web"].binding is BindingCap.KEY
    assert by_name["acme-web"].alert is Alert.CRITICAL
    # acme-web-eu: key 10/50 (40 left) vs org (10 left) → org binds at 90 %.
    assert by_name["acme-web-eu"].binding is BindingCap.ORG
    assert by_name["acme-web-eu"].fraction_used == D("0.9")
    assert by_name["sk-...wxyz"].binding is BindingCap.NONE
    assert by_name["sk-...wxyz"].alert is Alert.NONE


def test_who_may_edit() -> None:
    def editable(caller: Caller) -> dict[str, bool]:
        return {t.name: t.can_edit for t in assemble_tenants(_teams(), _keys(), caller)}

    assert editable(ADMIN)["acme-web"] is True
    assert not any(editable(VIEWER).values())
    assert editable(TEAM_ADMIN)["acme-web"] is True
    assert editable(TEAM_ADMIN)["sk-...wxyz"] is False
    assert not any(editable(MEMBER).values())
    orgs = {
        t.org.name: t.org.can_edit for t in assemble_tenants(_teams(), _keys(), TEAM_ADMIN) if t.org
    }
    assert orgs["Acme"] is False


def test_finding_a_tenant_never_matches_a_prefix() -> None:
    tenants = assemble_tenants(_teams(), _keys(), ADMIN)
    found = find_tenant(tenants, "acme-web")
    assert found is not None
    assert found.key_hash == "h2"
    assert find_tenant(tenants, "ACME-WEB-EU") is not None
    assert find_tenant(tenants, "acme") is None


def test_team_admins_reset_any_team_key_but_budget_only_shared_and_own_keys() -> None:
    keys = [
        *_keys(),
        Key.model_validate(
            {"token": "h4", "key_alias": "member-key", "team_id": "t-acme", "user_id": "m"}
        ),
        Key.model_validate(
            {"token": "h5", "key_alias": "admin-own", "team_id": "t-acme", "user_id": "ta"}
        ),
    ]
    by_name = {t.name: t for t in assemble_tenants(_teams(), keys, TEAM_ADMIN)}
    assert (by_name["member-key"].can_edit, by_name["member-key"].can_reset) == (False, True)
    assert (by_name["admin-own"].can_edit, by_name["admin-own"].can_reset) == (True, True)
    assert (by_name["acme-web"].can_edit, by_name["acme-web"].can_reset) == (True, True)


def test_a_plain_member_sees_only_its_own_keys_usage() -> None:
    keys = [
        *_keys(),
        Key.model_validate(
            {"token": "h4", "key_alias": "mine", "team_id": "t-acme", "user_id": "m"}
        ),
    ]
    visible = {t.name: t.usage_visible for t in assemble_tenants(_teams(), keys, MEMBER)}
    assert visible["mine"] is True
    assert visible["acme-web"] is False  # a shared team key: LiteLLM answers its usage with 0
    assert all(t.usage_visible for t in assemble_tenants(_teams(), keys, VIEWER))
