"""Which LiteLLM release the simulator reproduces, and what that changes.

Every difference between the supported releases is one field of ``LiteLLMVersion``, so handlers
ask a question ("does a null ``budget_duration`` clear the key's period?") instead of comparing
version strings. Each field names the LiteLLM 1.84.10 source that differs from 1.108.7.
"""

from __future__ import annotations

from dataclasses import dataclass

# The daily-activity routes added after 1.84.10 (absent from its routers, so FastAPI answers 404).
_NEWER_DAILY_ROUTES = frozenset(
    {
        "/user/daily/activity/aggregated/keys",
        "/team/daily/activity/aggregated",
        "/team/daily/activity/aggregated/keys",
    }
)


@dataclass(frozen=True, slots=True)
class LiteLLMVersion:
    """The behaviour of one LiteLLM release, as far as the simulated routes go."""

    number: str
    # LiteLLM route templates this release does not serve at all (FastAPI 404 "Not Found").
    missing_routes: frozenset[str]
    # ``LiteLLMRoutes`` gate lists (``proxy/_types.py``), restricted to the simulated routes.
    info_routes: frozenset[str]
    internal_user_routes: frozenset[str]
    internal_user_viewer_routes: frozenset[str]
    self_managed_routes: frozenset[str]
    # 1.108 says "Invalid API key provided."; 1.84 names the abbreviated key and its hash.
    verbose_invalid_key_message: bool
    # ``/key/update`` with ``"budget_duration": null``: 1.108 clears period and reset date,
    # 1.84 ``prepare_key_update_data`` pops the value and writes nothing.
    key_null_duration_clears: bool
    # ``/team/update`` with ``"budget_duration": null``: 1.108 clears ``budget_reset_at`` too,
    # 1.84 ``_set_budget_reset_at`` only acts on a non-null duration.
    team_null_duration_clears_reset: bool
    # 1.108 ``keeps_due_budget_reset``: re-sending the stored duration keeps an already-due
    # reset date; 1.84 always computes the next reset date.
    keeps_due_reset: bool
    # 1.108 refuses budget and spend edits by a team admin on another member's key
    # (``member_key_budgets`` is off by default); 1.84 has no such setting.
    member_key_budget_gate: bool
    # Which ``/key/update`` fields need admin rights: 1.108 counts any ``spend`` and
    # ``soft_budget``; 1.84 ``_is_budget_change`` only a changed ``max_budget`` or ``spend``.
    soft_budget_is_budget_change: bool
    # 1.108 ``/v2/team/list`` items carry ``keys_count`` and ``access_group_skill_names``.
    team_list_counts_keys: bool
    # 1.108 ``/team/info`` carries ``caller_edit_access`` and the other access-group extras.
    team_info_extras: bool

    def serves(self, route: str) -> bool:
        return route not in self.missing_routes


_INFO_ROUTES = frozenset(
    {"/key/info", "/key/list", "/team/info", "/team/list", "/v2/team/list", "/user/info"}
)
_KEY_ROUTES = frozenset(
    {
        "/key/info",
        "/key/list",
        "/key/update",
        "/key/{key}/reset_spend",
        "/key/generate",
        "/key/delete",
    }
)
_TEAM_DAILY_1_108 = frozenset(
    {
        "/team/daily/activity",
        "/team/daily/activity/aggregated",
        "/team/daily/activity/aggregated/keys",
    }
)

V1_108_7 = LiteLLMVersion(
    number="1.108.7",
    missing_routes=frozenset(),
    info_routes=_INFO_ROUTES | {"/management/v1/users/me"},
    internal_user_routes=_KEY_ROUTES | _TEAM_DAILY_1_108 | {"/spend/logs/v2"},
    internal_user_viewer_routes=frozenset({"/spend/logs/v2"}),
    self_managed_routes=_TEAM_DAILY_1_108
    | {
        "/user/daily/activity",
        "/user/daily/activity/aggregated",
        "/user/daily/activity/aggregated/keys",
        "/team/update",
        "/team/member_add",
    },
    verbose_invalid_key_message=False,
    key_null_duration_clears=True,
    team_null_duration_clears_reset=True,
    keeps_due_reset=True,
    member_key_budget_gate=True,
    soft_budget_is_budget_change=True,
    team_list_counts_keys=True,
    team_info_extras=True,
)

# LiteLLM 1.84.10 ``proxy/_types.py`` ``LiteLLMRoutes``: ``/spend/logs/v2`` is in no non-admin
# list (``spend_tracking_routes`` has only ``/spend/logs``), ``/user/daily/activity/aggregated``
# is only in ``management_routes``, and ``/team/update`` is not in ``self_managed_routes``, so
# ``RouteChecks.non_proxy_admin_allowed_routes_check`` answers 401 "Only proxy admin…" for them.
V1_84_10 = LiteLLMVersion(
    number="1.84.10",
    missing_routes=_NEWER_DAILY_ROUTES | {"/management/v1/users/me"},
    info_routes=_INFO_ROUTES,
    internal_user_routes=_KEY_ROUTES | {"/team/daily/activity"},
    internal_user_viewer_routes=frozenset(),
    self_managed_routes=frozenset(
        {"/user/daily/activity", "/team/member_add", "/team/daily/activity"}
    ),
    verbose_invalid_key_message=True,
    key_null_duration_clears=False,
    team_null_duration_clears_reset=False,
    keeps_due_reset=False,
    member_key_budget_gate=False,
    soft_budget_is_budget_change=False,
    team_list_counts_keys=False,
    team_info_extras=False,
)

DEFAULT_VERSION = V1_108_7.number
_BY_NUMBER = {version.number: version for version in (V1_84_10, V1_108_7)}
SUPPORTED_VERSIONS: tuple[str, ...] = tuple(_BY_NUMBER)


def resolve_version(number: str) -> LiteLLMVersion:
    """The behaviour for ``number``: a full version or its ``major.minor`` ("1.84")."""
    for full, version in _BY_NUMBER.items():
        if number in (full, full.rsplit(".", 1)[0]):
            return version
    supported = ", ".join(SUPPORTED_VERSIONS)
    raise ValueError(f"unsupported LiteLLM version {number!r}; supported: {supported}")
