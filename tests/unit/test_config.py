"""The config file as read by `services.config`: its fields, its errors (each with its line),
where the proxy and key come from (flags > environment > file), the key sources, and a
read-only context that sends nothing."""

from __future__ import annotations

import re
import shutil
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import certifi
import httpx
import pytest

from budgettui.domain.validation import BudgetDraft
from budgettui.services.config import (
    Config,
    ConfigError,
    Flags,
    list_contexts,
    load_config,
    resolve_settings,
    settings_for_context,
)
from budgettui.services.connect import make_client
from budgettui.services.edits import Editor, ReadOnlyContext
from budgettui.services.journal import Journal
from budgettui.services.loading import load_overview, resolve_tenant
from budgettui.services.settings import Secret, Settings, SettingsError
from budgettui.simulator import DEMO_KEYS, create_app, demo_store

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
CANARY = "sk-canary-7f3a9c"

TWO_CONTEXTS = """\
default_context = "prod"
threshold = 90
refresh = 15
timezone = "Europe/Berlin"
theme = "nord"

[contexts.prod]
url = "https://litellm.example.com"
api_key_env = "PROD_KEY"
read_only = true

[contexts.staging]
url = "http://localhost:4000/"
api_key_env = "STAGING_KEY"

[keys]
"tenants.filter" = "f"
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.lines()


def loaded(path: Path) -> Config:
    config = load_config(path)
    assert config is not None
    return config


def test_a_file_with_every_field_is_read(tmp_path: Path) -> None:
    config = loaded(write(tmp_path, TWO_CONTEXTS))
    assert config.default_context == "prod"
    assert config.threshold == Decimal("0.9")  # the file says a percent
    assert config.refresh == 15
    assert config.timezone == ZoneInfo("Europe/Berlin")
    assert config.theme == "nord"
    assert config.keys == {"tenants.filter": "f"}
    assert list(config.contexts) == ["prod", "staging"]
    assert config.contexts["prod"].read_only
    assert config.contexts["staging"].url == "http://localhost:4000"


def test_no_file_is_no_config(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml") is None


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'threshold = 80\n\n[contexts.prod\nurl = "x"\n')
    (line,) = problems(path)
    assert line.startswith(f"{path}:3: TOML syntax")


def test_every_problem_is_told_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "treshold = 80\n"  # 1: a typo
        "refresh = 0.5\n"  # 2
        'timezone = "Mars/Olympus"\n'  # 3
        "\n"
        "[contexts.prod]\n"  # 5: no key source
        'url = "ftp://litellm.example.com"\n'  # 6
        "read_onyl = true\n",  # 7
    )
    lines = problems(path)
    assert lines[0] == f"{path}:1: unknown setting 'treshold' (did you mean 'threshold'?)"
    assert [line.split(":")[1] for line in lines] == ["1", "2", "3", "5", "6", "7"]
    assert "at least 1 second" in lines[1]
    assert "IANA" in lines[2]
    assert "exactly one of api_key_env, api_key_cmd or api_key" in lines[3]
    assert "http or https" in lines[4]
    assert "did you mean 'read_only'" in lines[5]


def test_default_context_must_name_one(tmp_path: Path) -> None:
    path = write(tmp_path, 'default_context = "prd"\n' + TWO_CONTEXTS.split("\n", 1)[1])
    assert problems(path) == [f"{path}:1: default_context 'prd' names no context (prod, staging)"]


@pytest.mark.parametrize("threshold", ["0", "101", '"80"', "true"])
def test_threshold_is_a_percent(tmp_path: Path, threshold: str) -> None:
    (line,) = problems(write(tmp_path, f"threshold = {threshold}\n"))
    assert line.endswith(":1: threshold must be a percent from 1 to 100 (e.g. 80)")


# -- a key in the file ---------------------------------------------------------------------------

LITERAL = f'[contexts.prod]\nurl = "https://litellm.example.com"\napi_key = "{CANARY}"\n'


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_key_in_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, LITERAL, mode=0o644)
    (line,) = problems(path)
    assert line.startswith(f"{path}:3: contexts.prod.api_key:")
    assert f"chmod 600 {path}" in line
    assert CANARY not in line


def test_a_key_in_a_private_file_is_used(tmp_path: Path) -> None:
    config = loaded(write(tmp_path, LITERAL, mode=0o600))
    settings = resolve_settings(Flags(context="prod"), config, env={})
    assert settings.api_key.reveal() == CANARY
    assert CANARY not in repr(config) + repr(settings)


# -- flags > environment > file ------------------------------------------------------------------

ENV = {"PROD_KEY": "sk-prod", "STAGING_KEY": "sk-staging"}


def test_the_default_context_when_nothing_else_says(tmp_path: Path) -> None:
    settings = resolve_settings(Flags(), loaded(write(tmp_path, TWO_CONTEXTS)), env=ENV)
    assert (settings.proxy_url, settings.api_key.reveal()) == (
        "https://litellm.example.com",
        "sk-prod",
    )
    assert (settings.context, settings.read_only) == ("prod", True)
    assert settings.refresh_seconds == 15
    assert settings.threshold == Decimal("0.9")
    assert settings.keymap == {"tenants.filter": "f"}


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    env = {**ENV, "LITELLM_PROXY_URL": "https://env.example.com", "LITELLM_PROXY_API_KEY": "sk-e"}
    settings = resolve_settings(Flags(), loaded(write(tmp_path, TWO_CONTEXTS)), env=env)
    assert (settings.proxy_url, settings.api_key.reveal()) == ("https://env.example.com", "sk-e")
    assert (settings.context, settings.read_only) == (None, False)


def test_flags_override_the_environment(tmp_path: Path) -> None:
    env = {**ENV, "LITELLM_PROXY_URL": "https://env.example.com", "LITELLM_PROXY_API_KEY": "sk-e"}
    flags = Flags(proxy_url="https://flag.example.com", api_key="sk-f", refresh=5)
    settings = resolve_settings(flags, loaded(write(tmp_path, TWO_CONTEXTS)), env=env)
    assert (settings.proxy_url, settings.api_key.reveal()) == ("https://flag.example.com", "sk-f")
    assert settings.refresh_seconds == 5  # the flag, not the file's 15


def test_context_flag_overrides_the_environment(tmp_path: Path) -> None:
    env = {**ENV, "LITELLM_PROXY_URL": "https://env.example.com", "LITELLM_PROXY_API_KEY": "sk-e"}
    config = loaded(write(tmp_path, TWO_CONTEXTS))
    settings = resolve_settings(Flags(context="staging"), config, env=env)
    assert (settings.proxy_url, settings.api_key.reveal()) == (
        "http://localhost:4000",
        "sk-staging",
    )
    assert (settings.context, settings.read_only) == ("staging", False)


def test_a_contexts_key_never_goes_to_another_url(tmp_path: Path) -> None:
    env = {**ENV, "LITELLM_PROXY_URL": "https://elsewhere.example.com"}
    with pytest.raises(
        SettingsError, match=re.escape("no API key for https://elsewhere.example.com")
    ):
        resolve_settings(Flags(), loaded(write(tmp_path, TWO_CONTEXTS)), env=env)


def test_an_unknown_context_names_the_known_ones(tmp_path: Path) -> None:
    config = loaded(write(tmp_path, TWO_CONTEXTS))
    with pytest.raises(SettingsError, match=r"unknown context 'prd' \(.*: prod, staging\)"):
        resolve_settings(Flags(context="prd"), config, env=ENV)


def test_an_unset_key_variable_is_named(tmp_path: Path) -> None:
    config = loaded(write(tmp_path, TWO_CONTEXTS))
    with pytest.raises(SettingsError, match=r"context staging: \$STAGING_KEY is not set"):
        resolve_settings(Flags(context="staging"), config, env={})


# -- api_key_cmd ---------------------------------------------------------------------------------


def command_context(tmp_path: Path, script: str) -> Config:
    program = tmp_path / "get-key"
    program.write_text(f"#!{sys.executable}\nimport sys\n{script}\n", encoding="utf-8")
    program.chmod(0o700)
    return loaded(
        write(
            tmp_path,
            f'[contexts.prod]\nurl = "https://litellm.example.com"\n'
            f"api_key_cmd = \"'{program}' litellm/prod\"\n",
        )
    )


def test_api_key_cmd_gives_the_first_line_it_prints(tmp_path: Path) -> None:
    config = command_context(
        tmp_path, f"assert sys.argv[1] == 'litellm/prod'\nprint('  {CANARY}  \\nuser: admin')"
    )
    settings = resolve_settings(Flags(context="prod"), config, env={})
    assert settings.api_key.reveal() == CANARY


def test_a_failing_api_key_cmd_says_why_without_the_key(tmp_path: Path) -> None:
    config = command_context(
        tmp_path, f"print('{CANARY}')\nprint('not in the store', file=sys.stderr)\nsys.exit(3)"
    )
    with pytest.raises(SettingsError) as caught:
        resolve_settings(Flags(context="prod"), config, env={})
    assert "failed (exit 3): not in the store" in caught.value.message
    assert CANARY not in caught.value.message


def test_an_api_key_cmd_that_prints_nothing_is_an_error(tmp_path: Path) -> None:
    config = command_context(tmp_path, "print('   ')")
    with pytest.raises(SettingsError, match="printed no key"):
        resolve_settings(Flags(context="prod"), config, env={})


def test_a_missing_api_key_cmd_is_named(tmp_path: Path) -> None:
    config = loaded(
        write(
            tmp_path,
            '[contexts.prod]\nurl = "https://litellm.example.com"\n'
            'api_key_cmd = "no-such-program-here show x"\n',
        )
    )
    with pytest.raises(SettingsError, match="`no-such-program-here`: no such command"):
        resolve_settings(Flags(context="prod"), config, env={})


# -- for the TUI: the list of contexts, and switching ---------------------------------------------


def test_contexts_are_listed_with_the_active_one(tmp_path: Path) -> None:
    config = loaded(write(tmp_path, TWO_CONTEXTS))
    listed = [(c.name, c.url, c.read_only, c.active) for c in list_contexts("staging", config)]
    assert listed == [
        ("prod", "https://litellm.example.com", True, False),
        ("staging", "http://localhost:4000", False, True),
    ]


def test_switching_context_keeps_the_preferences(tmp_path: Path) -> None:
    config = loaded(write(tmp_path, TWO_CONTEXTS))
    current = resolve_settings(Flags(refresh=5), config, env=ENV)
    moved = settings_for_context("staging", current, config, env=ENV)
    assert (moved.proxy_url, moved.api_key.reveal()) == ("http://localhost:4000", "sk-staging")
    assert (moved.context, moved.read_only, moved.refresh_seconds) == ("staging", False, 5)


# -- a read-only context sends no write ----------------------------------------------------------


class CountingTransport(httpx.AsyncBaseTransport):
    """The simulator, counting the requests that reach it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)


