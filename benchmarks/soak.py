"""Soak: the dashboard refreshing 2,000 tenants every second, 300 times, must not grow.

    .venv/bin/python benchmarks/soak.py [--refreshes 300] [--tenants 2000] [--interval 1]
                                        [--change-every 5] [--trace N] [--write]

The simulator (`demo_store(now, Scale(tenants=2000, requests_per_tenant_per_month=50))`) is
served on loopback by `serve_in_thread` in a child process, so everything measured here (Python
heap, RSS, sockets, asyncio tasks) belongs to the app alone and the two use both cores. As on a
live proxy, spend keeps arriving: every `--change-every` seconds the child charges one more
request to a tenant, so some refreshes bring new figures (the table is rebuilt) and the others
bring none (the table is left alone).

The app is the real one (`make_app`, real httpx client over TCP), run headless with
`app.run_test()`, with its own auto-refresh at `--interval` seconds: the screen's `set_timer`
fires `_poll_due`, which starts the `reload` worker (overview + month-to-date + table redraw),
whose end schedules the next timer (the refresh's own time counted toward the interval).
Nothing else drives it.

Measured every 10 refreshes, after a garbage collection: the live heap (pymalloc's allocated
blocks, from `sys._debugmallocstats`, plus what glibc's malloc has handed out, from
`mallinfo2`: exact, and cheap enough to read all run long), RSS, live Python objects, open
sockets (/proc/self/fd), asyncio tasks and the refresh timers waiting, counted the moment a
refresh has ended (nothing of it in flight, the next one not started). tracemalloc doubles the
cost of a refresh, so it is a diagnostic: `--trace N` traces the last N refreshes and prints
the allocation sites that grew.

Pass/fail (exit 1 when missed), after a warm-up of 30 refreshes (render caches fill first):
- the live heap and RSS each grow by at most 10 MB (median of the last 5 samples minus that of
  the first 5 after warm-up);
- open sockets and asyncio tasks never exceed their warm-up maximum; one refresh timer at most;
- no refresh fails, and the table shows every tenant.
Figures are printed, and written to benchmarks/RESULTS.md with `--write`.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import dataclasses
import gc
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
WARM_UP = 30
SAMPLE_EVERY = 10
MEMORY_LIMIT_MB = 10.0
NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# The child: the simulator on loopback


def serve(tenants: int, change_every: float) -> None:
    """Build the store, serve it, print the URL, and wait for stdin to close."""
    from budgettui.simulator import Scale, create_app, demo_store
    from budgettui.simulator.server import serve_in_thread

    store = demo_store(NOW, Scale(tenants=tenants, requests_per_tenant_per_month=50))
    front = NewSpend(create_app(store), store, change_every)
    with serve_in_thread(front) as url:
        print(json.dumps({"url": url, "keys": len(store.keys)}), flush=True)
        sys.stdin.read()


class NewSpend:
    """In front of the simulator: one more request charged to a tenant every `change_every`
    seconds, between two requests on the server's own thread (the store is not thread-safe)."""

    def __init__(self, app: Any, store: Any, change_every: float) -> None:
        self.app, self.store, self.change_every = app, store, change_every
        self.next_change = time.monotonic() + change_every
        self.tenants = sorted(
            (key for key in store.keys.values() if key.key_alias), key=lambda key: key.token
        )
        self.changes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.change_every > 0 and time.monotonic() >= self.next_change:
            self.next_change = time.monotonic() + self.change_every
            key = self.tenants[self.changes * 7919 % len(self.tenants)]
            self.store.charge(key, "gpt-4o", 2_000, 500, at=NOW)
            self.changes += 1
        await self.app(scope, receive, send)


# ---------------------------------------------------------------------------------------------
# The parent: the app, measured


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def heap_mb() -> float:
    """Bytes in use: pymalloc's allocated blocks (small objects, in arenas it maps itself)
    plus glibc malloc's in-use chunks and mmapped blocks (everything larger)."""
    with tempfile.TemporaryFile() as report:
        saved = os.dup(2)
        os.dup2(report.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        report.seek(0)
        text = report.read().decode()
    found = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)
    small = int(found.group(1).replace(",", "")) if found else 0
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    info: _MallInfo2 = libc.mallinfo2()
    in_use: int = info.uordblks + info.hblkhd
    return (small + in_use) / MB


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / MB


