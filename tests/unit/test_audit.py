"""The audit journal: private, append-only, an attempt line and an outcome line per write, never
the API key."""

from __future__ import annotations

import json
import stat
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from budgettui.services.journal import (
    REDACTED,
    AuditEntry,
    AuditResult,
    Journal,
    JournalError,
    default_journal_path,
    read_entries,
)

KEY = 'sk-canary-3f9a"\\ü-secret'  # a quote, a backslash and non-ASCII: JSON escapes all three


def entry(message: str = "", **changes: object) -> AuditEntry:
    fields: dict[str, object] = {
        "proxy_host": "litellm.example:4000",
        "caller": "admin@example.com",
        "tenant": "acme-prod",
        "org": "acme",
        "action": "budget.set",
        "before": {"max_budget": 50.0, "budget_duration": "30d"},
        "after": {"max_budget": 75.0, "budget_duration": "1mo"},
        "result": AuditResult("applied", 200, message),
        "write_id": "4f0c",
        "time": datetime(2026, 11, 5, 9, 30, tzinfo=UTC),
    }
    fields.update(changes)
    return AuditEntry(**fields)  # type: ignore[arg-type]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_journal_is_created_private_with_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budgettui" / "audit.jsonl"
    Journal(path).append(entry())
    assert mode(path) == 0o600
    assert read_entries(path) == [entry()]


def test_a_journal_left_readable_by_others_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text("")
    path.chmod(0o644)
    Journal(path).append(entry())
    assert mode(path) == 0o600


def test_appends_from_two_journals_keep_earlier_lines_intact(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    first = entry("first")
    Journal(path).append(first)
    written = path.read_bytes()
    second = entry("second", action="spend.reset", result=AuditResult("failed", 400, "no"))
    Journal(path).append(second)  # e.g. a headless command after the TUI
    assert path.read_bytes().startswith(written)
    assert read_entries(path) == [first, second]


def test_one_line_per_entry_whatever_the_message(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    awkward = ["line one\nline two", "para\u2028graph", "[bold]alias[/]", "שלום ✨", ""]
    journal = Journal(path)
    for message in awkward:
        journal.append(entry(message))
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""  # every entry ends its line
    assert [json.loads(line)["result"]["message"] for line in lines[:-1]] == awkward


def test_an_entry_has_every_field_an_auditor_needs(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    local = timezone(timedelta(hours=2))
    Journal(path).append(
        entry(
            "timed out",
            time=datetime(2026, 11, 5, 11, 30, tzinfo=local),
            after={"max_budget": Decimal("75.5")},
            result=AuditResult("unknown", None, "timed out"),
        )
    )
    assert json.loads(path.read_text()) == {
        "time": "2026-11-05T09:30:00+00:00",  # always UTC
        "write_id": "4f0c",
        "proxy_host": "litellm.example:4000",
        "caller": "admin@example.com",
        "tenant": "acme-prod",
        "org": "acme",
        "action": "budget.set",
        "before": {"max_budget": 50.0, "budget_duration": "30d"},
        "after": {"max_budget": 75.5},  # money as a number, as it was sent
        "result": {"status": "unknown", "http_status": None, "message": "timed out"},
    }


def test_a_write_not_applied_records_what_the_proxy_kept(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    attempt = entry(result=AuditResult("attempted"))
    kept = {"budget_duration": "30d", "budget_reset_at": datetime(2026, 12, 1, tzinfo=UTC)}
    outcome = entry(result=AuditResult("not_applied", 200, "LiteLLM did not apply: …", kept))
    Journal(path).append(attempt)
    Journal(path).append(outcome)
    first, second = (json.loads(line) for line in path.read_text().splitlines())
    assert first["result"] == {"status": "attempted", "http_status": None, "message": ""}
    assert second["result"]["fields"] == {
        "budget_duration": "30d",
        "budget_reset_at": "2026-12-01T00:00:00+00:00",
    }
    assert [(e.write_id, e.result.status) for e in read_entries(path)] == [
        ("4f0c", "attempted"),
        ("4f0c", "not_applied"),
    ]


def test_a_journal_from_before_the_attempt_lines_still_reads(tmp_path: Path) -> None:
    """One line per write, "ok" or "error", no write id: what earlier versions wrote."""
    path = tmp_path / "audit.jsonl"
    legacy = {k: v for k, v in entry().to_json().items() if k != "write_id"}
    lines = [
        {**legacy, "result": {"status": old, "http_status": 200, "message": ""}}
        for old in ("ok", "error")
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert [(e.write_id, e.result.status) for e in read_entries(path)] == [
        (None, "applied"),
        (None, "failed"),
    ]


def test_the_api_key_is_redacted_wherever_it_appears(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    leaky = entry(
        f"401: key {KEY} is invalid",
        caller=KEY,
        before={"key": KEY, KEY: "as a name", "nested": [{"auth": f"Bearer {KEY}"}]},
    )
    Journal(path).append(leaky, secret=KEY)
    raw = path.read_text(encoding="utf-8")
    assert "canary" not in raw
    assert json.dumps(KEY)[1:-1] not in raw
    (logged,) = read_entries(path)
    assert logged.caller == REDACTED
    assert logged.result.message == f"401: key {REDACTED} is invalid"
    assert logged.before == {
        "key": REDACTED,
        REDACTED: "as a name",
        "nested": [{"auth": f"Bearer {REDACTED}"}],
    }


def test_a_journal_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(JournalError, match="cannot open the audit journal"):
        Journal(blocker / "audit.jsonl").append(entry())
    with pytest.raises(JournalError, match="cannot open the audit journal"):
        Journal(tmp_path).append(entry())  # a directory where the file should be


def test_a_value_that_cannot_be_journaled_is_an_error_not_a_partial_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    with pytest.raises(JournalError, match="cannot journal a object"):
        Journal(path).append(entry(after={"max_budget": object()}))
    assert not path.exists()


def test_reading_an_empty_history(tmp_path: Path) -> None:
    assert read_entries(tmp_path / "never-written.jsonl") == []


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    Journal(path).append(entry("kept"))
    with path.open("a") as file:
        file.write('{"time": "2026-11-05T0')
    assert [e.result.message for e in read_entries(path)] == ["kept"]


def test_a_damaged_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    Journal(path).append(entry())
    with path.open("a") as file:
        file.write('{"action": "budget.delete"}\n')
    with pytest.raises(JournalError, match="line 2 is not an audit entry"):
        read_entries(path)


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_DATA_HOME is the Linux convention")
def test_the_default_path_is_resolved_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_journal_path() == tmp_path / "budgettui" / "audit.jsonl"
