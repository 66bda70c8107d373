"""`budgettui demo-server` serves the simulator on 127.0.0.1 and prints its URL and keys."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_server_answers_as_litellm_would() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "budgettui", "demo-server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().strip()
        assert first == f"budgettui demo server: http://127.0.0.1:{port}"
        master = server.stdout.readline().split()
        assert master[0] == "master"
        for _ in range(100):
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/management/v1/users/me",
                    headers={"Authorization": f"Bearer {master[1]}"},
                    timeout=2,
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)  # uvicorn is still binding
        assert answer.status_code == 200
        assert answer.json()["user_role"] == "proxy_admin"
    finally:
        server.terminate()
        server.wait(timeout=10)
