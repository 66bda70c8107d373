"""The key footer every screen shows: Textual's, without the widgets it keeps on each redraw.

Textual's `Footer` rebuilds its keys whenever the screen's bindings change (here: each time the
highlighted row changes, which every auto-refresh does when it redraws the table). Each new key
binds its `compact` style to the footer with `data_bind`, which puts a watcher on the footer;
the watchers of the keys just removed stay there (Textual prunes them only when `compact`
changes, which never happens here). The measured cost was a few KB and a dozen widgets kept per
refresh: nothing in an hour, a leak in a dashboard left open for days (see the soak in
benchmarks/RESULTS.md). This footer drops those watchers once its keys are rebuilt.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    async def recompose(self) -> None:
        await super().recompose()
        # Textual keeps a widget's watchers in this attribute (reactive.py `_watch`); each entry
        # is (watching widget, callback). A key no longer in the DOM will never be drawn again.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [
                (node, callback) for node, callback in entries if getattr(node, "is_attached", True)
            ]
