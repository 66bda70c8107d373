"""Which LiteLLM release the simulator reproduces, and what that changes.

Every difference between the supported releases is one field of ``LiteLLMVersion``, so handlers
ask a question ("does a null ``budget_duration`` clear the key's period?") instead of comparing
version strings. Each field names the LiteLLM 1.84.10 source that differs from 1.108.7.
"""

from __future__ import annotations

import math
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
    # Routes served but left out of ``/openapi.json`` (1.108 hides ``/management/v1/users/me``).
    unlisted_routes: frozenset[str]
    # Negative budgets: 1.108 "must be a non-negative finite number" (also NaN/inf, and soft
    # budgets on ``/key/update``); 1.84 "cannot be negative" (``soft_budget`` unchecked there).
    rejects_non_finite_budgets: bool
    # 1.108 ``validate_budget_duration`` refuses "30"; 1.84 stores any string, and
    # ``get_next_standardized_reset_time`` falls back to the next midnight for it.
    validates_budget_duration: bool
    # 1.108 ``ResetSpendRequest`` refuses a boolean ``reset_to`` (422); 1.84's plain float
    # field reads ``true`` as 1.0.
    rejects_bool_reset_to: bool
    # 1.84's FastAPI/pydantic keep ``input`` (and ``ctx``) in 422 items; 1.108 drops them.
    validation_errors_carry_input: bool
    # 1.108 daily activity: ``api_key_limit`` (top 100 keys per breakdown), key counts in the
    # metadata, the extended ``SpendMetrics`` and ``KeyMetadata``; 1.84 has none of them.
    rich_daily_activity: bool
    # Status of a ``BudgetExceededError`` from auth: 422 (``budget_exceeded_status_code``) on
    # 1.108, hard-coded 400 on 1.84. An expired key: 401 on 1.108, 400 on 1.84.
    budget_refusal_status: int
    expired_key_status: int
    # 1.108's builder names the member ("TeamMember=<user>:<team>", ``>=``); 1.84's says only
    # "Budget has been exceeded! Current cost…" and refuses at ``>``.
    names_team_member_in_refusal: bool
    # 1.84 skips the user budget of a proxy-admin owner in ``common_checks`` and refuses in the
    # ``_PROXY_MaxBudgetLimiter`` hook instead (429 "Max budget limit reached.").
    admin_owner_budget_via_hook: bool
    # ``/user/info?user_id=<other>``: 1.108 lets a proxy-admin viewer read anyone; 1.84 does not.
    viewer_reads_other_users: bool
    # 1.108 reports usage: ``/key/info`` ``status`` and ``budget_limits_usage``, ``/key/list``
    # rows with ``litellm_budget_table``/``budget_id``, ``/v2/user/info`` model budgets and
    # limits, ``/team/info`` ``budget_source``; budget rows carry ``tpd_limit`` and the
    # ``temp_budget_*`` columns.
    reports_usage: bool
    # 1.84 lists only memberships that have a budget row, and gives every member added to a
    # team with ``team_member_budget`` its own copy of that row; 1.108 shares the team's row.
    copies_member_budgets: bool
    # ``param`` of the user endpoints' ProxyException: JSON null on 1.108, "None" on 1.84.
    user_error_param: str | None
    # ``/key/list`` ``substring_matching``: 1.108 matches ``key_alias`` (any caller) and
    # ``user_id`` (admin views) as case-insensitive substrings only when asked, else exactly.
    # 1.84 ``list_keys`` has no such parameter: admin views always get substrings, others exact.
    key_list_substring_opt_in: bool
    # 1.108 applies ``key_alias`` to every key listed; 1.84 ``_build_key_filter_conditions``
    # puts it in ``user_condition`` (the caller's own keys), so team keys come unfiltered.
    key_alias_filters_team_keys: bool

    def serves(self, route: str) -> bool:
        return route not in self.missing_routes

    def budget_value_error(self, name: str, value: float | None) -> str | None:
        """Why ``value`` cannot be stored as the budget ``name``, or None."""
        if value is None:
            return None
        if self.rejects_non_finite_budgets:
            if not math.isfinite(value) or value < 0:
                return f"{name} must be a non-negative finite number. Received: {value}"
            return None
        return f"{name} cannot be negative. Received: {value}" if value < 0 else None


_INFO_ROUTES = frozenset(
    {
        "/key/info",
        "/key/list",
        "/team/info",
        "/team/list",
        "/v2/team/list",
        "/user/info",
        "/v2/user/info",
        "/user/list",
    }
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
    unlisted_routes=frozenset({"/management/v1/users/me"}),
    rejects_non_finite_budgets=True,
    validates_budget_duration=True,
    rejects_bool_reset_to=True,
    validation_errors_carry_input=False,
    rich_daily_activity=True,
    budget_refusal_status=422,
    expired_key_status=401,
    names_team_member_in_refusal=True,
    admin_owner_budget_via_hook=False,
    viewer_reads_other_users=True,
    reports_usage=True,
    copies_member_budgets=False,
    user_error_param=None,
    key_list_substring_opt_in=True,
    key_alias_filters_team_keys=True,
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
    unlisted_routes=frozenset(),
    rejects_non_finite_budgets=False,
    validates_budget_duration=False,
    rejects_bool_reset_to=False,
    validation_errors_carry_input=True,
    rich_daily_activity=False,
    budget_refusal_status=400,
    expired_key_status=400,
    names_team_member_in_refusal=False,
    admin_owner_budget_via_hook=True,
    viewer_reads_other_users=False,
    reports_usage=False,
    copies_member_budgets=True,
    user_error_param="None",
    key_list_substring_opt_in=False,
    key_alias_filters_team_keys=False,
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
