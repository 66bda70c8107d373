"""Two proxies and a config file naming them: `prod` (the demo's data, its listing can be held
at the second page of keys) and `staging` (a bigger, different store), plus `audit`, a
read-only context onto staging. One transport routes by host, as the network would."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from budgettui.services.config import settings_for_context
from budgettui.services.journal import Journal
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, Store, create_app, demo_store
from budgettui.simulator.seed import Scale
from budgettui.ui.app import BudgetApp, make_app
from tests.uihelpers import NOW, UTC

PROD, STAGING = "prod.budgettui.invalid", "staging.budgettui.invalid"
CONFIG = f"""\
default_context = "prod"

[contexts.prod]
url = "http://{PROD}"
api_key_env = "BT_TEST_PROD_KEY"

[contexts.staging]
url = "http://{STAGING}"
api_key_env = "BT_TEST_STAGING_KEY"

[contexts.audit]
url = "http://{STAGING}"
api_key_env = "BT_TEST_STAGING_KEY"
read_only = true
"""
STAGING_TENANTS = 150


class Proxies(httpx.AsyncBaseTransport):
    def __init__(self, stores: dict[str, Store]) -> None:
        self.apps = {host: httpx.ASGITransport(app=create_app(s)) for host, s in stores.items()}
        self.hold_prod = asyncio.Event()
        self.hold_prod.set()  # open unless a test closes it

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        later_page = request.url.params.get("page", "1") != "1"
        if host == PROD and request.url.path == "/key/list" and later_page:
            await self.hold_prod.wait()
        return await self.apps[host].handle_async_request(request)


@dataclass
class TwoProxies:
    app: BudgetApp
    proxies: Proxies
    stores: dict[str, Store]


def two_proxies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, prod_scale: int = 0
) -> TwoProxies:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("BUDGETTUI_CONFIG", str(config))
    monkeypatch.setenv("BT_TEST_PROD_KEY", DEMO_KEYS["master"])
    monkeypatch.setenv("BT_TEST_STAGING_KEY", DEMO_KEYS["master"])
    prod = demo_store(NOW, Scale(orgs=4, tenants=prod_scale)) if prod_scale else demo_store(NOW)
    staging = demo_store(
        NOW, Scale(orgs=2, tenants=STAGING_TENANTS, requests_per_tenant_per_month=1)
    )
    stores = {PROD: prod, STAGING: staging}
    proxies = Proxies(stores)
    start = Settings(
        f"http://{PROD}", api_key=Secret("replaced by the context's"), refresh_seconds=0
    )
    settings = settings_for_context("prod", start)
    app = make_app(
        settings,
        transport=proxies,
        clock=lambda: NOW,
        tz=UTC,
        journal=Journal(tmp_path / "audit.jsonl"),
    )
    return TwoProxies(app, proxies, stores)
