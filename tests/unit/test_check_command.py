"""`budgettui check` as cron or Nagios runs it: one exit code per state on seeded proxies, the
lines and the JSON they read, and UNKNOWN (3) whenever the proxy could not be read or the command
line is wrong. Never the key on any of it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from budgettui.cli.main import main
from budgettui.proxy.transport import RetryPolicy
from budgettui.services.connect import DEMO_URL
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Store, create_app
from tests.uihelpers import NOW

SECRET = "sk-check-secret-4f9a"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), now=NOW)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_real_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    monkeypatch.delenv("LITELLM_PROXY_API_KEY", raising=False)


def store_with(*spent_of_100: float) -> Store:
    """One org ("acme", no cap of its own) with a $100 key per figure, that much spent."""
    store = Store(lambda: NOW)
    org = store.add_team("acme", created_at=NOW - timedelta(days=60))
    for index, spent in enumerate(spent_of_100):
        key = store.add_key(
            f"sk-check-{index:04d}",
            key_alias=f"acme-{index}",
            team_id=org.team_id,
            max_budget=100.0,
            created_at=NOW - timedelta(days=60),
        )
        store.apply_spend(key, spent, NOW - timedelta(days=1))
    return store


def serve(monkeypatch: pytest.MonkeyPatch, store: Store, key: str = DEMO_KEYS["master"]) -> None:
    """`--demo` answers from `store`, through the in-process transport, with `key`."""

    def seeded(
        now: datetime, role: str = "master", *, litellm_version: str | None = None
    ) -> tuple[Settings, httpx.AsyncBaseTransport]:
        transport = httpx.ASGITransport(app=create_app(store))
        return Settings(DEMO_URL, Secret(key)), transport

    monkeypatch.setattr("budgettui.cli.main.demo_settings", seeded)


def test_nothing_at_risk_is_ok_exit_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, store_with(10, 79))
    code, out, err = run(capsys, "check", "--demo")
    assert (code, err) == (0, "")
    assert out == "OK: none of 2 tenants and 1 org at 80 % or over\n"


def test_a_tenant_over_the_warning_line_is_warning_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, store_with(10, 85))
    code, out, _ = run(capsys, "check", "--demo")
    assert code == 1
    assert out.splitlines() == [
        "WARNING tenant acme-1: 85 % of $100.00 key budget",
        "WARNING: 1 at risk (0 critical, 1 warning) of 2 tenants and 1 org",
    ]


def test_a_tenant_over_the_critical_line_is_critical_exit_2_and_listed_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, store_with(85, 93, 10))
    code, out, _ = run(capsys, "check", "--demo")
    assert code == 2
    assert out.splitlines() == [
        "CRITICAL tenant acme-1: 93 % of $100.00 key budget",
        "WARNING tenant acme-0: 85 % of $100.00 key budget",
        "CRITICAL: 2 at risk (1 critical, 1 warning) of 3 tenants and 1 org",
    ]


def test_the_lines_move_with_warn_and_crit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, store_with(93))
    assert run(capsys, "check", "--demo", "--warn", "95", "--crit", "99")[0] == 0
    assert run(capsys, "check", "--demo", "--warn", "50", "--crit", "95")[0] == 1


def test_a_runway_within_the_days_asked_is_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_with()
    key = store.add_key("sk-check-pace", key_alias="steady", created_at=NOW - timedelta(days=60))
    for day in range(20):  # the same spend on each of the month's first 20 days
        store.charge(key, "gpt-4o", 800_000, 0, at=NOW - timedelta(days=day))
    # 40 % used: what is left lasts another 30 days at this pace, to 2026-12-20.
    key.max_budget = key.spend * 2.5
    serve(monkeypatch, store)
    assert run(capsys, "check", "--demo")[0] == 0
    code, out, _ = run(capsys, "check", "--demo", "--runway-days", "45")
    assert code == 1
    assert out.splitlines()[0] == "WARNING tenant steady: runs out 2026-12-20"
    assert run(capsys, "check", "--demo", "--runway-days", "7")[0] == 0


def test_nothing_found_where_runways_could_not_be_read_is_unknown_not_ok(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # LiteLLM 1.84 gives a viewer no month-to-date spend by key: no runway can be told.
    viewer = ("--demo-as", "internal_user_viewer", "--demo-litellm", "1.84")
    assert run(capsys, "check", *viewer)[0] == 0
    code, out, _ = run(capsys, "check", *viewer, "--runway-days", "3")
    assert code == 3
    assert out.startswith("UNKNOWN: none of ")
    assert out.rstrip().endswith("runways not checked: n/a on LiteLLM 1.84.10")


def test_json_is_one_object_a_script_can_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, store_with(85, 101))
    code, out, _ = run(capsys, "check", "--demo", "--json")
    report = json.loads(out)
    assert (code, report["status"], report["exit_code"]) == (2, "CRITICAL", 2)
    assert report["checked_at"] == NOW.isoformat()
    assert report["litellm_version"] == "1.108.7"
    assert report["complete"] is True
    first, second = report["items"]
    assert {k: first[k] for k in ("kind", "name", "org", "level", "status", "binding_cap")} == {
        "kind": "tenant",
        "name": "acme-1",
        "org": "acme",
        "level": "critical",
        "status": "exceeded",
        "binding_cap": "key",
    }
    assert (first["spend"], first["max_budget"], first["percent_used"]) == (101.0, 100.0, 101.0)
    assert (second["name"], second["level"], second["reason"]) == (
        "acme-0",
        "warning",
        "85 % of $100.00 key budget",
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nobody listens


@pytest.fixture
def no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client still retries, without the seconds of backoff between attempts."""
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt, rng: 0.0)


