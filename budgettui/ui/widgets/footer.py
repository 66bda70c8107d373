"""The key footer every screen shows: Textual's, rebuilt only when the keys it shows change,
and without the widgets Textual's keeps on each rebuild.

Textual's `Footer` rebuilds its keys whenever the screen refreshes its bindings (here: each time
the highlighted row changes, which every refresh that redraws the table does), even when the
same keys come out. And each rebuilt key binds its `compact` style to the footer with
`data_bind`, which puts a watcher on the footer; the watchers of the keys just removed stay there
(Textual prunes them only when `compact` changes, which never happens here). Measured: about 9
widgets kept per refresh (tests/security/test_refresh_growth.py, benchmarks/RESULTS.md).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

ShownKeys = tuple[tuple[str, str, str, bool], ...]


def shown_keys(screen: Screen[object]) -> ShownKeys:
    """What the footer draws: each shown key with its action, label and whether it works now."""
    return tuple(
        (key, active.binding.action, active.binding.description, active.enabled)
        for key, active in screen.active_bindings.items()
        if active.binding.show
    )


class Footer(TextualFooter):
    _shown: ShownKeys | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = shown_keys(screen)
        if self._bindings_ready and shown == self._shown:
            return  # the same keys again: nothing to rebuild
        super().bindings_changed(screen)
        if screen.app.app_focus:  # Textual rebuilds only then
            self._shown = shown

    async def recompose(self) -> None:
        await super().recompose()
        # Textual keeps a widget's watchers in this attribute (reactive.py `_watch`); each entry
        # is (watching widget, callback). A key no longer in the DOM will never be drawn again.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [
                (node, callback) for node, callback in entries if getattr(node, "is_attached", True)
            ]
