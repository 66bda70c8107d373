"""How a worker's failure that no screen handled is told to the user. A `BudgettuiError` is
expected: a toast of its title and message. Anything else is a bug: its traceback goes to the
log file (`services.logfile`), and the toast says where, never the traceback itself.

Textual posts a worker's `StateChanged` to the screen (or app) that started it and does not
bubble it, so an app-level handler alone would never hear of a screen's failed worker: every
screen that runs workers mixes in `ReportsFailures`.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from budgettui.errors import BudgettuiError
from budgettui.services.logfile import report_unexpected


class ReportsFailures(DOMNode):
    """Mixin for a screen or app whose workers may fail. It goes after the Textual class among
    the bases: Textual takes CSS from the first base alone, and `App`'s or `ModalScreen`'s
    own rules (text colour, the dimmed backdrop) must apply."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is not WorkerState.ERROR or error is None:
            return
        if isinstance(error, BudgettuiError):
            self.app.notify(error.message, title=error.title, severity="error")
        else:
            told = report_unexpected(error)
            self.app.notify(told, title="budgettui", severity="error", timeout=30)
