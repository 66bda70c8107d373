"""The audit screen (`:audit`): the journal as the admin reads it, one row per write, newest
first, with how each ended; a journal written by a real edit in the demo, and one written
through `services.journal` with every kind of outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Static

from budgettui.domain.money import format_money
from budgettui.services.journal import AuditEntry, AuditResult, Journal
from budgettui.ui.screens.audit import AuditScreen
from budgettui.ui.screens.tenants import TenantsScreen
from tests.uihelpers import build, rendered_text, settle, table_names

PARIS_WINTER = timezone(timedelta(hours=1))


def rows(screen: AuditScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def note(screen: AuditScreen) -> str:
    return rendered_text(screen.query_one("#audit-note", Static))


class Host(App[None]):
    """Only the audit screen, over a journal the test wrote."""

    def __init__(self, journal_path: Path) -> None:
        super().__init__()
        self.journal_path = journal_path

    def on_mount(self) -> None:
        self.push_screen(AuditScreen(self.journal_path, PARIS_WINTER))


def entry(minute: int, status: str, write_id: str | None, **changes: object) -> AuditEntry:
    fields: dict[str, object] = {
        "proxy_host": "litellm.example:4000",
        "caller": "admin@example.com",
        "tenant": "acme-prod",
        "org": "acme",
        "action": "budget.set",
        "before": {"max_budget": 50.0, "budget_duration": "30d"},
        "after": {"max_budget": 75.0},
        "result": AuditResult(status, 200 if status != "attempted" else None),  # type: ignore[arg-type]
        "write_id": write_id,
        "time": datetime(2026, 12, 31, 23, minute, tzinfo=UTC),
    }
    fields.update(changes)
    return AuditEntry(**fields)  # type: ignore[arg-type]


async def test_a_budget_set_in_the_demo_is_listed_newest_first(tmp_path: Path) -> None:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        for _ in range(table_names(harness.app).index("acme-web")):
            await pilot.press("down")
        original = next(k for k in harness.store.keys.values() if k.key_alias == "acme-web")
        before = format_money(Decimal(str(original.max_budget)))
        await pilot.press("b", "ctrl+u", *"75", "enter")
        await settle(pilot)
        await pilot.press("b", "tab", "ctrl+u", *"7d", "enter")
        await settle(pilot)
        harness.app.push_screen(AuditScreen(harness.journal_path, UTC))
        await pilot.pause()
        screen = harness.app.screen
        assert isinstance(screen, AuditScreen)
        listed = rows(screen)
        assert [row[1:] for row in listed] == [
            ["acme-web", "period", "30d → 7d", "applied"],
            [
                "acme-web",
                "budget",
                f"{before} → $75.00",
                "applied",
            ],
        ]
        # Journaled by the wall clock (not the demo's frozen one), shown with the year.
        when = datetime.strptime(listed[0][0], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        assert abs(datetime.now(UTC) - when) < timedelta(minutes=5)
        await pilot.press("escape")
        assert isinstance(harness.app.screen, TenantsScreen)


async def test_each_outcome_is_told_and_an_attempt_with_none_is_cut_short(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"
    journal = Journal(path)
    journal.append(entry(1, "attempted", "a"))
    journal.append(entry(1, "applied", "a"))
    # An org's budget LiteLLM accepted but did not change.
    org_write = {"tenant": None, "org": "globex", "action": "org_budget.set"}
    journal.append(entry(2, "attempted", "b", **org_write))
    kept = AuditResult("not_applied", 200, "LiteLLM kept its budget", {"max_budget": 50.0})
    journal.append(entry(2, "not_applied", "b", **org_write, result=kept))
    journal.append(entry(3, "attempted", "c", action="spend.reset", after={"spend": 0.0}))
    refused = AuditResult("failed", 403, "not allowed")
    journal.append(
        entry(3, "failed", "c", action="spend.reset", after={"spend": 0.0}, result=refused)
    )
    journal.append(entry(4, "attempted", "d", after={"max_budget": None}))  # then a crash
    async with Host(path).run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, AuditScreen)
        assert rows(screen) == [
            # 23:04 UTC on the last day of 2026 is already 2027 in Paris: local, with the year.
            [
                "2027-01-01 00:04:00",
                "acme-prod",
                "budget",
                "$50.00 → no cap",
                "cut short",
            ],
            [
                "2027-01-01 00:03:00",
                "acme-prod",
                "spend",
                "none → $0.00",
                "failed",
            ],
            [
                "2027-01-01 00:02:00",
                "org globex",
                "budget",
                "$50.00 → $75.00",
                "not applied",
            ],
            [
                "2027-01-01 00:01:00",
                "acme-prod",
                "budget",
                "$50.00 → $75.00",
                "applied",
            ],
        ]
        detail = screen.query_one("#audit-detail", Static)
        assert "no outcome was journaled" in rendered_text(detail)
        await pilot.press("down", "down")
        said = rendered_text(detail)
        assert "LiteLLM kept its budget" in said
        assert "the proxy kept budget $50.00" in said
        await pilot.press("up")
        assert "HTTP 403: not allowed" in rendered_text(detail)


async def test_a_journal_from_before_the_pairs_lists_each_line_as_a_write(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    Journal(path).append(entry(5, "applied", None, action="budget.undo"))
    async with Host(path).run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, AuditScreen)
        assert [row[2:] for row in rows(screen)] == [
            ["budget (undo)", "$50.00 → $75.00", "applied"]
        ]


async def test_no_journal_an_empty_one_and_a_damaged_one_each_say_so(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    async with Host(path).run_test() as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, AuditScreen)
        assert "No journal yet at" in note(pilot.app.screen)
        assert not pilot.app.screen.query_one(DataTable).display
    path.write_text("")
    async with Host(path).run_test() as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, AuditScreen)
        assert "is empty: nothing has been written yet" in note(pilot.app.screen)
    path.write_text("not json\n")
    async with Host(path).run_test() as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, AuditScreen)
        assert "line 1 is not an audit entry" in note(pilot.app.screen)
