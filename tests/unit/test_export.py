"""The dashboard's export (`e`) and copy (`y`): files parsed back hold the rows the table shows,
in its order, with the columns and values `budgettui tenants/usage --csv/--json` print; names
safe on any file system; nothing overwritten."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from budgettui.cli.main import main
from budgettui.domain.listing import Group, SortKey, build_groups
from budgettui.domain.tenants import Tenant, assemble_tenants
from budgettui.domain.usage import Month, MonthUsage
from budgettui.proxy.models import Caller, Key, Team
from budgettui.services.connect import demo_settings, make_client
from budgettui.services.export import (
    ExportError,
    ExportFormat,
    copy_text,
    export_tenants,
    export_usage,
    safe_name_part,
)
from budgettui.services.loading import Overview, load_month_usage, load_overview
from budgettui.simulator import DEMO_KEYS

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
LOCAL_NOW = datetime(2026, 11, 20, 15, 30, 5)  # the admin's wall clock, in the file name


def demo_overview() -> Overview:
    """Synchronous, as the tests that compare with `main` (which runs its own loop) are."""

    async def load() -> Overview:
        settings, transport = demo_settings(NOW)
        async with make_client(settings, transport) as client:
            return await load_overview(client, NOW, settings.threshold)

    return asyncio.run(load())


def demo_usage(name: str) -> tuple[Tenant, MonthUsage, str | None]:
    async def load() -> tuple[Tenant, MonthUsage, str | None]:
        settings, transport = demo_settings(NOW)
        async with make_client(settings, transport) as client:
            overview = await load_overview(client, NOW, settings.threshold)
            tenant = next(t for t in overview.tenants if t.name == name)
            month = Month.of(NOW.date())
            usage = await load_month_usage(client, overview.caller, tenant, month)
            return tenant, usage, overview.capabilities.version

    return asyncio.run(load())


def printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    main(argv, now=NOW)
    return capsys.readouterr().out


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_tenants_file_holds_the_tables_rows_as_tenants_prints_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: ExportFormat
) -> None:
    overview = demo_overview()
    # What the table shows after `/acme` and a sort by spend: not the headless order.
    groups = build_groups(overview.tenants, query="acme", sort=SortKey.SPEND, today=NOW.date())
    shown = [row.tenant.name for group in groups for row in group.rows]
    assert 1 < len(shown) < len(overview.tenants)

    path = export_tenants(groups, fmt, host="proxy.example:4000", now=LOCAL_NOW, directory=tmp_path)

    assert path == tmp_path / f"budgettui-tenants-proxy.example-4000-20261120-153005.{fmt}"
    headless = printed(["tenants", "--demo", f"--{fmt}"], capsys)
    if fmt == "csv":
        exported, everyone = csv_rows(path.read_text()), csv_rows(headless)
    else:
        exported, everyone = json.loads(path.read_text()), json.loads(headless)
    by_name = {record["tenant"]: record for record in everyone}
    assert [record["tenant"] for record in exported] == shown
    assert exported == [by_name[name] for name in shown]  # same columns, same values


def test_the_tenants_csv_is_byte_for_byte_what_the_command_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Same bytes (CRLF rows, the final newline), so a script's diff of the two is empty."""
    overview = demo_overview()
    headless = printed(["tenants", "--demo", "--csv"], capsys)
    order = {name["tenant"]: i for i, name in enumerate(csv_rows(headless))}
    groups = build_groups(overview.tenants, today=NOW.date())
    # Put the table's rows in the command's order: only the order may differ.
    tenants = sorted((row for g in groups for row in g.rows), key=lambda r: order[r.tenant.name])
    path = export_tenants(
        [Group(None, tenants)], "csv", host="h", now=LOCAL_NOW, directory=tmp_path
    )
    assert path.read_bytes() == headless.encode("utf-8")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_usage_file_holds_the_month_as_usage_prints_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: ExportFormat
) -> None:
    tenant, usage, version = demo_usage("acme-web")
    path = export_usage(
        tenant,
        usage,
        fmt,
        now=LOCAL_NOW,
        directory=tmp_path,
        litellm_version=version,
    )
    assert path.name == f"budgettui-usage-acme-web-2026-11-20261120-153005.{fmt}"
    headless = printed(["usage", "--demo", "acme-web", f"--{fmt}"], capsys)
    assert path.read_bytes() == headless.encode("utf-8")
    if fmt == "json":
        record = json.loads(path.read_text())
        assert record["total_spend"] == pytest.approx(float(usage.total_spend), abs=5e-7)
        days = record["daily"]
    else:
        days = csv_rows(path.read_text())
    assert [day["date"] for day in days] == [d.day.isoformat() for d in usage.daily]
    # Money as the contract writes it: to a millionth of a dollar.
    assert [float(day["spend"]) for day in days] == pytest.approx(
        [float(d.spend) for d in usage.daily], abs=5e-7
    )


