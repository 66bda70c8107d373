"""NO_COLOR (https://no-color.org): Textual reads it when the app is built and draws every
colour as a grey (its Monochrome filter); the dashboard says everything in words too, so
nothing is lost. Checked on what the app draws: the screenshot's text and background colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.uihelpers import build, settle

STYLE_CLASS = re.compile(r"\.(terminal-\d+-r\d+) \{([^}]*)\}")
TEXT = re.compile(r'<text class="(terminal-\d+-r\d+)"[^>]*>([^<]*)</text>')
BACKGROUND = re.compile(r'<rect fill="#([0-9a-f]{6})" x=')


def drawn_colours(svg: str) -> set[str]:
    """The colours of every non-blank piece of text and every cell background the app drew
    (not the screenshot's window frame)."""
    styles = dict(STYLE_CLASS.findall(svg))
    used = {cls for cls, text in TEXT.findall(svg) if text.replace("&#160;", "").strip()}
    colours = {c for cls in used for c in re.findall(r"#([0-9a-f]{6})", styles.get(cls, ""))}
    return colours | set(BACKGROUND.findall(svg))


def is_grey(colour: str) -> bool:
    return colour[0:2] == colour[2:4] == colour[4:6]


async def screenshot(tmp_path: Path) -> str:
    harness = build(tmp_path)
    async with harness.app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        return harness.app.export_screenshot()


async def test_no_color_draws_the_dashboard_in_greys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    svg = await screenshot(tmp_path)
    assert "acme" in svg  # the table is there
    assert {c for c in drawn_colours(svg) if not is_grey(c)} == set()


async def test_without_no_color_the_dashboard_has_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other half: the check above would see colours if there were any."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    svg = await screenshot(tmp_path)
    assert {c for c in drawn_colours(svg) if not is_grey(c)}
