"""TLS is verified unless the user says otherwise, loudly: `--ca-bundle PATH` trusts a private
CA, `--insecure` turns verification off with a warning and is never the default, and a plain
`http://` proxy that is not on this machine gets a warning too. Checked against the simulator
served over HTTPS with a self-signed certificate made for the test."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from budgettui.cli import main as cli
from budgettui.proxy.transport import ConnectionOptions
from budgettui.services.settings import Secret, Settings, SettingsError
from budgettui.simulator import DEMO_KEYS, create_app, demo_store
from budgettui.simulator.server import serve_in_thread
from budgettui.ui.screens.error import ErrorScreen
from tests.security.support import FAST, Cli, build_app
from tests.uihelpers import NOW, settle, table_names

MASTER = DEMO_KEYS["master"]
INSECURE_WARNING = "warning: --insecure: TLS certificates are NOT verified"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test's private CA, in effect)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def https_proxy(certificate: tuple[Path, Path]) -> Iterator[str]:
    with serve_in_thread(create_app(demo_store(NOW)), tls=certificate) as url:
        yield url


# ---------------------------------------------------------------------------------------------
# Defaults


def test_verification_is_on_by_default() -> None:
    assert ConnectionOptions().verify is True
    assert Settings("https://litellm.example.com", Secret("sk-x")).connection.verify is True
    args = cli.build_parser().parse_args(["--proxy-url", "https://h.example.com", "tenants"])
    assert args.insecure is False
    assert args.ca_bundle is None
    settings, _ = cli._settings(args, NOW, demo=False)  # the key comes from the environment (below)
    assert settings.connection.verify is True
    assert settings.warnings() == []


@pytest.fixture(autouse=True)
def _a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITELLM_PROXY_API_KEY", MASTER)


def test_the_client_verifies_certificates_and_host_names() -> None:
    from budgettui.services.connect import make_client

    client = make_client(Settings("https://h.example.com", Secret("sk-x")))
    context: ssl.SSLContext = client._http._http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True


# ---------------------------------------------------------------------------------------------
# Against an HTTPS proxy with a private CA


def test_an_unknown_ca_is_refused_without_a_traceback(run_cli: Cli, https_proxy: str) -> None:
    result = run_cli("--api-key", MASTER, "--proxy-url", https_proxy, "tenants")
    assert result.code == 1
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "CERTIFICATE_VERIFY_FAILED" in lines[0] or "certificate" in lines[0].lower()
    assert "Traceback" not in result.err


def test_ca_bundle_trusts_a_private_ca(
    run_cli: Cli, https_proxy: str, certificate: tuple[Path, Path]
) -> None:
    cert, _ = certificate
    result = run_cli(
        "--api-key",
        MASTER,
        "--proxy-url",
        https_proxy,
        "--ca-bundle",
        str(cert),
        "tenants",
        "--json",
    )
    assert result.code == 0, result.err
    assert result.err == ""  # verified: nothing to warn about
    assert '"tenant": "acme-web"' in result.out
    # After the subcommand too.
    result = run_cli(
        "--api-key", MASTER, "--proxy-url", https_proxy, "tenants", "--ca-bundle", str(cert)
    )
    assert result.code == 0, result.err


def test_insecure_works_and_says_so_loudly(run_cli: Cli, https_proxy: str) -> None:
    result = run_cli("--api-key", MASTER, "--proxy-url", https_proxy, "--insecure", "tenants")
    assert result.code == 0, result.err
    assert INSECURE_WARNING in result.err.splitlines()


@pytest.mark.parametrize(
    ("bundle", "rule"),
    [
        ("/no/such/bundle.pem", "--ca-bundle: no such file"),
        ("NOT-A-PEM", "is not a readable PEM file of CA certificates"),
    ],
)
def test_a_ca_bundle_that_cannot_be_used_is_a_usage_error(
    run_cli: Cli, https_proxy: str, tmp_path: Path, bundle: str, rule: str
) -> None:
    if bundle == "NOT-A-PEM":
        junk = tmp_path / "junk.pem"
        junk.write_text("this is not a certificate\n")
        bundle = str(junk)
    result = run_cli(
        "--api-key", MASTER, "--proxy-url", https_proxy, f"--ca-bundle={bundle}", "tenants"
    )
    assert result.code == 2, result.err
    assert rule in result.err
    assert "Traceback" not in result.err


def test_settings_refuse_an_unusable_ca_bundle(tmp_path: Path) -> None:
    options = ConnectionOptions(verify=str(tmp_path / "missing.pem"))
    with pytest.raises(SettingsError, match="no such file"):
        Settings("https://h.example.com", Secret("sk-x"), options)


async def test_the_dashboard_verifies_too(
    tmp_path: Path, https_proxy: str, certificate: tuple[Path, Path]
) -> None:
    refused = build_app(tmp_path, demo_store(NOW), MASTER, url=https_proxy, options=FAST)
    async with refused.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(refused.screen, ErrorScreen)
        assert "certificate" in refused.screen.error.message.lower()
    trusted = ConnectionOptions(verify=str(certificate[0]), retry=FAST.retry)
    app = build_app(tmp_path, demo_store(NOW), MASTER, url=https_proxy, options=trusted)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "acme-web" in table_names(app)


# ---------------------------------------------------------------------------------------------
# Plain http


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://litellm.example.com", True),
        ("http://10.1.2.3:4000", True),
        ("http://[2001:db8::1]:4000", True),
        ("http://127.0.0.1:4000", False),
        ("http://127.8.9.10", False),
        ("http://localhost:4000", False),
        ("http://localhost.:4000", False),
        ("http://localhost.example.com", True),
        ("http://[::1]:4000", False),
        ("https://litellm.example.com", False),
    ],
)
def test_plain_http_to_another_host_is_warned_about(url: str, warned: bool) -> None:
    notes = Settings(url, Secret("sk-x")).warnings()
    assert bool(notes) is warned
    if warned:
        assert "plain http" in notes[0]
        assert "unencrypted" in notes[0]


def _interface_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


def test_the_cli_prints_the_plain_http_warning(run_cli: Cli) -> None:
    address = _interface_address()
    if address is None:
        pytest.skip("no non-loopback interface to serve on")
    with serve_in_thread(create_app(demo_store(NOW)), host=address, port=0) as url:
        result = run_cli("--api-key", MASTER, "--proxy-url", url, "tenants")
        local = run_cli(
            "--api-key", MASTER, "--proxy-url", url.replace(address, "127.0.0.1"), "tenants"
        )
    assert result.code == 0, result.err
    host = url.removeprefix("http://")
    assert result.err.splitlines() == [
        f"warning: {host} is reached over plain http: the API key crosses the network unencrypted"
    ]
    assert local.code == 1  # nothing listens on 127.0.0.1 there; and no warning either
    assert "warning" not in local.err
