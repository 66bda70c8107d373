"""The headless commands as a script runs them, in a process of their own (`python -m
budgettui`, default retry policy): a fault is exit 1 and one line on stderr, never a traceback,
never the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.faults.conftest import MASTER_KEY, Proxy

# `python -m budgettui`, but with the fast retry policy (the CLI has no flag for it), for the
# cases whose retries would otherwise take seconds.
FAST_MAIN = (
    "import sys; from budgettui.cli import main as cli; from budgettui.proxy.transport import "
    "ConnectionOptions, RetryPolicy; cli.ConnectionOptions = lambda **kw: ConnectionOptions("
    "retry=RetryPolicy(attempts=3, base_delay=0.01), **kw); sys.exit(cli.main())"
)


def _run(
    url: str, tmp_path: Path, *argv: str, entry: tuple[str, ...] = ("-m", "budgettui")
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LITELLM_PROXY_API_KEY": MASTER_KEY,
        "XDG_DATA_HOME": str(tmp_path),
        "PYTHONWARNINGS": "error",  # a warning printed on the way out would be a second line
    }
    env.pop("LITELLM_PROXY_URL", None)
    return subprocess.run(
        [sys.executable, *entry, "--proxy-url", url, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


def _assert_one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert MASTER_KEY not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_proxy_down(down_proxy: Proxy, tmp_path: Path) -> None:
    result = _run(down_proxy.url, tmp_path, "tenants", "--json", entry=("-c", FAST_MAIN))
    _assert_one_line(result, "budgettui: Proxy unavailable: could not connect to 127.0.0.1")


def test_a_body_of_the_wrong_shape_and_malformed_json(proxy: Proxy, tmp_path: Path) -> None:
    proxy.faults.wrong_shape_paths.append("/key/list")
    _assert_one_line(_run(proxy.url, tmp_path, "tenants", "--csv"), "Unexpected answer")
    proxy.faults.reset()
    proxy.faults.malformed_body_paths.append("/user/daily/activity")
    result = _run(proxy.url, tmp_path, "usage", "acme-web", "--json")
    _assert_one_line(result, "did not answer with JSON")