@dataclass
class Sample:
    refresh: int
    heap_mb: float
    rss_mb: float
    objects: int
    sockets: int
    tasks: int
    timers: int


@dataclass
class Run:
    tenants: int
    refreshes: int
    interval: float
    change_every: float
    durations: list[float] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    failures: int = 0
    redraws: int = 0
    rows: int = 0
    wall: float = 0.0
    trace: int = 0
    top: list[str] = field(default_factory=list)
    judged_until: int = 0  # tracemalloc's hooks and tables would count as growth after this
    breakdown: list[tuple[float, float, float, float]] = field(default_factory=list)


def _refresh_timers(app: Any) -> int:
    """Refresh timers running on the tenants screen (the one waiting for the next refresh):
    never more than one, or refreshes would pile up."""
    screen = app.tenants_screen
    return sum(
        1
        for timer in list(screen._timers)
        # set_timer wraps the callback: partial(call_next, callback)
        if getattr(timer._callback, "args", ())[:1] == (screen._poll_due,)
        and timer._task
        and not timer._task.done()
    )


async def soak(url: str, run: Run, key: str) -> None:
    from budgettui.services.journal import Journal
    from budgettui.services.settings import Secret, Settings
    from budgettui.ui.app import make_app
    from budgettui.ui.widgets.tenant_table import TenantTable

    journal = Journal(Path(tempfile.mkdtemp()) / "audit.jsonl")
    settings = Settings(url, Secret(key), refresh_seconds=run.interval)
    app = make_app(settings, tz=UTC, journal=journal)
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        session = app.session
        seen = None
        drawn: object = None
        last = time.perf_counter()
        done = 0
        trace_from = run.refreshes - run.trace if run.trace else None
        run.judged_until = trace_from or run.refreshes
        snapshot = None
        while done < run.refreshes:
            await asyncio.sleep(0.005)
            overview = session.overview
            if overview is None or overview is seen:
                continue
            seen = overview
            done += 1
            rows = app.tenants_screen.query_one(TenantTable)._drawn
            if rows is not drawn:  # the table repaints only when what it shows changed
                run.redraws += 1
                drawn = rows
            now = time.perf_counter()
            run.durations.append(now - last)
            last = now
            if done == trace_from:
                tracemalloc.start()
                snapshot = tracemalloc.take_snapshot()
            if done == 1 or done % SAMPLE_EVERY == 0 or done == run.refreshes:
                # Counted at once: a refresh has just ended (its worker redraws and schedules the
                # next before this loop runs again) and the next starts a quarter of the interval
                # later at the soonest, so nothing of a refresh is in flight now.
                sockets, tasks = open_sockets(), len(asyncio.all_tasks())
                timers = _refresh_timers(app)
                await pilot.pause()
                gc.collect()
                run.samples.append(
                    Sample(
                        refresh=done,
                        heap_mb=heap_mb(),
                        rss_mb=rss_mb(),
                        objects=len(gc.get_objects()),
                        sockets=sockets,
                        tasks=tasks,
                        timers=timers,
                    )
                )
                print(_line(run.samples[-1], run.durations), flush=True)
                last = time.perf_counter()  # sampling is not refresh time
        if snapshot is not None:
            gc.collect()
            grown = tracemalloc.take_snapshot().compare_to(snapshot, "lineno")
            run.top = [str(stat) for stat in grown[:10]]
        tracemalloc.stop()
        run.rows = app.tenants_screen.query_one(TenantTable).row_count
        run.failures = sum(1 for n in app._notifications if n.severity != "information")
        run.breakdown = await _breakdown(app, pilot)
    run.wall = time.perf_counter() - started


async def _breakdown(app: Any, pilot: Any) -> list[tuple[float, float, float, float]]:
    """Where a refresh's time goes: the overview's requests, the month-to-date pages, the rows
    built and found unchanged, and a full rebuild and paint of the table (what a refresh with
    new figures costs). Three times, the auto-refresh stopped."""
    from budgettui.domain.usage import Month
    from budgettui.services.loading import load_overview, load_runway_spend
    from budgettui.ui.widgets.tenant_table import TenantTable

    session, screen = app.session, app.tenants_screen
    session.settings = dataclasses.replace(session.settings, refresh_seconds=0)
    await app.workers.wait_for_complete()
    parts = []
    for _ in range(3):
        started = time.perf_counter()
        overview = await load_overview(session.client, session.clock())
        listed = time.perf_counter()
        await load_runway_spend(session.client, overview, Month.of(session.today()))
        totals = time.perf_counter()
        screen.redraw()
        await pilot.pause()
        compared = time.perf_counter()
        screen.query_one(TenantTable)._rows = []  # as if every row had changed
        screen.redraw()
        await pilot.pause()
        parts.append(
            (listed - started, totals - listed, compared - totals, time.perf_counter() - compared)
        )
    return parts


