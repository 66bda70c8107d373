"""The soak's fast guard (`make soak` runs 300 refreshes of 2,000 tenants; this runs a few dozen
of the demo): refreshing keeps no widgets, sockets or tasks behind. A dashboard left open all day
refreshes thousands of times."""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path

from textual.widget import Widget

from budgettui.simulator import DEMO_KEYS, create_app, demo_store
from tests.security.support import build_app, serve
from tests.uihelpers import NOW, settle

WARM_UP, MEASURED = 5, 25


def _widgets() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, Widget))


def _sockets() -> int:
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return sum(link.startswith("socket:") for link in links)


async def test_refreshing_keeps_nothing_behind(tmp_path: Path) -> None:
    store = demo_store(NOW)
    busy = next(key for key in store.keys.values() if key.key_alias == "acme-web")
    with serve(create_app(store)) as url:
        app = build_app(tmp_path, store, DEMO_KEYS["master"], url=url)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = app.tenants_screen
            counts = []
            for refresh in range(WARM_UP + MEASURED):
                # New spend between refreshes, as on a live proxy: every refresh redraws.
                store.charge(busy, "gpt-4o", 1_000, 1_000, at=NOW)
                await screen.reload().wait()  # what the auto-refresh timer starts
                await pilot.pause()
                if refresh in (WARM_UP - 1, WARM_UP + MEASURED - 1):
                    counts.append((_widgets(), _sockets(), len(asyncio.all_tasks())))
    (widgets_before, sockets_before, tasks_before), (widgets, sockets, tasks) = counts
    assert widgets <= widgets_before, f"{widgets - widgets_before} widgets kept by refreshes"
    assert sockets <= sockets_before + 4  # keep-alive may open a few more, never one a refresh
    assert tasks <= tasks_before
