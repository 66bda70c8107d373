"""The audit journal: two JSON lines per write, appended to `audit.jsonl` in the user's data dir,
readable only by its owner (0600). The first (`attempted`) is written before the request, with
what is about to be sent; the second, after it, says how it ended: `applied` (read back and
found), `not_applied` (accepted, but the read-back shows fields unchanged; `result.fields` holds
what the proxy kept), `failed` (refused, or never sent) or `unknown` (no readable answer: it may
or may not have been applied). Both carry the same `write_id`. An `attempted` line with no
outcome is a write cut short (a crash, or a journal that failed after the request).

It is the admin's record of what budgettui did to money, so an append is flushed and fsynced
before it returns, and a journal that cannot be written is an error the caller must show, never
a silent skip. The API key is never written: `append` is given the
key and redacts it wherever it would appear.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal, cast, get_args

import platformdirs

from budgettui.errors import BudgettuiError

if sys.platform != "win32":  # elsewhere O_APPEND alone keeps single-write lines whole
    import fcntl

# "spend.undo" puts a reset key's spend back (`/key/update` with the spend it had).
Action = Literal["budget.set", "org_budget.set", "spend.reset", "budget.undo", "spend.undo"]
Status = Literal["attempted", "applied", "not_applied", "failed", "unknown"]
# Journals written before the attempt/outcome pair had one line per write, "ok" or "error".
_LEGACY_STATUS: Final[dict[str, Status]] = {"ok": "applied", "error": "failed"}

FILE_NAME: Final = "audit.jsonl"
# `--demo` writes to the simulator only; its journal is kept apart so that the admin's record of
# real money never holds a demo line, and beside it so the demo shows where the real one lives.
DEMO_FILE_NAME: Final = "demo-audit.jsonl"
FILE_MODE: Final = 0o600
REDACTED: Final = "[REDACTED]"


class JournalError(BudgettuiError):
    """The journal could not be written or read; the message says which file and why."""

    default_title = "Audit journal"


@dataclass(frozen=True)
class AuditResult:
    status: Status  # "unknown": the request may or may not have been applied (e.g. a timeout)
    http_status: int | None = None
    message: str = ""
    # not_applied: each field LiteLLM did not change as asked, with the value it holds instead.
    fields: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    proxy_host: str
    caller: str | None  # the LiteLLM user id the write was made as
    tenant: str | None  # None for an org budget
    org: str | None
    action: Action
    before: Mapping[str, object]
    after: Mapping[str, object]
    result: AuditResult
    write_id: str | None = None  # pairs an `attempted` line with its outcome (None: legacy)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict[str, object]:
        result: dict[str, object] = {
            "status": self.result.status,
            "http_status": self.result.http_status,
            "message": self.result.message,
        }
        if self.result.fields:
            result["fields"] = dict(self.result.fields)
        return {
            # Always UTC, so entries written from different time zones sort and compare as text.
            "time": self.time.astimezone(UTC).isoformat(),
            "write_id": self.write_id,
            "proxy_host": self.proxy_host,
            "caller": self.caller,
            "tenant": self.tenant,
            "org": self.org,
            "action": self.action,
            "before": dict(self.before),
            "after": dict(self.after),
            "result": result,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> AuditEntry:
        """Raises ValueError/TypeError/KeyError on anything that is not an entry we wrote."""
        result = data["result"]
        before, after = data["before"], data["after"]
        if not (isinstance(result, dict) and isinstance(before, dict) and isinstance(after, dict)):
            raise TypeError("before, after and result must be objects")
        action = data["action"]
        status = _LEGACY_STATUS.get(result["status"], result["status"])
        if action not in get_args(Action) or status not in get_args(Status):
            raise ValueError(f"unknown action {action!r} or status {result['status']!r}")
        http_status = result.get("http_status")
        if http_status is not None and not isinstance(http_status, int):
            raise TypeError("http_status must be an integer")
        fields = result.get("fields", {})
        if not isinstance(fields, dict):
            raise TypeError("result.fields must be an object")
        return cls(
            time=datetime.fromisoformat(str(data["time"])),
            proxy_host=str(data["proxy_host"]),
            caller=_optional_str(data.get("caller")),
            tenant=_optional_str(data.get("tenant")),
            org=_optional_str(data.get("org")),
            action=cast(Action, action),
            before=before,
            after=after,
            result=AuditResult(
                cast(Status, status), http_status, str(result.get("message", "")), fields
            ),
            write_id=_optional_str(data.get("write_id")),
        )


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def default_journal_path(*, demo: bool = False) -> Path:
    """Where the journal lives (`demo`: the demo's, beside it). Resolved when called (not at
    import) so tests and a changed environment (XDG_DATA_HOME, HOME) are honoured, and importing
    never touches the disk."""
    return platformdirs.user_data_path("budgettui") / (DEMO_FILE_NAME if demo else FILE_NAME)


def _plain(value: object) -> object:
    """json.dumps `default`: money as a number (the body values LiteLLM got), times as text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot journal a {type(value).__name__}")


def _redact(value: object, secret: str) -> object:
    """Every string (keys too) with the secret cut out, before it is serialised: redacting
    the JSON text instead would miss a secret that JSON escapes (quotes, backslashes, non-ASCII)."""
    if isinstance(value, str):
        return value.replace(secret, REDACTED)
    if isinstance(value, Mapping):
        return {_redact(k, secret): _redact(v, secret) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, secret) for v in value]
    return value


def serialise(entry: AuditEntry, secret: str | None = None) -> str:
    """The entry as one line (no newline inside: JSON escapes them), the secret redacted."""
    data: object = entry.to_json()
    if secret:
        data = _redact(data, secret)
    try:
        # ASCII-only: no raw U+2028 or RTL text that a line-based tool would split or reorder.
        line = json.dumps(data, default=_plain, ensure_ascii=True, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise JournalError(f"cannot write the audit entry: {error}") from error
    if secret and (secret in line or json.dumps(secret)[1:-1] in line):
        # Only possible if the secret straddles two JSON fields; better no entry than a leak.
        raise JournalError("refusing to write the audit entry: it would contain the API key")
    return line


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: AuditEntry, *, secret: str | None = None) -> None:
        """Append one line, flushed and fsynced before returning; 0600 even if it was not."""
        data = (serialise(entry, secret) + "\n").encode("ascii")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        except OSError as error:
            raise JournalError(f"cannot open the audit journal {self.path}: {error}") from error
        try:
            # Another budgettui (the TUI and a headless command) may append at the same time.
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_EX)
            # A file created by something else (or before a umask change) is tightened here.
            os.fchmod(fd, FILE_MODE)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as error:
            raise JournalError(f"cannot write the audit journal {self.path}: {error}") from error
        finally:
            os.close(fd)  # also releases the lock


def read_entries(path: Path) -> list[AuditEntry]:
    """All entries (attempts and outcomes), oldest first; [] when nothing has been journaled yet.
    A line from a journal older than the attempt/outcome pair reads as its outcome alone.

    A last line without its newline is a write cut short by a crash and is skipped; any other
    unreadable line means the file was edited or damaged, which is reported, not hidden.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise JournalError(f"cannot read the audit journal {path}: {error}") from error
    # Not splitlines(): only "\n" ends an entry. The last piece is "" after a complete append,
    # or the torn remains of one a crash cut short.
    lines = text.split("\n")[:-1]
    entries: list[AuditEntry] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            entries.append(AuditEntry.from_json(data))
        except (ValueError, TypeError, KeyError) as error:
            raise JournalError(f"{path} line {number} is not an audit entry: {error}") from error
    return entries
