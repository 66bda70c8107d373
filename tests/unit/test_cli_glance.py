"""Issue 13 for the command line: partial and empty months on stderr with their exit codes, the
demo flags that imply `--demo`, an org that is not found named as an org, and a closed pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from budgettui.cli.main import main
from budgettui.services.connect import demo_settings
from tests.uihelpers import NOW


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), now=NOW)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_real_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    monkeypatch.delenv("LITELLM_PROXY_API_KEY", raising=False)


def test_partial_usage_is_printed_with_a_warning_and_exit_3(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--demo-as", "internal_user_viewer", "usage", "initech-tps")
    assert code == 3
    assert out.strip()  # printed all the same
    (line,) = err.strip().splitlines()
    assert line.startswith("budgettui: partial: LiteLLM does not show internal_user_viewer")


def test_a_future_month_says_it_has_not_started(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "usage", "acme-web", "--month", "2030-01", "--csv")
    assert (code, err) == (0, "budgettui: no data for 2030-01: the month has not started\n")


def test_an_empty_past_month_says_no_activity(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "usage", "acme-web", "--month", "2020-01", "--json")
    assert (code, err) == (0, "budgettui: no data for 2020-01: no activity recorded\n")


def test_a_month_with_traffic_has_no_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "usage", "acme-web", "--month", "2026-11", "--csv")
    assert (code, err) == (0, "")


def test_demo_as_implies_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo-as", "proxy_admin_viewer", "tenants", "--csv")
    assert (code, err) == (0, "")
    assert "acme-web" in out


def test_demo_litellm_picks_the_release_and_implies_demo(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str | None] = []

    def spy(now, role="master", *, litellm_version=None):  # type: ignore[no-untyped-def]
        asked.append(litellm_version)
        return demo_settings(now, role, litellm_version=litellm_version)

    monkeypatch.setattr("budgettui.cli.main.demo_settings", spy)
    for version in ("1.84", "1.84.10", "1.108"):
        code, out, _ = run(capsys, "--demo-litellm", version, "tenants", "--json")
        assert code == 0
        assert out.startswith("[")
    assert asked == ["1.84", "1.84.10", "1.108"]


def test_an_unknown_demo_litellm_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--demo-litellm", "1.90", "tenants"], now=NOW)
    assert exited.value.code == 2
    assert "1.84.10" in capsys.readouterr().err


def test_an_unknown_org_is_named_as_an_org(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "budget", "set-org", "nope", "--max-budget", "5")
    assert (code, err) == (1, "budgettui: org 'nope' not found or not accessible\n")


def test_a_team_admin_is_told_the_org_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "--demo-as", "team_admin", "budget", "set-org", "acme", "--max-budget", "5"
    )
    assert code == 1
    assert "only proxy admins change a team's budget" in err


def test_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) is gone before budgettui writes a byte
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    env.pop("LITELLM_PROXY_API_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from budgettui.cli.main import main; "
         "sys.exit(main(['--demo', 'tenants', '--csv']))"],
        stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=60, check=False,
    )  # fmt: skip
    os.close(write_end)
    assert done.stderr.decode() == ""
    assert done.returncode == 141
