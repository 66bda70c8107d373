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

from collections.abc import Iterable

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

ShownKeys = tuple[tuple[str, str, str, bool], ...]
ESSENTIAL_ACTIONS = frozenset({"help", "quit", "back"})
PALETTE_EXTRA = 2  # the palette key's border and right padding


def shown_keys(screen: Screen[object]) -> ShownKeys:
    """What the footer draws: each shown key with its action, label and whether it works now."""
    return tuple(
        (key, active.binding.action, active.binding.description, active.enabled)
        for key, active in screen.active_bindings.items()
        if active.binding.show
    )


def _key_width(key: FooterKey) -> int:
    """Cells a key takes: ` b ` then `Budget `, as Textual's FooterKey draws it."""
    width = cell_len(key.key_display) + 2 + cell_len(key.description) + 1
    return width + (PALETTE_EXTRA if key.has_class("-command-palette") else 0)


def fit_keys(widgets: Iterable[Widget], width: int) -> list[Widget]:
    """The keys that fit `width`, dropping from the right all but the essential ones."""
    kept = list(widgets)
    droppable = [w for w in kept if isinstance(w, FooterKey) and w.action not in ESSENTIAL_ACTIONS]
    droppable = [w for w in droppable if not w.has_class("-command-palette")]

    def used() -> int:
        return sum(_key_width(w) for w in kept if isinstance(w, FooterKey))

    while droppable and used() > width:
        kept.remove(droppable.pop())
    return kept


class Footer(TextualFooter):
    _shown: tuple[ShownKeys, int] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = (shown_keys(screen), self.size.width)
        if self._bindings_ready and shown == self._shown:
            return  # the same keys again: nothing to rebuild
        super().bindings_changed(screen)
        if screen.app.app_focus:  # Textual rebuilds only then
            self._shown = shown

    def compose(self) -> ComposeResult:
        yield from fit_keys(super().compose(), self.size.width or self.app.size.width)

    def on_resize(self) -> None:
        if self._shown is not None and self._shown[1] != self.size.width:
            self.bindings_changed(self.screen)

    async def recompose(self) -> None:
        await super().recompose()
        # Textual keeps a widget's watchers in this attribute (reactive.py `_watch`); each entry
        # is (watching widget, callback). A key no longer in the DOM will never be drawn again.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [
                (node, callback) for node, callback in entries if getattr(node, "is_attached", True)
            ]
