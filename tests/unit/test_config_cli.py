"""`budgettui config init|check|path`, and `--context` on the command line, as a shell sees
them: stdout, stderr, exit codes, and the file's mode."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from budgettui.cli.main import main
from tests.uihelpers import NOW

CANARY = "sk-canary-51c0de"


@pytest.fixture(autouse=True)
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("BUDGETTUI_CONFIG", str(path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    monkeypatch.delenv("LITELLM_PROXY_API_KEY", raising=False)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), now=NOW)
    out, err = capsys.readouterr()
    return code, out, err


def test_path_follows_the_environment(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    assert run(capsys, "config", "path") == (0, f"{config_file}\n", "")


def test_init_writes_a_private_starter_that_check_accepts(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    assert run(capsys, "config", "init") == (0, f"{config_file}\n", "")
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert "# " in config_file.read_text(encoding="utf-8")  # commented for a new user
    code, out, err = run(capsys, "config", "check")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{config_file}: OK"
    assert "local: http://localhost:4000" in out


def test_init_never_overwrites_unless_forced(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    config_file.parent.mkdir()
    config_file.write_text("threshold = 70\n", encoding="utf-8")
    config_file.chmod(0o644)
    code, out, err = run(capsys, "config", "init")
    assert (code, out) == (1, "")
    assert "--force" in err
    assert config_file.read_text(encoding="utf-8") == "threshold = 70\n"
    assert run(capsys, "config", "init", "--force")[0] == 0
    assert "[contexts.local]" in config_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


def test_check_gives_each_error_with_its_line(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    config_file.parent.mkdir()
    config_file.write_text(
        'theme = "nord"\n'
        'them = "nord"\n'
        "[contexts.prod]\n"
        'url = "https://litellm.example.com"\n'
        'api_key_env = "PROD KEY"\n'
        "[keys]\n"
        '"tenants.fitler" = "f"\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "config", "check")
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        f"{config_file}:2: unknown setting 'them' (did you mean 'theme'?)",
        f"{config_file}:5: contexts.prod.api_key_env must name a variable",
        f"{config_file}:7: keys: no binding has the id 'tenants.fitler'"
        " (did you mean 'tenants.filter'?)",
    ]


def test_check_names_the_contexts_and_never_a_key(
    capsys: pytest.CaptureFixture[str], config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.parent.mkdir()
    config_file.write_text(
        'default_context = "prod"\n'
        "[contexts.prod]\n"
        'url = "https://litellm.example.com"\n'
        f'api_key = "{CANARY}"\n'
        "read_only = true\n"
        "[contexts.staging]\n"
        'url = "https://staging.example.com"\n'
        f'api_key_cmd = "echo {CANARY}"\n'
        "[contexts.dev]\n"
        'url = "http://localhost:4000"\n'
        'api_key_env = "DEV_KEY"\n',
        encoding="utf-8",
    )
    config_file.chmod(0o600)
    monkeypatch.setenv("DEV_KEY", CANARY)
    code, out, err = run(capsys, "config", "check")
    assert (code, err) == (0, "")
    assert CANARY not in out
    assert out.splitlines()[1:] == [
        "3 context(s):",
        "  prod: https://litellm.example.com (key in the file, read-only, default)",
        "  staging: https://staging.example.com (key from the command 'echo')",
        "  dev: http://localhost:4000 (key from $DEV_KEY (set))",
    ]


def test_check_without_a_file_says_so(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    code, out, _ = run(capsys, "config", "check")
    assert code == 2
    assert out.startswith(f"{config_file}: no such file")


def test_a_broken_file_stops_every_command_with_its_lines(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    config_file.parent.mkdir()
    config_file.write_text("threshold = 80\nrefresh = [\n", encoding="utf-8")
    code, out, err = run(capsys, "--demo", "tenants")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == f"budgettui: error: {config_file}:2: TOML syntax: Invalid value"


@pytest.fixture
def contexts(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two contexts onto the demo's proxy URL: neither is reachable, so the tests stop at
    the settings (a usage error) or use --demo."""
    config_file.parent.mkdir()
    config_file.write_text(
        "threshold = 50\n"
        "[contexts.prod]\n"
        'url = "https://litellm.example.com"\n'
        'api_key_env = "PROD_KEY"\n'
        "read_only = true\n"
        "[contexts.staging]\n"
        'url = "https://staging.example.com"\n'
        'api_key_env = "STAGING_KEY"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("PROD_KEY", raising=False)


@pytest.mark.usefixtures("contexts")
def test_an_unknown_context_is_a_usage_error_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "tenants", "--context", "prd")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].startswith("budgettui: error: unknown context 'prd'")
    assert err.splitlines()[-1].endswith(": prod, staging)")


@pytest.mark.usefixtures("contexts")
def test_the_context_chosen_on_the_command_line_is_used(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "--context", "prod", "tenants")
    assert code == 2
    assert "context prod: $PROD_KEY is not set" in err


@pytest.mark.usefixtures("contexts")
def test_demo_and_context_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "--context", "prod", "tenants")
    assert code == 2
    assert "--demo and --context both choose the proxy" in err


def test_the_files_threshold_reaches_a_headless_command(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    config_file.parent.mkdir()
    alerts: dict[int, list[str]] = {}
    for percent in (50, 80):
        config_file.write_text(f"threshold = {percent}\n", encoding="utf-8")
        code, out, _ = run(capsys, "--demo", "tenants", "--json")
        assert code == 0
        alerts[percent] = [record["alert"] for record in json.loads(out)]
    assert alerts[50].count("warning") > alerts[80].count("warning")