async def test_a_read_only_context_refuses_a_write_and_sends_nothing(tmp_path: Path) -> None:
    transport = CountingTransport(httpx.ASGITransport(app=create_app(demo_store(NOW))))
    settings = Settings("http://demo.invalid", Secret(DEMO_KEYS["master"]), context="prod")
    journal_path = tmp_path / "audit.jsonl"
    async with make_client(settings, transport) as client:
        overview = await load_overview(client, NOW, settings.threshold)
        tenant = resolve_tenant(overview, "acme-web")
        editor = Editor(
            client, overview.caller, Journal(journal_path), "", read_only_context="prod"
        )
        transport.requests.clear()
        with pytest.raises(ReadOnlyContext, match="context prod is read-only"):
            await editor.set_key_budget(tenant, BudgetDraft(Decimal(75), "30d"))
    assert transport.requests == []
    assert not journal_path.exists()


def test_a_relative_ca_bundle_is_found_beside_the_file(tmp_path: Path) -> None:
    shutil.copy(certifi.where(), tmp_path / "ca.pem")
    body = '[contexts.prod]\nurl = "https://litellm.example.com"\napi_key_env = "PROD_KEY"\n'
    config = loaded(write(tmp_path, body + 'ca_bundle = "ca.pem"\n'))
    settings = resolve_settings(Flags(context="prod"), config, env=ENV)
    assert settings.connection.verify == str(tmp_path / "ca.pem")
    (line,) = problems(write(tmp_path, body + 'ca_bundle = "absent.pem"\n'))
    assert line.startswith(f"{tmp_path / 'config.toml'}:4: contexts.prod.ca_bundle: no such file")
