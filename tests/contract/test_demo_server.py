"""`budgettui demo-server` serves the simulator on 127.0.0.1 and prints its URL and keys;
`--demo` connects in-process to the release asked for."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from budgettui.services.connect import DEMO_LITELLM_VERSIONS, demo_settings, make_client
from budgettui.simulator import SUPPORTED_VERSIONS
from tests.contract.conftest import NOW


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


@pytest.mark.parametrize(("asked", "served"), [(None, "1.108.7"), ("1.84", "1.84.10")])
async def test_the_demo_reproduces_the_litellm_release_asked_for(
    asked: str | None, served: str
) -> None:
    settings, transport = demo_settings(NOW, "internal_user", litellm_version=asked)
    async with make_client(settings, transport) as client:
        assert (await client.capabilities()).version == served
    assert served in DEMO_LITELLM_VERSIONS
    assert DEMO_LITELLM_VERSIONS == SUPPORTED_VERSIONS


def test_an_unsupported_demo_release_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"supported: 1\.84\.10, 1\.108\.7"):
        demo_settings(NOW, litellm_version="1.90")