def _line(sample: Sample, durations: list[float]) -> str:
    recent = durations[-SAMPLE_EVERY:]
    return (
        f"refresh {sample.refresh:4d}  heap {sample.heap_mb:6.1f} MB  rss {sample.rss_mb:6.1f} MB"
        f"  objects {sample.objects:7d}  sockets {sample.sockets:2d}  tasks {sample.tasks:2d}"
        f"  timers {sample.timers}  refresh {statistics.median(recent):.2f} s"
    )


@dataclass
class Verdict:
    heap_growth: float
    rss_growth: float
    objects_growth: int
    sockets_warm: int
    sockets_after: int
    tasks_warm: int
    tasks_after: int
    problems: list[str]


def judge(run: Run) -> Verdict:
    judged = [s for s in run.samples if s.refresh <= run.judged_until]
    warm = [s for s in judged if s.refresh <= WARM_UP]
    after = [s for s in judged if s.refresh > WARM_UP]
    if len(after) < 2:
        raise SystemExit("too few samples after warm-up: run more refreshes")
    width = max(1, min(5, len(after) // 2))
    first, last = after[:width], after[-width:]

    def growth(attr: str) -> float:
        return float(
            statistics.median(getattr(s, attr) for s in last)
            - statistics.median(getattr(s, attr) for s in first)
        )

    verdict = Verdict(
        heap_growth=growth("heap_mb"),
        rss_growth=growth("rss_mb"),
        objects_growth=int(growth("objects")),
        sockets_warm=max(s.sockets for s in warm),
        sockets_after=max(s.sockets for s in after),
        tasks_warm=max(s.tasks for s in warm),
        tasks_after=max(s.tasks for s in after),
        problems=[],
    )
    if verdict.heap_growth > MEMORY_LIMIT_MB:
        verdict.problems.append(f"heap grew {verdict.heap_growth:.1f} MB > {MEMORY_LIMIT_MB} MB")
    if verdict.rss_growth > MEMORY_LIMIT_MB:
        verdict.problems.append(f"RSS grew {verdict.rss_growth:.1f} MB > {MEMORY_LIMIT_MB} MB")
    if verdict.sockets_after > verdict.sockets_warm:
        verdict.problems.append(
            f"open sockets grew: {verdict.sockets_warm} in warm-up, {verdict.sockets_after} after"
        )
    if verdict.tasks_after > verdict.tasks_warm:
        verdict.problems.append(
            f"asyncio tasks grew: {verdict.tasks_warm} in warm-up, {verdict.tasks_after} after"
        )
    if max(s.timers for s in run.samples) > 1:
        verdict.problems.append("more than one refresh timer alive at once")
    if run.failures:
        verdict.problems.append(f"{run.failures} refreshes failed (warning/error toasts)")
    if run.rows < run.tenants:
        verdict.problems.append(f"the table shows {run.rows} rows for {run.tenants} tenants")
    return verdict


def report(run: Run, verdict: Verdict) -> str:
    durations = sorted(run.durations[1:])  # the first includes the app's start
    p95 = durations[int(0.95 * (len(durations) - 1))]
    first = next(s for s in run.samples if s.refresh > WARM_UP)
    last = [s for s in run.samples if s.refresh <= run.judged_until][-1]
    parts = [statistics.median(p[i] for p in run.breakdown) for i in range(4)]
    per_refresh = verdict.heap_growth * 1024 / max(1, last.refresh - first.refresh)
    lines = [
        f"- tenants: {run.tenants} ({run.rows} table rows with the orgs and role keys); "
        f"refreshes: {run.refreshes}; wall time {run.wall / 60:.1f} min",
        f"- time from one refresh to the next (asked for: every {run.interval:g} s): median "
        f"{statistics.median(durations):.2f} s, p95 {p95:.2f} s, max {durations[-1]:.2f} s",
        f"- new spend every {run.change_every:g} s: {run.redraws} of {run.refreshes} refreshes "
        "brought new figures and rebuilt the table; the others left it alone",
        f"- where it goes (median of 3): overview requests {parts[0]:.2f} s, month-to-date "
        f"pages {parts[1]:.2f} s, rows built and found unchanged {parts[2]:.2f} s; with new "
        f"figures, the table rebuilt and painted {parts[3]:.2f} s",
        f"- live heap: {first.heap_mb:.1f} MB at refresh {first.refresh} → {last.heap_mb:.1f} MB "
        f"at {last.refresh}; growth {verdict.heap_growth:+.2f} MB ({per_refresh:+.1f} KB a "
        f"refresh; limit {MEMORY_LIMIT_MB:.0f} MB)",
        f"- RSS: {first.rss_mb:.1f} → {last.rss_mb:.1f} MB; growth {verdict.rss_growth:+.2f} MB "
        f"(limit {MEMORY_LIMIT_MB:.0f} MB)",
        f"- live Python objects: {first.objects} → {last.objects} ({verdict.objects_growth:+d})",
        f"- open sockets: at most {verdict.sockets_warm} during warm-up, at most "
        f"{verdict.sockets_after} after",
        f"- asyncio tasks: at most {verdict.tasks_warm} during warm-up, at most "
        f"{verdict.tasks_after} after; refresh timers waiting at once: at most "
        f"{max(s.timers for s in run.samples)}",
        f"- failed refreshes: {run.failures}",
        f"- verdict: {'PASS' if not verdict.problems else 'FAIL: ' + '; '.join(verdict.problems)}",
    ]
    if run.top:
        lines += [
            "",
            f"Allocation sites that grew over the last {run.trace} refreshes (tracemalloc; "
            "those refreshes are not judged):",
            "",
        ]
        lines += [f"    {line}" for line in run.top]
    return "\n".join(lines)


def samples_table(run: Run) -> str:
    rows = [
        "| refresh | heap MB | RSS MB | objects | sockets | tasks |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for sample in run.samples:
        if sample.refresh in (1, WARM_UP) or sample.refresh % 50 == 0 or sample is run.samples[-1]:
            rows.append(
                f"| {sample.refresh} | {sample.heap_mb:.1f} | {sample.rss_mb:.1f} | "
                f"{sample.objects} | {sample.sockets} | {sample.tasks} |"
            )
    return "\n".join(dict.fromkeys(rows))  # the last sample may also be a multiple of 50


def write_results(text: str) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    start, end = "<!-- soak:start -->", "<!-- soak:end -->"
    body = f"{start}\n{text}\n{end}"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in current and end in current:
        current = current[: current.index(start)] + body + current[current.index(end) + len(end) :]
    else:
        current = current.rstrip() + "\n\n" + body + "\n"
    path.write_text(current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refreshes", type=int, default=300)
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument(
        "--trace", type=int, default=0, help="trace the last N refreshes (a diagnostic)"
    )
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between refreshes")
    parser.add_argument(
        "--change-every", type=float, default=5.0, help="seconds between new spend (0: never)"
    )
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.tenants, args.change_every)
        return 0
    from budgettui.simulator import DEMO_KEYS

    key = DEMO_KEYS["master"]
    child_args = [sys.executable, __file__, "--serve", "--tenants", str(args.tenants)]
    child_args += ["--change-every", str(args.change_every)]
    child = subprocess.Popen(
        child_args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert child.stdout is not None
        hello = json.loads(child.stdout.readline())
        url = hello["url"]
        run = Run(
            args.tenants,
            args.refreshes,
            interval=args.interval,
            change_every=args.change_every,
            trace=args.trace,
        )
        print(f"simulator: {hello['keys']} keys at {url}", flush=True)
        asyncio.run(soak(url, run, key))
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=20)
    verdict = judge(run)
    text = report(run, verdict)
    print(text)
    if args.write:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        write_results(
            f"## Soak (`make soak`), {stamp}\n\n"
            f"`{' '.join(['benchmarks/soak.py', *(argv or sys.argv[1:])])}` on "
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n\n"
            f"{text}\n\n{samples_table(run)}"
        )
    return 1 if verdict.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
