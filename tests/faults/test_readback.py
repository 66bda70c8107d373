"""Every write is checked by reading it back, and journaled before it is sent: the headless
commands against the simulator over loopback, as LiteLLM 1.84.10 and as 1.108.7.

1.84.10 answers 200 to `/key/update` with `"budget_duration": null` and keeps the period (and
its reset date); 1.108.7 clears both. A 200 is not proof: only the read-back is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from budgettui.services.journal import AuditEntry, Journal, JournalError, read_entries
from budgettui.simulator import create_app
from budgettui.simulator.models import Key
from tests.faults.conftest import CliResult, Loopback, Proxy, journal_path

TENANT = "acme-web"  # seeded with a 30d period
CLEAR = ("budget", "set", TENANT, "--no-cap", "--no-duration")


def _as_version(loopback: Loopback, version: str) -> Proxy:
    """A fresh simulator of the demo data behind the shared server, as LiteLLM `version`."""
    proxy = loopback.attach()
    loopback.switch.target = create_app(proxy.store, proxy.faults, litellm_version=version)
    return proxy


def _key(proxy: Proxy) -> Key:
    return next(k for k in proxy.store.keys.values() if k.key_alias == TENANT)


def _writes(proxy: Proxy) -> list[str]:
    return [f"{r.method} {r.path}" for r in proxy.store.requests if r.method == "POST"]


def _lines(tmp_path: Path) -> list[AuditEntry]:
    return read_entries(journal_path(tmp_path))


def test_a_period_1_84_does_not_clear_is_reported_and_journaled_not_applied(
    loopback: Loopback, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    proxy = _as_version(loopback, "1.84.10")
    line = run_cli(proxy.url, *CLEAR).assert_one_line_error()
    assert line == "budgettui: LiteLLM did not apply: duration (still 30d)"
    assert _key(proxy).budget_duration == "30d"  # what the read-back saw
    attempted, outcome = _lines(tmp_path)
    assert attempted.write_id == outcome.write_id is not None
    assert (attempted.result.status, outcome.result.status) == ("attempted", "not_applied")
    assert attempted.after == {"max_budget": None, "budget_duration": None}  # what was sent
    assert outcome.result.fields == {"budget_duration": "30d"}
    assert _writes(proxy) == ["POST /key/update"]  # reported, never re-sent


def test_the_same_change_on_1_108_is_applied(
    loopback: Loopback, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    proxy = _as_version(loopback, "1.108.7")
    result = run_cli(proxy.url, *CLEAR)
    assert (result.code, result.err) == (0, "")
    assert result.out.strip() == f"{TENANT}: budget $4.91 → no cap, duration 30d → none"
    assert [e.result.status for e in _lines(tmp_path)] == ["attempted", "applied"]


def test_a_team_reset_date_1_84_keeps_is_not_applied(
    loopback: Loopback, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """1.84.10 clears a team's period but keeps its reset date: its reset job would then zero
    the team's spend on every run once the date has passed."""
    proxy = _as_version(loopback, "1.84.10")
    line = run_cli(proxy.url, "budget", "set-org", "acme", "--no-cap").assert_one_line_error()
    assert line == "budgettui: LiteLLM did not apply: reset date (still 2026-12-01 00:00 UTC)"
    assert [e.result.status for e in _lines(tmp_path)] == ["attempted", "not_applied"]


def test_a_read_back_that_fails_is_an_unknown_outcome(
    proxy: Proxy, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    proxy.faults.status_by_path["/key/info"] = 404
    run_cli(proxy.url, "budget", "set", TENANT, "--max-budget", "90").assert_one_line_error(
        "Unknown outcome", "accepted the write, but reading it back failed", "may or may not"
    )
    assert [e.result.status for e in _lines(tmp_path)] == ["attempted", "unknown"]
    assert _writes(proxy) == ["POST /key/update"]


def test_a_journal_that_cannot_take_the_attempt_stops_the_write(
    proxy: Proxy, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    journal_path(tmp_path).mkdir(parents=True)  # a folder where the file should be
    line = run_cli(proxy.url, "budget", "set", TENANT, "--max-budget", "90").assert_one_line_error(
        "nothing was sent", "cannot open the audit journal"
    )
    assert str(journal_path(tmp_path)) in line
    assert _writes(proxy) == []
    assert _key(proxy).max_budget != 90


class FailsAfterTheAttempt(Journal):
    """Takes the attempt line, then fails: a disk that fills up while the write is on its way."""

    def append(self, entry: AuditEntry, *, secret: str | None = None) -> None:
        if entry.result.status != "attempted":
            raise JournalError(f"cannot write the audit journal {self.path}: No space left")
        super().append(entry, secret=secret)


def test_an_applied_write_the_journal_missed_says_applied_and_exits_1(
    proxy: Proxy,
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("budgettui.cli.main.Journal", FailsAfterTheAttempt)
    run_cli(proxy.url, "budget", "set", TENANT, "--max-budget", "90").assert_one_line_error(
        "budgettui: applied, but the journal could not be written: ", "No space left"
    )
    assert _key(proxy).max_budget == 90
    assert [e.result.status for e in _lines(tmp_path)] == ["attempted"]
