"""The footer: rebuilt when the keys it shows change, and only then; nothing kept behind."""

from __future__ import annotations

import gc

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from budgettui.ui.widgets.footer import Footer


class Keys(App[None]):
    BINDINGS = [Binding("s", "save", "Save"), Binding("q", "quit", "Quit")]
    can_save = True

    def compose(self) -> ComposeResult:
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and not self.can_save:
            return None  # shown dimmed (False would hide it)
        return True

    def action_save(self) -> None:
        pass


def _keys(app: App[None]) -> dict[str, FooterKey]:
    return {key.key: key for key in app.screen.query(FooterKey)}


def _alive_keys() -> int:
    gc.collect()
    return sum(isinstance(obj, FooterKey) for obj in gc.get_objects())


async def test_the_footer_follows_the_keys_that_work_and_keeps_its_widgets_otherwise() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.pause()
        shown = _keys(app)
        assert not shown["s"].has_class("-disabled")
        app.screen.refresh_bindings()  # nothing changed
        await pilot.pause()
        assert _keys(app) == shown
        app.can_save = False
        app.screen.refresh_bindings()
        await pilot.pause()
        assert _keys(app)["s"].has_class("-disabled")  # drawn dimmed


async def test_rebuilding_the_footer_keeps_no_old_keys() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        await _toggle_save(app, pilot)
        before = _alive_keys()
        for _ in range(20):
            await _toggle_save(app, pilot)  # each one rebuilds the footer
        assert _alive_keys() <= before


async def _toggle_save(app: Keys, pilot: Pilot[None]) -> None:
    app.can_save = not app.can_save
    app.screen.refresh_bindings()
    await pilot.pause()
    await pilot.pause()
