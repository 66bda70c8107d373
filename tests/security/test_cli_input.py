"""Every command-line value is checked before it is used: a bad one is exit 2 with one message
naming the rule it breaks (never a traceback, never a silent guess), a good one is accepted.

Hypothesis feeds each argument arbitrary text plus the classics: NaN, inf, 1e309, -0, "1,000",
non-ASCII digits, control characters and 10,000-character strings. Values go in as
`--option=VALUE` (and tenant names after `--`) so argparse's own "looks like an option" rule
does not stand in front of ours.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import budgettui.simulator as simulator
from budgettui.cli import main as cli
from budgettui.domain.budget import Cap
from budgettui.domain.money import format_money
from budgettui.domain.validation import (
    ValidationError,
    parse_amount,
    parse_duration,
    parse_reset_value,
)
from budgettui.services.connect import demo_settings, make_client
from budgettui.services.loading import load_overview
from budgettui.simulator import Scale, Store
from tests.uihelpers import NOW

# ---------------------------------------------------------------------------------------------
# Inputs

CLASSICS = [
    "",
    " ",
    "0",
    "-0",
    "-0.0",
    "NaN",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "1e3",
    "1E2",
    "1,000",
    "1_000",
    "1 000",
    "1'000",
    "+5",
    "$5",
    "0x10",
    "١٢٣",  # Arabic-Indic digits
    "१२",  # Devanagari
    "１２",  # full-width
    "²",
    "5\x00",
    "\x00",
    "\t5",
    "5\n",
    "5\r",
    "\x1b[31m5",
    "\u200b5",  # zero-width space
    "\u202e5",  # right-to-left override
    "5 ",
    " 5",
    "5.",
    ".5",
    ".",
    "5..0",
    "1" * 10_000,
    "x" * 10_000,
    "0" * 9_999 + "1",
]
NEAR_NUMBER = r"[-+ ]?[0-9]{0,7}([.,][0-9]{0,8})?([eE][-+]?[0-9]{1,3})?[ a-z]?"
TEXT = st.one_of(
    st.text(max_size=24),
    st.sampled_from(CLASSICS),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Cc", "Cf", "Zs"]), max_size=8),
    st.from_regex(
        r"[-+ ]?[0-9]{0,7}([.,][0-9]{0,8})?([eE][-+]?[0-9]{1,3})?[ a-z]?", fullmatch=True
    ),
)
MONTHS = st.one_of(
    TEXT,
    st.from_regex(r" ?[0-9]{3,5}-[0-9]{1,3} ?", fullmatch=True),
    st.builds(
        lambda y, m: f"{y}-{m}",
        st.text("0123456789١٢٣", min_size=4, max_size=4),
        st.text("0123456789١", min_size=2, max_size=2),
    ),
)
URLS = st.one_of(
    TEXT,
    st.builds(
        lambda scheme, host, port, rest: f"{scheme}://{host}{port}{rest}",
        st.sampled_from(["http", "https", "HTTPS", "ftp", "javascript", ""]),
        st.one_of(st.from_regex(r"[a-z0-9_.-]{0,20}", fullmatch=True), st.text(max_size=12)),
        st.sampled_from(["", ":0", ":1", ":4000", ":65535", ":65536", ":99999", ":x", ":-1"]),
        st.sampled_from(["", "/", "/litellm", "/a b", "?q=1", "#frag", "/p?x", "\x00", "\n"]),
    ),
)
NAMES = st.one_of(TEXT, st.sampled_from(["acme-web", "ACME-WEB", "zürich-Ω", "[/]", "acme"]))
LIMITS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The end-to-end ones run a whole command per example.
E2E_LIMITS = settings(LIMITS, max_examples=40)


# ---------------------------------------------------------------------------------------------
# Running the CLI


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def message(self) -> str:
        """The last stderr line: argparse prints its usage line first."""
        lines = self.err.strip().splitlines()
        return lines[-1] if lines else ""

    def refused(self, *rule: str) -> None:
        """Exit 2, one message that names the rule, no traceback, nothing on stdout."""
        assert self.code == 2, (self.code, self.out[:200], self.err[:300])
        assert self.out == ""
        assert "Traceback" not in self.err
        assert self.message.startswith("budgettui"), self.err[:300]
        assert any(words in self.message for words in rule), (rule, self.message[:300])
        # The rule, not a 10,000-character echo of what was typed.
        assert len(self.message) < 400, self.message[:120]


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def run(*argv: str) -> Outcome:
    """`budgettui ARGV` in-process (the demo simulator is in-process too)."""
    with _captured() as (out, err):
        try:
            code = cli.main(list(argv), now=NOW)
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else 1
    return Outcome(code, out.getvalue(), err.getvalue())


def parse(*argv: str) -> tuple[Outcome, argparse.Namespace]:
    """Only the argument parsing (no command runs): the outcome and the parsed namespace."""
    with _captured() as (out, err):
        try:
            namespace = cli.build_parser().parse_args(list(argv))
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else 1
            return Outcome(code, out.getvalue(), err.getvalue()), argparse.Namespace()
    return Outcome(0, out.getvalue(), err.getvalue()), namespace


@pytest.fixture(autouse=True, scope="module")
def _isolated_and_light(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Headless writes journal to XDG_DATA_HOME: never the real one. `--demo` seeds a fresh
    simulator on every run; with a tenth of the traffic it seeds ten times faster."""
    seed = simulator.demo_store

    def light(now: datetime, scale: Scale | None = None) -> Store:
        return seed(now, scale or Scale(requests_per_tenant_per_month=20))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulator, "demo_store", light)
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
        patch.delenv("LITELLM_PROXY_URL", raising=False)
        patch.delenv("LITELLM_PROXY_API_KEY", raising=False)
        yield


