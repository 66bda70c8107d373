"""The log of unexpected errors (bugs): their tracebacks go to a file, and the user is told one
line that names the file, never the traceback itself.

An error that is a `BudgettuiError` is expected and shown as its title and message; anything else
comes here. The file is `budgettui.log` in `platformdirs.user_log_dir("budgettui")`
(`~/.local/state/budgettui/log` on Linux), or in `$BUDGETTUI_LOG_DIR` when that is set (tests
point it at a temp dir). It rotates at 1 MB (three old files kept), is readable only by its owner
(0600), and the API key is cut out of every record, traceback included, before it is written.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Final

import platformdirs

LOG_DIR_ENV: Final = "BUDGETTUI_LOG_DIR"
FILE_NAME: Final = "budgettui.log"
FILE_MODE: Final = 0o600
MAX_BYTES: Final = 1_000_000
BACKUPS: Final = 3
REDACTED: Final = "[REDACTED]"

logger = logging.getLogger("budgettui")


def log_path() -> Path:
    """Resolved when called, so a changed environment (or a test's) is honoured."""
    folder = os.environ.get(LOG_DIR_ENV) or platformdirs.user_log_dir("budgettui")
    return Path(folder) / FILE_NAME


class _PrivateRotatingFile(RotatingFileHandler):
    """A rotating file created 0600, and tightened to 0600 if something else created it: a
    traceback can hold tenant names and amounts."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        """Raise what went wrong instead of printing it to stderr (logging's default): the
        caller must be able to tell the user that the details were not written."""
        error = sys.exc_info()[1]
        if error is not None:
            raise error


class _Redacting(logging.Formatter):
    """Cuts each known secret out of the whole formatted record (message and traceback), in
    every form it could take there: as is, repr-escaped and JSON-escaped."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets: set[str] = set()

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            for form in (secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]):
                text = text.replace(form, REDACTED)
        return text


_formatter = _Redacting()


def _handler(path: Path) -> logging.Handler:
    """The one file handler of the `budgettui` logger, for `path`: set up on first use, and
    again only if the log dir has changed since (a test's temp dir)."""
    for handler in list(logger.handlers):
        if isinstance(handler, _PrivateRotatingFile) and Path(handler.baseFilename) == path:
            return handler
        logger.removeHandler(handler)
        handler.close()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = _PrivateRotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(_formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the terminal is Textual's, or the CLI's one line
    return handler


def never_log(secret: str) -> None:
    """Cut `secret` (the API key) out of everything logged from now on. Called once the key is
    known, so that a failure anywhere later, however deep, is logged without it."""
    if secret:
        _formatter.secrets.add(secret)


def report_unexpected(error: BaseException) -> str:
    """Log `error` with its traceback; the one sentence to show the user instead."""
    kind = type(error).__name__
    path = log_path()
    try:
        handler = _handler(path)
        logger.error("unexpected %s", kind, exc_info=(type(error), error, error.__traceback__))
        handler.flush()
    except OSError as log_error:
        reason = log_error.strerror or type(log_error).__name__
        return f"Unexpected error ({kind}). The log file {path} could not be written: {reason}."
    return f"Unexpected error ({kind}). Details were written to {path}."
