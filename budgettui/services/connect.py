"""Where a connection to a proxy is made: the client for a real proxy, or, for `--demo`, an
in-process transport onto a freshly seeded simulator.

This is the one module of the layers above the simulator that may import it (an import-linter
contract says so): the simulator is a fake LiteLLM, and only the demo and the tests talk to it.
Nothing here imports Textual: the headless commands connect here too and must start fast.
"""

from __future__ import annotations

import sys
from datetime import datetime

import httpx

from budgettui.proxy.client import LiteLLMClient
from budgettui.services.settings import Secret, Settings

DEMO_URL = "http://demo.budgettui.invalid"  # never resolved: requests go to the in-process app
DEMO_ROLES = ("master", "proxy_admin_viewer", "team_admin", "internal_user", "internal_user_viewer")
# The releases `--demo` can reproduce: the simulator's `SUPPORTED_VERSIONS`, named here so that
# the command line can offer them without importing the simulator.
DEMO_LITELLM_VERSIONS = ("1.84.10", "1.108.7")


def make_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> LiteLLMClient:
    return LiteLLMClient(
        settings.proxy_url, settings.api_key.reveal(), settings.connection, transport=transport
    )


def demo_settings(
    now: datetime, role: str = "master", *, litellm_version: str | None = None
) -> tuple[Settings, httpx.AsyncBaseTransport]:
    """Settings and an in-process transport onto a freshly seeded simulator, as `role`,
    reproducing `litellm_version` (one of `DEMO_LITELLM_VERSIONS`, or its major.minor; the
    newest when None). ValueError names the supported ones for any other."""
    from budgettui.simulator import DEMO_KEYS, SUPPORTED_VERSIONS, create_app, demo_store

    version = litellm_version or SUPPORTED_VERSIONS[-1]
    app = create_app(demo_store(now), litellm_version=version)
    settings = Settings(proxy_url=DEMO_URL, api_key=Secret(DEMO_KEYS[role]))
    return settings, httpx.ASGITransport(app=app)


def serve_demo(port: int, now: datetime) -> None:
    """Serve the demo simulator on 127.0.0.1 until interrupted (`budgettui demo-server`),
    after printing each demo role's key so that another client can connect as that role."""
    # The server module imports uvicorn, which only this command needs.
    from budgettui.simulator import DEMO_KEYS, Faults, demo_store, server

    print(f"budgettui demo server: http://127.0.0.1:{port}")
    for role, key in DEMO_KEYS.items():
        print(f"  {role:<22} {key}")
    sys.stdout.flush()
    server.run_server(demo_store(now), Faults(), host="127.0.0.1", port=port)
