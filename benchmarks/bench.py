"""`make bench`: budgettui at 12, 2,000 and 20,000 tenants, against bare httpx scripts, on the
simulator and on a real LiteLLM; rewrites its section of benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks.bench [--runs 3] [--skip-real] [--write]

Each figure is a median of several runs; a ratio is taken run by run, the two commands in turn
(A B A B …), so that the machine's drift cancels. Whole commands are timed as processes (wall
time and peak RSS from `wait4`); the dashboard is driven by a Textual pilot in a child process
(`benchmarks/tui_pilot.py`). What each measurement means is said next to its figure in
RESULTS.md. No figure here is asserted: targets are compared and reported, never failed on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import real_proxy
from benchmarks.processes import Finished, background, checked, median, p95, paired, run, walls
from benchmarks.profiling import markdown as profile_markdown
from benchmarks.profiling import summarize
from benchmarks.recording import record_cli_requests
from benchmarks.results import machine, stamp, write_section
from benchmarks.sim_server import (
    COUNTS_PATH,
    HEAVY,
    HEAVY_REQUESTS,
    LIGHT,
    LIGHT_REQUESTS,
    PROBE,
    PROBE_REQUESTS,
    REQUESTS_PER_TENANT_MONTH,
    bench_tenants,
    month_label,
    now_minute,
)
from benchmarks.terminal import in_terminal
from budgettui.proxy.transport import ConnectionOptions

PYTHON = sys.executable
BUDGETTUI = str(Path(PYTHON).parent / "budgettui")
BARE = [PYTHON, str(Path(__file__).with_name("bare.py"))]
# The bare replay may have as many requests in flight as budgettui's connection pool allows
# (teams and keys are paged side by side, `max_concurrency` each): the same requests, the same
# connection limit, none waiting on another.
BARE_CONCURRENCY = ConnectionOptions().max_concurrency * 2
FILTER = "tenant-1234"  # 11 characters: matches tenant-1234 and, at 20,000, tenant-12340…12349
SIM_KEY = "sk-demo-master"
USERS_ME = "/management/v1/users/me"  # asked once per refresh of the dashboard


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    targets: list[tuple[str, str, str]] = field(default_factory=list)  # what, measured, verdict
    # Medians the closing "floor" paragraph compares, by (what, proxy label).
    figures: dict[tuple[str, str], float] = field(default_factory=dict)

    def say(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def target(self, what: str, measured: str, met: bool | None) -> None:
        verdict = "—" if met is None else ("met" if met else "**missed**")
        self.targets.append((what, measured, verdict))


@dataclass(frozen=True)
class Proxy:
    label: str  # "simulator" or "real LiteLLM 1.108.7"
    url: str
    key: str
    env: Mapping[str, str]


def proxy_env(url: str, key: str, home: Path) -> dict[str, str]:
    """The proxy's URL and key as budgettui and the bare scripts read them; the user's state
    folders pointed at the benchmark's own (no journal or log of theirs touched)."""
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        # Compiled modules kept, as a pip install keeps them: a shell that turns bytecode off
        # would charge budgettui (whose modules it then compiles on every run) and not httpx.
        "PYTHONPYCACHEPREFIX": str(home / "pycache"),
        "BUDGETTUI_CONFIG": str(home / "no-config.toml"),
        "LITELLM_PROXY_URL": url,
        "LITELLM_PROXY_API_KEY": key,
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def spread(values: list[float]) -> str:
    """Median, with min–max when there are several."""
    if len(values) == 1:
        return seconds(values[0])
    return f"{seconds(median(values))} ({seconds(min(values))}–{seconds(max(values))})"


def json_of(finished: Finished) -> Any:
    return json.loads(finished.stdout)


# ---------------------------------------------------------------------------------------------
# Servers


