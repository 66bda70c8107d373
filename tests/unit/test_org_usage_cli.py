"""`budgettui usage --org NAME` as a script reads it: `usage NAME`'s shape with the org where
the tenant was, its tenants ranked by the month's spend, and the exit codes of `usage`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from budgettui.cli.main import main
from tests.uihelpers import NOW


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), now=NOW)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("BUDGETTUI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    monkeypatch.delenv("LITELLM_PROXY_API_KEY", raising=False)


def test_org_json_is_the_usage_record_of_the_org(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "usage", "--org", "acme", "--month", "2026-11", "--json")
    assert (code, err) == (0, "")
    record = json.loads(out)
    _, tenant_out, _ = run(capsys, "--demo", "usage", "acme-web", "--month", "2026-11", "--json")
    shared = set(json.loads(tenant_out)) - {"tenant", "org_budget"}
    assert shared <= set(record)
    assert (record["org"], record["month"], record["source"]) == (
        "acme",
        "2026-11",
        "team daily activity",
    )
    assert record["team_id"]
    assert record["status"] == "ok"
    assert len(record["daily"]) == 30
    assert record["request_count"] == sum(day["requests"] for day in record["daily"]) == 602
    assert record["budget"]["max_budget"] == 15.4
    assert record["budget"]["budget_duration"] == "1mo"
    ranked = [t["month_spend"] for t in record["tenants"]]
    assert ranked == sorted(ranked, reverse=True)
    assert record["tenants"][0]["tenant"] == "acme-web"
    assert sum(ranked) == pytest.approx(record["total_spend"])


def test_org_csv_is_one_row_a_day_like_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "usage", "--org", "acme", "--month", "2026-11", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 30
    assert sum(int(row["requests"]) for row in rows) == 602
    assert {row["partial"] for row in rows} == {"false"}


def test_an_org_a_member_sees_in_part_exits_3_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--demo-as", "internal_user", "usage", "--org", "globex", "--json")
    assert code == 3
    record = json.loads(out)
    assert record["partial"] is True
    assert err.strip() == f"budgettui: partial: {record['partial_reason']}"
    hidden = [t for t in record["tenants"] if t["month_spend"] is None]
    assert len(hidden) == 3  # untold, never 0


def test_an_unknown_org_and_a_tenant_with_org_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--demo", "usage", "--org", "acm")
    assert (code, out) == (1, "")
    assert err == "budgettui: org 'acm' not found or not accessible\n"
    with pytest.raises(SystemExit) as exited:  # argparse's own refusal
        main(["--demo", "usage", "acme-web", "--org", "acme"], now=NOW)
    assert exited.value.code == 2
    assert "argument --org: not allowed with argument tenant" in capsys.readouterr().err
