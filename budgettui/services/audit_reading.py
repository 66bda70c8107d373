"""The journal as the admin reads it: one write per line, newest first, each attempt paired with
its outcome by `write_id`, values in words (money as money, no cap as "no cap")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from budgettui.domain.money import format_money
from budgettui.services.journal import AuditEntry, AuditResult, read_entries

FIELD_WORDS: Final = {"max_budget": "budget", "budget_duration": "period", "spend": "spend"}
MONEY_FIELDS: Final = frozenset({"max_budget", "spend"})
# The outcome of an attempt no outcome line follows: budgettui stopped (a crash, a kill) or
# the journal failed after the request; whether the proxy applied it is not known.
CUT_SHORT: Final = "cut short"


@dataclass(frozen=True)
class FieldChange:
    field: str  # as LiteLLM names it
    before: object
    after: object


@dataclass(frozen=True)
class JournaledWrite:
    """One write: `entry` is its attempt (what was about to be sent), or its outcome alone in a
    journal written before the pair; `result` None when no outcome was journaled."""

    entry: AuditEntry
    result: AuditResult | None

    @property
    def time(self) -> datetime:
        """When it was attempted, aware (a line without a zone was written in UTC)."""
        time = self.entry.time
        return time if time.tzinfo else time.replace(tzinfo=UTC)

    @property
    def target(self) -> str:
        """Who or what was written to: the tenant, or `org NAME` for an org's budget."""
        if self.entry.tenant is not None:
            return self.entry.tenant
        return f"org {self.entry.org or '?'}"

    @property
    def outcome(self) -> str:
        """`applied`, `not applied`, `failed`, `unknown`, or CUT_SHORT."""
        return CUT_SHORT if self.result is None else self.result.status.replace("_", " ")

    @property
    def changes(self) -> list[FieldChange]:
        """Each field sent, with what it held before."""
        before = self.entry.before
        return [
            FieldChange(name, before.get(name), value) for name, value in self.entry.after.items()
        ]


def read_writes(path: Path) -> list[JournaledWrite]:
    """Every write in the journal at `path`, newest first; [] when there is none. Raises
    JournalError when the file cannot be read or a line is not an entry."""
    return pair_writes(read_entries(path))


def pair_writes(entries: Iterable[AuditEntry]) -> list[JournaledWrite]:
    """Attempts and outcomes (in file order) as writes, newest attempt first. An outcome with no
    attempt before it (a journal older than the pair) is a write on its own."""
    writes: list[JournaledWrite] = []
    open_attempts: dict[str, int] = {}  # write_id -> index in `writes` of an attempt not yet ended
    for entry in entries:
        write_id = entry.write_id
        if entry.result.status == "attempted":
            if write_id is not None:
                open_attempts[write_id] = len(writes)
            writes.append(JournaledWrite(entry, None))
        elif write_id is not None and write_id in open_attempts:
            index = open_attempts.pop(write_id)
            writes[index] = JournaledWrite(writes[index].entry, entry.result)
        else:
            writes.append(JournaledWrite(entry, entry.result))
    # Newest first: by time (two budgettui processes may have appended in turns), and among
    # writes of the same instant the later line first.
    return sorted(reversed(writes), key=lambda write: write.time, reverse=True)


def field_words(field: str) -> str:
    """A LiteLLM field as the dashboard names it (`max_budget` is the budget)."""
    return FIELD_WORDS.get(field, field)


def value_words(field: str, value: object) -> str:
    """A journaled value as the dashboard shows it."""
    if value is None:
        return "no cap" if field == "max_budget" else "none"
    if field in MONEY_FIELDS and not isinstance(value, bool):
        try:
            return format_money(Decimal(str(value)))
        except InvalidOperation:
            pass  # not a number after all (a hand-edited line): shown as it is written
    return str(value)
