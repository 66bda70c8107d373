"""Errors a user can meet are `BudgettuiError`s, shown as their title and message; anything
else is a bug, whose traceback goes to the log file (never the screen, never the key) while the
user is told one line naming the file.

The log dir is `$BUDGETTUI_LOG_DIR`, pointed at tmp_path here."""

from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path

import pytest

from budgettui.cli.edit_commands import UsageError
from budgettui.cli.main import main
from budgettui.domain.usage import Month
from budgettui.domain.validation import parse_amount
from budgettui.errors import BudgettuiError
from budgettui.services.edits import NotAllowed, SpendChanged
from budgettui.services.journal import JournalError
from budgettui.services.loading import TenantNotFound
from budgettui.services.logfile import FILE_NAME, LOG_DIR_ENV
from budgettui.services.readback import NotApplied, Unapplied
from budgettui.services.settings import validate_port
from budgettui.simulator import DEMO_KEYS
from tests.uihelpers import NOW, build, settle

SECRET = DEMO_KEYS["master"]


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return tmp_path / "logs" / FILE_NAME


def _read(log_file: Path) -> tuple[str, int]:
    return log_file.read_text(), stat.S_IMODE(log_file.stat().st_mode)


def _raised(call: object) -> BaseException:
    assert callable(call)
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("make", "other_base", "text"),
    [
        (lambda: _raised(lambda: validate_port("0")), ValueError, "port must be a whole number"),
        (lambda: TenantNotFound("acme"), LookupError, "tenant 'acme' not found"),
        (lambda: NotAllowed("read-only role"), Exception, "read-only role"),
        (lambda: SpendChanged(Decimal("1.5")), Exception, "spend changed to $1.50 since"),
        (lambda: JournalError("cannot open"), Exception, "cannot open"),
        (lambda: UsageError("needs --yes"), ValueError, "needs --yes"),
        (lambda: _raised(lambda: Month.parse("2026-13")), ValueError, "month must be 01 to 12"),
        (lambda: _raised(lambda: parse_amount("1e3")), ValueError, "no exponents"),
        (
            lambda: NotApplied([Unapplied("budget_duration", "duration", "7d", "still 7d")]),
            Exception,
            "LiteLLM did not apply: duration (still 7d)",
        ),
    ],
    ids=[
        "SettingsError",
        "TenantNotFound",
        "NotAllowed",
        "SpendChanged",
        "JournalError",
        "UsageError",
        "MonthError",
        "ValidationError",
        "NotApplied",
    ],
)
def test_every_error_a_user_can_meet_is_expected_and_keeps_its_words(
    make: object, other_base: type[Exception], text: str
) -> None:
    assert callable(make)
    error = make()
    assert isinstance(error, BudgettuiError)
    assert isinstance(error, other_base)
    assert str(error).startswith(text) or text in str(error)
    assert error.message == str(error)
    assert error.title


async def test_a_bug_in_a_worker_is_logged_with_its_traceback_and_the_toast_names_the_file(
    tmp_path: Path, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"unexpected answer for {SECRET}")

    monkeypatch.setattr("budgettui.ui.screens.tenants.load_dashboard", broken)
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        toasts = [n.message for n in harness.app._notifications]
    assert toasts == [f"Unexpected error (RuntimeError). Details were written to {log_file}."]
    logged, mode = _read(log_file)
    assert "Traceback (most recent call last)" in logged
    assert "in broken" in logged  # where it happened
    assert "RuntimeError: unexpected answer for [REDACTED]" in logged
    assert SECRET not in logged
    assert mode == 0o600


def test_a_bug_in_a_command_is_one_line_exit_1_and_logged(
    log_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object) -> str:
        raise KeyError(SECRET)

    monkeypatch.setattr("budgettui.cli.main.render_tenants", broken)
    code = main(["--demo", "tenants"], now=NOW)
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"budgettui: Unexpected error (KeyError). Details were written to {log_file}."
    ]
    logged = log_file.read_text()
    assert "Traceback (most recent call last)" in logged
    assert "KeyError: '[REDACTED]'" in logged
    assert SECRET not in logged


def test_a_log_that_cannot_be_written_is_said_instead_of_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(LOG_DIR_ENV, str(blocker))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr("budgettui.cli.main.render_tenants", lambda *_: [][1])
    code = main(["--demo", "tenants"], now=NOW)
    err = capsys.readouterr().err
    assert code == 1
    (line,) = err.splitlines()
    assert line.startswith(
        f"budgettui: Unexpected error (IndexError). The log file {blocker / FILE_NAME} could "
        "not be written: "
    )
