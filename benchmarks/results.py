"""The machine a benchmark ran on, and `make bench`'s own section of benchmarks/RESULTS.md
(between its markers; the soak's section and the prose around them are left as they are)."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1]
    except OSError:
        return None
    return None


def machine() -> str:
    memory = _first("/proc/meminfo", "MemTotal")
    ram = f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB RAM" if memory else "RAM unknown"
    system = (_first("/etc/os-release", "PRETTY_NAME=") or platform.system()).strip('"')
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "CPU unknown"
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), {ram}, Python {sys.version.split()[0]}, "
        f"{system} (kernel {platform.release()}); load average at the start {load}"
    )


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def replace_section(text: str, body: str) -> str:
    """`text` with its bench section (markers included) replaced by `body`, or `body` added at
    the end when it has none."""
    section = f"{START}\n{body.strip()}\n{END}"
    if START in text and END in text:
        return text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    return text.rstrip() + "\n\n" + section + "\n"


def write_section(body: str, path: Path = RESULTS) -> None:
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(current, body))
