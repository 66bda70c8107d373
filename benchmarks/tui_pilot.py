"""The dashboard against a served proxy, driven by a Textual pilot in this process (120×36,
no auto-refresh); prints one JSON line of what it saw. Run as a child so that its peak memory
is the dashboard's alone.

    python -m benchmarks.tui_pilot --filter TEXT [--type-while-loading] [--profile SESSION]

LITELLM_PROXY_URL and LITELLM_PROXY_API_KEY name the proxy.

- Load: from the app's start to the first tenant row on screen and to the full table (the
  screen says it is no longer loading), and when the first `/key/list` page arrived.
- Default: once loaded, TEXT is typed into the filter a key at a time; each key's latency runs
  from the press until the screen shows that filter and the app is idle again (repainted).
- `--type-while-loading`: `/` and TEXT are sent as soon as the screen is up, while the table is
  still loading, all at once, as the terminal driver queues keys typed while the app is busy
  (`pilot.press` would wait for the app between keys); keys lost = the characters the shown
  filter lacks once loading has ended.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import UTC
from pathlib import Path
from typing import Any

from benchmarks.recording import watching_requests

SIZE = (120, 36)
LOAD_TIMEOUT = 600.0


def is_loading(app: Any, screen: Any) -> bool:
    """The screen's own flag where it has one; else: no overview yet, or a worker running."""
    flag = getattr(screen, "is_loading", None)
    if isinstance(flag, bool):
        return flag
    if getattr(screen.session, "overview", None) is None:
        return True
    return any(not worker.is_finished for worker in app.workers)


def shown_query(screen: Any) -> str:
    shown = getattr(screen, "shown_query", None)
    return shown if isinstance(shown, str) else str(getattr(screen, "query_text", ""))


async def wait_until(check: Any, within: float = LOAD_TIMEOUT) -> None:
    deadline = time.perf_counter() + within
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("the dashboard did not get there in time")
        await asyncio.sleep(0.002)


async def drive(url: str, key: str, text: str, *, type_while_loading: bool) -> dict[str, Any]:
    from textual.widgets import Input

    from budgettui.services.journal import Journal
    from budgettui.services.settings import Secret, Settings
    from budgettui.ui.app import make_app
    from budgettui.ui.widgets.tenant_table import TenantTable

    settings = Settings(url, Secret(key), refresh_seconds=0)
    journal = Journal(Path(tempfile.mkdtemp()) / "audit.jsonl")
    app = make_app(settings, tz=UTC, journal=journal)
    result: dict[str, Any] = {}
    with watching_requests() as seen:
        started = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            screen = app.tenants_screen
            await wait_until(lambda: app.screen is screen and screen.is_mounted)
            table = screen.query_one(TenantTable)
            if type_while_loading:
                type_at_once(app, "/" + text)
                result["typed_while_loading"] = is_loading(app, screen)
            first_rows = None
            while is_loading(app, screen) or table.row_count == 0:
                if first_rows is None and table.row_count > 0:
                    first_rows = time.perf_counter() - started
                if time.perf_counter() - started > LOAD_TIMEOUT:
                    raise TimeoutError("the table did not finish loading")
                await asyncio.sleep(0.005)
            full = time.perf_counter() - started
            result.update(first_rows=first_rows or full, full=full, rows=table.row_count)
            if type_while_loading:
                await pilot.pause()
                shown = shown_query(screen)
                result.update(shown_query=shown, keys_lost=len(text) - len(shown))
                result["filter_field"] = screen.query_one("#filter", Input).value
            else:
                result["latencies"] = await type_filter(pilot, screen, text)
            result["filtered_rows"] = table.row_count
    key_pages = [e.answered - started for e in seen if e.path.startswith("/key/list")]
    result["first_key_page"] = min(key_pages) if key_pages else None
    result["requests"] = len(seen)
    return result


def type_at_once(app: Any, text: str) -> None:
    """Each character as the terminal driver sends a key, none waiting for the app: a typist
    who does not watch the screen (`pilot.press` would wait for the app to be idle)."""
    from textual import events
    from textual.keys import _character_to_key

    for char in text:
        event = events.Key(char if char.isalnum() else _character_to_key(char), char)
        event.set_sender(app)
        app._driver.send_message(event)


async def type_filter(pilot: Any, screen: Any, text: str) -> list[float]:
    """Key press → the first frame that shows the table filtered by the text so far. Keys go in
    as the terminal driver sends them and frames are timed where the app hands them to the
    driver: the pilot's own idle waits (~90 ms a key here) are not counted."""
    app = pilot.app
    await pilot.press("slash")
    await pilot.pause()
    frames: list[tuple[float, str]] = []
    display = app._display

    def timed_display(shown_screen: Any, renderable: Any) -> None:
        if renderable is not None:
            frames.append((time.perf_counter(), shown_query(screen)))
        display(shown_screen, renderable)

    app._display = timed_display
    latencies = []
    for typed in range(1, len(text) + 1):
        wanted = text[:typed]
        frames.clear()
        pressed = time.perf_counter()
        type_at_once(app, text[typed - 1])
        await wait_until(lambda wanted=wanted: any(q == wanted for _, q in frames), within=60)
        latencies.append(next(t for t, q in frames if q == wanted) - pressed)
        await pilot.pause()  # settled before the next key, not timed
    app._display = display
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--filter", required=True)
    parser.add_argument("--type-while-loading", action="store_true")
    parser.add_argument("--profile", type=Path, help="save a pyinstrument session here")
    args = parser.parse_args(argv)
    url, key = os.environ["LITELLM_PROXY_URL"], os.environ["LITELLM_PROXY_API_KEY"]
    run = drive(url, key, args.filter, type_while_loading=args.type_while_loading)
    if args.profile is None:
        result = asyncio.run(run)
    else:
        from pyinstrument import Profiler

        with Profiler(async_mode="disabled") as profiler:
            result = asyncio.run(run)
        assert profiler.last_session is not None
        profiler.last_session.save(str(args.profile))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