@pytest.mark.usefixtures("no_retry_wait")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_unreachable_proxy_is_unknown_exit_3_and_says_why(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    argv = ["check", "--proxy-url", url, "--api-key", SECRET, "--timeout", "2"]
    code, out, err = run(capsys, *argv, *(["--json"] if fmt == "json" else []))
    assert code == 3
    if fmt == "json":
        report = json.loads(out)
        assert (report["status"], report["exit_code"], report["items"]) == ("UNKNOWN", 3, [])
        assert report["notes"] == [report["summary"].removeprefix("UNKNOWN: ")]
    summary = json.loads(out)["summary"] if fmt == "json" else out
    assert summary.startswith("UNKNOWN: could not read the proxy: ")
    assert "could not connect to 127.0.0.1" in summary
    assert SECRET not in out + err


def test_a_refused_key_is_unknown_exit_3_without_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, store_with(95), key=SECRET)
    code, out, err = run(capsys, "check", "--demo")
    assert code == 3
    assert out.startswith("UNKNOWN: could not read the proxy: Not authorised")
    assert "HTTP 401" in out
    assert SECRET not in out + err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (("--warn", "95", "--crit", "90"), "must be below the critical one"),
        (("--warn", "90", "--crit", "90"), "must be below the critical one"),
        (("--warn", "0"), "must be a percentage from 1 to 100"),
        (("--crit", "1e2"), "must be a percentage from 1 to 100"),
        (("--runway-days", "-1"), "must be a whole number of days"),
        (("--bogus",), "unrecognized arguments: --bogus"),
    ],
)
def test_a_usage_error_is_unknown_exit_3_not_critical(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], reason: str
) -> None:
    # Exit 2 would page as CRITICAL; Nagios plugins answer a bad command line with UNKNOWN.
    try:
        code = main(["check", "--demo", *argv], now=NOW)
    except SystemExit as exited:
        code = exited.code  # type: ignore[assignment]
    out = capsys.readouterr().out
    assert code == 3
    assert out.startswith("UNKNOWN: budgettui check: ")
    assert reason in out


def test_no_proxy_configured_is_unknown_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check")
    assert code == 3
    assert out.startswith("UNKNOWN: budgettui check: no proxy")


def test_a_closed_pipe_exits_quietly_like_every_command(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before check writes a byte
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    script = "import sys; from budgettui.cli.main import main; sys.exit(main(['--demo', 'check']))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        stdout=write_end,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(write_end)
    assert (done.returncode, done.stderr.decode()) == (141, "")
