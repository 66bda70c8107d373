"""The benchmark's measuring tools count what they say (no timing is asserted here)."""

from __future__ import annotations

import os
import sys

from benchmarks.processes import p95, run
from benchmarks.results import END, START, replace_section
from benchmarks.terminal import in_terminal


def test_the_terminal_counter_counts_every_byte_written() -> None:
    with in_terminal(["printf", "hello, terminal"], os.environ) as output:
        assert output.ended.wait(10)
    assert output.total == len("hello, terminal")


def test_the_terminal_has_the_size_asked_for() -> None:
    with in_terminal(["stty", "size"], os.environ, size=(120, 36)) as output:
        assert output.ended.wait(10)
    assert output.total == len("36 120\r\n")


def test_a_commands_peak_memory_is_its_own() -> None:
    """Not the benchmark's: a child forked from a big process would inherit its high-water mark."""
    ballast = b"1" * (150 * 1024 * 1024)  # written, so resident: this process is over 150 MB
    small = run([sys.executable, "-S", "-c", "pass"])
    big = run([sys.executable, "-S", "-c", "ballast = b'1' * (100 * 1024 * 1024)"])
    del ballast
    assert small.code == big.code == 0
    assert small.peak_mb < 60
    assert big.peak_mb > 100


def test_p95_is_the_nearest_rank() -> None:
    assert p95([float(value) for value in range(1, 101)]) == 95
    assert p95([0.3]) == 0.3


def test_the_bench_section_is_replaced_and_the_soaks_kept() -> None:
    soak = "<!-- soak:start -->\nsoak figures\n<!-- soak:end -->"
    first = replace_section(f"# Benchmarks\n\n{soak}\n", "run one")
    second = replace_section(first, "run two")
    assert soak in second
    assert f"{START}\nrun two\n{END}" in second
    assert "run one" not in second