# ---------------------------------------------------------------------------------------------
# Oracles: written from the rules as the help and README state them, not from the code


def plain_seconds(text: str) -> float | None:
    """ASCII digits with at most one decimal point (spaces around allowed), ≤ 32 characters."""
    body = text.strip(" ")
    if len(text) > 32 or not body or not set(body) <= set("0123456789."):
        return None
    if body.count(".") > 1 or not body.strip("."):
        return None
    return float(body)


def valid_refresh(text: str) -> float | None:
    value = plain_seconds(text)
    return value if value is not None and (value == 0 or 1 <= value <= 86_400) else None


def valid_timeout(text: str) -> float | None:
    value = plain_seconds(text)
    return value if value is not None and 0 < value <= 600 else None


def valid_month(text: str) -> str | None:
    body = text.strip(" ")
    if len(body) != 7 or body[4] != "-" or not set(body[:4] + body[5:]) <= set("0123456789"):
        return None
    year, month = int(body[:4]), int(body[5:])
    return body if 1970 <= year <= 9998 and 1 <= month <= 12 else None


def valid_port(text: str) -> int | None:
    body = text.strip(" ")
    if not body or len(body) > 32 or not set(body) <= set("0123456789"):
        return None
    return int(body) if 1 <= int(body) <= 65535 else None


def valid_tenant_name(text: str) -> bool:
    return (
        bool(text.strip())
        and len(text) <= 256
        and not any(unicodedata.category(ch) == "Cc" for ch in text)
    )


# ---------------------------------------------------------------------------------------------
# --refresh (budgettui.services.settings.validate_refresh)


@LIMITS
@given(TEXT)
@example("0")
@example("1")
@example("86400")
@example("0.5")
@example("86400.5")
def test_refresh_accepts_only_plain_seconds(text: str) -> None:
    outcome, args = parse(f"--refresh={text}", "tenants")
    expected = valid_refresh(text)
    if expected is None:
        outcome.refused("refresh must")
    else:
        assert outcome.code == 0, outcome.err
        assert args.refresh == expected


# ---------------------------------------------------------------------------------------------
# --timeout (cli._positive_seconds; settings.validate_timeout has the strict rule)


@pytest.mark.parametrize(
    "text", ["NaN", "inf", "1e309", "-0", "0", "-5", "1,000", "601", "", "\x00"]
)
def test_timeout_refuses_the_classic_bad_values(text: str) -> None:
    parse(f"--timeout={text}", "tenants")[0].refused("timeout", "seconds")
    parse("tenants", f"--timeout={text}")[0].refused("timeout", "seconds")


@pytest.mark.parametrize("text", ["30", "0.5", "600", " 12 "])
def test_timeout_accepts_seconds(text: str) -> None:
    outcome, args = parse(f"--timeout={text}", "tenants")
    assert outcome.code == 0
    assert args.timeout == float(text)


@LIMITS
@given(TEXT)
@example("١٠")
@example("1_0")
def test_timeout_accepts_only_plain_seconds(text: str) -> None:
    outcome, args = parse(f"--timeout={text}", "tenants")
    expected = valid_timeout(text)
    if expected is None:
        outcome.refused("timeout must")
    else:
        assert outcome.code == 0, outcome.err
        assert args.timeout == expected


# ---------------------------------------------------------------------------------------------
# --month (domain.usage.Month.parse)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "1969-12", "9999-01", "2026-1", "26-11", "2026/11", "NaN", ""]
)
def test_month_refuses_the_classic_bad_values(text: str) -> None:
    parse("usage", "acme-web", f"--month={text}")[0].refused("month must", "year must")