def test_json_gives_each_tenant_and_each_day_a_line_of_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A script can `grep` one tenant (or day) out of the JSON and still parse that line; the
    record's own fields stay one a line."""
    overview = demo_overview()
    lines = printed(["tenants", "--demo", "--json"], capsys).splitlines()
    assert (lines[0], lines[-1]) == ("[", "]")
    rows = [json.loads(line.strip().removesuffix(",")) for line in lines[1:-1]]
    assert sorted(row["tenant"] for row in rows) == sorted(t.name for t in overview.tenants)

    _, usage, _ = demo_usage("acme-web")
    text = printed(["usage", "--demo", "acme-web", "--json"], capsys)
    assert '\n  "total_spend": ' in text
    days = [
        json.loads(line.strip().removesuffix(","))
        for line in text.splitlines()
        if line.startswith('    {"date": ')
    ]
    assert [day["date"] for day in days] == [d.day.isoformat() for d in usage.daily]


def test_an_export_never_overwrites_a_file(tmp_path: Path) -> None:
    tenant, usage, _ = demo_usage("acme-web")
    taken = tmp_path / "budgettui-usage-acme-web-2026-11-20261120-153005.csv"
    taken.write_text("the admin's own notes\n")
    second = export_usage(tenant, usage, "csv", now=LOCAL_NOW, directory=tmp_path)
    third = export_usage(tenant, usage, "csv", now=LOCAL_NOW, directory=tmp_path)
    assert (second.name, third.name) == (
        "budgettui-usage-acme-web-2026-11-20261120-153005-2.csv",
        "budgettui-usage-acme-web-2026-11-20261120-153005-3.csv",
    )
    assert taken.read_text() == "the admin's own notes\n"
    assert second.read_text() == third.read_text()
    assert stat.S_IMODE(second.stat().st_mode) == 0o600  # spend is the organisation's business


def test_the_default_directory_is_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = export_tenants([], "json", host="h", now=LOCAL_NOW)
    assert path.parent == tmp_path
    assert json.loads(path.read_text()) == []


def test_a_directory_that_cannot_take_the_file_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    with pytest.raises(ExportError, match=r"cannot write .*gone.*budgettui-tenants-h-"):
        export_tenants([], "csv", host="h", now=LOCAL_NOW, directory=missing)


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("proxy.example.com:4000", "proxy.example.com-4000"),
        ("[::1]:4000", "1-4000"),
        ("../../etc/passwd", "etc-passwd"),
        ("zürich team\x1b[2J", "z-rich-team-2J"),
        ("...", "unnamed"),
        ("a" * 200, "a" * 60),
    ],
)
def test_names_in_a_file_name_keep_to_safe_characters(name: str, part: str) -> None:
    assert safe_name_part(name) == part


def test_an_alias_with_a_slash_stays_in_the_directory(tmp_path: Path) -> None:
    tenant = _tenant("../../outside/acme")
    usage = MonthUsage(Month(2026, 11), [], [])
    path = export_usage(tenant, usage, "json", now=LOCAL_NOW, directory=tmp_path)
    assert path.parent == tmp_path
    assert path.name.startswith("budgettui-usage-outside-acme-2026-11-")


def _tenant(alias: str, *, key_name: str | None = "sk-...abcd", team: bool = True) -> Tenant:
    teams = [Team.model_validate({"team_id": "team-7f3a", "team_alias": "Acme"})] if team else []
    key = {"token": "88ae0f3c9b", "key_alias": alias, "key_name": key_name}
    if team:
        key["team_id"] = "team-7f3a"
    keys = [Key.model_validate(key)]
    (tenant,) = assemble_tenants(teams, keys, Caller(user_role="proxy_admin"))
    return tenant


def test_copy_gives_alias_masked_key_name_and_team_id_tab_separated() -> None:
    assert copy_text(_tenant("acme-web")) == "acme-web\tsk-...abcd\tteam-7f3a"
    # No team, no key name: the field is there, empty, so `cut -f3` still means the team.
    assert copy_text(_tenant("solo", key_name=None, team=False)) == "solo\t\t"
    # A control character in an alias never reaches the clipboard (pasted into a terminal).
    assert "\x1b" not in copy_text(_tenant("evil\x1b]52;c;"))


def test_copy_never_holds_a_key_or_its_hash() -> None:
    overview = demo_overview()
    for tenant in overview.tenants:
        copied = copy_text(tenant)
        assert not any(secret in copied for secret in DEMO_KEYS.values())
        assert tenant.key_hash is None or tenant.key_hash not in copied
