"""The editor keys (`b` budget, `o` org budget, `R` reset spend, `u` undo) as one mixin, so the
tenants screen and the tenant screen offer them the same way: refused with the reason when the
caller may not write (no request sent), else the modal, the write, and a fresh read. A spend
reset joins the undo list where LiteLLM lets the caller set the spend back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal

from textual.binding import Binding
from textual.events import Key
from textual.screen import Screen

from budgettui.domain.budget import Cap
from budgettui.domain.money import format_money
from budgettui.domain.tenants import Org, Tenant
from budgettui.domain.validation import BudgetDraft, budget_changes
from budgettui.proxy.errors import UnknownOutcome
from budgettui.services.edits import (
    AppliedNotJournaled,
    curl_command,
    may_restore_spend,
    not_allowed_reason,
    org_not_allowed_reason,
)
from budgettui.ui.failures import ReportsFailures
from budgettui.ui.screens.budget_editor import BudgetEditor
from budgettui.ui.screens.confirm import ConfirmScreen
from budgettui.ui.screens.reset_spend import ResetSpendDialog
from budgettui.ui.session import Session, UndoRecord

EDIT_BINDINGS = [
    Binding("b", "edit_budget", "Budget", id="edit.budget"),
    Binding("o", "edit_org_budget", "Org budget", id="edit.org_budget"),
    Binding("R", "reset_spend", "Reset spend", id="edit.reset_spend"),
]
EDIT_KEYS = {"b": "edit_budget", "o": "edit_org_budget", "R": "reset_spend"}
UNDO_KEY = "u"
NOTHING_TO_UNDO = "nothing to undo in this session"
# LiteLLM 1.84.10 resets the stored spend but not the counter it enforces budgets with.
COUNTER_LAG = (
    "LiteLLM before 1.108 may keep refusing a key that reached its cap for a while after a reset."
)


class EditingMixin(Screen[None], ReportsFailures):
    """Needs `session`, `current_tenant()` and `after_edit()` from the screen."""

    session: Session

    def current_tenant(self) -> Tenant | None:
        raise NotImplementedError

    def after_edit(self) -> None:
        raise NotImplementedError

    def current_org(self) -> Org | None:
        tenant = self.current_tenant()
        return tenant.org if tenant else None

    # -- why a key is dimmed ------------------------------------------------------------------

    def edit_refusal(self, action: str) -> str | None:
        """None when the action may go ahead; else the sentence that explains why not."""
        if self.session.settings.read_only:
            return f"context {self.session.settings.context} is read-only"
        caller = self.session.caller
        if action == "edit_org_budget":
            org = self.current_org()
            if org is None:
                return "select an org, or a tenant that belongs to one"
            return None if org.can_edit else org_not_allowed_reason(caller)
        tenant = self.current_tenant()
        if tenant is None:
            return "select a tenant first"
        if tenant.provisioning:
            what = "budget can be set" if action == "edit_budget" else "spend can be reset"
            return f"{tenant.name} has no key yet: its {what} once the key exists"
        allowed = tenant.can_edit if action == "edit_budget" else tenant.can_reset
        what = "this tenant's budget" if action == "edit_budget" else "this tenant's spend"
        return None if allowed else not_allowed_reason(caller, what)

    def check_edit_action(self, action: str) -> bool | None:
        if action in EDIT_KEYS.values():
            return None if self.edit_refusal(action) else True
        return True

    def on_key(self, event: Key) -> None:
        """A dimmed editor key still answers: it says why it does nothing. So does `u` on a
        screen that offers undo, when this session has nothing to undo."""
        if event.key == UNDO_KEY and callable(getattr(self, "action_undo", None)):
            if not self.session.undo:
                event.stop()
                self.notify(NOTHING_TO_UNDO, title="Undo")
            return
        action = EDIT_KEYS.get(event.key)
        if action is None:
            return
        reason = self.edit_refusal(action)
        if reason:
            event.stop()
            self.notify(reason, title="Not available", severity="warning")

    # -- the editors --------------------------------------------------------------------------

    def action_edit_budget(self) -> None:
        tenant = self.current_tenant()
        if tenant is None or tenant.key_hash is None or self.edit_refusal("edit_budget"):
            return
        key_hash = tenant.key_hash

        async def save(draft: BudgetDraft) -> None:
            undo = UndoRecord("key", key_hash, tenant.name, tenant.cap)
            with self._refresh_on_unknown(), self._when_applied(self._remember(undo)):
                await self.session.editor().set_key_budget(tenant, draft)

        self.app.push_screen(
            BudgetEditor(
                title=f"Budget of {tenant.name}" + (f" ({tenant.org_name})" if tenant.org else ""),
                cap=tenant.cap,
                save=save,
                curl=lambda draft: self._curl("/key/update", {"key": key_hash}, tenant.cap, draft),
            ),
            callback=self._edited,
        )

    def action_edit_org_budget(self) -> None:
        org = self.current_org()
        if org is None or self.edit_refusal("edit_org_budget"):
            return

        async def save(draft: BudgetDraft) -> None:
            undo = UndoRecord("org", org.team_id, org.name, org.cap)
            with self._refresh_on_unknown(), self._when_applied(self._remember(undo)):
                await self.session.editor().set_org_budget(org, draft)

        self.app.push_screen(
            BudgetEditor(
                title=f"Org budget of {org.name} (every tenant in it)",
                cap=org.cap,
                save=save,
                curl=lambda draft: self._curl(
                    "/team/update", {"team_id": org.team_id}, org.cap, draft
                ),
            ),
            callback=self._edited,
        )

    def action_reset_spend(self) -> None:
        tenant = self.current_tenant()
        if tenant is None or self.edit_refusal("reset_spend"):
            return

        undoable = may_restore_spend(tenant)

        async def reset(value: Decimal, seen: Decimal) -> None:
            assert tenant.key_hash is not None  # refused above while provisioning
            undo = UndoRecord(
                "spend", tenant.key_hash, tenant.name, replace(tenant.cap, spend=seen)
            )
            remember = self._remember(undo) if undoable else lambda: None
            with self._refresh_on_unknown(), self._when_applied(remember):
                await self.session.editor().reset_spend(tenant, value, seen)

        # Where LiteLLM refuses this caller a spend write, `u` could not put it back: say so.
        undo_note = (
            "Press u afterwards to put the spend back."
            if undoable
            else ResetSpendDialog.NOT_UNDOABLE
        )
        notes = (undo_note, *self._counter_lag())
        self.app.push_screen(ResetSpendDialog(tenant, reset, notes=notes), callback=self._edited)

    def _counter_lag(self) -> tuple[str, ...]:
        """The warning that a refused key may stay refused, unless the proxy is known to be a
        release that resets the enforced counter too (1.108.7 does, 1.84.10 does not)."""
        overview = self.session.overview
        release = overview.capabilities.release if overview else None
        return () if release is not None and release >= (1, 108) else (COUNTER_LAG,)

    def _curl(self, path: str, ident: dict[str, object], cap: Cap, draft: BudgetDraft) -> str:
        body = {**ident, **budget_changes(cap, draft)}
        return curl_command(self.session.client.base_url, path, body)

    @contextmanager
    def _refresh_on_unknown(self) -> Iterator[None]:
        """A write with no answer may have been applied: read the screen behind again."""
        try:
            yield
        except UnknownOutcome:
            self.after_edit()
            raise

    @contextmanager
    def _when_applied(self, then: Callable[[], None]) -> Iterator[None]:
        """Run `then` once the write is applied, journaled or not: a change that stands can be
        undone even if the journal missed it (`AppliedNotJournaled` goes on to the editor)."""
        try:
            yield
        except AppliedNotJournaled:
            then()
            raise
        then()

    def _remember(self, record: UndoRecord) -> Callable[[], None]:
        return lambda: self.session.undo.append(record)

    def _edited(self, result: object) -> None:
        if result is not None:
            self.notify("Saved and checked: the proxy holds the new values.", timeout=3)
            self.after_edit()

    # -- undo -----------------------------------------------------------------------------------

    async def undo_last(self) -> None:
        """`u`: write back what the last change of this session replaced: a budget, or the
        spend a reset cleared."""
        if not self.session.undo:
            self.notify(NOTHING_TO_UNDO, title="Undo")
            return
        record = self.session.undo[-1]
        write = self._undo_write(record)
        if write is None:
            self.notify(f"{record.name} is no longer visible.", severity="error")
            return
        question, send = write
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        with self._when_applied(self._undone):
            await send()
        if record.scope == "spend":
            money = format_money(record.before.spend)
            self.notify(f"Undone: LiteLLM holds a spend of {money} for {record.name} again.")
        else:
            self.notify(f"Undone: {record.name} is back to its earlier budget.")

    def _undo_write(self, record: UndoRecord) -> tuple[str, Callable[[], Awaitable[object]]] | None:
        """The undo's question and its write; None when its object is no longer in view."""
        editor = self.session.editor()
        before = record.before
        if record.scope == "org":
            org = self.session.find_org(record.target)
            if org is None:
                return None
            draft = BudgetDraft(before.max_budget, before.budget_duration)
            question = _budget_question("org budget", record.name, before)
            return question, lambda: editor.set_org_budget(org, draft, action="budget.undo")
        tenant = self.session.find_tenant(record.target, record.name)
        if tenant is None:
            return None
        if record.scope == "spend":
            question = (
                f"Undo: put the spend of {record.name} back to {format_money(before.spend)} "
                f"(now {format_money(tenant.cap.spend)})?"
            )
            return question, lambda: editor.restore_spend(tenant, before.spend)
        draft = BudgetDraft(before.max_budget, before.budget_duration)
        question = _budget_question("budget", record.name, before)
        return question, lambda: editor.set_key_budget(tenant, draft, action="budget.undo")

    def _undone(self) -> None:
        self.session.undo.pop()
        self.after_edit()


def _budget_question(what: str, name: str, before: Cap) -> str:
    amount = format_money(before.max_budget, none="no cap")
    period = before.budget_duration or "none"
    return f"Undo: set the {what} of {name} back to {amount}, period {period}?"
