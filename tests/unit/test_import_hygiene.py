"""The API and domain layers (and the headless commands) load without Textual; the demo runs
without uvicorn, which only `budgettui demo-server` needs (the `server` extra)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from budgettui.simulator import DEMO_KEYS, create_app, demo_store
from budgettui.simulator.server import serve_in_thread

# httpx imports its optional command line (httpx._main: click, rich, pygments) whenever click is
# installed, as it is in the dev environment (import-linter and uvicorn need it) but not in a
# plain `pip install budgettui`. Blocking that module the way a missing click does leaves what
# budgettui itself loads.
WITHOUT_HTTPX_CLI = "sys.modules['httpx._main'] = None\n"
WITHOUT_UVICORN = "sys.modules['uvicorn'] = None\n"


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter, so that nothing this test process loaded counts."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


def loaded(module: str, banned: list[str], *, before: str = "") -> str:
    """The modules of `banned` (packages included) that importing `module` loads."""
    code = (
        f"import sys\n{before}import {module}\n"
        f"banned = {banned!r}\n"
        "bad = [m for m in sys.modules if any(m == b or m.startswith(b + '.') for b in banned)]\n"
        "print(','.join(sorted(bad)))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        # httpx itself imports rich for its optional CLI when rich is installed, so only
        # Textual is checked for the client; the domain must not load httpx at all.
        ("budgettui.proxy.client", ["textual"]),
        ("budgettui.domain.tenants", ["textual", "rich", "httpx"]),
        ("budgettui.domain.usage", ["textual", "rich", "httpx"]),
        ("budgettui.domain.budget", ["textual", "rich", "httpx"]),
        ("budgettui.cli.main", ["textual"]),
        ("budgettui.simulator", ["textual", "uvicorn", "budgettui.proxy", "budgettui.domain"]),
    ],
)
def test_layer_imports(module: str, forbidden: list[str]) -> None:
    bad = loaded(module, forbidden)
    assert bad == "", f"{module} pulled in {bad}"


def test_headless_entry_point_loads_no_dashboard_server_or_click() -> None:
    """What `budgettui tenants --json` imports before it talks to the proxy: none of the
    dashboard (textual, rich), the HTTP server (uvicorn) or click."""
    bad = loaded(
        "budgettui.cli.main", ["textual", "rich", "uvicorn", "click"], before=WITHOUT_HTTPX_CLI
    )
    assert bad == "", f"budgettui.cli.main pulled in {bad}"


# What the read-only headless commands never need: the other commands' implementations (the
# parser needs only their options), which `budgettui.cli.main` imports when they run.
OTHER_COMMANDS = [
    "budgettui.cli.check_command",
    "budgettui.domain.risk",
    "budgettui.cli.edit_commands",
    "budgettui.cli.bulk_commands",
    "budgettui.services.bulk",
    "budgettui.services.edits",
    "budgettui.services.org_loading",
]


@pytest.mark.parametrize("command", [["tenants", "--json"], ["usage", "acme-web", "--json"]])
def test_a_headless_command_against_a_proxy_loads_only_what_it_needs(
    command: list[str],
) -> None:
    """The whole command, not just its imports: Textual, rich, the simulator and its server
    (starlette, uvicorn) stay out of a run against a proxy that is not the demo, and so does the
    code of the other commands (check's risk rules, the editors' writes, the org's loading)."""
    banned = ["textual", "rich", "starlette", "uvicorn", "budgettui.simulator", *OTHER_COMMANDS]
    code = (
        f"import contextlib, io, json, sys\n{WITHOUT_HTTPX_CLI}"
        "from budgettui.cli.main import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    exit_code = main({command!r})\n"
        f"banned = {banned!r}\n"
        "bad = [m for m in sys.modules if any(m == b or m.startswith(b + '.') for b in banned)]\n"
        "print(json.dumps({'code': exit_code, 'out': out.getvalue(), 'bad': sorted(bad)}))\n"
    )
    with serve_in_thread(create_app(demo_store(datetime.now(UTC)))) as url:
        env = {**os.environ, "LITELLM_PROXY_URL": url, "LITELLM_PROXY_API_KEY": DEMO_KEYS["master"]}
        result = run_python(code, env=env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["code"] == 0, result.stderr
    assert json.loads(answer["out"]), "the command printed nothing"
    assert answer["bad"] == [], f"{command} pulled in {answer['bad']}"


def test_demo_runs_without_uvicorn() -> None:
    """`--demo` serves the simulator in-process, so an install without the `server` extra runs
    it."""
    code = (
        f"import sys\n{WITHOUT_UVICORN}"
        "from budgettui.cli.main import main\n"
        "sys.exit(main(['--demo', 'tenants', '--json']))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout), "the demo listed no tenants"


def test_server_module_needs_uvicorn() -> None:
    """Without uvicorn, only the server module fails, and it names uvicorn (which is what
    `budgettui demo-server` reports)."""
    code = (
        f"import sys\n{WITHOUT_UVICORN}"
        "import budgettui.simulator\n"
        "try:\n"
        "    from budgettui.simulator import server\n"
        "except ModuleNotFoundError as missing:\n"
        "    print(missing.name)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "uvicorn"


def test_demo_server_without_uvicorn_names_the_extra() -> None:
    code = (
        f"import sys\n{WITHOUT_UVICORN}from budgettui.cli.main import main\n"
        "sys.exit(main(['demo-server', '--port', '4999']))\n"
    )
    result = run_python(code)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "budgettui demo-server needs the server extra: pip install 'budgettui[server]'"
    )
