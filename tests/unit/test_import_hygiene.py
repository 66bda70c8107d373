"""The API and domain layers (and the headless commands) load without Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        # httpx itself imports rich for its optional CLI when rich is installed, so only
        # Textual is checked for the client; the domain must not load httpx at all.
        ("budgettui.proxy.client", ["textual"]),
        ("budgettui.domain.tenants", ["textual", "rich", "httpx"]),
        ("budgettui.domain.usage", ["textual", "rich", "httpx"]),
        ("budgettui.domain.budget", ["textual", "rich", "httpx"]),
        ("budgettui.cli.main", ["textual"]),
        ("budgettui.simulator", ["textual", "budgettui.proxy", "budgettui.domain"]),
    ],
)
def test_layer_imports(module: str, forbidden: list[str]) -> None:
    code = (
        f"import sys, {module}\n"
        f"banned = {forbidden!r}\n"
        "bad = [m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in banned)]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"{module} pulled in {out}"
