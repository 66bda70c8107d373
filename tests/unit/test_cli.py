"""The headless commands as a script sees them: stdout, one stderr line, exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from budgettui.cli.main import main
from budgettui.services.journal import read_entries
from tests.uihelpers import NOW


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), now=NOW)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def journal_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    monkeypatch.delenv("LITELLM_PROXY_API_KEY", raising=False)
    return tmp_path / "budgettui" / "audit.jsonl"


def test_tenants_json_lists_the_seeded_tenants_sorted(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "tenants", "--json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    keys = [
        (r["org"] is None, (r["org"] or "").casefold(), r["tenant"].casefold()) for r in records
    ]
    assert keys == sorted(keys)
    assert len(records) >= 12
    assert {r["alert"] for r in records} >= {"ok", "warning", "critical", "exceeded", "none"}
    assert any(r["provisioning"] for r in records)


def test_usage_json_has_every_day_and_the_budgets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "usage", "acme-web", "--month", "2026-10", "--json")
    assert code == 0
    usage = json.loads(out)
    assert usage["month"] == "2026-10"
    assert len(usage["daily"]) == 31
    assert usage["request_count"] == sum(d["requests"] for d in usage["daily"]) > 0
    assert usage["budget"]["budget_duration"] == "30d"
    assert usage["org"] == "acme"
    assert set(usage["rate_limits"]) == {"rpm", "tpm"}


def test_usage_csv_is_one_row_a_day(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "usage", "acme-web", "--month", "2026-11", "--csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "date,spend,input_tokens,output_tokens,requests,partial"
    assert len(lines) == 31
    assert {line.rsplit(",", 1)[1] for line in lines[1:]} == {"false"}  # true/false, as in JSON


def test_an_unknown_tenant_is_exit_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "usage", "acme")  # a prefix of real aliases
    assert code == 1
    assert out == ""
    assert err.strip().splitlines() == ["budgettui: tenant 'acme' not found or not accessible"]


@pytest.mark.parametrize(
    ("argv", "rule"),
    [
        (("--demo", "usage", "acme-web", "--month", "2026-13"), "month must be 01 to 12"),
        (("--demo", "--refresh", "0.5"), "at least 1 second"),
        (("tenants",), "no proxy"),
        (("--proxy-url", "ftp://x", "tenants"), "http or https"),
        (("--demo", "budget", "set", "acme-web", "--max-budget", "1e309"), "no exponents"),
        (("--demo", "spend", "reset", "acme-web"), "needs --yes"),
    ],
)
def test_bad_usage_is_exit_2_naming_the_rule(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], rule: str
) -> None:
    try:
        code = main(list(argv), now=NOW)
    except SystemExit as exited:  # argparse's own refusals
        code = int(exited.code or 0)
    assert code == 2
    assert rule in capsys.readouterr().err


def test_budget_set_and_spend_reset_are_journaled(
    capsys: pytest.CaptureFixture[str], journal_path: Path
) -> None:
    code, out, err = run(
        capsys, "--demo", "budget", "set", "acme-web", "--max-budget", "75", "--duration", "1mo"
    )
    assert (code, err) == (0, "")
    assert "$75.00" in out
    assert "30d → 1mo" in out
    code, out, _ = run(capsys, "--demo", "spend", "reset", "acme-web", "--to", "0", "--yes")
    assert code == 0
    assert out.strip().endswith("→ $0.00")
    code, out, _ = run(capsys, "--demo", "budget", "set-org", "acme", "--no-cap")
    assert code == 0
    assert "no cap" in out
    # --demo writes the demo's journal, beside the real one and never into it.
    assert read_entries(journal_path) == []
    demo_journal = journal_path.with_name("demo-audit.jsonl")
    lines = [(e.action, e.result.status) for e in read_entries(demo_journal)]
    assert lines == [
        (action, status)
        for action in ("budget.set", "spend.reset", "org_budget.set")
        for status in ("attempted", "applied")
    ]


def test_a_viewer_cannot_write_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "--demo",
        "--demo-as",
        "proxy_admin_viewer",
        "budget",
        "set",
        "acme-web",
        "--max-budget",
        "5",
    )
    assert code == 1
    assert "read-only role" in err


@pytest.mark.parametrize(("release", "expected"), [("1.84", "1.84.10"), ("1.108", "1.108.7")])
def test_usage_json_names_the_litellm_release_it_read(
    capsys: pytest.CaptureFixture[str], release: str, expected: str
) -> None:
    code, out, _ = run(capsys, "--demo-litellm", release, "usage", "acme-web", "--json")
    assert code == 0
    assert json.loads(out)["litellm_version"] == expected
