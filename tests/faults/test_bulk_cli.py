"""`budget set --match REGEX` over loopback, as a script runs it: `--dry-run` prints every change
and sends nothing (the proxy's own request log says so), a real run prints each outcome and
exits 1 when a write fails, and a pattern `re` cannot read is a usage error before any request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from budgettui.services.journal import read_entries
from tests.faults.conftest import CliResult, Proxy, journal_path

Run = Callable[..., CliResult]
ACME = "^acme-(api|batch|web)$"  # three keys, in this order


def _budget(proxy: Proxy, alias: str) -> float | None:
    return next(k.max_budget for k in proxy.store.keys.values() if k.key_alias == alias)


def test_a_dry_run_prints_every_change_and_sends_nothing(
    proxy: Proxy, run_cli: Run, tmp_path: Path
) -> None:
    result = run_cli(
        proxy.url, "budget", "set", "--match", "^(acme-web|hooli)$", "--budget", "7", "--dry-run"
    )
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "TENANT    CHANGE",
        "acme-web  budget $4.91 → $7.00",
        "hooli     skipped: no key yet (provisioning)",
        "1 to send, 1 skipped (dry run: nothing was sent)",
    ]
    assert proxy.arrived("POST") == []
    assert _budget(proxy, "acme-web") == 4.91
    assert not journal_path(tmp_path).exists()


def test_a_run_prints_each_outcome_and_journals_each_write(
    proxy: Proxy, run_cli: Run, tmp_path: Path
) -> None:
    result = run_cli(
        proxy.url, "budget", "set", "--match", ACME, "--max-budget", "7", "--duration", "7d"
    )
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == "acme-api: applied: budget no cap → $7.00, duration none → 7d"
    assert lines[1].startswith("acme-batch: applied: budget $0.564 → $7.00")
    assert lines[2:] == ["acme-web: applied: budget $4.91 → $7.00, duration 30d → 7d", "3 applied"]
    assert proxy.arrived("POST") == ["POST /key/update"] * 3
    statuses = [(e.tenant, e.result.status) for e in read_entries(journal_path(tmp_path))]
    assert statuses == [
        (name, status)
        for name in ("acme-api", "acme-batch", "acme-web")
        for status in ("attempted", "applied")
    ]


@pytest.mark.parametrize(
    ("flags", "outcomes", "posts"),
    [
        ((), ["failed", "not attempted", "not attempted"], 1),
        (("--keep-going",), ["failed", "applied", "applied"], 3),
    ],
)
def test_a_failed_write_stops_the_run_unless_keep_going_and_exits_1(
    proxy: Proxy, run_cli: Run, flags: tuple[str, ...], outcomes: list[str], posts: int
) -> None:
    proxy.faults.status_by_path["/key/update"] = 500
    proxy.faults.fail_times = 1  # the first write is refused, the proxy is fine again after
    result = run_cli(proxy.url, "budget", "set", "--match", ACME, "--max-budget", "7", *flags)
    assert result.code == 1
    assert [line.split(": ")[1] for line in result.out.splitlines()] == outcomes
    assert "HTTP 500" in result.out.splitlines()[0]
    (error,) = result.err.splitlines()
    assert error.startswith("budgettui: ")
    assert "1 failed" in error
    assert len(proxy.arrived("POST")) == posts


def test_a_pattern_re_cannot_read_is_exit_2_before_any_request(
    proxy: Proxy, run_cli: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(proxy.url, "budget", "set", "--match", "acme-(", "--max-budget", "7")
    assert exited.value.code == 2
    assert "--match: not a regular expression: missing )" in capsys.readouterr().err
    assert proxy.arrived("GET") == proxy.arrived("POST") == []


@pytest.mark.parametrize(
    ("argv", "rule"),
    [
        (("acme-web", "--max-budget", "7", "--dry-run"), "--dry-run and --keep-going go with"),
        (("--match", "zzz", "--max-budget", "1e3"), "no exponents"),
    ],
)
def test_misused_bulk_flags_are_exit_2(
    proxy: Proxy, run_cli: Run, argv: tuple[str, ...], rule: str
) -> None:
    result = run_cli(proxy.url, "budget", "set", *argv)
    assert result.code == 2
    assert rule in result.err
    assert proxy.arrived("POST") == []


def test_a_pattern_no_alias_matches_is_exit_1(proxy: Proxy, run_cli: Run) -> None:
    result = run_cli(proxy.url, "budget", "set", "--match", "^nobody$", "--max-budget", "7")
    result.assert_one_line_error("no tenant's alias matches '^nobody$'")
    assert proxy.arrived("POST") == []
