"""The one base of every error a user can meet.

Each carries a short `title` (a toast's or dialog's heading) and a `message` a user can act on;
both are safe to show (never a key). Anything raised that is not a `BudgettuiError` is a bug:
the app and the CLI log its traceback to a file and say where, instead of showing it.
This module sits outside the layers so that every layer can raise these; it imports nothing.
"""

from __future__ import annotations


class BudgettuiError(Exception):
    """An expected failure, told to the user as `title` and `message`."""

    default_title = "budgettui"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.title = title or self.default_title
        self.message = message
