"""LiteLLM decides what a credential may see; budgettui asks for nothing more and shows nothing
else. For each demo role, the dashboard's table and `tenants --json` are compared with what the
simulator's own store says that role may see, worked out here from its users, teams and
memberships (LiteLLM 1.108.7's rules for `/key/list?include_team_keys=true` and
`/v2/team/list?user_id=`):

- proxy_admin (master key) and proxy_admin_viewer: every key and every team;
- anyone else: their own keys, every key of a team they are an admin of, and the shared keys
  (no owner) of a team they are a member of; the teams they are a member of.

A team that has no key at all is a "provisioning" tenant of the teams one may see. Every request
the app makes as the role succeeds and names only keys and teams the role may see. A name the
caller cannot see is "not found or not accessible", the same way whether it exists or not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from budgettui.simulator import DEMO_KEYS, Store, create_app, demo_store
from budgettui.simulator.store import hash_token
from budgettui.ui.app import BudgetApp
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.widgets.tenant_table import TenantTable
from tests.security.support import Cli, build_app, serve, svg_text
from tests.uihelpers import NOW, settle, table_names

ROLES = tuple(DEMO_KEYS)
ADMIN_VIEW = frozenset({"proxy_admin", "proxy_admin_viewer"})
NOT_FOUND = "not found or not accessible"


@dataclass(frozen=True)
class View:
    user_id: str
    keys: frozenset[str]  # key hashes
    teams: frozenset[str]  # team ids
    tenants: frozenset[tuple[str, str | None, bool]]  # (name, team id, provisioning)


def role_view(store: Store, role: str) -> View:
    """What LiteLLM lets `role`'s key see, from the store's own records."""
    raw = DEMO_KEYS[role]
    if raw == store.master_key:
        user_id, user_role = "default_user_id", "proxy_admin"
    else:
        key = store.keys[hash_token(raw)]
        assert key.user_id is not None
        user_id, user_role = key.user_id, store.users[key.user_id].user_role
    if user_role in ADMIN_VIEW:
        keys = list(store.keys.values())
        teams = set(store.teams)
    else:
        teams = {team_id for team_id, member in store.memberships if member == user_id}
        admin_of = {
            team_id
            for team_id in teams
            if user_id in store.teams[team_id].admins
            or any(
                m.user_id == user_id and m.role == "admin"
                for m in store.teams[team_id].members_with_roles
            )
        }
        keys = [
            key
            for key in store.keys.values()
            if key.user_id == user_id
            or key.team_id in admin_of
            or (key.team_id in teams and key.user_id is None)
        ]
    keyed_teams = {key.team_id for key in store.keys.values()}
    tenants = {(key.key_alias or key.key_name, key.team_id, False) for key in keys}
    tenants |= {
        (store.teams[team_id].team_alias or team_id, team_id, True)
        for team_id in teams
        if team_id not in keyed_teams
    }
    return View(
        user_id,
        frozenset(key.token for key in keys),
        frozenset(teams),
        frozenset(tenants),  # type: ignore[arg-type]
    )


def test_the_roles_see_different_things() -> None:
    """The oracle itself: the five demo roles make five different views, all non-empty."""
    store = demo_store(NOW)
    views = {role: role_view(store, role) for role in ROLES}
    assert views["master"].tenants == views["proxy_admin_viewer"].tenants
    narrow = [views[role].tenants for role in ("team_admin", "internal_user")]
    assert all(0 < len(view) < len(views["master"].tenants) for view in narrow)
    assert views["internal_user_viewer"].tenants
    assert len({views[role].tenants for role in ROLES[1:]}) == 4


def _requests_of(store: Store, view: View) -> list[str]:
    """Every request the role made: it must have succeeded and name only what it may see."""
    made = [r for r in store.requests if r.caller == view.user_id]
    assert made
    for request in made:
        assert request.status < 400, (request.path, request.status)
        assert request.method == "GET", request.path
        for name, value in parse_qsl(request.query):
            if name in ("api_key", "key", "key_hash"):
                assert value in view.keys, (request.path, name)
            elif name in ("team_id", "team_ids"):
                assert set(value.split(",")) <= view.teams, (request.path, name)
            elif name == "user_id":
                assert value == view.user_id, request.path
    return [f"{r.method} {r.path}" for r in made]


def _table_view(app: BudgetApp) -> set[tuple[str, str | None, bool]]:
    """The tenant rows of the dashboard, as (name, team id, provisioning)."""
    overview = app.session.overview
    assert overview is not None
    table = app.screen.query_one(TenantTable)
    shown = set(table.row_keys())
    rows = set()
    for tenant in overview.tenants:
        key = f"key:{tenant.key_hash}" if tenant.key_hash else f"new:{tenant.org.team_id}"  # type: ignore[union-attr]
        if key in shown:
            rows.add((tenant.name, tenant.org.team_id if tenant.org else None, tenant.provisioning))
    assert len(rows) == len([k for k in shown if k.startswith(("key:", "new:"))])
    return rows


@pytest.mark.parametrize("role", ROLES)
async def test_the_dashboard_shows_what_the_role_may_see(tmp_path: Path, role: str) -> None:
    store = demo_store(NOW)
    view = role_view(store, role)
    app = build_app(tmp_path, store, DEMO_KEYS[role])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _table_view(app) == view.tenants
        names = table_names(app)
        assert {name for name, _, _ in view.tenants} <= set(names)
        # Open the first tenant with a key: its usage is asked for with what may be seen.
        first = next(t for t in app.session.overview.tenants if t.key_hash)  # type: ignore[union-attr]
        table = app.screen.query_one(TenantTable)
        row = table.row_index(f"key:{first.key_hash}")
        assert row is not None
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TenantScreen)
    _requests_of(store, view)


@pytest.mark.parametrize("role", ROLES)
def test_tenants_json_and_usage_show_what_the_role_may_see(run_cli: Cli, role: str) -> None:
    store = demo_store(NOW)
    view = role_view(store, role)
    with serve(create_app(store)) as url:
        auth = ("--proxy-url", url, "--api-key", DEMO_KEYS[role])
        listed = run_cli(*auth, "tenants", "--json")
        assert listed.code == 0, listed.err
        records = json.loads(listed.out)
        shown = {(r["tenant"], r["team_id"], r["provisioning"]) for r in records}
        assert shown == view.tenants
        for name, _, provisioning in sorted(view.tenants, key=str)[:6]:
            usage = run_cli(*auth, "usage", "--json", "--", name)
            record = json.loads(usage.out)
            # 3: printed, but partial (LiteLLM hides the usage of keys the role does not own).
            assert usage.code == (3 if record["partial"] else 0), usage.err
            assert record["tenant"] == name
            assert provisioning or record["budget"] is not None
    _requests_of(store, view)


# ---------------------------------------------------------------------------------------------
# Hidden or missing: the same answer

NARROW_ROLES = ("team_admin", "internal_user", "internal_user_viewer")


def _hidden(store: Store, role: str) -> tuple[str, str]:
    """A tenant and an org that exist but that `role` may not see."""
    view = role_view(store, role)
    tenant = sorted(
        k.key_alias for k in store.keys.values() if k.token not in view.keys and k.key_alias
    )[0]
    org = sorted(str(t.team_alias) for t in store.teams.values() if t.team_id not in view.teams)[0]
    return tenant, org


def _missing(name: str) -> str:
    """A name of the same length that exists nowhere."""
    return "q" * len(name)


COMMANDS = (
    ("usage", "{}"),
    ("usage", "--month", "2026-10", "--json", "{}"),
    ("budget", "set", "--max-budget", "5", "{}"),
    ("spend", "reset", "--yes", "{}"),
)


@pytest.mark.parametrize("role", NARROW_ROLES)
def test_a_hidden_name_and_a_missing_one_get_the_same_answer(run_cli: Cli, role: str) -> None:
    store = demo_store(NOW)
    hidden_tenant, hidden_org = _hidden(store, role)
    cases = [(command, hidden_tenant) for command in COMMANDS]
    cases.append((("budget", "set-org", "--max-budget", "5", "{}"), hidden_org))
    with serve(create_app(store)) as url:
        auth = ("--proxy-url", url, "--api-key", DEMO_KEYS[role])
        for command, hidden in cases:
            answers = []
            for name in (hidden, _missing(hidden)):
                before = len(store.requests)
                argv = [part if part != "{}" else "--" for part in command] + [name]
                result = run_cli(*auth, *argv)
                made = [f"{r.method} {r.path}" for r in store.requests[before:]]
                answers.append((result.code, result.out, result.err.replace(name, "NAME"), made))
            assert answers[0] == answers[1], (command, answers)
            code, out, err, made = answers[0]
            assert (code, out) == (1, "")
            assert err.strip().endswith(NOT_FOUND)
            assert all(call.startswith("GET ") for call in made)


def _screen_without(app: BudgetApp, name: str) -> str:
    return svg_text(app.export_screenshot()).replace(repr(name), "NAME").replace(name, "NAME")


@pytest.fixture
def internal_user_app(tmp_path: Path) -> tuple[BudgetApp, str]:
    store = demo_store(NOW)
    hidden, _ = _hidden(store, "internal_user")
    return build_app(tmp_path, store, DEMO_KEYS["internal_user"]), hidden


async def _filter_for(app: BudgetApp, pilot: object, name: str) -> str:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("slash", *name[:2])
    app.screen.query_one("#filter", Input).value = name  # the rest, as if pasted
    await pilot.pause()
    assert [n for n in table_names(app) if n != "(no org)"] == []
    screen = _screen_without(app, name)
    await pilot.press("escape")
    return screen


async def test_the_filter_does_not_tell_hidden_from_missing(
    internal_user_app: tuple[BudgetApp, str],
) -> None:
    app, hidden = internal_user_app
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert hidden not in table_names(app)
        shown = [await _filter_for(app, pilot, name) for name in (hidden, _missing(hidden))]
    assert shown[0] == shown[1]


async def test_the_filter_says_not_found_or_not_accessible(
    internal_user_app: tuple[BudgetApp, str],
) -> None:
    app, hidden = internal_user_app
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert NOT_FOUND in await _filter_for(app, pilot, hidden)


async def _palette_for(app: BudgetApp, pilot: object, name: str) -> list[str]:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*name[:2])
    app.screen.query_one(Input).value = name  # the rest, as if pasted
    await settle(pilot)  # the palette's search is a worker
    options = app.screen.query_one(OptionList)
    prompts = [
        str(options.get_option_at_index(i).prompt).replace(name, "NAME")
        for i in range(options.option_count)
    ]
    prompts.append(_screen_without(app, name))
    await pilot.press("escape")
    await pilot.pause()
    return prompts


async def test_the_palette_does_not_tell_hidden_from_missing(
    internal_user_app: tuple[BudgetApp, str],
) -> None:
    app, hidden = internal_user_app
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        shown = [await _palette_for(app, pilot, name) for name in (hidden, _missing(hidden))]
    assert shown[0] == shown[1]
    assert not any(hidden in line for line in shown[0])


async def test_the_palette_says_not_found_or_not_accessible(
    internal_user_app: tuple[BudgetApp, str],
) -> None:
    app, hidden = internal_user_app
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        shown = await _palette_for(app, pilot, hidden)
    assert any(NOT_FOUND in line for line in shown)
