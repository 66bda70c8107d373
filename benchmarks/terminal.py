"""A command run in a pseudo-terminal of a given size, every byte it writes to the terminal
counted (the real terminal driver, not Textual's headless one)."""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class TerminalOutput:
    """Bytes written so far, and when each chunk arrived."""

    chunks: list[tuple[float, int]] = field(default_factory=list)
    ended: threading.Event = field(default_factory=threading.Event)

    @property
    def total(self) -> int:
        return sum(size for _, size in self.chunks)

    def since(self, moment: float) -> int:
        return sum(size for when, size in self.chunks if when >= moment)

    def quiet_for(self, seconds: float) -> bool:
        last = self.chunks[-1][0] if self.chunks else 0.0
        return time.monotonic() - last >= seconds


@contextmanager
def in_terminal(
    argv: Sequence[str], env: Mapping[str, str], size: tuple[int, int] = (120, 36)
) -> Iterator[TerminalOutput]:
    """Run `argv` with a pty of `size` (columns, rows) as its stdin, stdout and stderr; count what
    it writes until it ends or the block is left (then it is sent SIGTERM, by its own process
    group)."""
    leader, follower = os.openpty()
    columns, rows = size
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    child = subprocess.Popen(
        list(argv),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)},
        start_new_session=True,
        close_fds=True,
    )
    os.close(follower)
    output = TerminalOutput()

    def read() -> None:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            output.chunks.append((time.monotonic(), len(data)))
        output.ended.set()

    reader = threading.Thread(target=read, daemon=True, name="pty-reader")
    reader.start()
    try:
        yield output
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        output.ended.wait(timeout=5)
        os.close(leader)