@contextmanager
def simulator(
    work: Path, tenants: int, *, heavy: bool = False
) -> Iterator[tuple[Proxy, dict[str, Any]]]:
    argv = [PYTHON, "-m", "benchmarks.sim_server", "--tenants", str(tenants)]
    argv += ["--ready", str(work / f"sim-{tenants}.json"), *(["--heavy"] if heavy else [])]
    started = time.perf_counter()
    with background(argv, work / f"sim-{tenants}.json", work / f"sim-{tenants}") as hello:
        print(
            f"simulator: {hello['keys']} keys at {hello['url']} "
            f"(built in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        env = proxy_env(hello["url"], SIM_KEY, work)
        yield Proxy("simulator", hello["url"], SIM_KEY, env), hello


# ---------------------------------------------------------------------------------------------
# Measurements


def month_usage(
    report: Report, proxy: Proxy, hashes: Mapping[str, str], month: str, runs: int
) -> None:
    """A 100,000-request month: budgettui against the one aggregated request, and the seed's
    method, exactness included."""
    usage = [BUDGETTUI, "usage", HEAVY, "--month", month, "--json"]
    bare = [*BARE, "month", hashes[HEAVY], month]
    pairs = paired(usage, bare, proxy.env, runs)
    ours, floor = json_of(pairs.a[-1]), json_of(pairs.b[-1])
    seed = checked(run([*BARE, "seed", HEAVY, month], proxy.env), "the seed's method")
    seeded = json_of(seed)
    ratio = median(pairs.ratios)
    exact = ours["request_count"] == HEAVY_REQUESTS and not ours["partial"]
    report.figures["usage", proxy.label] = median(walls(pairs.a))
    report.figures["usage bare", proxy.label] = median(walls(pairs.b))
    report.say(
        f"- `budgettui usage {HEAVY} --month {month} --json`: {spread(walls(pairs.a))}, "
        f"peak {median([f.peak_mb for f in pairs.a]):.0f} MB; **{ratio:.2f}×** the bare script "
        f"making the one aggregated request ({spread(walls(pairs.b))}, "
        f"{median([f.peak_mb for f in pairs.b]):.0f} MB); {runs} pairs."
    )
    report.say(
        f"  Requests counted: budgettui {ours['request_count']:,} (partial: "
        f"{str(ours['partial']).lower()}), the bare script {floor['request_count']:,}, the "
        f"seed's method {seeded['request_count']:,} in {seeded['requests']} pages "
        f"({seconds(seed.wall)}, one run: it stops at 50 pages of 100, so it "
        f"{'truncates' if seeded['request_count'] < HEAVY_REQUESTS else 'is whole'})."
    )
    report.target(
        f"`usage` of the 100,000-request tenant ({proxy.label}): exact, ≤ 1.3× the bare script",
        f"{'exact' if exact else 'NOT exact'}, {ratio:.2f}×",
        exact and ratio <= 1.3,
    )


def aggregation_memory(report: Report, proxy: Proxy, month: str, runs: int) -> None:
    peaks = {}
    for alias in (LIGHT, HEAVY):
        argv = [BUDGETTUI, "usage", alias, "--month", month, "--json"]
        peaks[alias] = median([checked(run(argv, proxy.env), alias).peak_mb for _ in range(runs)])
    grown = peaks[HEAVY] - peaks[LIGHT]
    report.say(
        f"- Peak memory of `budgettui usage` on a month of {LIGHT_REQUESTS:,} requests: "
        f"{peaks[LIGHT]:.1f} MB; of {HEAVY_REQUESTS:,}: {peaks[HEAVY]:.1f} MB "
        f"({grown:+.1f} MB; median of {runs})."
    )
    report.target(
        "month aggregation 1,000 → 100,000 requests: ≤ +10 MB", f"{grown:+.1f} MB", grown <= 10
    )


def probe_usage(proxy: Proxy, month: str, runs: int, *, warmup: int = 1) -> list[float]:
    argv = [BUDGETTUI, "usage", PROBE, "--month", month, "--json"]
    for _ in range(warmup):
        checked(run(argv, proxy.env), "usage of the probe tenant")
    return [checked(run(argv, proxy.env), "usage of the probe tenant").wall for _ in range(runs)]


def tenant_list(
    report: Report, proxy: Proxy, work: Path, tenants: int, runs: int, *, warmup: int = 1
) -> float:
    """Headless `tenants --json` against a bare script making the same requests; the headless
    median (for the TUI's ratio)."""
    recorded = record_cli_requests(["tenants", "--json"], proxy.url, proxy.key)
    requests_file = work / f"requests-{proxy.label.split()[0]}-{tenants}.txt"
    requests_file.write_text("\n".join(recorded) + "\n")
    ours = [BUDGETTUI, "tenants", "--json"]
    bare = [*BARE, "replay", str(requests_file), "--concurrency", str(BARE_CONCURRENCY)]
    pairs = paired(ours, bare, proxy.env, runs, warmup=warmup)
    listed = len(json_of(pairs.a[-1]))
    ratio = median(pairs.ratios)
    peak = median([f.peak_mb for f in pairs.a])
    report.figures[f"tenants {tenants}", proxy.label] = median(walls(pairs.a))
    report.figures[f"tenants {tenants} bare", proxy.label] = median(walls(pairs.b))
    report.say(
        f"- `tenants --json`, {listed:,} tenants listed: {spread(walls(pairs.a))}, peak "
        f"{peak:.0f} MB; **{ratio:.2f}×** a bare httpx script making the same "
        f"{len(recorded)} requests, {BARE_CONCURRENCY} at once ({spread(walls(pairs.b))}, "
        f"{median([f.peak_mb for f in pairs.b]):.0f} MB); {runs} pair{'s' * (runs > 1)}."
    )
    if tenants >= 20_000:
        report.target(
            f"`tenants --json` at 20,000 ({proxy.label}): ≤ 1.2× the bare script",
            f"{ratio:.2f}×",
            ratio <= 1.2,
        )
        if proxy.label == "simulator":
            report.target(
                "peak memory at 20,000 tenants, `tenants --json`: ≤ 120 MB",
                f"{peak:.0f} MB",
                peak <= 120,
            )
    return median(walls(pairs.a))


def tui_run(proxy: Proxy, *extra: str) -> tuple[dict[str, Any], Finished]:
    argv = [PYTHON, "-m", "benchmarks.tui_pilot", "--filter", FILTER, *extra]
    finished = checked(run(argv, proxy.env, timeout=900), "the TUI pilot")
    return json_of(finished), finished


def tui(
    report: Report, proxy: Proxy, tenants: int, runs: int, headless: float, *, keys_lost: bool
) -> None:
    results = [tui_run(proxy) for _ in range(runs)]
    first = [r["first_rows"] for r, _ in results]
    full = [r["full"] for r, _ in results]
    after_page = [r["first_rows"] - r["first_key_page"] for r, _ in results]
    latencies = [latency for r, _ in results for latency in r["latencies"]]
    peak = median([f.peak_mb for _, f in results])
    rows = results[-1][0]["rows"]
    report.say(
        f"- TUI ({rows:,} rows): first rows on screen {spread(first)} after start "
        f"({spread(after_page)} after the first key page arrived); full table {spread(full)} "
        f"= {median(full) / headless:.2f}× headless; filter `{FILTER}` typed after loading: "
        f"median {median(latencies) * 1000:.0f} ms, p95 {p95(latencies) * 1000:.0f} ms a key "
        f"({len(latencies)} keys); peak {peak:.0f} MB after filtering; {runs} "
        f"run{'s' * (runs > 1)}."
    )
    if keys_lost:
        typed, _ = tui_run(proxy, "--type-while-loading")
        lost = typed["keys_lost"]
        report.say(
            f"- The same {len(FILTER)} keys typed while the table was "
            f"{'still loading' if typed['typed_while_loading'] else 'NOT loading any more'}: "
            f"the table ended filtered by {typed['shown_query']!r}; keys lost: **{lost}**."
        )
    if tenants < 20_000:
        return
    who = proxy.label
    report.target(
        f"TUI full table at 20,000 ({who}): ≤ 1.3× headless",
        f"{median(full) / headless:.2f}×",
        median(full) / headless <= 1.3,
    )
    report.target(
        f"TUI first rows ≤ 1 s after the first page arrives ({who})",
        seconds(median(after_page)),
        median(after_page) <= 1,
    )
    if who == "simulator":
        report.target(
            "filter at 20,000: median ≤ 50 ms, p95 ≤ 150 ms",
            f"{median(latencies) * 1000:.0f} ms, {p95(latencies) * 1000:.0f} ms",
            median(latencies) <= 0.05 and p95(latencies) <= 0.15,
        )
        report.target("TUI peak memory at 20,000: ≤ 120 MB", f"{peak:.0f} MB", peak <= 120)
        if keys_lost:
            report.target("keys typed while loading: 0 lost", str(lost), lost == 0)


def idle_refresh(report: Report, proxy: Proxy, window: float = 12.0) -> None:
    """The dashboard in a real terminal (a pty, 120×36) refreshing every second with nothing new:
    every byte it writes over `window` seconds, per refresh."""
    import httpx

    def refreshes() -> int:
        counts = httpx.get(proxy.url + COUNTS_PATH).json()
        return int(counts.get(USERS_ME, 0))

    with in_terminal([BUDGETTUI, "--refresh", "1"], proxy.env) as output:
        deadline = time.monotonic() + 60
        while refreshes() < 3 or not output.quiet_for(0.3):  # loaded, two refreshes done
            if time.monotonic() > deadline or output.ended.is_set():
                raise RuntimeError("the dashboard did not settle in its terminal")
            time.sleep(0.1)
        began, before = time.monotonic(), refreshes()
        time.sleep(window)
        written, done = output.since(began), refreshes() - before
    per = written / max(done, 1)
    report.say(
        f"- Idle refresh (12 tenants, `--refresh 1`, nothing changed, a real terminal driver "
        f"in a 120×36 pty): {written:,} bytes in {window:.0f} s over {done} refreshes = "
        f"**{per:,.0f} bytes a refresh** (all output of the window, the clock line included)."
    )
    report.target("idle refresh: ≤ 2 KB to the terminal", f"{per:,.0f} bytes", per <= 2048)


def import_times(report: Report, runs: int) -> None:
    ours = [PYTHON, "-c", "import budgettui.cli.main"]
    bare = [PYTHON, "-c", "import httpx"]
    pairs = paired(ours, bare, os.environ, runs)
    report.say(
        f"- Start-up: `import budgettui.cli.main` {spread(walls(pairs.a))} against "
        f"`import httpx` {spread(walls(pairs.b))} (whole interpreter runs; {runs} pairs)."
    )
    report.figures["import", ""] = median(walls(pairs.a)) - median(walls(pairs.b))


def profile_command(proxy: Proxy, work: Path, title: str, args: list[str]) -> str:
    """A pyinstrument session of `budgettui ARGS`, summarized."""
    session = work / f"profile-{args[0]}.pyisession"
    argv = [PYTHON, "-m", "pyinstrument", "-r", "session", "-o", str(session), BUDGETTUI]
    checked(run([*argv, *args], proxy.env), f"pyinstrument {title}")
    return summarized(title, session)


def profile_dashboard(proxy: Proxy, work: Path, title: str) -> str:
    session = work / "profile-tui.pyisession"
    tui_run(proxy, "--profile", str(session))
    return summarized(title, session)


def summarized(title: str, session: Path) -> str:
    """The session's summary; the session itself (up to ~100 MB) is not kept."""
    try:
        return profile_markdown(title, summarize(session))
    finally:
        session.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# The real proxy


def real_section(report: Report, work: Path, runs: int) -> None:
    """Skipped with the reason where the dev kit cannot start a proxy; an error midway is
    reported in place (the simulator's figures are kept); the proxy is always stopped."""
    reason = real_proxy.unavailable_reason()
    if reason is not None:
        report.say(f"Skipped: {reason}.")
        return
    logs = work / "real"
    try:
        started = time.perf_counter()
        handle = real_proxy.start(logs)
        real_measurements(report, work, runs, handle, started)
    except Exception as error:  # a benchmark reports what stopped it and goes on
        report.say(f"Stopped: {type(error).__name__}: {error} (logs: {logs}.*).")
    finally:
        real_proxy.stop(logs)


def real_measurements(
    report: Report, work: Path, runs: int, handle: real_proxy.RealProxy, started: float
) -> None:
    now = now_minute()
    month = month_label(now)
    env = proxy_env(handle.url, handle.master_key, work)
    proxy = Proxy("real LiteLLM 1.108.7", handle.url, handle.master_key, env)
    real_proxy.empty()
    real_proxy.add_teams()
    real_proxy.add_tenants(0, 1_999, now)
    hashes = real_proxy.add_history(bench_tenants(heavy=True), now)
    report.say(
        f"Started and filled in {time.perf_counter() - started:.0f} s: {real_proxy.TEAMS} "
        "teams, then keys, daily activity and spend logs written straight into its database."
    )
    report.say()
    report.say(f"Month usage ({month}):")
    report.say()
    month_usage(report, proxy, hashes, month, runs)
    report.say()
    report.say("2,000 tenants:")
    report.say()
    headless = tenant_list(report, proxy, work, 2_000, runs)
    tui(report, proxy, 2_000, 1, headless, keys_lost=False)
    real_proxy.add_tenants(2_000, 19_999, now)
    report.say()
    report.say("20,000 tenants (one run each):")
    report.say()
    headless = tenant_list(report, proxy, work, 20_000, 1, warmup=0)
    tui(report, proxy, 20_000, 1, headless, keys_lost=False)


def floor(figures: Mapping[tuple[str, str], float]) -> list[str]:
    """What is left above the bare scripts, which make the same requests with nothing else: the
    proxy's answer time is their whole time, so it is the floor."""
    lines = []
    for label in ("simulator", "real LiteLLM 1.108.7"):
        for what, name in (("tenants 20000", "`tenants --json` at 20,000"), ("usage", "`usage`")):
            ours, bare = figures.get((what, label)), figures.get((f"{what} bare", label))
            if ours is None or bare is None:
                continue
            lines.append(
                f"- {name} on the {label}: the bare script's {seconds(bare)} is the floor "
                f"(the proxy answering); budgettui takes {seconds(ours)}, "
                f"{seconds(ours - bare)} above it."
            )
    if ("import", "") in figures:
        lines.append(
            f"- Of that, start-up: importing budgettui's CLI costs "
            f"{seconds(figures['import', ''])} more than importing httpx alone."
        )
    return lines


# ---------------------------------------------------------------------------------------------


def timed(title: str, step: Callable[[], None]) -> None:
    started = time.perf_counter()
    step()
    print(f"[{title}: {time.perf_counter() - started:.0f} s]", flush=True)


def bench(runs: int, skip_real: bool) -> str:
    began = time.perf_counter()
    report = Report()
    found: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="budgettui-bench-"))
    report.say(f"## `make bench`, {stamp()}")
    report.say()
    report.say(f"Machine: {machine()}.")
    report.say()
    report.say(
        "Medians of several runs (min–max in brackets); a ratio is the median of ratios taken "
        "run by run, the two commands in turn. Commands are whole processes (wall time, peak "
        "RSS from the kernel); the TUI is `make_app` driven by a Textual pilot in a child "
        "process, 120×36, `--refresh 0`, timed from the app's start. The bare scripts "
        "(`benchmarks/bare.py`) import only httpx."
    )
    report.say()
    report.say("### Simulator (served on 127.0.0.1 by uvicorn, in its own process)")
    report.say()
    probe: dict[int, list[float]] = {}
    with simulator(work, 12, heavy=True) as (proxy, hello):
        month = hello["month"]
        report.say(f"Month usage ({month}, the 12-tenant demo plus the measured tenants):")
        report.say()
        timed("usage", lambda: month_usage(report, proxy, hello["hashes"], month, runs + 2))
        timed("memory", lambda: aggregation_memory(report, proxy, month, runs))
        probe[12] = probe_usage(proxy, month, runs + 2)
        timed("idle", lambda: idle_refresh(report, proxy))
        found.append(
            profile_command(
                proxy, work, f"`usage {HEAVY}`", ["usage", HEAVY, "--month", month, "--json"]
            )
        )
    for tenants in (2_000, 20_000):
        with simulator(work, tenants) as (proxy, hello):
            report.say()
            report.say(
                f"{hello['keys']:,} keys ({tenants:,} tenants, {REQUESTS_PER_TENANT_MONTH} "
                "requests a tenant-month):"
            )
            report.say()
            # 20,000 tenants: a run takes tens of seconds, so one fewer and no warm-up.
            big = tenants >= 20_000
            some = max(1, runs - 1) if big else runs
            probe[tenants] = probe_usage(proxy, month, some, warmup=0 if big else 1)
            headless = tenant_list(report, proxy, work, tenants, some, warmup=0 if big else 1)
            tui(report, proxy, tenants, some, headless, keys_lost=big)
            # Profiled where they are furthest from their targets, and where it is cheap: the
            # headless listing sits near its floor, so 2,000 tenants say enough of it.
            if big:
                title = "the dashboard at 20,000 tenants: load, then the filter typed"
                found.append(profile_dashboard(proxy, work, title))
            else:
                title = "`tenants --json` at 2,000 tenants"
                found.append(profile_command(proxy, work, title, ["tenants", "--json"]))
    report.say()
    report.say(
        f"- One tenant's `usage` (`{PROBE}`, {PROBE_REQUESTS} requests) among 12 tenants: "
        f"{spread(probe[12])}; among 2,000: {spread(probe[2_000])}; among 20,000: "
        f"{spread(probe[20_000])} (**{median(probe[20_000]) / median(probe[12]):.2f}×** the 12)."
    )
    among = median(probe[20_000]) / median(probe[12])
    report.target(
        "`usage` of one tenant among 20,000 ≤ 1.3× among 12", f"{among:.2f}×", among <= 1.3
    )
    import_times(report, runs + 2)
    report.say()
    report.say("### Real LiteLLM 1.108.7 (port 4200, database litellm_bench)")
    report.say()
    if skip_real:
        report.say("Skipped: `--skip-real`.")
    else:
        real_section(report, work, runs)
    report.say()
    report.say("### Where the time goes (pyinstrument, self time by package)")
    report.say()
    for line in found:
        report.say(line)
    report.say()
    report.say("### The floor")
    report.say()
    for line in floor(report.figures):
        report.say(line)
    report.say()
    report.say("### Targets (issue 10)")
    report.say()
    report.say("| target | measured | |")
    report.say("|---|---|---|")
    for what, measured, verdict in report.targets:
        report.say(f"| {what} | {measured} | {verdict} |")
    report.say()
    report.say(f"`make bench` took {(time.perf_counter() - began) / 60:.1f} min.")
    return "\n".join(report.lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (more where cheap)")
    parser.add_argument("--skip-real", action="store_true", help="the simulator only")
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    body = bench(args.runs, args.skip_real)
    if args.write:
        write_section(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
