"""The proxy is down at launch, or goes down mid-session: the app says so, keeps what it had
(marked stale with its age), and recovers without a restart; the headless commands fail with
one line and work again once the proxy is back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static

from budgettui.ui.screens.error import ErrorScreen
from budgettui.ui.screens.tenant import TenantScreen
from budgettui.ui.screens.tenants import TenantsScreen
from tests.faults.conftest import ATTEMPTS, CliResult, Clock, Proxy, WorkerWatch, loopback_app
from tests.uihelpers import ManualTimers, rendered_text, settle, table_names


def _freshness(screen: object) -> str:
    assert isinstance(screen, TenantsScreen)
    return rendered_text(screen.query_one("#freshness", Static)).strip()


async def test_down_at_launch_shows_the_error_screen_and_r_retries_once_it_is_up(
    down_proxy: Proxy, tmp_path: Path
) -> None:
    app = loopback_app(down_proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ErrorScreen)
        assert screen.error.title == "Proxy unavailable"
        assert "could not connect to 127.0.0.1" in screen.error.message
        hint = rendered_text(screen.query_one("#error-hint", Static))
        assert "r retries" in hint

        await pilot.press("r")  # still down: the same screen again, nothing worse
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)

        down_proxy.start()
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)
        assert "acme-web" in table_names(app)
        assert _freshness(app.screen).startswith("refreshed ")
        await pilot.press("q")
    assert watch.failed == []
    assert app.return_code == 0


def test_down_at_launch_headless_is_one_line_then_works_once_up(
    down_proxy: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    run_cli(down_proxy.url, "tenants", "--json").assert_one_line_error(
        "Proxy unavailable", "could not connect to 127.0.0.1"
    )
    run_cli(down_proxy.url, "usage", "acme-web").assert_one_line_error("Proxy unavailable")
    down_proxy.start()
    result = run_cli(down_proxy.url, "tenants", "--json")
    assert (result.code, result.err) == (0, "")
    assert '"tenant": "acme-web"' in result.out


async def test_down_mid_session_keeps_the_data_marks_it_stale_and_recovers(
    own_proxy: Proxy, tmp_path: Path
) -> None:
    proxy = own_proxy
    clock = Clock()
    # refresh every 60 s: stale after 120 s. The timer never fires in a test this short; the
    # clock is moved by hand and `r` asks for the refreshes.
    app = loopback_app(proxy, tmp_path, refresh=60, clock=clock)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        before = table_names(app)
        assert "acme-web" in before
        assert _freshness(app.screen) == "refreshed 14:30:00"

        proxy.stop()
        clock.advance(30)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)  # no error screen: there is data
        assert table_names(app) == before
        assert any("Proxy unavailable" in note for note in watch.lines())
        assert _freshness(app.screen) == "refreshed 14:30:00"  # 30 s old: not stale yet

        clock.advance(200)  # 3m50s since the last good answer: past two intervals
        await pilot.press("r")
        await settle(pilot)
        assert table_names(app) == before
        assert _freshness(app.screen) == "STALE: refreshed 3m ago (14:30:00)"

        # The tenant screen while down: its usage cannot load; it says so and stays usable.
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TenantScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TenantsScreen)

        proxy.start()  # back on the same port: no restart of the app
        clock.advance(5)
        await pilot.press("r")
        await settle(pilot)
        assert table_names(app) == before
        assert _freshness(app.screen) == "refreshed 14:33:55"
        await pilot.press("q")
    assert watch.failed == []
    assert app.return_code == 0


def test_down_mid_session_headless_fails_once_and_works_after(
    own_proxy: Proxy, run_cli: Callable[..., CliResult]
) -> None:
    proxy = own_proxy
    assert run_cli(proxy.url, "tenants").code == 0
    proxy.stop()
    run_cli(proxy.url, "tenants").assert_one_line_error("could not connect")
    proxy.start()
    assert run_cli(proxy.url, "usage", "acme-web", "--json").code == 0


async def test_a_dead_pooled_connection_is_retried_not_reported(
    own_proxy: Proxy, tmp_path: Path
) -> None:
    """A restart closes the connections the client keeps alive; the next read must simply
    reconnect (within its retries), not show an error."""
    proxy = own_proxy
    app = loopback_app(proxy, tmp_path)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        proxy.stop()
        proxy.start()
        proxy.store.requests.clear()
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TenantsScreen)
        assert watch.lines() == []
        assert len(proxy.calls("GET", "/key/list")) <= ATTEMPTS
    assert watch.failed == []


async def test_auto_refresh_marks_stale_and_recovers_by_itself(
    own_proxy: Proxy, tmp_path: Path
) -> None:
    """No key pressed: the polls themselves fail quietly (a toast, the data kept) while the
    proxy is down, and pick up again once it is back."""
    proxy = own_proxy
    clock = Clock()
    app = loopback_app(proxy, tmp_path, refresh=0.3, clock=clock)  # stale after 0.6 s
    polls = ManualTimers(app.tenants_screen)
    watch = WorkerWatch()
    async with app.run_test(size=(120, 36), message_hook=watch) as pilot:
        await settle(pilot)
        before = table_names(app)
        proxy.stop()
        clock.advance(90)
        polls.fire()
        await settle(pilot)
        assert any("Proxy unavailable" in note for note in watch.lines())
        assert table_names(app) == before
        assert _freshness(app.screen) == "STALE: refreshed 1m ago (14:30:00)"

        proxy.start()
        clock.advance(1)
        polls.fire()  # the failed poll set the next one
        await settle(pilot)
        assert _freshness(app.screen) == "refreshed 14:31:31"
        assert table_names(app) == before
        await pilot.press("q")
    assert watch.failed == []
    assert app.return_code == 0
