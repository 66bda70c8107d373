"""Shown when nothing could be loaded at all (proxy down, key rejected): what happened, and
a way to try again without restarting."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from budgettui.proxy.errors import ProxyError, Unauthorized
from budgettui.ui.widgets.footer import Footer
from budgettui.ui.widgets.theme_styles import MUTED, URGENT


class ErrorScreen(Screen[None]):
    """Dismissed (with `r`) to let the screen below retry."""

    BINDINGS = [
        Binding("r", "retry", "Retry", id="error.retry"),
        Binding("q", "quit", "Quit", id="error.quit"),
    ]
    DEFAULT_CSS = """
    ErrorScreen { align: center middle; }
    ErrorScreen > Vertical {
        width: 72; max-width: 100%; height: auto; border: heavy $error; padding: 1 2;
    }
    """

    def __init__(self, error: ProxyError) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(self.error.title, URGENT), id="error-title")
            yield Static(Content(self.error.message), id="error-message")
            yield Static(Content.styled(self._hint(), MUTED), id="error-hint")
        yield Footer()

    def _hint(self) -> str:
        if isinstance(self.error, Unauthorized):
            return "Check LITELLM_PROXY_API_KEY. Press r to retry, q to quit."
        return "Check that the proxy is up and LITELLM_PROXY_URL is right. r retries, q quits."

    def action_retry(self) -> None:
        self.dismiss(None)

    async def action_quit(self) -> None:
        self.app.exit()
