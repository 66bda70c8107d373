"""Whole commands timed as processes: wall time and peak memory (the kernel's max RSS of the
finished child, from `wait4`), two commands in turn (A B A B …) so that their ratio is taken pair
by pair while the machine's speed drifts, and the background servers the benchmark starts.

Output goes to files, never through a pipe: a chatty child cannot stall on a full pipe, and a
server that outlives a run cannot hold one open."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Finished:
    wall: float  # seconds
    peak_mb: float  # the child's max RSS
    code: int
    stdout: str
    stderr: str


# Runs the command and writes "max-RSS-KiB exit-code wall-seconds" to the file argv[1]. A child
# of the benchmark itself would report the benchmark's own RSS as its peak (Linux keeps the
# high-water mark of the memory a child had before `exec`), so each command is started from
# this small launcher instead (`-S`: about 10 MB, below any peak measured here).
_LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {wall}")
"""


def run(
    argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 600
) -> Finished:
    """Run `argv` to its end (its process group killed after `timeout` seconds)."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        figures = Path(scratch) / "figures"
        launcher = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, str(figures), *argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=dict(env) if env is not None else None,
            cwd=ROOT,
            close_fds=True,
            start_new_session=True,
        )
        try:
            launcher.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
            raise RuntimeError(f"{argv[0]} … still running after {timeout:.0f} s") from None
        out.seek(0)
        err.seek(0)
        if not figures.exists():
            raise RuntimeError(f"the launcher failed: {err.read().strip()[-1000:]}")
        peak_kib, code, wall = figures.read_text().split()
        return Finished(float(wall), int(peak_kib) / 1024, int(code), out.read(), err.read())


def checked(finished: Finished, what: str, ok_codes: tuple[int, ...] = (0,)) -> Finished:
    if finished.code not in ok_codes:
        raise RuntimeError(f"{what} exited {finished.code}: {finished.stderr.strip()[-2000:]}")
    return finished


@dataclass(frozen=True)
class Paired:
    """Runs of A and B in turn; `ratios` are A/B pair by pair."""

    a: list[Finished]
    b: list[Finished]

    @property
    def ratios(self) -> list[float]:
        return [x.wall / y.wall for x, y in zip(self.a, self.b, strict=True)]


def paired(
    a: Sequence[str],
    b: Sequence[str],
    env: Mapping[str, str],
    runs: int,
    *,
    warmup: int = 1,
    ok_codes: tuple[int, ...] = (0,),
) -> Paired:
    for _ in range(warmup):
        checked(run(a, env), " ".join(a[:4]), ok_codes)
        checked(run(b, env), " ".join(b[:4]), ok_codes)
    result = Paired([], [])
    for _ in range(runs):
        result.a.append(checked(run(a, env), " ".join(a[:4]), ok_codes))
        result.b.append(checked(run(b, env), " ".join(b[:4]), ok_codes))
    return result


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def walls(runs: Sequence[Finished]) -> list[float]:
    return [finished.wall for finished in runs]


@contextmanager
def background(
    argv: Sequence[str], ready: Path, logs: Path, timeout: float = 180
) -> Iterator[dict[str, Any]]:
    """Start a server that writes its JSON hello to `ready`; yield the hello; SIGTERM it (by its
    pid) on the way out. Its output goes to `logs`.{out,err}, its stdin is /dev/null."""
    ready.unlink(missing_ok=True)
    with open(f"{logs}.out", "w") as out, open(f"{logs}.err", "w") as err:
        child = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=ROOT, close_fds=True
        )
    try:
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{argv[-1]} did not start: see {logs}.err")
            time.sleep(0.1)
        yield json.loads(ready.read_text())
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