def test_month_accepts_a_month() -> None:
    outcome, args = parse("usage", "acme-web", "--month=2026-10")
    assert outcome.code == 0
    assert str(args.month) == "2026-10"


@LIMITS
@given(MONTHS)
@example("٢٠٢٦-١١")
@example("2026-11\n")
@example("x" * 10_000)
def test_month_accepts_only_yyyy_mm(text: str) -> None:
    outcome, args = parse("usage", "acme-web", f"--month={text}")
    expected = valid_month(text)
    if expected is None:
        outcome.refused("month must", "year must")
    else:
        assert outcome.code == 0, outcome.err
        assert str(args.month) == expected


# ---------------------------------------------------------------------------------------------
# --proxy-url (settings.validate_proxy_url)

GOOD_URLS = [
    "https://litellm.example.com",
    "http://127.0.0.1:4000",
    "http://[::1]:4000/",
    "https://proxy.internal:8443/litellm/",
    "http://litellm_proxy:4000",
    "  https://spaces.example.com  ",
]
BAD_URLS = [
    "",
    "litellm.example.com",
    "ftp://x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://",
    "https://user:pw@h.example.com",
    "https://h:0",
    "https://h:65536",
    "https://h?x=1",
    "https://h/#x",
    "http://exa mple.com",
    "http://h\x00.com",
    "http://h.com/\n",
    "https://-bad-.example.com",
    "https://" + "a" * 10_000 + ".com",
    "x" * 10_000,
]


@pytest.mark.parametrize("text", GOOD_URLS)
def test_proxy_url_accepts_a_proxy_address(text: str) -> None:
    outcome, args = parse(f"--proxy-url={text}", "tenants")
    assert outcome.code == 0, outcome.err
    assert args.proxy_url == text.strip().rstrip("/")


@pytest.mark.parametrize("text", BAD_URLS)
def test_proxy_url_refuses_what_is_not_a_proxy_address(text: str) -> None:
    parse(f"--proxy-url={text}", "tenants")[0].refused("proxy URL")


@LIMITS
@given(URLS)
def test_an_accepted_proxy_url_is_a_plain_http_address(text: str) -> None:
    outcome, args = parse(f"--proxy-url={text}", "tenants")
    if outcome.code != 0:
        outcome.refused("proxy URL")
        return
    value = str(args.proxy_url)
    url = httpx.URL(value)
    assert url.scheme in ("http", "https")
    assert url.host
    assert not url.userinfo
    assert not url.query
    assert not url.fragment
    assert url.port is None or 1 <= url.port <= 65535
    assert all(ch.isprintable() and not ch.isspace() for ch in value)


# ---------------------------------------------------------------------------------------------
# demo-server --port


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """`demo-server` with the server replaced by a note of the port it would use."""
    ports: list[int] = []
    monkeypatch.setattr(simulator.server, "run_server", lambda *a, port, **k: ports.append(port))
    return ports


@pytest.mark.parametrize("text", ["0", "65536", "-1", "abc", "1e3", "nan", "", "4000.5"])
def test_port_refuses_the_classic_bad_values(no_server: list[int], text: str) -> None:
    run("demo-server", f"--port={text}").refused("port")
    assert no_server == []


def test_port_accepts_a_port(no_server: list[int]) -> None:
    outcome = run("demo-server", "--port=4010")
    assert outcome.code == 0
    assert no_server == [4010]


@LIMITS
@given(TEXT)
@example("١٠")
@example("+5")
def test_port_accepts_only_a_port_number(text: str) -> None:
    ports: list[int] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulator.server, "run_server", lambda *a, port, **k: ports.append(port))
        outcome = run("demo-server", f"--port={text}")
    expected = valid_port(text)
    if expected is None:
        outcome.refused("port must")
        assert ports == []
    else:
        assert outcome.code == 0, outcome.err
        assert ports == [expected]


# ---------------------------------------------------------------------------------------------
# Tenant names


@pytest.mark.parametrize("name", ["acme-web", "ACME-WEB", "zürich-Ω"])
def test_a_visible_tenant_name_is_accepted(name: str) -> None:
    outcome = run("--demo", "usage", "--json", "--", name)
    assert outcome.code == 0, outcome.err
    assert json.loads(outcome.out)["tenant"].casefold() == name.casefold()


