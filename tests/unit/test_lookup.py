"""`usage NAME`, `budget set NAME` and `spend reset NAME` find their one tenant with a few
filtered requests, whatever the deployment's size, and find the same tenant the full listing
would: same matching, same visibility, provisioning teams included."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from budgettui.cli import main as cli
from budgettui.proxy.client import LiteLLMClient
from budgettui.services.connect import DEMO_URL
from budgettui.services.loading import TenantNotFound, load_overview, resolve_tenant
from budgettui.services.lookup import TenantFinder
from budgettui.services.settings import Secret, Settings
from budgettui.simulator import DEMO_KEYS, SUPPORTED_VERSIONS, Store, create_app, demo_store
from budgettui.simulator.models import RecordedRequest
from budgettui.simulator.seed import Scale
from tests.uihelpers import NOW

THOUSANDS = Scale(tenants=3000, requests_per_tenant_per_month=1, months=1)
ROLES = tuple(DEMO_KEYS)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("LITELLM_PROXY_URL", raising=False)
    monkeypatch.delenv("LITELLM_PROXY_API_KEY", raising=False)


@pytest.fixture(scope="module")
def big_store() -> Store:
    """Thousands of tenants, read-only: tests that write seed their own."""
    return demo_store(NOW, THOUSANDS)


def serve(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    """`--demo` answers from `store` (instead of a freshly seeded small demo)."""

    def settings(
        now: datetime, role: str = "master", *, litellm_version: str | None = None
    ) -> tuple[Settings, httpx.AsyncBaseTransport]:
        app = create_app(store, litellm_version=litellm_version or SUPPORTED_VERSIONS[-1])
        return Settings(DEMO_URL, Secret(DEMO_KEYS[role])), httpx.ASGITransport(app=app)

    monkeypatch.setattr(cli, "demo_settings", settings)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), now=NOW)
    out, err = capsys.readouterr()
    return code, out, err


def key_listings(requests: list[RecordedRequest]) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in requests if r.path == "/key/list"]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_usage_among_thousands_of_tenants_takes_a_handful_of_requests(
    version: str,
    big_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serve(monkeypatch, big_store)
    big_store.requests.clear()
    code, out, _ = run(capsys, "--demo-litellm", version, "usage", "acme-web", "--json")
    assert code == 0
    assert (json.loads(out)["tenant"], json.loads(out)["org"]) == ("acme-web", "acme")
    assert len(big_store.requests) <= 8, [r.path for r in big_store.requests]
    listings = key_listings(big_store.requests)
    assert listings == [
        {
            "key_alias": ["acme-web"],
            "page": ["1"],
            "size": ["100"],
            "return_full_object": ["true"],
            "include_team_keys": ["true"],
        }
    ]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_a_tenant_in_another_case_and_a_team_still_provisioning_are_found_without_paging(
    version: str,
    big_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serve(monkeypatch, big_store)
    for name, tenant in (("ACME-WEB", "acme-web"), ("hooli", "hooli")):
        big_store.requests.clear()
        code, out, err = run(capsys, "--demo-litellm", version, "usage", name, "--json")
        assert code == 0, err
        assert json.loads(out)["tenant"] == tenant
        assert len(big_store.requests) <= 10, [r.path for r in big_store.requests]
        assert all(q.get("page", ["1"]) == ["1"] for q in key_listings(big_store.requests))


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("role", ["master", "team_admin", "internal_user"])
def test_a_hidden_tenant_and_a_missing_one_fail_in_the_same_words(
    version: str, role: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(monkeypatch, demo_store(NOW))
    demo = ("--demo-litellm", version, "--demo-as", role)
    _, listed, _ = run(capsys, *demo, "tenants", "--json")
    visible = {record["tenant"] for record in json.loads(listed)}
    every = {k.key_alias for k in demo_store(NOW).keys.values() if k.key_alias}
    hidden = sorted(every - visible)
    for name in [*hidden, "acme-webb", "no-such-tenant"]:
        code, out, err = run(capsys, *demo, "usage", name)
        assert (code, out) == (1, "")
        assert err == f"budgettui: tenant {name!r} not found or not accessible\n"
    assert hidden or role == "master"


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("role", ROLES)
async def test_every_name_finds_the_tenant_the_full_listing_finds(version: str, role: str) -> None:
    """The same Tenant, field for field (caps, org, permissions), for every name the role sees,
    in another case too, and none for a name it does not see."""
    store = demo_store(NOW, caps_showcase=True)
    app = create_app(store, litellm_version=version)
    transport = httpx.ASGITransport(app=app)
    async with LiteLLMClient(DEMO_URL, DEMO_KEYS[role], transport=transport) as client:
        overview = await load_overview(client, NOW)
        names = {t.name for t in overview.tenants}
        asked = names | {name.upper() for name in names} | {"acme", "no-such-tenant"}
        asked |= {k.key_alias for k in store.keys.values() if k.key_alias}
        for name in sorted(asked):
            finder = TenantFinder(client, NOW)
            try:
                expected = resolve_tenant(overview, name)
            except TenantNotFound:
                with pytest.raises(TenantNotFound):
                    await finder.tenant(name)
                continue
            assert await finder.tenant(name) == expected, name


class IgnoresAliasFilter(httpx.AsyncBaseTransport):
    """A proxy that drops `key_alias` from `/key/list`: it answers every key."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/key/list":
            params = request.url.params.remove("key_alias").remove("substring_matching")
            request = httpx.Request(
                request.method, request.url.copy_with(params=params), headers=request.headers
            )
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("name", ["acme-web", "ACME-web", "hooli"])
async def test_a_proxy_that_ignores_the_filter_still_gives_the_right_tenant(name: str) -> None:
    store = demo_store(NOW, Scale(tenants=250, requests_per_tenant_per_month=1, months=1))
    transport = IgnoresAliasFilter(httpx.ASGITransport(app=create_app(store)))
    async with LiteLLMClient(DEMO_URL, DEMO_KEYS["master"], transport=transport) as client:
        tenant = await TenantFinder(client, NOW).tenant(name)
        expected = resolve_tenant(await load_overview(client, NOW), name)
    assert tenant == expected
    assert tenant.name == name.lower()


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_edits_among_thousands_are_read_back_without_listing_every_key(
    version: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = demo_store(NOW, THOUSANDS)
    serve(monkeypatch, store)
    demo = ("--demo-litellm", version)
    code, out, err = run(capsys, *demo, "budget", "set", "acme-web", "--max-budget", "7")
    assert (code, err) == (0, "")
    assert out.startswith("acme-web: ")
    key = next(k for k in store.keys.values() if k.key_alias == "acme-web")
    assert key.max_budget == 7
    store.requests.clear()
    code, out, err = run(capsys, *demo, "spend", "reset", "acme-web", "--to", "0", "--yes")
    assert (code, err) == (0, "")
    assert out.strip().endswith("→ $0.00")
    assert key.spend == 0
    assert len(store.requests) <= 10, [r.path for r in store.requests]
    assert all(q.get("page", ["1"]) == ["1"] for q in key_listings(store.requests))
    code, out, _ = run(capsys, *demo, "usage", "acme-web", "--json")
    assert json.loads(out)["budget"]["max_budget"] == 7


@pytest.mark.parametrize(
    ("version", "role", "params", "aliases"),
    [
        # LiteLLM 1.108.7 `_build_key_filter_conditions`: `key_alias` narrows every key listed,
        # exactly unless `substring_matching=true` (then any case, as a substring).
        ("1.108.7", "master", {"key_alias": "ACME-WEB"}, set()),
        (
            "1.108.7",
            "master",
            {"key_alias": "ACME-WEB", "substring_matching": "true"},
            {"acme-web", "acme-web-eu"},
        ),
        ("1.108.7", "team_admin", {"key_alias": "acme-web"}, {"acme-web"}),
        # 1.84.10: admin views always match in any case as a substring (there is no
        # `substring_matching`); for anyone else the alias narrows only their own keys.
        ("1.84.10", "master", {"key_alias": "ACME-WEB"}, {"acme-web", "acme-web-eu"}),
        (
            "1.84.10",
            "team_admin",
            {"key_alias": "acme-web"},
            {"acme-admin-key", "acme-api", "acme-batch", "acme-web", "acme-web-eu"},
        ),
    ],
)
async def test_the_simulator_filters_key_alias_as_each_release_does(
    version: str, role: str, params: dict[str, str], aliases: set[str]
) -> None:
    app = create_app(demo_store(NOW), litellm_version=version)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=DEMO_URL) as http:
        answer = await http.get(
            "/key/list",
            params={**params, "return_full_object": "true", "include_team_keys": "true"},
            headers={"Authorization": f"Bearer {DEMO_KEYS[role]}"},
        )
    assert {key["key_alias"] for key in answer.json()["keys"]} == aliases
