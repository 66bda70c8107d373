"""What every screen shares: the client, the settings, the clock, the latest overview, and the
edits made in this session (for undo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Literal

from budgettui.domain.budget import Cap
from budgettui.domain.tenants import Org, Tenant
from budgettui.proxy.client import LiteLLMClient
from budgettui.proxy.models import Caller
from budgettui.services.connect import make_client
from budgettui.services.edits import Editor
from budgettui.services.journal import Journal
from budgettui.services.loading import Overview, load_overview
from budgettui.services.settings import Settings


@dataclass(frozen=True)
class UndoRecord:
    """A change made in this session: enough to write the old values back. "key" and "org":
    a budget (`before`'s max_budget and period); "spend": a key's spend reset (`before.spend`)."""

    scope: Literal["key", "org", "spend"]
    target: str  # the key hash, or the team id
    name: str
    before: Cap


@dataclass
class Session:
    settings: Settings
    client: LiteLLMClient
    clock: Callable[[], datetime]  # UTC-aware; injected so tests and snapshots hold still
    tz: tzinfo  # the admin's local zone, for reset times and "refreshed at"
    journal: Journal | None = None
    overview: Overview | None = None
    undo: list[UndoRecord] = field(default_factory=list)
    # How a client is made for other settings (`:ctx`): the app's transport, so the tests' and
    # the demo's in-process proxies answer there too.
    connect: Callable[[Settings], LiteLLMClient] = make_client

    def moved_to(self, settings: Settings) -> Session:
        """A fresh session on another proxy: nothing of this one's data, undo or answers."""
        return Session(
            settings=settings,
            client=self.connect(settings),
            clock=self.clock,
            tz=self.tz,
            journal=self.journal,
            connect=self.connect,
        )

    def today(self) -> date:
        return self.clock().date()

    @property
    def stale_after(self) -> float:
        """Data older than two refresh intervals is marked stale (0: never)."""
        return 2 * self.settings.refresh_seconds

    @property
    def caller(self) -> Caller:
        return self.overview.caller if self.overview else Caller()

    def editor(self) -> Editor:
        read_only = self.settings.context if self.settings.read_only else None
        return Editor(
            self.client,
            self.caller,
            self.journal,
            self.settings.api_key.reveal(),
            read_only_context=read_only,
        )

    async def refresh_overview(self) -> Overview:
        self.overview = await load_overview(self.client, self.clock(), self.settings.threshold)
        return self.overview

    def find_tenant(self, key: str | None, name: str) -> Tenant | None:
        """The same tenant in the latest overview (by key hash; by name while provisioning)."""
        if self.overview is None:
            return None
        for tenant in self.overview.tenants:
            if (key is not None and tenant.key_hash == key) or (
                key is None and tenant.key_hash is None and tenant.name == name
            ):
                return tenant
        return None

    def find_org(self, team_id: str) -> Org | None:
        if self.overview is None:
            return None
        return next(
            (t.org for t in self.overview.tenants if t.org and t.org.team_id == team_id), None
        )
