"""The scriptable outputs: the JSON contract, CSV that a spreadsheet cannot execute, tables."""

from __future__ import annotations

import csv
import io
import json

from budgettui.cli.output import TENANT_JSON_FIELDS, render_tenants
from budgettui.domain.tenants import Tenant, assemble_tenants
from budgettui.proxy.models import Caller, Key, Team

ADMIN = Caller(user_id="default_user_id", user_role="proxy_admin")


def _tenants() -> list[Tenant]:
    teams = [
        Team.model_validate(
            {
                "team_id": "t1",
                "team_alias": "Acme",
                "spend": 12.5,
                "max_budget": 100,
                "budget_duration": "1mo",
                "keys_count": 1,
            }
        )
    ]
    keys = [
        Key.model_validate(
            {
                "token": "h1",
                "key_name": "sk-...abcd",
                "key_alias": "=cmd|' /C calc'!A0",
                "team_id": "t1",
                "spend": 0.10500000000000001,
                "max_budget": 0.125,
                "budget_duration": "30d",
                "budget_reset_at": "2026-12-01T00:00:00+00:00",
            }
        ),
        Key.model_validate({"token": "h2", "key_alias": "zürich-Ω [bold]x[/]", "spend": 3}),
    ]
    return assemble_tenants(teams, keys, ADMIN)


def test_tenants_json_has_the_contract_fields_and_numbers_for_money() -> None:
    records = json.loads(render_tenants(_tenants(), "json"))
    assert [tuple(r) for r in records] == [TENANT_JSON_FIELDS] * 2
    first = records[0]
    assert first["spend"] == 0.105
    assert first["max_budget"] == 0.125
    assert first["percent_used"] == 84.0
    assert first["alert"] == "warning"
    assert first["binding_cap"] == "key"
    assert first["org"] == "Acme"
    assert first["org_max_budget"] == 100
    assert first["budget_reset_at"] == "2026-12-01T00:00:00+00:00"
    assert records[1]["org"] is None
    assert records[1]["alert"] == "none"


def test_csv_neutralises_formula_cells() -> None:
    rows = list(csv.DictReader(io.StringIO(render_tenants(_tenants(), "csv"))))
    assert rows[0]["tenant"].startswith("'=")
    assert rows[1]["tenant"] == "zürich-Ω [bold]x[/]"


def test_table_shows_aliases_literally_and_aligned() -> None:
    table = render_tenants(_tenants(), "table").splitlines()
    assert table[0].split() == [
        "TENANT",
        "ORG",
        "SPEND",
        "BUDGET",
        "USED",
        "BINDS",
        "DURATION",
        "STATUS",
    ]
    assert "zürich-Ω [bold]x[/]" in table[2]
    assert "84.0%" in table[1]


def test_every_format_tells_the_state_in_the_dashboards_words() -> None:
    records = json.loads(render_tenants(_tenants(), "json"))
    assert [r["status"] for r in records] == ["warning", "no cap"]
    rows = list(csv.DictReader(io.StringIO(render_tenants(_tenants(), "csv"))))
    assert [r["status"] for r in rows] == ["warning", "no cap"]
    assert [r["can_edit"] for r in rows] == ["true", "true"]  # as JSON writes it
    table = render_tenants(_tenants(), "table").splitlines()
    assert table[2].endswith("no cap")
