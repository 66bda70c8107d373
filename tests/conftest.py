"""Settings every test shares: no test writes to the user's own log directory."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _log_dir_of_the_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUDGETTUI_LOG_DIR", str(tmp_path / "logs"))
    # Nor reads the developer's own config file: its default context would change the results.
    monkeypatch.setenv("BUDGETTUI_CONFIG", str(tmp_path / "no-config.toml"))