@E2E_LIMITS
@given(st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=60))
def test_any_other_printable_name_is_not_found_never_a_crash(name: str) -> None:
    outcome = run("--demo", "usage", "--", name)
    if not name.strip():
        return  # blank: a usage error (see below)
    if outcome.code == 0:
        assert json.loads(run("--demo", "usage", "--json", "--", name).out)["tenant"]
        return
    assert outcome.code == 1, outcome.err
    assert outcome.err.strip().endswith("not found or not accessible")
    assert len(outcome.err.strip().splitlines()) == 1


@LIMITS
@given(NAMES)
@example("")
@example("   ")
@example("acme-web\x00")
@example("a" * 10_000)
def test_tenant_names_that_cannot_be_an_alias_are_usage_errors(name: str) -> None:
    for argv in (
        ("usage", "--", name),
        ("budget", "set", "--max-budget=5", "--", name),
        ("budget", "set-org", "--max-budget=5", "--", name),
        ("spend", "reset", "--yes", "--", name),
    ):
        outcome = run("--demo", *argv)
        if valid_tenant_name(name):
            assert outcome.code in (0, 1), (argv, outcome.err)
        else:
            outcome.refused("tenant name")


# ---------------------------------------------------------------------------------------------
# --max-budget, --duration, --to: the editors' rules (domain.validation), end to end


@dataclass(frozen=True)
class Caps:
    """acme-web's key cap and org acme's cap, as the CLI sees them in the demo at NOW."""

    key: Cap
    org: Cap


@pytest.fixture(scope="module")
def caps() -> Caps:
    async def load() -> Caps:
        settings, transport = demo_settings(NOW)
        async with make_client(settings, transport) as client:
            overview = await load_overview(client, NOW)
        tenant = next(t for t in overview.tenants if t.name == "acme-web")
        assert tenant.org is not None
        return Caps(tenant.cap, tenant.org.cap)

    return asyncio.run(load())


def _problems(parse_fn: object, *args: object) -> list[str] | None:
    try:
        parse_fn(*args)  # type: ignore[operator]
    except ValidationError as error:
        return [problem.message for problem in error.problems]
    return None


def _refused_with(outcome: Outcome, messages: Sequence[str]) -> None:
    outcome.refused(*messages)
    for message in messages:
        assert message in outcome.message, (message, outcome.message)


@E2E_LIMITS
@given(TEXT)
@example("0.000001")
@example("1000000")
@example("1000000.000001")
def test_max_budget(caps: Caps, text: str) -> None:
    outcome = run("--demo", "budget", "set", f"--max-budget={text}", "--", "acme-web")
    problems = _problems(parse_amount, text)
    if problems is not None:
        _refused_with(outcome, problems)
        return
    amount = parse_amount(text)
    if amount is None:  # blank
        outcome.refused("--max-budget needs an amount")
        return
    assert outcome.code == 0, outcome.err
    if amount == caps.key.max_budget:
        assert outcome.out.strip() == "acme-web: no change"
    else:
        assert outcome.out.startswith("acme-web: budget $")
        assert outcome.out.rstrip().endswith(f"→ {_shown_amount(amount)}")


def _shown_amount(amount: Decimal) -> str:
    if amount == amount.quantize(Decimal("0.01")):
        return format_money(amount)
    return f"${amount:,f}"


@E2E_LIMITS
@given(st.one_of(TEXT, st.from_regex(r" ?[0-9]{1,4}(mo|[smhdwyM])? ?", fullmatch=True)))
@example("1y")
@example("1mo")
@example("2mo")
@example("daily")
@example("3651d")
def test_duration(caps: Caps, text: str) -> None:
    outcome = run(
        "--demo", "budget", "set-org", "--max-budget=5000", f"--duration={text}", "--", "acme"
    )
    problems = _problems(parse_duration, text)
    if problems is not None:
        _refused_with(outcome, problems)
        return
    assert outcome.code == 0, outcome.err
    before, after = caps.org.budget_duration or "none", parse_duration(text) or "none"
    if before == after:
        assert "duration" not in outcome.out
    else:
        assert outcome.out.strip().endswith(f"duration {before} → {after}")


@E2E_LIMITS
@given(TEXT)
@example("0")
@example("0.01")
def test_spend_reset_to(caps: Caps, text: str) -> None:
    outcome = run("--demo", "spend", "reset", "--yes", f"--to={text}", "--", "acme-web")
    problems = _problems(parse_reset_value, text, caps.key.spend, caps.key.max_budget)
    if problems is not None:
        _refused_with(outcome, problems)
        return
    assert outcome.code == 0, outcome.err
    value = parse_reset_value(text, caps.key.spend, caps.key.max_budget)
    assert outcome.out.strip().endswith(f"→ {format_money(value)}")
