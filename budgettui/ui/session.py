"""What every screen shares: the client, the settings, the clock and the latest overview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from budgettui.loaders import Overview
from budgettui.proxy.client import LiteLLMClient
from budgettui.settings import Settings


@dataclass
class Session:
    settings: Settings
    client: LiteLLMClient
    clock: Callable[[], datetime]  # UTC-aware; injected so tests and snapshots hold still
    tz: tzinfo  # the admin's local zone, for reset times and "refreshed at"
    overview: Overview | None = None
    last_error: str | None = field(default=None)

    def today(self) -> date:
        return self.clock().date()

    @property
    def stale_after(self) -> float:
        """Data older than two refresh intervals is marked stale (0: never)."""
        return 2 * self.settings.refresh_seconds
